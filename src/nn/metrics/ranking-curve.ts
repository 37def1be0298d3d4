import { checkLabels, type Labels, type Scores, scoreColumns } from "./metric-inputs.js";

/**
 * One point per distinct score of a binary ranking, from the highest score down: how many positives
 * (tp) and negatives (fp) score at least that much (sklearn's `_binary_clf_curve`). The ROC and
 * precision-recall curves are read off these counts.
 */
export interface RankingCurve {
  tp: Float64Array;
  fp: Float64Array;
  positives: number;
  negatives: number;
}

/**
 * The ranking curve of `scores[offset + i * stride]` (i < n) against `isPositive(i)`. Tied scores form a
 * single point. NaN scores sort above every number (and tie with each other).
 */
export function rankingCurve(
  n: number,
  scores: ArrayLike<number>,
  offset: number,
  stride: number,
  isPositive: (i: number) => boolean,
): RankingCurve {
  const key = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = scores[offset + i * stride]!;
    key[i] = Number.isNaN(s) ? Number.POSITIVE_INFINITY : s;
  }
  const nan = (i: number) => Number.isNaN(scores[offset + i * stride]!);
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => {
    const na = nan(a);
    const nb = nan(b);
    if (na !== nb) return na ? -1 : 1;
    return key[b]! - key[a]! || 0;
  });
  const tp: number[] = [];
  const fp: number[] = [];
  let t = 0;
  let f = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r]!;
    if (isPositive(i)) t++;
    else f++;
    const next = order[r + 1];
    const tiedWithNext = next !== undefined && (nan(i) ? nan(next) : !nan(next) && key[next] === key[i]);
    if (!tiedWithNext) {
      tp.push(t);
      fp.push(f);
    }
  }
  return { tp: Float64Array.from(tp), fp: Float64Array.from(fp), positives: t, negatives: f };
}

/** Scores the column `offset` of a row-major score matrix with `stride` columns against a positive test. */
export type BinaryRankingScore = (
  n: number,
  scores: ArrayLike<number>,
  offset: number,
  stride: number,
  isPositive: (i: number) => boolean,
) => number;

/**
 * A ranking metric on labels and scores: binary (1 or 2 score columns; the last one scores class 1), or
 * one-vs-rest macro average over k >= 3 columns. `where` names the calling metric in error messages.
 */
export function binaryOrOneVsRestMacro(
  where: string,
  yTrue: Labels,
  scores: Scores,
  binary: BinaryRankingScore,
): number {
  checkLabels(where, "yTrue", yTrue);
  const n = yTrue.length;
  const k = scoreColumns(where, n, scores);
  checkLabels(where, "yTrue", yTrue, Math.max(k, 2));
  if (k <= 2) return binary(n, scores, k - 1, k, (i) => yTrue[i] === 1);
  let total = 0;
  for (let c = 0; c < k; c++) total += binary(n, scores, c, k, (i) => yTrue[i] === c);
  return total / k;
}
