import { UserError } from "../../errors.js";
import { Random } from "../../util/random.js";
import type { FeatureMatrix } from "./feature-matrix.js";

/** Options of {@link outOfFoldNeighborProbabilities}. */
export interface NeighborOptions {
  /** Neighbors that vote. Default 10. */
  k?: number;
  /** Pseudo-count added to every class's votes, so no probability is 0. Default 0.1. */
  smoothing?: number;
  /** Most rows of the other folds a row is compared with (a seeded sample beyond this). Default 4000. */
  maxReferenceRows?: number;
  seed?: number;
}

/**
 * Out-of-fold class probabilities of a k-nearest-neighbor vote: each row's probabilities are the shares of
 * its `k` nearest rows (Euclidean distance on the standardized inputs, missing values at the mean) among
 * the rows of the other folds, smoothed: p_c = (votes_c + smoothing) / (k + classes * smoothing). A wrong
 * label sitting among rows of another class gets a low probability however the classes are shaped, which
 * is what the label check needs besides the logistic regression's linear view.
 *
 * Each row is compared with at most `maxReferenceRows` rows of the other folds (a seeded sample per fold),
 * so the work is rows x maxReferenceRows x features.
 *
 * @param matrix inputs of the rows (standardized; see standardizedFeatureMatrix)
 * @param labels class index of each row
 * @param classes number of classes
 * @param folds fold index of each row
 * @returns row-major `rows * classes` probabilities
 */
export function outOfFoldNeighborProbabilities(
  matrix: FeatureMatrix,
  labels: ArrayLike<number>,
  classes: number,
  folds: ArrayLike<number>,
  options: NeighborOptions = {},
): Float64Array {
  const { x, rows: n, cols: d } = matrix;
  const k = options.k ?? 10;
  const smoothing = options.smoothing ?? 0.1;
  const cap = options.maxReferenceRows ?? 4000;
  if (!Number.isInteger(k) || k < 1) throw new UserError(`k must be a whole number >= 1, got ${k}`);
  if (labels.length !== n || folds.length !== n) {
    throw new UserError(
      `labels (${labels.length}) and folds (${folds.length}) must have one entry per row (${n})`,
    );
  }
  let foldCount = 0;
  for (let i = 0; i < n; i++) if (folds[i]! + 1 > foldCount) foldCount = folds[i]! + 1;
  const out = new Float64Array(n * classes);
  const bestDistance = new Float64Array(k);
  const bestLabel = new Int32Array(k);
  for (let f = 0; f < foldCount; f++) {
    let reference: number[] = [];
    const queries: number[] = [];
    for (let i = 0; i < n; i++) (folds[i] === f ? queries : reference).push(i);
    if (reference.length > cap) {
      reference = Random.derive((options.seed ?? 0) + f, "audit-neighbor-reference")
        .shuffle(reference)
        .slice(0, cap);
    }
    const votes = Math.min(k, reference.length);
    for (const q of queries) {
      // the `votes` nearest so far, kept sorted by distance (insertion into a short array)
      let kept = 0;
      for (const r of reference) {
        let s = 0;
        const limit = kept === votes ? bestDistance[votes - 1]! : Number.POSITIVE_INFINITY;
        for (let c = 0; c < d && s < limit; c++) {
          const t = x[q * d + c]! - x[r * d + c]!;
          s += t * t;
        }
        if (s >= limit) continue;
        let at = kept < votes ? kept++ : votes - 1;
        while (at > 0 && bestDistance[at - 1]! > s) {
          bestDistance[at] = bestDistance[at - 1]!;
          bestLabel[at] = bestLabel[at - 1]!;
          at--;
        }
        bestDistance[at] = s;
        bestLabel[at] = labels[r]!;
      }
      const total = kept + classes * smoothing;
      for (let c = 0; c < classes; c++) out[q * classes + c] = smoothing / total;
      for (let t = 0; t < kept; t++) out[q * classes + bestLabel[t]!]! += 1 / total;
    }
  }
  return out;
}
