import type { Table } from "../table.js";
import { type AuditTables, type AuditTask, prepareAuditData } from "./audit-data.js";
import { collectFindings } from "./audit-findings.js";
import type { AuditReport } from "./audit-report.js";
import { summarizeColumns } from "./column-summary.js";
import { summarizeDuplicates } from "./duplicate-summary.js";
import { findExactDuplicates, sortDuplicateGroups } from "./duplicates.js";
import { auditImbalance } from "./imbalance.js";
import { auditLabelIssues } from "./label-issues.js";
import { auditLeakage } from "./leakage.js";
import { findNearDuplicates, NEAR_DUPLICATE_DISTANCE } from "./near-duplicates.js";

/** Options of `runAudit`. */
export interface AuditOptions {
  /** "classification" or "regression"; guessed from the target when left out (see prepareAuditData). */
  task?: AuditTask;
  /** Seed of the split (single file), the folds and the near-duplicate search. Default 0. */
  seed?: number;
  /** Near-duplicate distance limit, RMS standardized difference (default NEAR_DUPLICATE_DISTANCE). */
  nearDuplicateDistance?: number;
}

/**
 * Audits a dataset before training: column summary (types, missing values, constant and near-constant,
 * identifier-like columns, scales), exact and near duplicates within and across train/validation/test
 * (identifier-like columns ignored),
 * target leakage suspects, label issues by confident learning (classification; leakage suspects and
 * identifier-like columns are left out of its model) and class imbalance.
 *
 * @param tables the training table alone (its rows are tagged with the seeded 70/15/15 split nncoach would
 *   use), or `{ train, validation?, test? }` with the user's own split files
 * @param target name of the target column
 * @returns a plain JSON-able report; `renderAuditReport` turns it into text
 * @example
 *   const report = runAudit(await readTableFile("data.csv"), "label", { seed: 0 });
 *   report.leakage[0]?.column; report.label_issues.slice(0, 10);
 */
export function runAudit(
  tables: Table | AuditTables,
  target: string,
  options: AuditOptions = {},
): AuditReport {
  const seed = options.seed ?? 0;
  const parts: AuditTables = "train" in tables ? tables : { train: tables };
  const data = prepareAuditData(parts, target, { task: options.task, seed });
  const { columns, scales } = summarizeColumns(data);
  // Identifier columns make every row unique: duplicates are looked for in the other inputs.
  const identifiers = columns.filter((c) => c.identifier_like !== undefined).map((c) => c.name);
  const compared = data.featureIndices.filter((c) => !identifiers.includes(data.columns[c]!));
  const exact = findExactDuplicates(data, compared);
  const nearDistance = options.nearDuplicateDistance ?? NEAR_DUPLICATE_DISTANCE;
  const near = findNearDuplicates(data, { maxDistance: nearDistance, seed, columns: compared });
  const duplicates = sortDuplicateGroups([...exact, ...near.groups]);
  const leakage = auditLeakage(data, seed);
  const exclude = [...leakage.suspects.map((s) => s.column), ...identifiers];
  const labels = auditLabelIssues(data, seed, [...new Set(exclude)]);
  const imbalance = auditImbalance(data);

  const files: AuditReport["files"] = [];
  for (const [split, table] of [
    ["train", parts.train],
    ["validation", parts.validation],
    ["test", parts.test],
  ] as const) {
    if (table)
      files.push({ path: table.source, split: data.userSplits ? split : "all", rows: table.rows.length });
  }
  const report: AuditReport = {
    target,
    task: data.task,
    ...(data.taskNote ? { task_note: data.taskNote } : {}),
    files,
    split_source: data.userSplits
      ? "the files given (train, validation, test)"
      : `the seeded 70/15/15 ${data.task === "classification" ? "stratified " : ""}split nncoach uses (seed ${seed})`,
    rows: data.rows.length,
    findings: [],
    columns,
    scales,
    duplicates,
    duplicate_summary: {
      ...summarizeDuplicates(exact, near.groups, nearDistance, near.truncated),
      ignored_columns: identifiers,
    },
    leakage: leakage.suspects,
    single_column_scores: leakage.scores,
    label_issues: labels.issues,
    label_issue_summary: labels.summary,
    imbalance,
  };
  report.findings = collectFindings(report);
  return report;
}
