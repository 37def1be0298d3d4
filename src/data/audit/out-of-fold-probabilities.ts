import { UserError } from "../../errors.js";
import { Random } from "../../util/random.js";
import type { FeatureMatrix } from "./feature-matrix.js";
import {
  fitLogisticRegression,
  type LogisticRegressionOptions,
  predictProbabilities,
} from "./logistic-regression.js";

/**
 * Out-of-fold class probabilities: for each fold, a logistic regression is fitted on the other folds and
 * predicts the rows of this fold, so no row is scored by a model that saw its label (what confident
 * learning needs).
 *
 * @param matrix inputs of the rows (standardized)
 * @param labels class index of each row
 * @param classes number of classes
 * @param folds fold index of each row (see `stratifiedFoldIndex`)
 * @param options logistic regression options; `maxTrainingRows` caps the rows each fold's model is fitted
 *   on (a sample drawn with `seed`; default: all), to bound the time on large datasets
 * @returns row-major `rows * classes` probabilities
 */
export function outOfFoldProbabilities(
  matrix: FeatureMatrix,
  labels: ArrayLike<number>,
  classes: number,
  folds: ArrayLike<number>,
  options: LogisticRegressionOptions & { maxTrainingRows?: number; seed?: number } = {},
): Float64Array {
  const { x, rows, cols } = matrix;
  if (labels.length !== rows || folds.length !== rows) {
    throw new UserError(
      `labels (${labels.length}) and folds (${folds.length}) must have one entry per row (${rows})`,
    );
  }
  let foldCount = 0;
  for (let i = 0; i < rows; i++) foldCount = Math.max(foldCount, folds[i]! + 1);
  const probabilities = new Float64Array(rows * classes);
  for (let f = 0; f < foldCount; f++) {
    let trainRows: number[] = [];
    const heldOut: number[] = [];
    for (let i = 0; i < rows; i++) (folds[i] === f ? heldOut : trainRows).push(i);
    const cap = options.maxTrainingRows ?? Number.POSITIVE_INFINITY;
    if (trainRows.length > cap) {
      const rng = Random.derive((options.seed ?? 0) + f, "audit-label-training-sample");
      trainRows = rng
        .shuffle(trainRows)
        .slice(0, cap)
        .sort((a, b) => a - b);
    }
    if (heldOut.length === 0) continue;
    const trainY = Int32Array.from(trainRows, (i) => labels[i]!);
    const present = new Set(trainY);
    let p: Float64Array;
    if (present.size < 2) {
      // One class only in the training folds: predict it with certainty (nothing to learn).
      p = new Float64Array(heldOut.length * classes);
      const only = trainY[0] ?? 0;
      for (let r = 0; r < heldOut.length; r++) p[r * classes + only] = 1;
    } else {
      const model = fitLogisticRegression(
        gather(x, cols, trainRows),
        trainRows.length,
        cols,
        trainY,
        classes,
        options,
      );
      p = predictProbabilities(model, gather(x, cols, heldOut), heldOut.length);
    }
    heldOut.forEach((i, r) => {
      for (let k = 0; k < classes; k++) probabilities[i * classes + k] = p[r * classes + k]!;
    });
  }
  return probabilities;
}

function gather(x: Float64Array, cols: number, rowIndices: readonly number[]): Float64Array {
  const out = new Float64Array(rowIndices.length * cols);
  rowIndices.forEach((i, r) => {
    out.set(x.subarray(i * cols, (i + 1) * cols), r * cols);
  });
  return out;
}
