import { closestMatch, UserError } from "../errors.js";
import { appendAll } from "../util/extent.js";
import { type ColumnProfile, describeRow, inferColumnType, PARSE_SHARE } from "./column-types.js";
import { hasTimeOfDay, parseDateTime } from "./datetime.js";
import {
  isNonFiniteNumber,
  MAX_FEATURE_MAGNITUDE,
  nonFiniteCellError,
  tooLargeCellError,
} from "./extreme-values.js";
import { isMissing, parseNumber } from "./missing.js";
import { naturalCompare } from "./natural-order.js";
import { allRowIds, cellText, rowCount, type Table } from "./table.js";
import { hashedBagOfWords } from "./text/tokenize.js";

/** What the model predicts: a class (classification) or a number (regression). */
export type Task = "classification" | "regression";

/** Options of TabularPreprocessor.fit. */
export interface TabularPreprocessorOptions {
  /** Default: regression for a numeric target, classification otherwise. */
  task?: Task;
  /**
   * How numeric and datetime features are scaled: "standard" (mean 0, std 1; default), "minmax" ([0, 1] on
   * train) or "none" (raw values, to reproduce or diagnose an unscaled run).
   */
  scaling?: "standard" | "minmax" | "none";
  /** How categorical columns are encoded: "onehot" (default) or "embedding" (one index feature per column). */
  categorical?: "onehot" | "embedding";
  /** Columns to leave out (besides the target). */
  dropColumns?: string[];
  /** Most categories kept per categorical column (the most frequent; the rest share the unknown slot). Default 50. */
  maxCategories?: number;
  /** Hash buckets of the bag-of-words features of each free-text column. Default 64. */
  textBuckets?: number;
  /** Encode the target only (models whose inputs are prepared elsewhere, e.g. text): no features needed. */
  targetOnly?: boolean;
}

/** An embedding feature: the column, where its index sits in a feature row, and how many indices exist. */
export interface EmbeddingFeature {
  column: string;
  /** Position of the index in each feature row. */
  featureIndex: number;
  /** Number of distinct indices: 0 = unknown/other, 1..k = the categories. */
  cardinality: number;
}

/** How one input column becomes features (serialized with the model). */
type Encoder =
  | {
      kind: "numeric";
      column: string;
      fill: number;
      center: number;
      scale: number;
      missingIndicator: boolean;
    }
  | {
      kind: "boolean";
      column: string;
      trueValue: string;
      falseValue: string;
      fill: number;
      missingIndicator: boolean;
    }
  | {
      kind: "onehot" | "embedding";
      column: string;
      categories: string[];
      fill: string;
      missingIndicator: boolean;
    }
  | {
      kind: "datetime";
      column: string;
      fill: number;
      center: number;
      scale: number;
      withTime: boolean;
      missingIndicator: boolean;
    }
  | { kind: "text"; column: string; buckets: number };

type TargetSpec =
  | { task: "classification"; column: string; classes: string[]; numericLabels: boolean }
  | { task: "regression"; column: string; mean: number; std: number };

interface PreprocessorJSON {
  format: "nncoach.tabular-preprocessor";
  version: 1;
  target: TargetSpec;
  encoders: Encoder[];
  notices: string[];
}

const MS_PER_DAY = 86_400_000;

const FORMAT = "nncoach.tabular-preprocessor";

/**
 * Turns a Table into a float feature matrix and a target vector, with every statistic fitted on the
 * training rows only (so validation and test rows never leak into scaling, imputation or category
 * lists). Saved with the model (`toJSON`/`fromJSON`) and applied unchanged at prediction time.
 *
 * Per column kind (see inferColumnType, inferred on the training rows):
 * - numeric: missing cells get the training median, then standardized (mean/std of the training rows
 *   after imputation, std 0 -> 1) or min-max scaled; a cell that is not a number is a UserError naming
 *   the value, data row, file line and column;
 * - boolean: 1/0 (true/yes/y/t -> 1), missing -> the training majority;
 * - categorical: one-hot over the training categories (most frequent first, at most maxCategories) plus an
 *   "col=<other>" slot for categories not seen in training; or with `categorical: "embedding"` one feature
 *   holding the index (0 = other, 1..k), listed in `embeddings`; missing -> the training mode;
 * - datetime: days since 1970 (scaled like numeric), day of week and month as sin/cos pairs, and hour of
 *   day as sin/cos when the training values carry times;
 * - free text: hashed bag of words, `textBuckets` features log(1 + count) (see hashedBagOfWords);
 * - identifier-like, constant and all-missing columns are dropped, each with a notice.
 * Every column with missing values in the training rows also gets a "col:missing" 0/1 indicator.
 *
 * The target: a numeric target is regression (standardized with the training mean/std) unless
 * `task: "classification"`; anything else is classification with classes sorted naturally.
 *
 * Example:
 * ```ts
 * const pre = TabularPreprocessor.fit(table, split.train, "species");
 * const x = pre.transformFeatures(table, split.train);   // Float32Array, rows x pre.featureCount
 * const y = pre.transformTarget(table, split.train);     // Int32Array of class indices
 * ```
 */
export class TabularPreprocessor {
  /** Classification or regression. */
  readonly task: Task;
  /** The target column's name. */
  readonly target: string;
  /** Classification: the class labels, sorted naturally (numbers numerically); regression: []. */
  readonly classes: string[];
  /** Feature names after expansion: "col", "col=value", "col=<other>", "col:missing", "col:days", "col:hash7". */
  readonly featureNames: string[];
  /** Number of features per row (featureNames.length). */
  readonly featureCount: number;
  /** What fit decided that a user should know (dropped columns, task, truncated categories). */
  readonly notices: string[];
  /** Input columns a table must have for transformFeatures (in the order features are built). */
  readonly inputColumns: string[];
  /** The categorical columns encoded as embedding indices (empty with one-hot encoding). */
  readonly embeddings: EmbeddingFeature[];

  private constructor(
    private readonly targetSpec: TargetSpec,
    private readonly encoders: Encoder[],
    notices: string[],
  ) {
    this.task = targetSpec.task;
    this.target = targetSpec.column;
    this.classes = targetSpec.task === "classification" ? [...targetSpec.classes] : [];
    this.notices = [...notices];
    this.featureNames = [];
    this.embeddings = [];
    for (const e of encoders) {
      if (e.kind === "embedding") {
        this.embeddings.push({
          column: e.column,
          featureIndex: this.featureNames.length,
          cardinality: e.categories.length + 1,
        });
      }
      appendAll(this.featureNames, featureNamesOf(e));
    }
    this.featureCount = this.featureNames.length;
    this.inputColumns = encoders.map((e) => e.column);
  }

  /**
   * Fits the preprocessing on `trainRows` of `table` for predicting column `target`. Throws a UserError
   * when the target column does not exist (naming the closest column), has one class, has missing values
   * in training rows (see rowsWithTarget), or when a mostly-numeric column holds a non-number.
   */
  static fit(
    table: Table,
    trainRows: readonly number[],
    target: string,
    opts: TabularPreprocessorOptions = {},
  ): TabularPreprocessor {
    const scaling = opts.scaling ?? "standard";
    if (scaling !== "standard" && scaling !== "minmax" && scaling !== "none") {
      throw new UserError(`scaling must be "standard", "minmax" or "none"; got ${JSON.stringify(scaling)}`);
    }
    const categorical = opts.categorical ?? "onehot";
    if (categorical !== "onehot" && categorical !== "embedding") {
      throw new UserError(`categorical must be "onehot" or "embedding"; got ${JSON.stringify(categorical)}`);
    }
    const maxCategories = opts.maxCategories ?? 50;
    if (!Number.isInteger(maxCategories) || maxCategories < 1) {
      throw new UserError(`maxCategories must be a positive integer; got ${maxCategories}`);
    }
    const textBuckets = opts.textBuckets ?? 64;
    if (!Number.isInteger(textBuckets) || textBuckets < 1) {
      throw new UserError(`textBuckets must be a positive integer; got ${textBuckets}`);
    }
    if (opts.task !== undefined && opts.task !== "classification" && opts.task !== "regression") {
      throw new UserError(`task must be "classification" or "regression"; got ${JSON.stringify(opts.task)}`);
    }
    if (trainRows.length === 0) throw new UserError("cannot fit preprocessing: there are no training rows");
    for (const r of trainRows) {
      if (!Number.isInteger(r) || r < 0 || r >= rowCount(table)) {
        throw new UserError(
          `training row ${r} is not a row of ${table.source} (it has ${rowCount(table)} rows)`,
        );
      }
    }
    const targetIndex = requireColumn(table, target, "target column");
    const drop = new Set(opts.dropColumns ?? []);
    for (const d of drop) requireColumn(table, d, "column to drop");

    const notices: string[] = [];
    const targetSpec = fitTarget(table, trainRows, targetIndex, opts.task, notices);
    const encoders: Encoder[] = [];
    table.columns.forEach((name, c) => {
      if (c === targetIndex || drop.has(name)) return;
      const profile = inferColumnType(table, c, trainRows);
      const encoder = fitColumn(
        table,
        trainRows,
        profile,
        { scaling, categorical, maxCategories, textBuckets },
        notices,
      );
      if (encoder) encoders.push(encoder);
    });
    if (encoders.length === 0 && !opts.targetOnly) {
      throw new UserError(
        `no usable feature columns in ${table.source}: every column other than the target '${target}' was dropped`,
        notices.join("; "),
      );
    }
    return new TabularPreprocessor(targetSpec, encoders, notices);
  }

  /**
   * The feature matrix of `rows` (default: all rows) of `table`: row-major, rows.length x featureCount.
   * The table may be another file (prediction); it must have every column in inputColumns (any order;
   * the target column is not needed). An unseen category goes to the "<other>" slot; a non-number in a
   * numeric column, or an unknown value in a boolean column, is a UserError naming the cell.
   */
  transformFeatures(table: Table, rows?: readonly number[]): Float32Array {
    const rowIds = rows ?? allRows(table);
    const at = this.encoders.map((e) => requireInputColumn(table, e.column, this.inputColumns));
    const out = new Float32Array(rowIds.length * this.featureCount);
    let o = 0;
    const store = table.store;
    if (store) {
      // a columnar table: number columns are read as numbers, other cells as text, row by row
      const n = store.length;
      const encoders = this.encoders;
      const nums = encoders.map((e, k) => (e.kind === "numeric" ? store.numbers(at[k]!) : undefined));
      // first the number columns' plain cells, column by column; rows with another cell there are flagged
      // and done row by row below with the rest, so that an error names the same cell as ever
      const flagged = new Uint8Array(rowIds.length);
      const width = this.featureCount;
      const offsets: number[] = [];
      let rowWise = false;
      encoders.reduce((offset, e, k) => {
        if (nums[k] !== undefined && e.kind === "numeric") offsets[k] = offset;
        else rowWise = true;
        return offset + featureNamesOf(e).length;
      }, 0);
      // in blocks of rows, so that the block's features stay in the cache while its columns are written
      for (let from = 0; from < rowIds.length; from += 4096) {
        const to = Math.min(rowIds.length, from + 4096);
        encoders.forEach((e, k) => {
          const num = nums[k];
          if (num === undefined || e.kind !== "numeric") return;
          const { values } = num;
          const { center, scale } = e;
          for (let i = from, o = from * width + offsets[k]!; i < to; i++, o += width) {
            const r = rowIds[i]!;
            const v = r >= 0 && r < n ? values[r]! : Number.NaN;
            if (Number.isNaN(v) || Math.abs(v) > MAX_FEATURE_MAGNITUDE) flagged[i] = 1;
            else out[o] = (v - center) / scale; // its missing indicator, if any, stays 0
          }
        });
      }
      for (let i = 0; i < rowIds.length; i++) {
        if (!rowWise && flagged[i] === 0) continue;
        o = i * width;
        const r = rowIds[i]!;
        if (!(r >= 0 && r < n))
          throw new UserError(`row ${r} is not a row of ${table.source} (it has ${n} rows)`);
        for (let k = 0; k < encoders.length; k++) {
          const e = encoders[k]!;
          const num = nums[k];
          if (num !== undefined && e.kind === "numeric") {
            if (flagged[i] === 0) {
              o += e.missingIndicator ? 2 : 1;
              continue;
            }
            const v = num.values[r]!;
            if (!Number.isNaN(v)) {
              if (Math.abs(v) > MAX_FEATURE_MAGNITUDE) throw tooLarge(table, r, e.column, "column");
              out[o++] = (v - e.center) / e.scale;
              if (e.missingIndicator) out[o++] = 0;
              continue;
            }
            o = encodeCell(e, num.text.get(r) ?? "", out, o, table, r);
          } else o = encodeCell(e, store.cell(r, at[k]!), out, o, table, r);
        }
      }
      return out;
    }
    for (const r of rowIds) {
      const row = table.rows[r];
      if (!row)
        throw new UserError(`row ${r} is not a row of ${table.source} (it has ${rowCount(table)} rows)`);
      this.encoders.forEach((e, k) => {
        o = encodeCell(e, row[at[k]!]!, out, o, table, r);
      });
    }
    return out;
  }

  /**
   * Per categorical column, how many of `rows` (default: all) hold a category the model does not know:
   * one not seen in the training rows, or one too rare to be kept (see maxCategories). transformFeatures
   * encodes such a cell as "col=<other>" (index 0 with embeddings), which is allowed but worth telling a
   * user who predicts. Columns without any are left out; `examples` holds up to 5 distinct such values.
   *
   * Example: `for (const u of pre.unknownCategories(table)) console.log(`${u.rows} rows: unseen ${u.column}`)`.
   */
  unknownCategories(
    table: Table,
    rows?: readonly number[],
  ): { column: string; rows: number; examples: string[] }[] {
    const rowIds = rows ?? allRows(table);
    const out: { column: string; rows: number; examples: string[] }[] = [];
    for (const e of this.encoders) {
      if (e.kind !== "onehot" && e.kind !== "embedding") continue;
      const c = requireInputColumn(table, e.column, this.inputColumns);
      const known = new Set(e.categories);
      let count = 0;
      const examples = new Set<string>();
      for (const r of rowIds) {
        const cell = r >= 0 && r < rowCount(table) ? cellText(table, r, c) : undefined;
        if (cell === undefined || isMissing(cell)) continue;
        const v = cell.trim();
        if (known.has(v)) continue;
        count++;
        if (examples.size < 5) examples.add(v);
      }
      if (count > 0) out.push({ column: e.column, rows: count, examples: [...examples] });
    }
    return out;
  }

  /**
   * The target of `rows` (default: all rows): class indices (Int32Array, indices into `classes`) for
   * classification, the standardized value (Float32Array) for regression. A missing target, a class not
   * seen in training, or a non-number for regression is a UserError naming the row.
   */
  transformTarget(table: Table, rows?: readonly number[]): Int32Array | Float32Array {
    const rowIds = rows ?? allRows(table);
    const spec = this.targetSpec;
    const c = requireColumn(table, spec.column, "target column");
    if (spec.task === "classification") {
      const index = new Map(spec.classes.map((k, i) => [k, i]));
      const out = new Int32Array(rowIds.length);
      rowIds.forEach((r, i) => {
        const cell = cellText(table, r, c);
        const label = missingTargetCheck(table, r, spec.column, cell, spec.numericLabels);
        const k = index.get(label);
        if (k === undefined) {
          throw new UserError(
            `${table.source}: ${describeRow(table, r)}: class '${label}' of target '${spec.column}' was not among the ` +
              `training classes (${preview(spec.classes)})`,
            "make sure every class appears in the training rows (a stratified split does this)",
          );
        }
        out[i] = k;
      });
      return out;
    }
    const out = new Float32Array(rowIds.length);
    rowIds.forEach((r, i) => {
      const cell = cellText(table, r, c);
      missingTargetCheck(table, r, spec.column, cell, false);
      const v = parseNumber(cell);
      if (Number.isNaN(v)) {
        if (isNonFiniteNumber(cell)) throw nonFiniteTarget(table, r, spec.column, cell, 1);
        throw notANumber(table, r, spec.column, cell);
      }
      out[i] = (v - spec.mean) / spec.std;
    });
    return out;
  }

  /** Regression: standardized predictions back in the target's units (y * std + mean). */
  inverseTarget(y: Float32Array): Float32Array {
    const spec = this.targetSpec;
    if (spec.task !== "regression") throw new UserError("inverseTarget applies to regression targets only");
    return y.map((v) => v * spec.std + spec.mean);
  }

  /** Regression: the training mean and standard deviation of the target (in its units). */
  get targetScale(): { mean: number; std: number } | undefined {
    const spec = this.targetSpec;
    return spec.task === "regression" ? { mean: spec.mean, std: spec.std } : undefined;
  }

  /** Classification: how many of `rows` (default: all) fall in each class, indexed like `classes`. */
  classCounts(table: Table, rows?: readonly number[]): number[] {
    if (this.targetSpec.task !== "classification")
      throw new UserError("classCounts applies to classification only");
    const y = this.transformTarget(table, rows);
    const counts = new Array<number>(this.classes.length).fill(0);
    for (const k of y) counts[k]!++;
    return counts;
  }

  /** Everything needed to apply the preprocessing again (plain JSON). */
  toJSON(): PreprocessorJSON {
    return {
      format: FORMAT,
      version: 1,
      target: structuredClone(this.targetSpec),
      encoders: structuredClone(this.encoders),
      notices: [...this.notices],
    };
  }

  /** Restores a preprocessor saved with toJSON; a UserError when `o` is not one. */
  static fromJSON(o: object): TabularPreprocessor {
    const j = o as Partial<PreprocessorJSON>;
    if (j?.format !== FORMAT || j.version !== 1 || !j.target || !Array.isArray(j.encoders)) {
      throw new UserError(
        `not a saved tabular preprocessor (expected format "${FORMAT}" version 1)`,
        "the model file may be damaged or from another tool",
      );
    }
    return new TabularPreprocessor(structuredClone(j.target), structuredClone(j.encoders), j.notices ?? []);
  }
}

/**
 * Rows of `table` (default: all) whose `target` cell is not missing, and how many were left out. Use it
 * before splitting: rows without a target can be neither trained on nor evaluated.
 */
export function rowsWithTarget(
  table: Table,
  target: string,
  rows?: readonly number[],
): { rows: number[]; dropped: number } {
  const c = requireColumn(table, target, "target column");
  const out: number[] = [];
  let dropped = 0;
  for (const r of rows ?? allRows(table)) {
    if (isMissing(cellText(table, r, c))) dropped++;
    else out.push(r);
  }
  return { rows: out, dropped };
}

function allRows(table: Table): number[] {
  return allRowIds(table);
}

function preview(values: readonly string[], n = 10): string {
  return values.length <= n
    ? values.join(", ")
    : `${values.slice(0, n).join(", ")}, ... (${values.length} in all)`;
}

function requireColumn(table: Table, name: string, what: string): number {
  const c = table.columns.indexOf(name);
  if (c >= 0) return c;
  const near = closestMatch(name, table.columns);
  throw new UserError(
    `${what} '${name}' is not in ${table.source}; its columns are: ${preview(table.columns, 30)}`,
    near ? `did you mean '${near}'?` : undefined,
  );
}

function requireInputColumn(table: Table, name: string, inputs: readonly string[]): number {
  const c = table.columns.indexOf(name);
  if (c >= 0) return c;
  const missing = inputs.filter((n) => !table.columns.includes(n));
  const near = closestMatch(name, table.columns);
  throw new UserError(
    `${table.source} lacks column '${name}', which the model was trained with` +
      (missing.length > 1 ? ` (missing: ${preview(missing)})` : ""),
    near
      ? `did you mean '${near}'? columns must keep their training names`
      : "add the column (empty cells count as missing)",
  );
}

function notANumber(table: Table, row: number, column: string, cell: string, context = ""): UserError {
  return new UserError(
    `${table.source}: ${describeRow(table, row)}, column '${column}': '${cell.trim()}' is not a number${context}`,
    "fix the cell, or leave it empty to mark it missing",
  );
}

function tooLarge(table: Table, row: number, column: string, role: "column" | "target"): UserError {
  const cell = cellText(table, row, table.columns.indexOf(column));
  return tooLargeCellError({ file: table.source, row, line: table.lines?.[row] }, column, cell, role);
}

function nonFiniteTarget(table: Table, row: number, column: string, cell: string, count: number): UserError {
  const line = table.lines?.[row];
  return nonFiniteCellError({ file: table.source, row, line }, column, cell, count);
}

function missingTargetCheck(
  table: Table,
  row: number,
  column: string,
  cell: string,
  numericLabels: boolean,
): string {
  if (isMissing(cell)) {
    throw new UserError(
      `${table.source}: ${describeRow(table, row)}: the target '${column}' is missing`,
      "leave rows without a target out (rowsWithTarget) before splitting and fitting",
    );
  }
  return canonicalLabel(cell, numericLabels);
}

/** Class label text: trimmed; for numeric labels the number's shortest form ("1.0" -> "1"). */
function canonicalLabel(cell: string, numericLabels: boolean): string {
  const s = cell.trim();
  if (!numericLabels) return s;
  const v = parseNumber(s);
  return Number.isNaN(v) ? s : String(v);
}

function fitTarget(
  table: Table,
  rows: readonly number[],
  c: number,
  task: Task | undefined,
  notices: string[],
): TargetSpec {
  const column = table.columns[c]!;
  const values: string[] = [];
  let firstMissing = -1;
  let missing = 0;
  for (const r of rows) {
    const cell = cellText(table, r, c);
    if (isMissing(cell)) {
      missing++;
      if (firstMissing < 0) firstMissing = r;
    } else values.push(cell.trim());
  }
  if (missing > 0) {
    throw new UserError(
      `${table.source}: the target '${column}' is missing in ${missing} training row(s), first ${describeRow(table, firstMissing)}`,
      "leave rows without a target out (rowsWithTarget) before splitting and fitting",
    );
  }
  let firstBad = -1;
  let numeric = 0;
  let infinite = 0;
  let firstInfinite = -1;
  rows.forEach((r, i) => {
    if (!Number.isNaN(parseNumber(values[i]!))) numeric++;
    else if (isNonFiniteNumber(values[i]!)) {
      infinite++;
      if (firstInfinite < 0) firstInfinite = r;
    } else if (firstBad < 0) firstBad = r;
  });
  const n = values.length;
  if (infinite > 0 && numeric + infinite >= PARSE_SHARE * n) {
    throw nonFiniteTarget(table, firstInfinite, column, cellText(table, firstInfinite, c), infinite);
  }
  if (firstBad < 0) firstBad = firstInfinite;
  if (numeric < n && numeric >= PARSE_SHARE * n) {
    throw notANumber(
      table,
      firstBad,
      column,
      cellText(table, firstBad, c),
      `, but ${numeric} of ${n} target values are`,
    );
  }
  const isNumeric = numeric === n;
  const chosen: Task = task ?? (isNumeric ? "regression" : "classification");
  if (chosen === "regression") {
    if (!isNumeric) {
      throw new UserError(
        `target '${column}' is not numeric (e.g. '${cellText(table, firstBad, c).trim()}' in ${describeRow(table, firstBad)}), so it cannot be a regression target`,
        "use --task classification (task: classification in a config or the library), or choose a numeric --target",
      );
    }
    const ys = Float64Array.from(values, parseNumber);
    for (let i = 0; i < ys.length; i++) {
      if (Math.abs(ys[i]!) > MAX_FEATURE_MAGNITUDE) throw tooLarge(table, rows[i]!, column, "target");
    }
    const { mean, std } = meanStd(ys);
    if (ys.every((y) => y === ys[0])) {
      throw new UserError(
        `target '${column}' has the same value (${values[0]}) in all ${ys.length} training rows: there is nothing to learn ` +
          `(a model would always predict ${values[0]})`,
        "check that the target column is the one you meant (--target), and that the file holds the rows you meant to train on",
      );
    }
    if (task === undefined)
      notices.push(
        `target '${column}' is numeric: regression (set task to classification to treat its values as classes)`,
      );
    return { task: "regression", column, mean, std };
  }
  const classes = [...new Set(values.map((v) => canonicalLabel(v, isNumeric)))].sort(naturalCompare);
  if (classes.length < 2) {
    throw new UserError(
      `target '${column}' has a single class ('${classes[0]}') in the training rows; classification needs at least two`,
      "check the target column, or the rows selected for training",
    );
  }
  if (task === undefined)
    notices.push(`target '${column}' is not numeric: classification with ${classes.length} classes`);
  return { task: "classification", column, classes, numericLabels: isNumeric };
}

function meanStd(xs: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += xs[i]!;
  const mean = sum / xs.length;
  let ss = 0;
  for (let i = 0; i < xs.length; i++) ss += (xs[i]! - mean) ** 2;
  const std = Math.sqrt(ss / xs.length);
  return { mean, std: std > 0 && Number.isFinite(std) ? std : 1 };
}

/** The median of `xs`, found by selection (O(n)); reorders `xs`. NaN for an empty list. */
function medianInPlace(xs: Float64Array): number {
  const n = xs.length;
  if (n === 0) return Number.NaN;
  const m = n >> 1;
  const upper = selectInPlace(xs, m);
  if (n % 2) return upper;
  // the lower middle is the largest value left of position m after selection
  let lower = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < m; i++) if (xs[i]! > lower) lower = xs[i]!;
  return (lower + upper) / 2;
}

/**
 * Hoare's selection (quickselect, iterative, median-of-three pivots): puts the k-th smallest value of `xs`
 * at position k, smaller-or-equal values before it and larger-or-equal after, and returns it.
 */
function selectInPlace(xs: Float64Array, k: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    const a = xs[lo]!;
    const b = xs[mid]!;
    const c = xs[hi]!;
    const pivot = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (xs[i]! < pivot) i++;
      while (xs[j]! > pivot) j--;
      if (i <= j) {
        const t = xs[i]!;
        xs[i] = xs[j]!;
        xs[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return xs[k]!;
}

interface FitSettings {
  scaling: "standard" | "minmax" | "none";
  categorical: "onehot" | "embedding";
  maxCategories: number;
  textBuckets: number;
}

function scaleOf(
  xs: ArrayLike<number>,
  scaling: "standard" | "minmax" | "none",
): { center: number; scale: number } {
  if (scaling === "none") return { center: 0, scale: 1 };
  if (scaling === "standard") {
    const { mean, std } = meanStd(xs);
    return { center: mean, scale: std };
  }
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return { center: lo, scale: hi > lo ? hi - lo : 1 };
}

function fitColumn(
  table: Table,
  rows: readonly number[],
  p: ColumnProfile,
  s: FitSettings,
  notices: string[],
): Encoder | undefined {
  const column = p.name;
  const cells = () => rows.map((r) => cellText(table, r, p.index));
  const presentOf = (all: readonly string[]) => {
    const present: string[] = [];
    for (const v of all) if (!isMissing(v)) present.push(v.trim());
    return present;
  };
  const missingIndicator = p.missing > 0;
  switch (p.kind) {
    case "empty":
      notices.push(`dropped column '${column}': every training value is missing`);
      return undefined;
    case "constant":
      notices.push(`dropped constant column '${column}' (${p.reason})`);
      return undefined;
    case "identifier":
      notices.push(`dropped identifier-like column '${column}' (${p.reason})`);
      return undefined;
    case "numeric": {
      if (p.nonFinite) {
        const { first, count } = p.nonFinite;
        throw nonFiniteCellError({ file: table.source, ...first }, column, first.value, count);
      }
      if (p.invalid) {
        const { first, count } = p.invalid;
        throw notANumber(
          table,
          first.row,
          column,
          first.value,
          `, but ${p.count - p.missing - count} of ${p.count - p.missing} values in this column are` +
            (count > 1 ? ` (${count} cells are not)` : ""),
        );
      }
      const xs = new Float64Array(rows.length);
      let observed = 0;
      let extreme = -1;
      const stored = table.store?.numbers(p.index);
      const values = stored?.values ?? new Float64Array(0);
      for (let k = 0; k < rows.length; k++) {
        const r = rows[k]!;
        const v = stored ? values[r]! : Number.NaN;
        if (!Number.isNaN(v)) {
          if (extreme < 0 && Math.abs(v) > MAX_FEATURE_MAGNITUDE) extreme = r;
          xs[observed++] = v;
          continue;
        }
        const cell = stored ? (stored.text.get(r) ?? "") : cellText(table, r, p.index);
        if (isMissing(cell)) continue;
        const x = parseNumber(cell);
        if (extreme < 0 && Math.abs(x) > MAX_FEATURE_MAGNITUDE) extreme = r;
        xs[observed++] = x;
      }
      if (extreme >= 0) throw tooLarge(table, extreme, column, "column");
      const fill = medianInPlace(xs.subarray(0, observed));
      // statistics after imputation: the observed values plus one `fill` per missing cell
      xs.fill(fill, observed);
      return { kind: "numeric", column, fill, ...scaleOf(xs, s.scaling), missingIndicator };
    }
    case "boolean": {
      const present = presentOf(cells());
      const { trueValue, falseValue } = p.boolean!;
      const ones = present.filter((v) => v.toLowerCase() === trueValue).length;
      const fill = ones * 2 >= present.length ? 1 : 0;
      return { kind: "boolean", column, trueValue, falseValue, fill, missingIndicator };
    }
    case "datetime": {
      if (p.invalid) {
        const { first } = p.invalid;
        throw new UserError(
          `${table.source}: ${describeRow(table, first.row)}, column '${column}': '${first.value}' is not a date, ` +
            `but the column holds dates (YYYY-MM-DD[ HH:MM[:SS]])`,
          "fix the cell, or leave it empty to mark it missing",
        );
      }
      const all = cells();
      const present = presentOf(all);
      const fill = medianInPlace(Float64Array.from(present, parseDateTime));
      const days = Float64Array.from(all, (v) => (isMissing(v) ? fill : parseDateTime(v)) / MS_PER_DAY);
      const withTime = present.some(hasTimeOfDay);
      return { kind: "datetime", column, fill, ...scaleOf(days, s.scaling), withTime, missingIndicator };
    }
    case "text":
      return { kind: "text", column, buckets: s.textBuckets };
    case "categorical": {
      const present = presentOf(cells());
      const freq = new Map<string, number>();
      for (const v of present) freq.set(v, (freq.get(v) ?? 0) + 1);
      const ranked = [...freq.entries()].sort((a, b) => b[1] - a[1] || naturalCompare(a[0], b[0]));
      if (ranked.length > s.maxCategories) {
        notices.push(
          `column '${column}' has ${ranked.length} categories; kept the ${s.maxCategories} most frequent, the rest share '${column}=<other>'`,
        );
      }
      const categories = ranked.slice(0, s.maxCategories).map(([v]) => v);
      return { kind: s.categorical, column, categories, fill: ranked[0]![0], missingIndicator };
    }
  }
}

function featureNamesOf(e: Encoder): string[] {
  const miss = "missingIndicator" in e && e.missingIndicator ? [`${e.column}:missing`] : [];
  switch (e.kind) {
    case "numeric":
    case "boolean":
    case "embedding":
      return [e.column, ...miss];
    case "onehot":
      return [...e.categories.map((v) => `${e.column}=${v}`), `${e.column}=<other>`, ...miss];
    case "datetime": {
      const parts = ["days", "dow_sin", "dow_cos", "month_sin", "month_cos"];
      if (e.withTime) parts.push("hour_sin", "hour_cos");
      return [...parts.map((p) => `${e.column}:${p}`), ...miss];
    }
    case "text":
      return Array.from({ length: e.buckets }, (_, b) => `${e.column}:hash${b}`);
  }
}

/** Writes the features of one cell at out[o...]; returns the next offset. */
function encodeCell(
  e: Encoder,
  cell: string,
  out: Float32Array,
  o: number,
  table: Table,
  row: number,
): number {
  const missing = isMissing(cell);
  switch (e.kind) {
    case "numeric": {
      let v = e.fill;
      if (!missing) {
        v = parseNumber(cell);
        if (Number.isNaN(v)) {
          if (isNonFiniteNumber(cell))
            throw nonFiniteCellError({ file: table.source, row, line: table.lines?.[row] }, e.column, cell);
          throw notANumber(table, row, e.column, cell, " (the column is numeric in the training rows)");
        }
        if (Math.abs(v) > MAX_FEATURE_MAGNITUDE) throw tooLarge(table, row, e.column, "column");
      }
      out[o++] = (v - e.center) / e.scale;
      break;
    }
    case "boolean": {
      let v = e.fill;
      if (!missing) {
        const s = cell.trim().toLowerCase();
        if (s === e.trueValue) v = 1;
        else if (s === e.falseValue) v = 0;
        else {
          throw new UserError(
            `${table.source}: ${describeRow(table, row)}, column '${e.column}': '${cell.trim()}' is neither ` +
              `'${e.trueValue}' nor '${e.falseValue}', the two values this column had in training`,
            "fix the cell, or leave it empty to mark it missing",
          );
        }
      }
      out[o++] = v;
      break;
    }
    case "onehot": {
      const k = e.categories.indexOf(missing ? e.fill : cell.trim());
      out[o + (k < 0 ? e.categories.length : k)] = 1;
      o += e.categories.length + 1;
      break;
    }
    case "embedding": {
      out[o++] = e.categories.indexOf(missing ? e.fill : cell.trim()) + 1;
      break;
    }
    case "datetime": {
      let t = e.fill;
      if (!missing) {
        t = parseDateTime(cell);
        if (Number.isNaN(t)) {
          throw new UserError(
            `${table.source}: ${describeRow(table, row)}, column '${e.column}': '${cell.trim()}' is not a date (YYYY-MM-DD[ HH:MM[:SS]])`,
            "fix the cell, or leave it empty to mark it missing",
          );
        }
      }
      const d = new Date(t);
      out[o++] = (t / MS_PER_DAY - e.center) / e.scale;
      const dow = (2 * Math.PI * d.getUTCDay()) / 7;
      const month = (2 * Math.PI * d.getUTCMonth()) / 12;
      out[o++] = Math.sin(dow);
      out[o++] = Math.cos(dow);
      out[o++] = Math.sin(month);
      out[o++] = Math.cos(month);
      if (e.withTime) {
        const hour = (2 * Math.PI * (d.getUTCHours() + d.getUTCMinutes() / 60)) / 24;
        out[o++] = Math.sin(hour);
        out[o++] = Math.cos(hour);
      }
      break;
    }
    case "text":
      hashedBagOfWords(missing ? "" : cell, e.buckets, out, o);
      return o + e.buckets;
  }
  if ("missingIndicator" in e && e.missingIndicator) out[o++] = missing ? 1 : 0;
  return o;
}
