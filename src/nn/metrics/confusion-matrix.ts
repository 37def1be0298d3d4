import { UserError } from "../../errors.js";
import { checkLabels, checkSameLength, type Labels } from "./metric-inputs.js";

/**
 * The k x k confusion matrix: entry [t][p] counts samples of true class t predicted as p (rows true,
 * columns predicted; sklearn `confusion_matrix` with `labels = 0..k-1`). `numClasses` defaults to one
 * more than the largest label seen.
 *
 * @example
 * confusionMatrix([0, 1, 1], [0, 1, 0]); // [[1, 0], [1, 1]]
 */
export function confusionMatrix(yTrue: Labels, yPred: Labels, numClasses?: number): number[][] {
  const where = "confusionMatrix";
  checkLabels(where, "yTrue", yTrue);
  checkSameLength(where, yTrue, "yTrue", yPred, "yPred");
  checkLabels(where, "yPred", yPred);
  let k = numClasses;
  if (k === undefined) {
    k = 0;
    for (let i = 0; i < yTrue.length; i++) k = Math.max(k, yTrue[i]! + 1, yPred[i]! + 1);
  } else if (!Number.isInteger(k) || k < 1) {
    throw new UserError(`${where}: numClasses must be a whole number >= 1; received ${k}`);
  }
  checkLabels(where, "yTrue", yTrue, k);
  checkLabels(where, "yPred", yPred, k);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]!]![yPred[i]!]!++;
  return m;
}
