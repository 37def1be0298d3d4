import { UserError } from "../../errors.js";
import { accurateSum, checkSameLength } from "./metric-inputs.js";

function check(where: string, yTrue: ArrayLike<number>, yPred: ArrayLike<number>): void {
  if (yTrue === null || typeof yTrue !== "object" || typeof yTrue.length !== "number") {
    throw new UserError(`${where}: yTrue must be an array of numbers; received ${String(yTrue)}`);
  }
  checkSameLength(where, yTrue, "yTrue", yPred, "yPred");
  if (yTrue.length === 0) throw new UserError(`${where}: yTrue is empty; a metric needs at least one sample`);
}

function sumOf(n: number, term: (i: number) => number): number {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = term(i);
  return accurateSum(v);
}

function meanOf(n: number, term: (i: number) => number): number {
  return sumOf(n, term) / n;
}

/**
 * Mean absolute error, mean |yTrue - yPred| (sklearn `mean_absolute_error`). NaN in, NaN out (sklearn
 * raises on NaN or infinite values).
 *
 * @example
 * meanAbsoluteError([3, -0.5, 2, 7], [2.5, 0, 2, 8]); // 0.5
 */
export function meanAbsoluteError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  check("meanAbsoluteError", yTrue, yPred);
  return meanOf(yTrue.length, (i) => Math.abs(yPred[i]! - yTrue[i]!));
}

/**
 * Mean squared error, mean (yTrue - yPred)^2 (sklearn `mean_squared_error`).
 *
 * @example
 * meanSquaredError([3, -0.5, 2, 7], [2.5, 0, 2, 8]); // 0.375
 */
export function meanSquaredError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  check("meanSquaredError", yTrue, yPred);
  return meanOf(yTrue.length, (i) => (yTrue[i]! - yPred[i]!) ** 2);
}

/** Root mean squared error, sqrt of `meanSquaredError` (sklearn `mean_squared_error(squared=False)`). */
export function rootMeanSquaredError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  check("rootMeanSquaredError", yTrue, yPred);
  return Math.sqrt(meanOf(yTrue.length, (i) => (yTrue[i]! - yPred[i]!) ** 2));
}

/**
 * Coefficient of determination R^2 = 1 - SS_res / SS_tot (sklearn `r2_score`, same edge cases: NaN with
 * fewer than two samples; when yTrue is constant, 1 for perfect predictions and 0 otherwise).
 *
 * @example
 * r2Score([3, -0.5, 2, 7], [2.5, 0, 2, 8]); // 0.9486...
 */
export function r2Score(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  check("r2Score", yTrue, yPred);
  const n = yTrue.length;
  if (n < 2) return Number.NaN;
  const mean = accurateSum(yTrue) / n;
  const num = sumOf(n, (i) => (yTrue[i]! - yPred[i]!) ** 2);
  const den = sumOf(n, (i) => (yTrue[i]! - mean) ** 2);
  if (num === 0) return 1;
  if (den === 0) return 0;
  return 1 - num / den;
}
