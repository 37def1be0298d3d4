import { appendAll } from "../../util/extent.js";
import type { AuditData } from "./audit-data.js";

/** A dense row-major matrix of model inputs. */
export interface FeatureMatrix {
  /** Row-major values, `rows * cols`. */
  x: Float64Array;
  rows: number;
  cols: number;
  /** Name of each matrix column ("age", or "color=red" for a one-hot column). */
  names: string[];
}

/** Most categories of one text column that get their own one-hot column; rarer ones share an "other" column. */
export const MAX_ONE_HOT_LEVELS = 20;

/**
 * The input columns of the selected rows as a standardized numeric matrix, for the quick models of the audit.
 * Numeric columns: missing cells get the column mean, then (x - mean) / std (population std; constant
 * columns become 0). Text columns: one-hot of the MAX_ONE_HOT_LEVELS most frequent values plus "other"
 * (missing is all zeros), standardized the same way. Statistics come from the selected rows.
 *
 * @param data the prepared audit data
 * @param rowIndices which rows of `data` to include, in this order
 * @param columnIndices which columns to use (default: every input column)
 */
export function standardizedFeatureMatrix(
  data: AuditData,
  rowIndices: readonly number[],
  columnIndices: readonly number[] = data.featureIndices,
): FeatureMatrix {
  const n = rowIndices.length;
  const columns: Float64Array[] = [];
  const names: string[] = [];
  for (const c of columnIndices) {
    if (data.numeric[c]) {
      const v = data.values[c]!;
      columns.push(Float64Array.from(rowIndices, (i) => v[i]!));
      names.push(data.columns[c]!);
      continue;
    }
    const counts = new Map<string, number>();
    for (const i of rowIndices) {
      const cell = data.rows[i]![c]!;
      if (cell !== "") counts.set(cell, (counts.get(cell) ?? 0) + 1);
    }
    const levels = [...counts.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([level]) => level);
    const kept = levels.slice(0, MAX_ONE_HOT_LEVELS);
    const hasOther = levels.length > kept.length;
    const slot = new Map(kept.map((level, j) => [level, j]));
    const block = Array.from({ length: kept.length + (hasOther ? 1 : 0) }, () => new Float64Array(n));
    rowIndices.forEach((i, r) => {
      const cell = data.rows[i]![c]!;
      if (cell === "") return;
      block[slot.get(cell) ?? kept.length]![r] = 1;
    });
    appendAll(columns, block);
    for (const level of kept) names.push(`${data.columns[c]}=${level}`);
    if (hasOther) names.push(`${data.columns[c]}=(other)`);
  }
  const cols = columns.length;
  const x = new Float64Array(n * cols);
  columns.forEach((col, j) => {
    let sum = 0;
    let count = 0;
    for (let r = 0; r < n; r++) {
      if (!Number.isNaN(col[r]!)) {
        sum += col[r]!;
        count++;
      }
    }
    const mean = count > 0 ? sum / count : 0;
    let ss = 0;
    for (let r = 0; r < n; r++) {
      const v = Number.isNaN(col[r]!) ? mean : col[r]!;
      ss += (v - mean) * (v - mean);
    }
    const std = Math.sqrt(ss / Math.max(n, 1));
    const scale = std > 1e-12 * Math.max(1, Math.abs(mean)) ? 1 / std : 0;
    for (let r = 0; r < n; r++) {
      const v = Number.isNaN(col[r]!) ? mean : col[r]!;
      x[r * cols + j] = (v - mean) * scale;
    }
  });
  return { x, rows: n, cols, names };
}
