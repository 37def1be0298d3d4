import { UserError } from "../../errors.js";
import {
  checkLabels,
  checkProbabilities,
  type Labels,
  predictedLabels,
  type Scores,
  scoreColumns,
} from "./metric-inputs.js";

/**
 * Expected calibration error with equal-width bins (Guo et al., 2017), not in sklearn. Definition:
 * each sample's confidence is its top probability (max(p, 1 - p) for one column holding P(class 1)) and
 * its prediction the class holding it (argmax, first on ties; class 1 when p > 0.5 for one column).
 * Bin b of B covers confidences in (b/B, (b+1)/B] (the first bin also takes 0). Then
 * ECE = sum over non-empty bins of (|bin| / n) * |accuracy(bin) - mean confidence(bin)|, in [0, 1],
 * 0 for a perfectly calibrated model.
 *
 * @param proba row-major n x k probabilities in [0, 1] (a UserError otherwise)
 * @param options.bins number of bins B (whole number >= 1), default 15
 *
 * @example
 * expectedCalibrationError([0, 1], new Float64Array([0.9, 0.1, 0.6, 0.4])); // (|1 - 0.9| + |0 - 0.6|) / 2 = 0.35
 */
export function expectedCalibrationError(
  yTrue: Labels,
  proba: Scores,
  options: { bins?: number } = {},
): number {
  const where = "expectedCalibrationError";
  const bins = options.bins ?? 15;
  if (!Number.isInteger(bins) || bins < 1) {
    throw new UserError(`${where}: bins must be a whole number >= 1; received ${bins}`);
  }
  checkLabels(where, "yTrue", yTrue);
  const n = yTrue.length;
  const k = scoreColumns(where, n, proba);
  checkLabels(where, "yTrue", yTrue, Math.max(k, 2));
  checkProbabilities(where, proba, k);
  const pred = predictedLabels(proba, n, k);
  const count = new Float64Array(bins);
  const correct = new Float64Array(bins);
  const confSum = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const conf = k === 1 ? Math.max(proba[i]!, 1 - proba[i]!) : proba[i * k + pred[i]!]!;
    // Bin b holds (b/B, (b+1)/B]; start from the estimate and settle it with the exact edges.
    let b = Math.min(bins - 1, Math.max(0, Math.ceil(conf * bins) - 1));
    while (b > 0 && conf <= b / bins) b--;
    while (b < bins - 1 && conf > (b + 1) / bins) b++;
    count[b]!++;
    confSum[b]! += conf;
    if (pred[i] === yTrue[i]) correct[b]!++;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const c = count[b]!;
    if (c > 0) ece += (c / n) * Math.abs(correct[b]! / c - confSum[b]! / c);
  }
  return ece;
}
