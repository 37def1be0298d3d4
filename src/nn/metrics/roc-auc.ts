import type { Labels, Scores } from "./metric-inputs.js";
import { binaryOrOneVsRestMacro, rankingCurve } from "./ranking-curve.js";

/**
 * Area under the ROC curve (sklearn `roc_auc_score`), ties handled as sklearn does (one point per
 * distinct score, trapezoids between points).
 *
 * - Binary: `scores` has one column (P(class 1)) or two (the second is used); yTrue holds 0 and 1.
 * - Multi-class (k >= 3 columns): one-vs-rest, macro average over the k classes (sklearn with
 *   `multi_class="ovr", average="macro", labels=0..k-1`). sklearn also insists each row sums to 1; the
 *   scores are used as given here.
 *
 * Where sklearn raises because AUC is undefined (only one class present in yTrue; for multi-class, any
 * class absent from yTrue) the result is NaN. A NaN score ranks above every number (sklearn raises).
 *
 * @example
 * rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]); // 0.75
 */
export function rocAuc(yTrue: Labels, scores: Scores): number {
  return binaryOrOneVsRestMacro("rocAuc", yTrue, scores, binaryAuc);
}

function binaryAuc(
  n: number,
  scores: ArrayLike<number>,
  offset: number,
  stride: number,
  isPositive: (i: number) => boolean,
): number {
  const { tp, fp, positives, negatives } = rankingCurve(n, scores, offset, stride, isPositive);
  if (positives === 0 || negatives === 0) return Number.NaN;
  // Trapezoids in counts (exact integers), scaled once at the end.
  let area = 0;
  let prevTp = 0;
  let prevFp = 0;
  for (let i = 0; i < tp.length; i++) {
    area += (fp[i]! - prevFp) * (tp[i]! + prevTp);
    prevTp = tp[i]!;
    prevFp = fp[i]!;
  }
  return area / 2 / (positives * negatives);
}
