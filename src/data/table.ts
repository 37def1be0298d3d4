/**
 * A table of raw cells as read from a file: every reader (CSV, TSV, JSON Lines) produces one.
 * Cells keep their original text; an empty string means missing. `rows[i]` is data row i of the file
 * (0-based, header excluded), which is the row number users see in reports.
 */
export interface Table {
  /** Where the data came from (a path), for messages. */
  source: string;
  /** Column names, in file order. */
  columns: string[];
  /** Raw cell text, row-major; every row has `columns.length` cells. "" = missing. */
  rows: string[][];
  /** 1-based line number in the source file of each data row (for messages), when known. */
  lines?: number[];
  /** What the reader decided or changed (delimiter, header, renamed columns), for reports. */
  notes?: string[];
}

/** Index of `name` in the table's columns, or -1. */
export function columnIndex(table: Table, name: string): number {
  return table.columns.indexOf(name);
}
