/**
 * `--drop-split-duplicates`: validation and test rows whose inputs repeat a training row exactly are
 * dropped (and test rows that repeat a validation row), so that the scores used to choose and to report a
 * model are not scores on rows it trained on (RECIPE.md §2: leakage and duplicates). Inputs are compared
 * as the audit's exact-duplicate check compares them: the input columns' cells, numbers by value, text
 * trimmed, missing equal to missing. Tables and text only; image folders have their own audit.
 */
import { isMissing, parseNumber } from "../data/missing.js";
import { cellText, type Table } from "../data/table.js";
import type { TrainConfig } from "../train/config-options.js";
import { inputColumns, type LoadedData } from "./load-data.js";

/** A table, the rows of it in one split, and the split's name. */
export interface SplitRows {
  table: Table;
  rows: readonly number[];
}

/** A row's inputs as one string: missing cells (isMissing) alike, numbers by value (parseNumber), text trimmed. */
function keyOf(table: Table, row: number, columns: readonly number[]): string {
  const parts: string[] = [];
  for (const c of columns) {
    const cell = cellText(table, row, c);
    if (isMissing(cell)) {
      parts.push("\u0000");
      continue;
    }
    const n = parseNumber(cell);
    parts.push(Number.isNaN(n) ? cell.trim() : String(n));
  }
  return parts.join("\u0001");
}

/** The input column positions of `table`, by the training table's input names (text: the text column). */
function columnsOf(table: Table, names: readonly string[]): number[] {
  return names.map((n) => table.columns.indexOf(n)).filter((i) => i >= 0);
}

/** Names of the columns whose cells make a row's inputs (text data: the text column). */
export function inputNames(d: Extract<LoadedData, { kind: "table" | "text" }>, cfg: TrainConfig): string[] {
  return d.kind === "text" && d.textColumn ? [d.textColumn] : inputColumns(d.table, d.target, cfg);
}

/**
 * `later` without the rows whose inputs repeat a row of `earlier` (any of them), in order; and the rows
 * dropped.
 */
export function withoutRepeats(
  earlier: readonly SplitRows[],
  later: SplitRows,
  names: readonly string[],
): { rows: number[]; dropped: number[] } {
  const seen = new Set<string>();
  for (const e of earlier) {
    const cols = columnsOf(e.table, names);
    for (const r of e.rows) seen.add(keyOf(e.table, r, cols));
  }
  const cols = columnsOf(later.table, names);
  const rows: number[] = [];
  const dropped: number[] = [];
  for (const r of later.rows) (seen.has(keyOf(later.table, r, cols)) ? dropped : rows).push(r);
  return { rows, dropped };
}
