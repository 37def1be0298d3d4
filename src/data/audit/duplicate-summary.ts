import type { DuplicateSummary } from "./audit-report.js";
import type { DuplicateGroup } from "./duplicates.js";

/**
 * The counts of the duplicates section: exact and near groups, groups across splits, validation/test rows
 * that repeat a training row, groups with conflicting targets.
 */
export function summarizeDuplicates(
  exact: DuplicateGroup[],
  near: DuplicateGroup[],
  nearDistance: number,
  truncated: boolean,
): Omit<DuplicateSummary, "ignored_columns"> {
  const all = [...exact, ...near];
  const seen = new Set<string>();
  for (const g of all) {
    if (!g.rows.some((r) => r.split === "train")) continue;
    for (const r of g.rows) if (r.split !== "train") seen.add(`${r.file}\u0000${r.row}`);
  }
  return {
    exact_groups: exact.length,
    exact_extra_rows: exact.reduce((sum, g) => sum + g.rows.length - 1, 0),
    near_groups: near.length,
    cross_split_groups: all.filter((g) => g.cross_split).length,
    evaluation_rows_seen_in_training: seen.size,
    conflicting_groups: all.filter((g) => !g.same_target).length,
    near_distance: nearDistance,
    near_search_truncated: truncated,
  };
}
