import type { AuditTask, SplitName } from "./audit-data.js";
import type { ColumnSummary, ScaleCheck } from "./column-summary.js";
import type { DuplicateGroup } from "./duplicates.js";
import type { ImbalanceReport } from "./imbalance.js";
import type { LabelIssue, LabelIssueSummary } from "./label-issues.js";
import type { LeakageSuspect } from "./leakage.js";
import type { SingleColumnScore } from "./single-column-score.js";

/** One thing the audit wants the user to know, most serious first in `AuditReport.findings`. */
export interface AuditFinding {
  severity: "high" | "medium" | "low";
  /** Which check produced it. */
  check: "leakage" | "duplicates" | "labels" | "imbalance" | "columns" | "scales" | "target";
  /** What was found and what to do, in one or two sentences. */
  message: string;
}

/** Counts behind the duplicate groups. */
export interface DuplicateSummary {
  exact_groups: number;
  /** Rows that repeat an earlier row exactly (group sizes minus one, summed). */
  exact_extra_rows: number;
  near_groups: number;
  /** Groups (exact or near) whose rows are in more than one split. */
  cross_split_groups: number;
  /** Validation/test rows that also appear (exactly or nearly) in training. */
  evaluation_rows_seen_in_training: number;
  /** Groups whose rows have different targets. */
  conflicting_groups: number;
  /** The near-duplicate rule's distance limit (RMS standardized difference). */
  near_distance: number;
  /** True when the near-duplicate search stopped early (too many candidate pairs). */
  near_search_truncated: boolean;
  /** Identifier-like input columns left out of the comparison (they make every row unique). */
  ignored_columns: string[];
}

/** Everything `runAudit` found; plain JSON (the `--json` output of `nncoach audit`). */
export interface AuditReport {
  target: string;
  task: AuditTask;
  /** A remark on a guessed task (a numeric target that looks like class codes), when there is one. */
  task_note?: string;
  /** The files audited, with the split each one is (a single file is "all", split by `split_source`). */
  files: { path: string; split: SplitName | "all"; rows: number }[];
  /** Where the train/validation/test splits come from. */
  split_source: string;
  rows: number;
  findings: AuditFinding[];
  columns: ColumnSummary[];
  scales: ScaleCheck | null;
  duplicates: DuplicateGroup[];
  duplicate_summary: DuplicateSummary;
  leakage: LeakageSuspect[];
  single_column_scores: SingleColumnScore[];
  label_issues: LabelIssue[];
  label_issue_summary: LabelIssueSummary;
  imbalance: ImbalanceReport | null;
}
