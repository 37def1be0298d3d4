import { UserError } from "../errors.js";
import { Random } from "../util/random.js";
import { parseDateTime } from "./datetime.js";
import { parseNumber } from "./missing.js";

/** Shares of the rows for each split; they must be >= 0 and sum to 1 (train > 0). */
export interface SplitFractions {
  train: number;
  val: number;
  test: number;
}

/** Row indices of each split, each list in ascending order. */
export interface SplitIndices {
  train: number[];
  val: number[];
  test: number[];
}

/** One fold of a K-fold: the rows to train on and the rows to validate on. */
export interface Fold {
  train: number[];
  val: number[];
}

/** The default split: 70% train, 15% validation, 15% test. */
export const DEFAULT_FRACTIONS: SplitFractions = { train: 0.7, val: 0.15, test: 0.15 };

const NAMES = ["train", "val", "test"] as const;

/** Checks fractions and returns them as [train, val, test]; a UserError names a bad one. */
export function checkFractions(f: SplitFractions): [number, number, number] {
  const v = [f.train, f.val, f.test] as [number, number, number];
  v.forEach((x, i) => {
    if (!Number.isFinite(x) || x < 0 || x > 1) {
      throw new UserError(`split fraction '${NAMES[i]}' must be between 0 and 1; got ${x}`);
    }
  });
  const sum = v[0] + v[1] + v[2];
  if (Math.abs(sum - 1) > 1e-6) {
    throw new UserError(
      `split fractions must sum to 1; got train ${v[0]} + val ${v[1]} + test ${v[2]} = ${sum}`,
    );
  }
  if (v[0] === 0) throw new UserError("split fraction 'train' must be above 0; got 0");
  return v;
}

/**
 * Whole-row counts for n rows by largest remainder: each count is floor(n * fraction) or one more, and the
 * counts sum to n. Ties in remainder go to train, then val, then test.
 */
export function allocate(n: number, fractions: readonly number[]): number[] {
  const exact = fractions.map((f) => n * f);
  const counts = exact.map(Math.floor);
  let left = n - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ r: e - Math.floor(e), i })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) counts[order[k]!.i]!++;
  return counts;
}

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed)) throw new UserError(`seed must be an integer; got ${seed}`);
}

/** The split of rows 0..n-1 given which split (0 train, 1 val, 2 test) each row is in; lists ascending. */
function fromAssignment(which: Uint8Array): SplitIndices {
  const parts: [number[], number[], number[]] = [[], [], []];
  for (let i = 0; i < which.length; i++) parts[which[i]!]!.push(i);
  return { train: parts[0], val: parts[1], test: parts[2] };
}

/**
 * Shuffled split of rows 0..n-1 (for regression, or any task where classes do not matter), seeded.
 * Split sizes are the largest-remainder allocation of n (each within one row of exact).
 * Example: `randomSplit(100, { train: 0.8, val: 0.1, test: 0.1 }, 42)`.
 */
export function randomSplit(
  n: number,
  fractions: SplitFractions = DEFAULT_FRACTIONS,
  seed = 0,
): SplitIndices {
  if (!Number.isInteger(n) || n < 1) throw new UserError(`row count must be a positive integer; got ${n}`);
  checkSeed(seed);
  const counts = allocate(n, checkFractions(fractions));
  const perm = Random.derive(seed, "split").permutation(n);
  const which = new Uint8Array(n);
  const valEnd = counts[0]! + counts[1]!;
  for (let k = counts[0]!; k < n; k++) which[perm[k]!] = k < valEnd ? 1 : 2;
  return fromAssignment(which);
}

/**
 * Stratified split, seeded: each class's rows are shuffled and divided by largest remainder, so every
 * class's count in every split is within one row of exact (a class with a single row goes to train).
 * `labels[i]` is the class of row i.
 * Example: `stratifiedSplit(["a","a","b",...], { train: 0.7, val: 0.15, test: 0.15 }, 7)`.
 */
export function stratifiedSplit(
  labels: readonly (string | number)[],
  fractions: SplitFractions = DEFAULT_FRACTIONS,
  seed = 0,
): SplitIndices {
  if (labels.length === 0) throw new UserError("cannot split: there are no rows");
  checkSeed(seed);
  const f = checkFractions(fractions);
  const rng = Random.derive(seed, "stratified-split");
  const which = new Uint8Array(labels.length);
  for (const rows of groupRows(labels).values()) {
    rng.shuffle(rows);
    const counts = allocate(rows.length, f);
    const valEnd = counts[0]! + counts[1]!;
    for (let k = counts[0]!; k < rows.length; k++) which[rows[k]!] = k < valEnd ? 1 : 2;
  }
  return fromAssignment(which);
}

/** Rows by value, in order of first appearance (Map keeps insertion order, so the result is deterministic). */
function groupRows(values: readonly (string | number)[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  values.forEach((v, i) => {
    const k = String(v);
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  });
  return groups;
}

/**
 * Group-aware split, seeded: rows that share a group value (a patient, a user, a session) all land in the
 * same split, so no group straddles train and evaluation. Groups are shuffled and then laid end to end;
 * a group goes to the split in which the middle of its run of rows falls, so split sizes approach the
 * fractions as closely as group sizes allow. Needs at least as many groups as non-empty splits.
 */
export function groupSplit(
  groups: readonly (string | number)[],
  fractions: SplitFractions = DEFAULT_FRACTIONS,
  seed = 0,
): SplitIndices {
  checkSeed(seed);
  const f = checkFractions(fractions);
  const byGroup = [...groupRows(groups).values()];
  const wanted = f.filter((x) => x > 0).length;
  if (byGroup.length < wanted) {
    throw new UserError(
      `cannot split by group: ${byGroup.length} distinct group(s) for ${wanted} non-empty splits`,
      "use a column with more distinct groups, or a plain split",
    );
  }
  Random.derive(seed, "group-split").shuffle(byGroup);
  const n = groups.length;
  const bounds = [f[0] * n, (f[0] + f[1]) * n];
  const assigned = new Uint8Array(byGroup.length);
  const groupsIn = [0, 0, 0];
  let at = 0;
  for (let g = 0; g < byGroup.length; g++) {
    const size = byGroup[g]!.length;
    const mid = at + size / 2;
    const s = mid < bounds[0]! ? 0 : mid < bounds[1]! ? 1 : 2;
    assigned[g] = s;
    groupsIn[s]!++;
    at += size;
  }
  // make sure every split with a positive fraction gets a group: take the smallest group among the splits
  // that have at least two (the first such group in the laid-out order on ties)
  for (let s = 0; s < 3; s++) {
    if (f[s]! === 0 || groupsIn[s]! > 0) continue;
    let donor = -1;
    for (let g = 0; g < byGroup.length; g++) {
      if (groupsIn[assigned[g]!]! < 2) continue;
      if (donor < 0 || byGroup[g]!.length < byGroup[donor]!.length) donor = g;
    }
    groupsIn[assigned[donor]!]!--;
    assigned[donor] = s;
    groupsIn[s]!++;
  }
  const which = new Uint8Array(groups.length);
  for (let g = 0; g < byGroup.length; g++) {
    for (const row of byGroup[g]!) which[row] = assigned[g]!;
  }
  return fromAssignment(which);
}

/**
 * Time-aware split (not random): rows are ordered by their time (numbers, or dates as parseDateTime reads
 * them), the earliest go to train, the next to validation and the latest to test, so the model is always
 * evaluated on the future of what it learned from. Rows with equal times stay in one split (a boundary
 * moves forward past ties), so max(train time) < min(val time) < ... A time that cannot be read is a
 * UserError naming the row.
 */
export function timeSplit(
  times: readonly (string | number)[],
  fractions: SplitFractions = DEFAULT_FRACTIONS,
): SplitIndices {
  const f = checkFractions(fractions);
  const n = times.length;
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = times[i]!;
    const x = typeof v === "number" ? v : readTime(v);
    if (!Number.isFinite(x)) {
      throw new UserError(
        `cannot split by time: row ${i} has time ${JSON.stringify(v)}, which is not a number or a date`,
      );
    }
    t[i] = x;
  }
  // The boundaries are read off the sorted times: split k ends at the sorted position allocate() gives,
  // moved forward past equal times; a row's split is then decided by comparing its time to the times
  // at the boundaries (no per-row sort of indices, no comparator calls).
  const sorted = t.slice().sort();
  const counts = allocate(n, f);
  const ends = [counts[0]!, counts[0]! + counts[1]!];
  for (let k = 0; k < 2; k++) {
    let e = Math.max(ends[k]!, k > 0 ? ends[k - 1]! : 0);
    while (e > 0 && e < n && sorted[e] === sorted[e - 1]) e++;
    ends[k] = e;
  }
  // a row is in train when its time is below the first boundary's time, in val below the second's
  const first = ends[0]! < n ? sorted[ends[0]!]! : Number.POSITIVE_INFINITY;
  const second = ends[1]! < n ? sorted[ends[1]!]! : Number.POSITIVE_INFINITY;
  const which = new Uint8Array(n);
  for (let i = 0; i < n; i++) which[i] = t[i]! < first ? 0 : t[i]! < second ? 1 : 2;
  return fromAssignment(which);
}

function readTime(s: string): number {
  const n = parseNumber(s);
  return Number.isNaN(n) ? parseDateTime(s) : n;
}

/**
 * K-fold cross-validation folds over rows 0..n-1, seeded: the shuffled rows are dealt into k folds whose
 * sizes differ by at most one; fold i validates on its rows and trains on all others. Every row is
 * validated on exactly once.
 */
export function kFold(n: number, k: number, seed = 0): Fold[] {
  checkK(n, k);
  checkSeed(seed);
  const perm = Random.derive(seed, "kfold").permutation(n);
  const fold = new Uint32Array(n);
  for (let i = 0; i < n; i++) fold[perm[i]!] = i % k;
  return foldsFrom(fold, k);
}

/**
 * Stratified K-fold, seeded: each class's shuffled rows are dealt round-robin into the k folds, continuing
 * from where the previous class stopped, so every fold holds each class within one row of its exact share
 * and fold sizes differ by at most one. A class with fewer than k rows is missing from some folds.
 */
export function stratifiedKFold(labels: readonly (string | number)[], k: number, seed = 0): Fold[] {
  checkK(labels.length, k);
  checkSeed(seed);
  const rng = Random.derive(seed, "stratified-kfold");
  const fold = new Uint32Array(labels.length);
  let next = 0;
  for (const rows of groupRows(labels).values()) {
    rng.shuffle(rows);
    for (const row of rows) {
      fold[row] = next;
      next = (next + 1) % k;
    }
  }
  return foldsFrom(fold, k);
}

function checkK(n: number, k: number): void {
  if (!Number.isInteger(k) || k < 2)
    throw new UserError(`k (number of folds) must be an integer >= 2; got ${k}`);
  if (k > n) throw new UserError(`k (number of folds) must be at most the number of rows (${n}); got ${k}`);
}

/** The k folds given the fold of each row: fold f validates on its rows and trains on the rest (ascending). */
function foldsFrom(fold: Uint32Array, k: number): Fold[] {
  const folds: Fold[] = Array.from({ length: k }, () => ({ train: [], val: [] }));
  for (let r = 0; r < fold.length; r++) {
    const own = fold[r]!;
    for (let f = 0; f < k; f++) (f === own ? folds[f]!.val : folds[f]!.train).push(r);
  }
  return folds;
}
