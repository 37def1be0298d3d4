/**
 * Label noise for measuring the label check: flip a share of a table's labels at random, then score the
 * rows the check flags against the rows that were flipped. Used by bench/label-issues.ts and by the test
 * of the label check's targets.
 */
import { naturalCompare } from "../src/data/natural-order.js";
import type { Table } from "../src/data/table.js";
import { Random } from "../src/util/random.js";

/**
 * `table` with the target of `fraction` of its rows (rounded) changed to another class chosen uniformly,
 * seeded; rows without a target are never chosen. Returns the noisy table and the flipped data rows.
 */
export function flipLabels(
  table: Table,
  target: string,
  fraction: number,
  seed: number,
): { table: Table; flipped: Set<number> } {
  const t = table.columns.indexOf(target);
  if (t < 0) throw new Error(`no column ${target} in ${table.source}`);
  const labeled = table.rows.map((_, i) => i).filter((i) => table.rows[i]![t]!.trim() !== "");
  const classes = [...new Set(labeled.map((i) => table.rows[i]![t]!))].sort(naturalCompare);
  const rng = new Random(seed);
  const order = rng.shuffle([...labeled]);
  const flipped = new Set(order.slice(0, Math.round(fraction * labeled.length)));
  const rows = table.rows.map((r, i) => {
    if (!flipped.has(i)) return r;
    const others = classes.filter((c) => c !== r[t]);
    const copy = [...r];
    copy[t] = others[rng.int(others.length)]!;
    return copy;
  });
  return { table: { ...table, rows }, flipped };
}

/** Precision and recall of `flagged` data rows against the `flipped` ones (precision 1 when none is flagged). */
export function scoreFlags(
  flagged: readonly number[],
  flipped: ReadonlySet<number>,
): { precision: number; recall: number; hits: number } {
  let hits = 0;
  for (const row of flagged) if (flipped.has(row)) hits++;
  return {
    precision: flagged.length === 0 ? 1 : hits / flagged.length,
    recall: flipped.size === 0 ? 1 : hits / flipped.size,
    hits,
  };
}
