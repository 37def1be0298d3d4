import { UserError } from "../errors.js";
import { parseDateTime } from "./datetime.js";
import { isNonFiniteNumber } from "./extreme-values.js";
import { isMissing, parseNumber } from "./missing.js";
import { allRowIds, cellText, rowCount, type Table } from "./table.js";

/**
 * What a column holds, as inferred from its cells:
 * - `numeric`: at least 95% of the non-missing cells are numbers, infinite ones included (see `invalid` for
 *   those that are not, `nonFinite` for the infinite ones);
 * - `boolean`: exactly two values forming a known pair (true/false, yes/no, y/n, t/f; any case). A 0/1
 *   column is numeric, so that any number is accepted in it at prediction time;
 * - `datetime`: at least 95% of the non-missing cells are dates (see parseDateTime);
 * - `identifier`: a distinct value on every row (ids, uuids, codes), or distinct integers in a range no
 *   wider than the table's row count (a row counter 0..n-1, also when only a subset of rows is looked at);
 * - `text`: free text (several words per cell on average, or unique multi-word values);
 * - `categorical`: anything else (a set of repeated labels);
 * - `constant`: a single distinct value; `empty`: every cell is missing.
 */
export type ColumnKind =
  | "numeric"
  | "categorical"
  | "boolean"
  | "text"
  | "datetime"
  | "identifier"
  | "constant"
  | "empty";

/** A cell named for messages: data row (0-based), file line when known, and its text. */
export interface CellRef {
  row: number;
  line?: number;
  value: string;
}

/** The inferred kind of one column and the counts behind it. */
export interface ColumnProfile {
  name: string;
  /** Position in table.columns. */
  index: number;
  kind: ColumnKind;
  /** Rows looked at. */
  count: number;
  /** Missing cells among them (see isMissing). */
  missing: number;
  /** Distinct non-missing values (trimmed). */
  distinct: number;
  /** Why the column got its kind, in words, for reports. */
  reason: string;
  /** numeric/datetime only: the cells that do not parse, when some do not (count and the first one). */
  invalid?: { count: number; first: CellRef };
  /**
   * numeric only: the cells holding infinite numbers ("Inf", "-infinity", "1e999"; see isNonFiniteNumber),
   * when some do (count and the first one). They count as numbers for the kind, and are an error to use
   * (see nonFiniteCellError).
   */
  nonFinite?: { count: number; first: CellRef };
  /** boolean only: the two values (trimmed, lower case) read as 1 and as 0. */
  boolean?: { trueValue: string; falseValue: string };
}

/** Share of non-missing cells that must parse for a column to be numeric (or datetime). */
export const PARSE_SHARE = 0.95;
/** Fewest non-missing rows for "distinct on every row" to mean identifier. */
export const MIN_ROWS_FOR_IDENTIFIER = 10;

const BOOLEAN_PAIRS: readonly [string, string][] = [
  ["true", "false"],
  ["yes", "no"],
  ["y", "n"],
  ["t", "f"],
];

/**
 * Infers the kind of every column of a table (see ColumnKind), looking at `rows` (default: all rows).
 * Example: `inferColumnTypes(table).map((p) => `${p.name}: ${p.kind}`)`.
 */
export function inferColumnTypes(table: Table, rows?: readonly number[]): ColumnProfile[] {
  return table.columns.map((_, c) => inferColumnType(table, c, rows));
}

/** Infers the kind of one column, given by name or index (see inferColumnTypes). */
export function inferColumnType(
  table: Table,
  column: number | string,
  rows?: readonly number[],
): ColumnProfile {
  const index = typeof column === "number" ? column : table.columns.indexOf(column);
  if (index < 0 || index >= table.columns.length) {
    throw new UserError(
      `no column ${JSON.stringify(column)} in ${table.source}; columns: ${table.columns.join(", ")}`,
    );
  }
  const name = table.columns[index]!;
  const rowIds = rows ?? allRowIds(table);
  const fast = storedNumberProfile(table, index, name, rowIds);
  if (fast) return fast;
  const count = rowIds.length;
  // per non-missing cell: its trimmed text, its row, and its value as a number (NaN when not one)
  const values: string[] = [];
  const valueRows = new Int32Array(count);
  const parsed = new Float64Array(count);
  const distinctSet = new Set<string>();
  let numeric = 0;
  let infinite = 0;
  let missing = 0;
  let n = 0;
  // a dictionary column of a columnar table: each distinct cell is looked at once
  const codes = table.store?.codes(index);
  if (codes) {
    const dictionary = table.store!.dictionary(index)!;
    const trimmedOf = dictionary.map((c) => (isMissing(c) ? undefined : trimmed(c)));
    const parsedOf = trimmedOf.map((v) => (v === undefined ? Number.NaN : parseNumber(v)));
    const infiniteOf = trimmedOf.map(
      (v, i) => v !== undefined && Number.isNaN(parsedOf[i]!) && isNonFiniteNumber(v),
    );
    for (let k = 0; k < count; k++) {
      const r = rowIds[k]!;
      const code = codes[r]!;
      const v = trimmedOf[code];
      if (v === undefined) {
        missing++;
        continue;
      }
      const x = parsedOf[code]!;
      if (!Number.isNaN(x)) numeric++;
      else if (infiniteOf[code]) infinite++;
      values.push(v);
      distinctSet.add(v);
      valueRows[n] = r;
      parsed[n] = x;
      n++;
    }
  }
  for (let k = 0; !codes && k < count; k++) {
    const r = rowIds[k]!;
    const cell = cellText(table, r, index);
    if (isMissing(cell)) {
      missing++;
      continue;
    }
    const v = trimmed(cell);
    const x = parseNumber(v);
    if (!Number.isNaN(x)) numeric++;
    else if (isNonFiniteNumber(v)) infinite++;
    values.push(v);
    distinctSet.add(v);
    valueRows[n] = r;
    parsed[n] = x;
    n++;
  }
  const distinct = distinctSet.size;
  const base = { name, index, count, missing, distinct };
  if (n === 0) return { ...base, kind: "empty", reason: "every cell is missing" };
  if (distinct === 1) return { ...base, kind: "constant", reason: `every cell is '${values[0]}'` };

  const lower = [...distinctSet].map((v) => v.toLowerCase());
  if (new Set(lower).size === 2) {
    for (const [t, f] of BOOLEAN_PAIRS) {
      if (lower.every((v) => v === t || v === f)) {
        return {
          ...base,
          kind: "boolean",
          reason: `two values, ${t}/${f}`,
          boolean: { trueValue: t, falseValue: f },
        };
      }
    }
  }

  // infinite numbers count as numbers here, so that a numeric column with an "Inf" cell stays numeric
  // and is refused for it (see nonFinite), not read as categories
  if (numeric + infinite >= PARSE_SHARE * n) {
    const readable = numeric + infinite;
    const profile: ColumnProfile = {
      ...base,
      kind: "numeric",
      reason: readable === n ? "every value is a number" : `${readable} of ${n} values are numbers`,
    };
    if (infinite > 0) {
      const isInfinite = (i: number) => Number.isNaN(parsed[i]!) && isNonFiniteNumber(values[i]!);
      profile.nonFinite = cellsWhere(table, isInfinite, values, valueRows, n);
    }
    if (readable < n) {
      const isInvalid = (i: number) => Number.isNaN(parsed[i]!) && !isNonFiniteNumber(values[i]!);
      profile.invalid = cellsWhere(table, isInvalid, values, valueRows, n);
    } else if (
      infinite === 0 &&
      n === count &&
      distinct === n &&
      n >= MIN_ROWS_FOR_IDENTIFIER &&
      isRowCounter(parsed, rowCount(table))
    ) {
      return {
        ...base,
        kind: "identifier",
        reason: "distinct integers in a range no wider than the row count (a row counter)",
      };
    }
    return profile;
  }

  const dates = values.map(parseDateTime);
  const dated = dates.filter((v) => !Number.isNaN(v)).length;
  if (dated >= PARSE_SHARE * n) {
    const profile: ColumnProfile = { ...base, kind: "datetime", reason: `${dated} of ${n} values are dates` };
    if (dated < n) profile.invalid = cellsWhere(table, (i) => Number.isNaN(dates[i]!), values, valueRows, n);
    return profile;
  }

  let words = 0;
  let spaced = 0;
  for (const v of values) {
    const w = v.split(/\s+/).length;
    words += w;
    if (w > 1) spaced++;
  }
  const meanWords = words / n;
  if (meanWords >= 3)
    return { ...base, kind: "text", reason: `free text (${meanWords.toFixed(1)} words per cell)` };
  if (distinct === n && n >= MIN_ROWS_FOR_IDENTIFIER) {
    if (spaced > 0.5 * n)
      return { ...base, kind: "text", reason: "a distinct multi-word value on every row" };
    return { ...base, kind: "identifier", reason: "a distinct value on every row" };
  }
  return { ...base, kind: "categorical", reason: `${distinct} distinct values` };
}

/**
 * inferColumnType for a number column of a columnar table (see columnar.ts) whose every cell is a number or
 * empty: the same profile, read from the numbers without making a string per cell. Undefined otherwise.
 */
function storedNumberProfile(
  table: Table,
  index: number,
  name: string,
  rowIds: readonly number[],
): ColumnProfile | undefined {
  const nums = table.store?.numbers(index);
  if (!nums) return undefined;
  // cells kept as text ("NA", "1e5", "-0.000"): missing or numbers, else the general path (and its messages)
  for (const cell of nums.text.values())
    if (!isMissing(cell) && Number.isNaN(parseNumber(cell))) return undefined;
  const count = rowIds.length;
  const { values, text } = nums;
  const present = (): Float64Array => {
    const parsed = new Float64Array(count);
    let n = 0;
    for (let k = 0; k < count; k++) {
      const r = rowIds[k]!;
      const v = values[r]!;
      if (!Number.isNaN(v)) parsed[n++] = v;
      else if (text.size > 0) {
        const cell = text.get(r);
        if (cell !== undefined && !isMissing(cell)) parsed[n++] = parseNumber(cell);
      }
    }
    return parsed.subarray(0, n);
  };
  const countDistinct = (xs: Float64Array): number => {
    const sorted = xs.slice().sort();
    let d = sorted.length > 0 ? 1 : 0;
    for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1]) d++;
    return d;
  };
  const xs = present();
  const n = xs.length;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = xs[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const base = { name, index, count, missing: count - n, distinct: n === 0 ? 0 : 1 };
  if (n === 0) return { ...base, kind: "empty", reason: "every cell is missing" };
  if (min === max) return { ...base, kind: "constant", reason: `every cell is '${String(xs[0])}'` };
  if (n === count && n >= MIN_ROWS_FOR_IDENTIFIER && isRowCounter(xs, rowCount(table))) {
    const distinct = countDistinct(xs);
    if (distinct === n)
      return {
        ...base,
        distinct,
        kind: "identifier",
        reason: "distinct integers in a range no wider than the row count (a row counter)",
      };
  }
  // the distinct count (a sort) only when asked for: training never reads it for a numeric column
  const profile: ColumnProfile = { ...base, kind: "numeric", reason: "every value is a number" };
  let distinct: number | undefined;
  Object.defineProperty(profile, "distinct", {
    enumerable: true,
    configurable: true,
    get: () => {
      distinct ??= countDistinct(present());
      return distinct;
    },
  });
  return profile;
}

/** How many of the first `n` values satisfy `test`, and the first of them (row, line, text). */
function cellsWhere(
  table: Table,
  test: (i: number) => boolean,
  values: readonly string[],
  valueRows: Int32Array,
  n: number,
): { count: number; first: CellRef } {
  let count = 0;
  let first: CellRef | undefined;
  for (let i = 0; i < n; i++) {
    if (!test(i)) continue;
    count++;
    if (!first) {
      const row = valueRows[i]!;
      first = { row, value: values[i]! };
      const line = table.lines?.[row];
      if (line !== undefined) first.line = line;
    }
  }
  return { count, first: first! };
}

/**
 * Distinct integers spanning a range no wider than the table's row count: 0..n-1 or 1..n on the whole
 * table, and a subset of such a range when only some rows (e.g. the training rows) are looked at.
 */
function isRowCounter(nums: Float64Array, tableRows: number): boolean {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of nums) {
    if (!Number.isInteger(v)) return false;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return max - min + 1 <= tableRows;
}

/** The cell without surrounding white space (the same string when it has none). */
function trimmed(cell: string): string {
  const a = cell.charCodeAt(0);
  const b = cell.charCodeAt(cell.length - 1);
  return a > 32 && b > 32 ? cell : cell.trim();
}

/** "data row 12 (line 14)" or "data row 12", for messages. */
export function describeRow(table: Table, row: number): string {
  const line = table.lines?.[row];
  return line === undefined ? `data row ${row}` : `data row ${row} (line ${line})`;
}
