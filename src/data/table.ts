import type { ColumnStore } from "./columnar.js";

/**
 * A table of raw cells as read from a file: every reader (CSV, TSV, JSON Lines, Parquet) produces one.
 * Cells keep their original text; an empty string means missing. `rows[i]` is data row i of the file
 * (0-based, header excluded), which is the row number users see in reports.
 *
 * Big files are read into a columnar `store` (see columnar.ts); `rows` is then a view that builds a row on
 * access. Code on the data path reads cells with cellText / rowCount, which use the store directly.
 */
export interface Table {
  /** Where the data came from (a path), for messages. */
  source: string;
  /** Column names, in file order. */
  columns: string[];
  /** Raw cell text, row-major; every row has `columns.length` cells. "" = missing. */
  rows: string[][];
  /** 1-based line number in the source file of each data row (for messages), when known. */
  lines?: ArrayLike<number>;
  /** What the reader decided or changed (delimiter, header, renamed columns), for reports. */
  notes?: string[];
  /** The cells, column by column, when the reader stored them that way (then `rows` is a view of it). */
  store?: ColumnStore;
}

/** Index of `name` in the table's columns, or -1. */
export function columnIndex(table: Table, name: string): number {
  return table.columns.indexOf(name);
}

/** Number of data rows. */
export function rowCount(table: Table): number {
  return table.store ? table.store.length : table.rows.length;
}

/** The text of row r's cell in column c (undefined when r is not a row), without building the row. */
export function cellText(table: Table, r: number, c: number): string {
  const s = table.store;
  if (s) return s.cell(r, c);
  return table.rows[r]![c]!;
}

/** 0..rowCount-1. */
export function allRowIds(table: Table): number[] {
  const n = rowCount(table);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}
