/**
 * Whether a dataset is large enough for a train/validation/test split, checked before any work is spent:
 * too few rows give an empty (or one-row) validation or test split, and training then fails late with
 * "metric accuracy: yTrue is empty", or "succeeds" on one validation row and no test set.
 */
import { UserError } from "../errors.js";
import { allocate, checkFractions, DEFAULT_FRACTIONS, type SplitFractions } from "./split.js";

/** Fewest rows the validation and the test split must each get (metrics such as R² and AUC need two). */
export const MIN_EVAL_ROWS = 2;

/** A class with fewer rows than this is missing from validation or test under the default split. */
export const MIN_ROWS_PER_CLASS_IN_EVERY_SPLIT = 5;

/** What checkSplitSize is told about the data. */
export interface SplitSizeInput {
  /** Rows that have a target (the rows that will be split). */
  rows: number;
  /** Classification: rows per class (by name); the split is stratified. Leave out for regression. */
  classCounts?: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
  /** Default 70/15/15. */
  fractions?: SplitFractions;
  /** The data, for messages ("wine.csv"). */
  source?: string;
}

/**
 * Checks that splitting `rows` rows (stratified by class when `classCounts` is given) by `fractions`
 * leaves at least MIN_EVAL_ROWS rows in validation and in test (those with a fraction above 0), and at least
 * two in train. Throws a UserError saying how many rows each split would get, the fewest rows that work,
 * and what to do instead (cross-validation with `--cv K`, or more rows). Returns notices for what is
 * allowed but worth knowing: classes too small to appear in every split.
 *
 * Uses the same largest-remainder allocation as randomSplit and stratifiedSplit, so its counts are the
 * split sizes training would get.
 *
 * @example
 * checkSplitSize({ rows: 3, source: "tiny.csv" }); // UserError: validation 1 row, test 0 rows ...
 * checkSplitSize({ rows: 150, classCounts: { setosa: 50, versicolor: 50, virginica: 50 } }); // []
 */
export function checkSplitSize(input: SplitSizeInput): string[] {
  const fractions = input.fractions ?? DEFAULT_FRACTIONS;
  const f = checkFractions(fractions);
  const where = input.source ? `${input.source}: ` : "";
  if (!Number.isInteger(input.rows) || input.rows < 0) {
    throw new UserError(`row count must be a whole number >= 0; got ${input.rows}`);
  }
  const classes = input.classCounts === undefined ? undefined : countsOf(input.classCounts);
  const sizes = [0, 0, 0];
  if (classes) {
    for (const [, count] of classes) {
      const c = allocate(count, f);
      for (let s = 0; s < 3; s++) sizes[s]! += c[s]!;
    }
  } else {
    const c = allocate(input.rows, f);
    for (let s = 0; s < 3; s++) sizes[s] = c[s]!;
  }
  const [train, val, test] = sizes as [number, number, number];
  const short: string[] = [];
  if (train < 2) short.push(`train ${rowsText(train)}`);
  if (f[1] > 0 && val < MIN_EVAL_ROWS) short.push(`validation ${rowsText(val)}`);
  if (f[2] > 0 && test < MIN_EVAL_ROWS) short.push(`test ${rowsText(test)}`);
  if (short.length > 0) {
    const split = `${pct(f[0])}/${pct(f[1])}/${pct(f[2])}`;
    const least = fewestRows(f);
    const perClass = classes
      ? `; stratified by class (${classes.length} classes, ${describeCounts(classes)}), every class needs ` +
        `${MIN_ROWS_PER_CLASS_IN_EVERY_SPLIT} rows or more to reach validation and test`
      : "";
    const folds = Math.max(2, Math.min(5, classes ? smallestClass(classes) : input.rows));
    throw new UserError(
      `${where}${input.rows} row${input.rows === 1 ? "" : "s"} are too few for a ${split} train/validation/test split: ` +
        `it would give ${short.join(", ")} (each of validation and test needs at least ${MIN_EVAL_ROWS}); ` +
        `the split needs at least ${least} rows${perClass}`,
      input.rows >= 4
        ? `evaluate with cross-validation instead (--cv ${folds}), or add rows`
        : `add rows: with ${input.rows} row${input.rows === 1 ? "" : "s"} no model can be trained and evaluated`,
    );
  }
  const notices: string[] = [];
  if (classes) {
    const small = classes.filter(([, c]) => c > 0 && c < MIN_ROWS_PER_CLASS_IN_EVERY_SPLIT);
    if (small.length > 0) {
      notices.push(
        `${small.length} class${small.length === 1 ? " has" : "es have"} fewer than ${MIN_ROWS_PER_CLASS_IN_EVERY_SPLIT} rows ` +
          `(${describeCounts(small)}): they will be missing from validation or test, so their scores there are unknown`,
      );
    }
  }
  return notices;
}

/** The fewest rows for which a plain split by `f` gives every split its minimum (see checkSplitSize). */
function fewestRows(f: readonly number[]): number {
  for (let n = 1; n < 10_000; n++) {
    const c = allocate(n, f);
    if (c[0]! >= 2 && (f[1] === 0 || c[1]! >= MIN_EVAL_ROWS) && (f[2] === 0 || c[2]! >= MIN_EVAL_ROWS))
      return n;
  }
  return 10_000;
}

function countsOf(
  counts: ReadonlyMap<string, number> | Readonly<Record<string, number>>,
): [string, number][] {
  const entries = counts instanceof Map ? [...counts.entries()] : Object.entries(counts);
  for (const [name, c] of entries) {
    if (!Number.isInteger(c) || c < 0)
      throw new UserError(`rows of class '${name}' must be a whole number >= 0; got ${c}`);
  }
  return entries as [string, number][];
}

function smallestClass(classes: readonly [string, number][]): number {
  let least = Number.POSITIVE_INFINITY;
  for (const [, c] of classes) if (c > 0 && c < least) least = c;
  return Number.isFinite(least) ? least : 0;
}

function describeCounts(classes: readonly [string, number][]): string {
  const shown = classes.slice(0, 6).map(([name, c]) => `${name}: ${c}`);
  return classes.length > 6 ? `${shown.join(", ")}, ...` : shown.join(", ");
}

function rowsText(n: number): string {
  return `${n} row${n === 1 ? "" : "s"}`;
}

function pct(x: number): string {
  return String(Math.round(x * 100));
}
