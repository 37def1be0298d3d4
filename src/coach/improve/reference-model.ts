/**
 * The non-neural reference (RECIPE.md §12, "start with a simple baseline"): how much does the network
 * add? Classification: L2 logistic regression (scikit-learn's LogisticRegression(C=1), the audit's
 * solver); regression: ridge regression (alpha 1) in closed form. Both on the same model inputs the
 * network gets (standardized features, one-hot categories; flattened standardized pixels or
 * spectrograms), scored with the study's metrics. Text (n-gram indices) and inputs wider than
 * MAX_FEATURES have no reference: the report says so.
 */
import { fitLogisticRegression, predictProbabilities } from "../../data/audit/logistic-regression.js";
import type { PreparedData } from "../../recipe/prepared-data.js";
import { metricValues } from "../../recipe/train-plan.js";
import type { Dataset } from "../../train/fit.js";

export const MAX_FEATURES = 4096;
export const RIDGE_ALPHA = 1;

export interface ReferenceModel {
  name: string;
  /** Model outputs on a dataset: class probabilities (n x k) or standardized predictions. */
  predict(d: Dataset): Float64Array;
}

/** Why a dataset has no reference, or undefined when it has one. */
export function noReference(data: PreparedData): string | undefined {
  if (data.kind === "text") return "text inputs are n-gram indices, not features a linear model reads";
  const f = data.inputShape.reduce((a, b) => a * b, 1);
  if (f > MAX_FEATURES)
    return `${f} input values per row is more than a linear reference takes (${MAX_FEATURES})`;
  return undefined;
}

export function fitReference(data: PreparedData): ReferenceModel {
  const d = data.train;
  const f = data.inputShape.reduce((a, b) => a * b, 1);
  const x = Float64Array.from(d.x as ArrayLike<number>);
  if (data.task === "classification") {
    const k = data.classes.length;
    const m = fitLogisticRegression(x, d.n, f, Int32Array.from(d.y as ArrayLike<number>), k);
    return {
      name: "logistic regression (L2, C=1)",
      predict(v) {
        return predictProbabilities(m, Float64Array.from(v.x as ArrayLike<number>), v.n);
      },
    };
  }
  const w = ridge(x, Float64Array.from(d.y as ArrayLike<number>), d.n, f, RIDGE_ALPHA);
  return {
    name: `ridge regression (alpha ${RIDGE_ALPHA})`,
    predict(v) {
      const out = new Float64Array(v.n);
      for (let i = 0; i < v.n; i++) {
        let s = w[f]!;
        for (let j = 0; j < f; j++) s += w[j]! * (v.x[i * f + j] as number);
        out[i] = s;
      }
      return out;
    },
  };
}

/** Scores a reference on a dataset with the given metric names (regression mapped back to target units). */
export function scoreReference(
  ref: ReferenceModel,
  data: PreparedData,
  d: Dataset,
  metrics: string[],
): Record<string, number> {
  return metricValues(metrics, ref.predict(d), d, data.classes.length, data.targetScale);
}

/**
 * Ridge weights (features, then the intercept): minimizes ||y - Xw - b||^2 + alpha ||w||^2 (intercept not
 * penalized) through the normal equations on centered data, solved by Cholesky.
 */
export function ridge(x: Float64Array, y: Float64Array, n: number, f: number, alpha: number): Float64Array {
  const mx = new Float64Array(f);
  let my = 0;
  for (let i = 0; i < n; i++) {
    my += y[i]!;
    for (let j = 0; j < f; j++) mx[j]! += x[i * f + j]!;
  }
  my /= n;
  for (let j = 0; j < f; j++) mx[j]! /= n;
  const a = new Float64Array(f * f);
  const b = new Float64Array(f);
  for (let i = 0; i < n; i++) {
    const yi = y[i]! - my;
    for (let j = 0; j < f; j++) {
      const xj = x[i * f + j]! - mx[j]!;
      b[j]! += xj * yi;
      for (let k = 0; k <= j; k++) a[j * f + k]! += xj * (x[i * f + k]! - mx[k]!);
    }
  }
  for (let j = 0; j < f; j++) a[j * f + j]! += alpha;
  // Cholesky: a = L L^T (lower triangle)
  for (let j = 0; j < f; j++) {
    for (let k = 0; k < j; k++) a[j * f + j]! -= a[j * f + k]! ** 2;
    const d = Math.sqrt(Math.max(a[j * f + j]!, 1e-12));
    a[j * f + j] = d;
    for (let i = j + 1; i < f; i++) {
      let s = a[i * f + j]!;
      for (let k = 0; k < j; k++) s -= a[i * f + k]! * a[j * f + k]!;
      a[i * f + j] = s / d;
    }
  }
  const z = new Float64Array(f);
  for (let i = 0; i < f; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= a[i * f + k]! * z[k]!;
    z[i] = s / a[i * f + i]!;
  }
  const w = new Float64Array(f + 1);
  for (let i = f - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < f; k++) s -= a[k * f + i]! * w[k]!;
    w[i] = s / a[i * f + i]!;
  }
  let intercept = my;
  for (let j = 0; j < f; j++) intercept -= w[j]! * mx[j]!;
  w[f] = intercept;
  return w;
}
