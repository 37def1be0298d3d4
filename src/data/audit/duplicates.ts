import type { AuditData, SplitName } from "./audit-data.js";

/** One row of a duplicate group. */
export interface DuplicateRow {
  file: string;
  split: SplitName;
  /** 0-based data row in `file` (header excluded). */
  row: number;
  /** The row's target cell ("" when missing). */
  target: string;
}

/** Rows that repeat the same inputs (exactly, or nearly: see findNearDuplicates). */
export interface DuplicateGroup {
  kind: "exact" | "near";
  /** Every row involved, in input order. */
  rows: DuplicateRow[];
  /** The distinct splits the rows are in. */
  splits: SplitName[];
  /** True when the rows are in more than one split: evaluation rows the model has trained on. */
  cross_split: boolean;
  /** True when every row has the same target value; false means conflicting labels for the same inputs. */
  same_target: boolean;
  /** Near duplicates only: the largest RMS standardized distance of the linked pairs. */
  max_distance?: number;
}

const MISSING_KEY = "\u0000";

/**
 * The identity of a row's inputs: its cells in `columns` (default: every input column, target excluded),
 * numbers compared by value ("1.0" equals "1"), text compared after trimming, missing equal to missing.
 */
export function inputKey(
  data: AuditData,
  i: number,
  columns: readonly number[] = data.featureIndices,
): string {
  const parts: string[] = [];
  for (const c of columns) {
    if (data.missing[c]![i]) parts.push(MISSING_KEY);
    else if (data.numeric[c] && !Number.isNaN(data.values[c]![i]!)) parts.push(String(data.values[c]![i]));
    else parts.push(data.rows[i]![c]!);
  }
  return parts.join("\u0001");
}

/**
 * Exact duplicates: groups of two or more rows with identical inputs (see inputKey), across all files and
 * splits (none when there are no input columns). Groups spanning splits come first, then groups with
 * conflicting targets, then larger groups.
 *
 * @param columns the input columns compared (default: all); leave out identifier columns, which make every
 *   row unique and would hide copies
 */
export function findExactDuplicates(
  data: AuditData,
  columns: readonly number[] = data.featureIndices,
): DuplicateGroup[] {
  if (columns.length === 0) return [];
  const groups = new Map<string, number[]>();
  for (let i = 0; i < data.rows.length; i++) {
    const key = inputKey(data, i, columns);
    const members = groups.get(key);
    if (members) members.push(i);
    else groups.set(key, [i]);
  }
  const out: DuplicateGroup[] = [];
  for (const members of groups.values())
    if (members.length > 1) out.push(duplicateGroup(data, "exact", members));
  return sortDuplicateGroups(out);
}

/** A duplicate group of the given rows (indices into `data.rows`), with its split and target facts. */
export function duplicateGroup(
  data: AuditData,
  kind: "exact" | "near",
  members: readonly number[],
): DuplicateGroup {
  const rows = members.map((i): DuplicateRow => {
    const ref = data.refs[i]!;
    return { file: ref.file, split: ref.split, row: ref.row, target: data.rows[i]![data.targetIndex]! };
  });
  const order: SplitName[] = ["train", "validation", "test"];
  const splits = order.filter((s) => rows.some((r) => r.split === s));
  return {
    kind,
    rows,
    splits,
    cross_split: splits.length > 1,
    same_target: rows.every((r) => r.target === rows[0]!.target),
  };
}

/** Cross-split groups first, then conflicting targets, then larger groups, then by first row. */
export function sortDuplicateGroups(groups: DuplicateGroup[]): DuplicateGroup[] {
  return groups.sort(
    (a, b) =>
      Number(b.cross_split) - Number(a.cross_split) ||
      Number(a.same_target) - Number(b.same_target) ||
      b.rows.length - a.rows.length,
  );
}
