import { UserError } from "../../errors.js";
import { checkLabels, checkSameLength, type Labels, type Scores, scoreColumns } from "./metric-inputs.js";

/**
 * Fraction of samples whose predicted label equals the true label (sklearn `accuracy_score`).
 *
 * @example
 * accuracy([0, 1, 2, 1], [0, 2, 2, 1]); // 0.75
 */
export function accuracy(yTrue: Labels, yPred: Labels): number {
  checkLabels("accuracy", "yTrue", yTrue);
  checkSameLength("accuracy", yTrue, "yTrue", yPred, "yPred");
  checkLabels("accuracy", "yPred", yPred);
  let hits = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hits++;
  return hits / yTrue.length;
}

/**
 * Fraction of samples whose true class is among the `k` highest scores of its row (sklearn
 * `top_k_accuracy_score` with `labels = 0..classes-1`). `scores` is a row-major n x classes matrix.
 * Ties rank the higher class index first, as sklearn's stable argsort reversed does (so top-1 can
 * differ from `accuracy` of the argmax on tied rows). With one column (binary, P(class 1)), k = 1
 * predicts class 1 when the score is > 0.5 (> 0 if the scores are not all in [0, 1]) and k >= 2 is
 * always a hit; k >= the number of classes is always 1.
 *
 * @example
 * topKAccuracy([2, 0], new Float64Array([0.1, 0.5, 0.4, 0.2, 0.3, 0.5]), 2); // 0.5
 */
export function topKAccuracy(yTrue: Labels, scores: Scores, k: number): number {
  const where = "topKAccuracy";
  checkLabels(where, "yTrue", yTrue);
  const n = yTrue.length;
  const cols = scoreColumns(where, n, scores);
  if (!Number.isInteger(k) || k < 1)
    throw new UserError(`${where}: k must be a whole number >= 1; received ${k}`);
  checkLabels(where, "yTrue", yTrue, Math.max(cols, 2));
  let hits = 0;
  if (cols === 1) {
    if (k >= 2) return 1;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      lo = Math.min(lo, scores[i]!);
      hi = Math.max(hi, scores[i]!);
    }
    const threshold = lo >= 0 && hi <= 1 ? 0.5 : 0;
    for (let i = 0; i < n; i++) if ((scores[i]! > threshold ? 1 : 0) === yTrue[i]) hits++;
    return hits / n;
  }
  for (let i = 0; i < n; i++) {
    const t = yTrue[i]!;
    const st = scores[i * cols + t]!;
    let above = 0; // classes ranked above the true class
    for (let j = 0; j < cols && above < k; j++) {
      if (j !== t && ranksAbove(scores[i * cols + j]!, j, st, t)) above++;
    }
    if (above < k) hits++;
  }
  return hits / n;
}

/** Whether class a (score sa) ranks above class b (score sb): higher score, or equal and higher index; NaN highest. */
function ranksAbove(sa: number, a: number, sb: number, b: number): boolean {
  const aNaN = Number.isNaN(sa);
  const bNaN = Number.isNaN(sb);
  if (aNaN || bNaN) return aNaN && (!bNaN || a > b);
  return sa > sb || (sa === sb && a > b);
}
