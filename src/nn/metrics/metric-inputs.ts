import { UserError } from "../../errors.js";

/** Class labels: integer class indices 0..k-1, one per sample (`Int32Array` or `number[]`). */
export type Labels = ArrayLike<number>;

/**
 * Scores or probabilities: a row-major n x k matrix, row i holding sample i's score for each class
 * (`Float32Array`, `Float64Array` or `number[]`). For a binary problem k may be 1, the single column then
 * holding the score of class 1 (P(class 1)); with k = 2 the second column is used as class 1's score.
 */
export type Scores = ArrayLike<number>;

/**
 * Refuses `y` unless it is a non-empty array of whole numbers >= 0 (and < `numClasses` when given).
 * `where` names the metric, `name` the argument, for the message.
 */
export function checkLabels(where: string, name: string, y: ArrayLike<number>, numClasses?: number): void {
  if (y === null || typeof y !== "object" || typeof y.length !== "number") {
    throw new UserError(`${where}: ${name} must be an array of class indices; received ${String(y)}`);
  }
  if (y.length === 0) throw new UserError(`${where}: ${name} is empty; a metric needs at least one sample`);
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (!Number.isInteger(v) || v < 0) {
      throw new UserError(
        `${where}: ${name}[${i}] must be a class index (a whole number >= 0); received ${v}`,
      );
    }
    if (numClasses !== undefined && v >= numClasses) {
      throw new UserError(
        `${where}: ${name}[${i}] is class ${v}, but there are only ${numClasses} classes (0..${numClasses - 1})`,
        numClasses <= 2 ? "binary labels must be 0 or 1" : undefined,
      );
    }
  }
}

/** Refuses two arrays of different lengths, naming both. */
export function checkSameLength(
  where: string,
  a: ArrayLike<number>,
  aName: string,
  b: ArrayLike<number>,
  bName: string,
) {
  if (b === null || typeof b !== "object" || typeof b.length !== "number") {
    throw new UserError(`${where}: ${bName} must be an array of numbers; received ${String(b)}`);
  }
  if (a.length !== b.length) {
    throw new UserError(
      `${where}: ${aName} has ${a.length} values but ${bName} has ${b.length}; they must match`,
    );
  }
}

/**
 * The number of columns k of the n x k score matrix `scores` for `n` samples; a UserError unless
 * scores.length is a whole multiple of n.
 */
export function scoreColumns(where: string, n: number, scores: ArrayLike<number>): number {
  if (scores === null || typeof scores !== "object" || typeof scores.length !== "number") {
    throw new UserError(`${where}: the scores must be an array of numbers; received ${String(scores)}`);
  }
  const k = scores.length / n;
  if (!Number.isInteger(k) || k < 1) {
    throw new UserError(
      `${where}: the scores hold ${scores.length} values, not a whole number of columns for ${n} samples`,
      "pass a row-major n x k matrix: n = yTrue.length rows, one column per class",
    );
  }
  return k;
}

/** Refuses a probability outside [0, 1] (or NaN), naming the row and column. */
export function checkProbabilities(where: string, proba: ArrayLike<number>, k: number): void {
  for (let i = 0; i < proba.length; i++) {
    const p = proba[i]!;
    if (!(p >= 0 && p <= 1)) {
      throw new UserError(
        `${where}: needs probabilities in [0, 1]; row ${Math.floor(i / k)}, column ${i % k} is ${p}`,
        "apply softmax (or sigmoid for one column) to the model's outputs first",
      );
    }
  }
}

/**
 * Predicted labels from an n x k score matrix: the column of the largest score (the first on ties, a NaN
 * counting as largest, as numpy's argmax); with k = 1, class 1 when the score is > 0.5.
 */
export function predictedLabels(scores: ArrayLike<number>, n: number, k: number): Int32Array {
  const out = new Int32Array(n);
  if (k === 1) {
    for (let i = 0; i < n; i++) out[i] = scores[i]! > 0.5 ? 1 : 0;
    return out;
  }
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestV = scores[i * k]!;
    if (!Number.isNaN(bestV)) {
      for (let j = 1; j < k; j++) {
        const v = scores[i * k + j]!;
        if (Number.isNaN(v)) {
          best = j;
          break;
        }
        if (v > bestV) {
          best = j;
          bestV = v;
        }
      }
    }
    out[i] = best;
  }
  return out;
}

/** Sorted distinct values of the given label arrays. */
export function distinctLabels(...arrays: ArrayLike<number>[]): number[] {
  const seen = new Set<number>();
  for (const a of arrays) for (let i = 0; i < a.length; i++) seen.add(a[i]!);
  return [...seen].sort((x, y) => x - y);
}

/** Sum with Neumaier compensation: close to the exactly rounded sum, whatever the order. */
export function accurateSum(values: ArrayLike<number>): number {
  let sum = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const t = sum + v;
    c += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return Number.isFinite(sum) ? sum + c : sum;
}
