import type { Labels, Scores } from "./metric-inputs.js";
import { binaryOrOneVsRestMacro, rankingCurve } from "./ranking-curve.js";

/**
 * Area under the precision-recall curve as average precision (sklearn `average_precision_score`):
 * AP = sum over distinct score thresholds, from the highest, of (R_i - R_(i-1)) * P_i, the step-function
 * integral without interpolation.
 *
 * - Binary: `scores` has one column (P(class 1)) or two (the second is used); yTrue holds 0 and 1.
 * - Multi-class (k >= 3 columns): one-vs-rest, macro average over the k classes (sklearn on
 *   `label_binarize(yTrue, classes=0..k-1)` with `average="macro"`).
 *
 * A class with no positive sample scores 0 (sklearn warns and gives 0, in the binary and per-class case).
 *
 * @example
 * averagePrecision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]); // 0.8333...
 */
export function averagePrecision(yTrue: Labels, scores: Scores): number {
  return binaryOrOneVsRestMacro("averagePrecision", yTrue, scores, binaryAp);
}

function binaryAp(
  n: number,
  scores: ArrayLike<number>,
  offset: number,
  stride: number,
  isPositive: (i: number) => boolean,
): number {
  const { tp, fp, positives } = rankingCurve(n, scores, offset, stride, isPositive);
  if (positives === 0) return 0;
  let ap = 0;
  let prevRecall = 0;
  for (let i = 0; i < tp.length; i++) {
    const recall = tp[i]! / positives;
    ap += (recall - prevRecall) * (tp[i]! / (tp[i]! + fp[i]!));
    prevRecall = recall;
  }
  return ap;
}
