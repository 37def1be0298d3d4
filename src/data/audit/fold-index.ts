import { type Fold, kFold, stratifiedKFold } from "../split.js";

/**
 * The fold each row is validated in, under the seeded stratified K-fold of `split.ts`
 * (`stratifiedKFold`): every class spread evenly over the folds.
 * @param labels class index of each row
 * @example stratifiedFoldIndex([0, 0, 1, 1], 2, 0) // e.g. Int32Array [1, 0, 0, 1]
 */
export function stratifiedFoldIndex(labels: ArrayLike<number>, k: number, seed: number): Int32Array {
  return foldIndex(stratifiedKFold(Array.from(labels), k, seed), labels.length);
}

/** The fold each of `n` rows is validated in, under the seeded plain K-fold of `split.ts` (`kFold`). */
export function randomFoldIndex(n: number, k: number, seed: number): Int32Array {
  return foldIndex(kFold(n, k, seed), n);
}

function foldIndex(folds: Fold[], n: number): Int32Array {
  const index = new Int32Array(n);
  folds.forEach((fold, f) => {
    for (const row of fold.val) index[row] = f;
  });
  return index;
}
