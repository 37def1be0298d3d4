import { UserError } from "../../errors.js";

/** A fitted (multinomial) logistic regression: `logits = W x + b`, probabilities by softmax. */
export interface LogisticRegressionModel {
  classes: number;
  features: number;
  /**
   * Rows of logit weights, each `features` long followed by the intercept. Two classes use one row (the logit
   * of class 1, class 0's logit being 0), as binary logistic regression does; more classes use one row per class.
   */
  weights: Float64Array;
  /** Iterations L-BFGS ran, and the final objective (mean cross-entropy + penalty). */
  iterations: number;
  loss: number;
}

/** Options of `fitLogisticRegression`. */
export interface LogisticRegressionOptions {
  /** Inverse regularization strength, as scikit-learn's `C`: objective = C * sum(cross-entropy) + ||W||^2 / 2. Default 1. */
  c?: number;
  /** Most L-BFGS iterations. Default 300. */
  maxIterations?: number;
  /** Stop when the largest gradient component of the per-row objective is below this. Default 1e-7. */
  gradientTolerance?: number;
}

/**
 * Fits an L2-regularized multinomial logistic regression by L-BFGS: deterministic, no randomness, starting
 * from zero weights. The objective equals scikit-learn's `LogisticRegression(C=c)` (intercepts are not
 * penalized; two classes use the binary form), so the optimum matches it.
 *
 * @param x row-major inputs, `rows * features` (standardize them first)
 * @param rows number of rows
 * @param features number of input columns
 * @param y class index (0..classes-1) of each row
 * @param classes number of classes, at least 2
 * @example
 *   const m = fitLogisticRegression(x, n, d, labels, 3);
 *   const p = predictProbabilities(m, x, n); // n * 3 probabilities
 */
export function fitLogisticRegression(
  x: Float64Array,
  rows: number,
  features: number,
  y: ArrayLike<number>,
  classes: number,
  options: LogisticRegressionOptions = {},
): LogisticRegressionModel {
  const c = options.c ?? 1;
  const maxIterations = options.maxIterations ?? 300;
  const gradientTolerance = options.gradientTolerance ?? 1e-7;
  if (!(c > 0)) throw new UserError(`c must be > 0, got ${c}`);
  if (!Number.isInteger(classes) || classes < 2)
    throw new UserError(`classes must be an integer >= 2, got ${classes}`);
  if (x.length !== rows * features) {
    throw new UserError(
      `x has ${x.length} values but rows * features = ${rows} * ${features} = ${rows * features}`,
    );
  }
  for (let i = 0; i < rows; i++) {
    const label = y[i]!;
    if (!(Number.isInteger(label) && label >= 0 && label < classes)) {
      throw new UserError(`y[${i}] must be a class index in 0..${classes - 1}, got ${label}`);
    }
  }
  const outputs = classes === 2 ? 1 : classes;
  const stride = features + 1;
  const size = outputs * stride;
  // Objective per row: mean cross-entropy + lambda/2 ||W||^2, lambda = 1 / (C * rows): the same minimizer as sklearn.
  const lambda = 1 / (c * Math.max(rows, 1));
  const logits = new Float64Array(classes);

  const evaluate = (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    for (let i = 0; i < rows; i++) {
      const xi = i * features;
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < classes; k++) {
        let z = 0;
        const row = classes === 2 ? k - 1 : k;
        if (row >= 0) {
          const w = row * stride;
          z = theta[w + features]!;
          for (let j = 0; j < features; j++) z += theta[w + j]! * x[xi + j]!;
        }
        logits[k] = z;
        if (z > max) max = z;
      }
      let sum = 0;
      for (let k = 0; k < classes; k++) {
        logits[k] = Math.exp(logits[k]! - max);
        sum += logits[k]!;
      }
      const label = y[i]!;
      loss -= Math.log(logits[label]! / sum);
      for (let k = classes === 2 ? 1 : 0; k < classes; k++) {
        const delta = logits[k]! / sum - (k === label ? 1 : 0);
        if (delta === 0) continue;
        const w = (classes === 2 ? 0 : k) * stride;
        for (let j = 0; j < features; j++) grad[w + j]! += delta * x[xi + j]!;
        grad[w + features]! += delta;
      }
    }
    const inv = 1 / Math.max(rows, 1);
    loss *= inv;
    for (let t = 0; t < size; t++) grad[t]! *= inv;
    for (let o = 0; o < outputs; o++) {
      for (let j = 0; j < features; j++) {
        const t = o * stride + j;
        loss += 0.5 * lambda * theta[t]! * theta[t]!;
        grad[t]! += lambda * theta[t]!;
      }
    }
    return loss;
  };

  const { theta, iterations, value } = minimizeLbfgs(evaluate, size, maxIterations, gradientTolerance);
  return { classes, features, weights: theta, iterations, loss: value };
}

/**
 * Class probabilities of every row under a fitted model.
 * @returns row-major `rows * classes` probabilities
 */
export function predictProbabilities(
  model: LogisticRegressionModel,
  x: Float64Array,
  rows: number,
): Float64Array {
  const { classes, features, weights } = model;
  if (x.length !== rows * features) {
    throw new UserError(
      `x has ${x.length} values but the model expects rows * ${features} = ${rows * features}`,
    );
  }
  const stride = features + 1;
  const out = new Float64Array(rows * classes);
  for (let i = 0; i < rows; i++) {
    const xi = i * features;
    const oi = i * classes;
    let max = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < classes; k++) {
      let z = 0;
      const row = classes === 2 ? k - 1 : k;
      if (row >= 0) {
        const w = row * stride;
        z = weights[w + features]!;
        for (let j = 0; j < features; j++) z += weights[w + j]! * x[xi + j]!;
      }
      out[oi + k] = z;
      if (z > max) max = z;
    }
    let sum = 0;
    for (let k = 0; k < classes; k++) {
      out[oi + k] = Math.exp(out[oi + k]! - max);
      sum += out[oi + k]!;
    }
    for (let k = 0; k < classes; k++) out[oi + k]! /= sum;
  }
  return out;
}

/**
 * Limited-memory BFGS (10 correction pairs) with a backtracking Armijo line search, from theta = 0.
 * Stops when the largest gradient component is below `gradientTolerance`, the objective stops moving,
 * or after `maxIterations`.
 */
function minimizeLbfgs(
  evaluate: (theta: Float64Array, grad: Float64Array) => number,
  size: number,
  maxIterations: number,
  gradientTolerance: number,
): { theta: Float64Array; iterations: number; value: number } {
  const memory = 10;
  let theta = new Float64Array(size);
  let grad = new Float64Array(size);
  let value = evaluate(theta, grad);
  const sList: Float64Array[] = [];
  const yList: Float64Array[] = [];
  const rhoList: number[] = [];
  const direction = new Float64Array(size);
  const alpha = new Float64Array(memory);
  let nextTheta = new Float64Array(size);
  let nextGrad = new Float64Array(size);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    if (maxAbs(grad) < gradientTolerance) break;
    // Two-loop recursion: direction = -H grad.
    for (let t = 0; t < size; t++) direction[t] = -grad[t]!;
    const m = sList.length;
    for (let h = m - 1; h >= 0; h--) {
      alpha[h] = rhoList[h]! * dot(sList[h]!, direction);
      axpy(-alpha[h]!, yList[h]!, direction);
    }
    if (m > 0) {
      const gamma = dot(sList[m - 1]!, yList[m - 1]!) / dot(yList[m - 1]!, yList[m - 1]!);
      for (let t = 0; t < size; t++) direction[t]! *= gamma;
    } else {
      const scale = 1 / Math.max(1, Math.sqrt(dot(grad, grad)));
      for (let t = 0; t < size; t++) direction[t]! *= scale;
    }
    for (let h = 0; h < m; h++) {
      const beta = rhoList[h]! * dot(yList[h]!, direction);
      axpy(alpha[h]! - beta, sList[h]!, direction);
    }
    let slope = dot(grad, direction);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      sList.length = 0;
      yList.length = 0;
      rhoList.length = 0;
      for (let t = 0; t < size; t++) direction[t] = -grad[t]!;
      slope = dot(grad, direction);
    }
    let step = 1;
    let nextValue = Number.POSITIVE_INFINITY;
    for (let tries = 0; tries < 50; tries++) {
      for (let t = 0; t < size; t++) nextTheta[t] = theta[t]! + step * direction[t]!;
      nextValue = evaluate(nextTheta, nextGrad);
      if (nextValue <= value + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(nextValue <= value)) break;
    const s = new Float64Array(size);
    const yv = new Float64Array(size);
    for (let t = 0; t < size; t++) {
      s[t] = nextTheta[t]! - theta[t]!;
      yv[t] = nextGrad[t]! - grad[t]!;
    }
    const sy = dot(s, yv);
    if (sy > 1e-12) {
      if (sList.length === memory) {
        sList.shift();
        yList.shift();
        rhoList.shift();
      }
      sList.push(s);
      yList.push(yv);
      rhoList.push(1 / sy);
    }
    const previous = value;
    [theta, nextTheta] = [nextTheta, theta];
    [grad, nextGrad] = [nextGrad, grad];
    value = nextValue;
    if (previous - value <= 1e-15 * Math.max(1, Math.abs(value))) {
      iterations++;
      break;
    }
  }
  return { theta, iterations, value };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i]! += a * x[i]!;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}
