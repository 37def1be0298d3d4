import { closestMatch, UserError } from "../../errors.js";
import { type ColumnProfile, inferColumnTypes } from "../column-types.js";
import { parseDateTime } from "../datetime.js";
import { nonFiniteCellError } from "../extreme-values.js";
import { isMissing, parseNumber } from "../missing.js";
import { naturalCompare } from "../natural-order.js";
import { DEFAULT_FRACTIONS, randomSplit, stratifiedSplit } from "../split.js";
import type { Table } from "../table.js";

/** Which part of the data a row belongs to. */
export type SplitName = "train" | "validation" | "test";

/** Where a row comes from: the file, the split it is (or would be) in, and its 0-based data-row index in that file. */
export interface RowRef {
  file: string;
  split: SplitName;
  row: number;
}

/** The tables to audit: the training data, and optionally the user's own validation and test files. */
export interface AuditTables {
  train: Table;
  validation?: Table;
  test?: Table;
}

/** What the target column is predicted as. */
export type AuditTask = "classification" | "regression";

/**
 * All rows of the audited tables in one place, with the target resolved and every column parsed once.
 * Built by `prepareAuditData`; every audit check reads it.
 */
export interface AuditData {
  /** Column names, in the training file's order. */
  columns: string[];
  targetIndex: number;
  /** Indices of the input columns (every column but the target). */
  featureIndices: number[];
  /** Trimmed cell text of every row of every table, columns aligned to `columns`. */
  rows: string[][];
  /** Where each row comes from; with one file, `split` is the split the row would land in (see prepareAuditData). */
  refs: RowRef[];
  /** Per column: its inferred kind (see inferColumnTypes), over all rows of all tables. */
  profiles: ColumnProfile[];
  /**
   * Per column: true when the audit reads it as numbers: numeric and datetime columns, and identifier or
   * constant columns whose every value is a number. Other columns are compared as text.
   */
  numeric: boolean[];
  /** Per column: the cells as numbers (dates as milliseconds; NaN when missing or unreadable). */
  values: Float64Array[];
  /** Per column: true where the cell is missing. */
  missing: Uint8Array[];
  task: AuditTask;
  /** Classification: the class names in natural order (empty for regression). */
  classes: string[];
  /** Classification: class index of each row's target, -1 when the target is missing. */
  labels: Int32Array;
  /** Regression: the target as a number, NaN when missing. */
  targetValues: Float64Array;
  /** True when the user gave separate validation/test files; false when splits come from the seeded split. */
  userSplits: boolean;
  /** When the task was guessed: a remark on the guess worth showing the user (e.g. integer class codes). */
  taskNote?: string;
}

/** A numeric target with at most this many distinct integer values may be class codes (see `taskNote`). */
export const MAX_CLASSES_FOR_NUMERIC_TARGET = 20;

/**
 * Aligns the tables, resolves the target column and parses every column once.
 *
 * @param tables the training table, and optionally validation/test tables with the same columns (any order)
 * @param target name of the target column
 * @param options.task "classification" or "regression"; when omitted, guessed as `nncoach train` does: a
 *   target whose every value is a number is a regression target, any other a classification target (a
 *   numeric target with few distinct integers gets a `taskNote` suggesting classification).
 * @param options.seed when only training data is given, its rows are tagged with the split they would land in
 *   under the seeded 70/15/15 split `nncoach train` makes over the rows that have a target
 *   (`stratifiedSplit` on their target cells for classification, `randomSplit` for regression). Rows without
 *   a target, which training leaves out, are tagged "train". Default 0.
 * @throws UserError when the target is not a column, a file lacks a column, there are no rows, or a numeric
 *   column holds an infinite value ("Inf", "1e999"; the same error training gives, see nonFiniteCellError).
 */
export function prepareAuditData(
  tables: AuditTables,
  target: string,
  options: { task?: AuditTask | undefined; seed?: number | undefined } = {},
): AuditData {
  const { task, seed = 0 } = options;
  const { train } = tables;
  const columns = [...train.columns];
  const targetIndex = columns.indexOf(target);
  if (targetIndex < 0) {
    const guess = closestMatch(target, columns);
    throw new UserError(
      `target column "${target}" is not in ${train.source} (columns: ${columns.join(", ")})`,
      guess ? `did you mean --target ${guess}?` : "pass the name of the column to predict with --target",
    );
  }
  if (task !== undefined && task !== "classification" && task !== "regression") {
    throw new UserError(`task must be "classification" or "regression", got "${String(task)}"`);
  }
  const rows: string[][] = [];
  const refs: RowRef[] = [];
  const lines: (number | undefined)[] = [];
  const parts: [SplitName, Table | undefined][] = [
    ["train", train],
    ["validation", tables.validation],
    ["test", tables.test],
  ];
  for (const [split, table] of parts) {
    if (!table) continue;
    const order = columns.map((name) => {
      const j = table.columns.indexOf(name);
      if (j < 0) {
        throw new UserError(
          `${table.source} has no column "${name}", which ${train.source} has`,
          `every data file must have the same columns as the training data (${columns.join(", ")})`,
        );
      }
      return j;
    });
    table.rows.forEach((cells, row) => {
      rows.push(order.map((j) => (cells[j] ?? "").trim()));
      refs.push({ file: table.source, split, row });
      lines.push(table.lines?.[row]);
    });
  }
  if (rows.length === 0) {
    throw new UserError(
      `${train.source} has no data rows`,
      "give a file with a header line and at least one row",
    );
  }
  const n = rows.length;
  for (const r of rows) {
    for (let c = 0; c < r.length; c++) if (isMissing(r[c])) r[c] = "";
  }
  const profiles = inferColumnTypes({ source: train.source, columns, rows });
  // Infinite values are refused as training refuses them (the same check and message), before any
  // statistic or duplicate comparison reads them.
  for (const p of profiles) {
    if (!p.nonFinite) continue;
    const { first, count } = p.nonFinite;
    const ref = refs[first.row]!;
    throw nonFiniteCellError(
      { file: ref.file, row: ref.row, line: lines[first.row] },
      p.name,
      first.value,
      count,
    );
  }
  const numeric: boolean[] = [];
  const values: Float64Array[] = [];
  const missing: Uint8Array[] = [];
  for (let c = 0; c < columns.length; c++) {
    const kind = profiles[c]!.kind;
    const read = kind === "datetime" ? parseDateTime : parseNumber;
    const v = new Float64Array(n);
    const m = new Uint8Array(n);
    let allNumbers = true;
    for (let i = 0; i < n; i++) {
      const cell = rows[i]![c]!;
      if (cell === "") {
        m[i] = 1;
        v[i] = Number.NaN;
        continue;
      }
      v[i] = read(cell);
      if (Number.isNaN(v[i]!)) allNumbers = false;
    }
    numeric.push(
      kind === "numeric" ||
        kind === "datetime" ||
        ((kind === "identifier" || kind === "constant") && allNumbers),
    );
    values.push(v);
    missing.push(m);
  }

  const allNumbers = rows.every((r) => r[targetIndex] === "" || Number.isFinite(Number(r[targetIndex])));
  const resolvedTask = task ?? (allNumbers ? "regression" : "classification");
  let taskNote: string | undefined;
  if (task === undefined && resolvedTask === "regression") {
    const codes = integerCodes(values[targetIndex]!);
    if (codes !== undefined) {
      taskNote =
        `the target "${target}" is numeric, so it is treated as a regression target, but it has only ${codes} ` +
        `distinct integer values: if they are classes, pass --task classification (to audit and to train)`;
    }
  }
  const labels = new Int32Array(n).fill(-1);
  const targetValues = new Float64Array(n).fill(Number.NaN);
  let classes: string[] = [];
  if (resolvedTask === "classification") {
    const seen = new Set<string>();
    for (const r of rows) if (r[targetIndex] !== "") seen.add(r[targetIndex]!);
    classes = [...seen].sort(naturalCompare);
    const index = new Map(classes.map((c, i) => [c, i]));
    rows.forEach((r, i) => {
      const t = r[targetIndex]!;
      if (t !== "") labels[i] = index.get(t)!;
    });
  } else {
    if (!allNumbers) {
      const bad = rows.findIndex((r) => r[targetIndex] !== "" && !Number.isFinite(Number(r[targetIndex])));
      const ref = refs[bad]!;
      throw new UserError(
        `regression needs a numeric target, but "${target}" has the value "${rows[bad]![targetIndex]}" ` +
          `(${ref.file}, data row ${ref.row})`,
        "use --task classification for a target with named classes",
      );
    }
    targetValues.set(values[targetIndex]!);
  }
  const userSplits = tables.validation !== undefined || tables.test !== undefined;
  if (!userSplits) {
    // As nncoach train does: split the rows with a target, stratified on their (raw) target cells.
    const sourceTarget = train.columns.indexOf(target);
    const labelled = rows.map((r, i) => (r[targetIndex] === "" ? -1 : i)).filter((i) => i >= 0);
    const parts =
      labelled.length === 0
        ? { val: [], test: [] }
        : resolvedTask === "classification"
          ? stratifiedSplit(
              labelled.map((i) => train.rows[i]![sourceTarget]!),
              DEFAULT_FRACTIONS,
              seed,
            )
          : randomSplit(labelled.length, DEFAULT_FRACTIONS, seed);
    const split = { val: parts.val.map((k) => labelled[k]!), test: parts.test.map((k) => labelled[k]!) };
    for (const i of split.val) refs[i]!.split = "validation";
    for (const i of split.test) refs[i]!.split = "test";
  }
  return {
    columns,
    targetIndex,
    featureIndices: columns.map((_, c) => c).filter((c) => c !== targetIndex),
    rows,
    refs,
    profiles,
    numeric,
    values,
    missing,
    task: resolvedTask,
    classes,
    labels,
    targetValues,
    userSplits,
    ...(taskNote ? { taskNote } : {}),
  };
}

/** The number of distinct values when they are at most MAX_CLASSES_FOR_NUMERIC_TARGET integers, else undefined. */
function integerCodes(values: Float64Array): number | undefined {
  const distinct = new Set<number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    if (!Number.isInteger(v)) return undefined;
    distinct.add(v);
    if (distinct.size > MAX_CLASSES_FOR_NUMERIC_TARGET) return undefined;
  }
  return distinct.size;
}

/** Indices of the rows whose target is present (a label for classification, a number for regression). */
export function rowsWithTarget(data: AuditData): number[] {
  const out: number[] = [];
  for (let i = 0; i < data.rows.length; i++) {
    if (data.task === "classification" ? data.labels[i]! >= 0 : !Number.isNaN(data.targetValues[i]!))
      out.push(i);
  }
  return out;
}
