/**
 * The audit `nncoach train` runs before training: the fast checks of `nncoach audit` on the rows and the
 * split of this very run, so that the diagnosis after training can say that validation rows repeat
 * training rows, that a column leaks the target, that classes are imbalanced or inputs badly scaled.
 *
 * - tables: column summary (constant and identifier-like columns, extreme values, scales: very different
 *   scales are a finding only with --standardize none, since the run standardizes otherwise), exact and
 *   near duplicates within and across the run's train/validation/test rows, single-column leakage,
 *   imbalance; the inputs are the run's inputs (columns given --drop, --id, --group or --time are left out);
 * - text tables: exact repeats of the text within and across the splits, imbalance (a leakage or scale
 *   check of one free-text column means nothing);
 * - image folders: identical images within and across the splits, images filed under two classes,
 *   imbalance (runImageFolderAudit, on the folders given; a single folder is split as training splits it,
 *   except with --test-data alone, where the training folder counts as one split);
 * - audio folders: nothing yet (undefined).
 *
 * The label check (confident learning: cross-validated models, the slow part of `nncoach audit`) is not
 * run; the report says so in `label_issue_summary.skipped`. The split's test rows are compared with the
 * training rows for duplicates, as `nncoach audit` does; nothing is evaluated on them.
 *
 * Measured on the 2-core development machine: wine 35 ms, breast_cancer 0.2 s, digits (table) 0.5 s, the
 * digits_png folder (1,797 images) 0.7 s.
 *
 * @example
 * const data = await prepareData(resolved);
 * const report = await fastAudit(data, resolved.values);
 * report?.findings; // [{ severity: "high", check: "leakage", message: 'column "id2" ...' }]
 */
import type { AuditTables } from "../data/audit/audit-data.js";
import { prepareAuditData } from "../data/audit/audit-data.js";
import { collectFindings } from "../data/audit/audit-findings.js";
import type { AuditReport } from "../data/audit/audit-report.js";
import { summarizeColumns } from "../data/audit/column-summary.js";
import { summarizeDuplicates } from "../data/audit/duplicate-summary.js";
import { findExactDuplicates, sortDuplicateGroups } from "../data/audit/duplicates.js";
import { runImageFolderAudit } from "../data/audit/image-folder-audit.js";
import { auditImbalance } from "../data/audit/imbalance.js";
import { skippedLabelCheck } from "../data/audit/label-issues.js";
import { auditLeakage } from "../data/audit/leakage.js";
import { findNearDuplicates, NEAR_DUPLICATE_DISTANCE } from "../data/audit/near-duplicates.js";
import { readTableFile } from "../data/read-table-file.js";
import type { Table } from "../data/table.js";
import type { TrainConfig } from "../train/config-options.js";
import { Random } from "../util/random.js";
import { inputColumns } from "./load-data.js";
import type { PreparedData } from "./prepared-data.js";

/** Why the fast audit has no label check (kept in the report's label_issue_summary). */
/** The fast checks read at most this many rows (a seeded sample of every split above it). */
export const FAST_AUDIT_MAX_ROWS = 200_000;

export const LABEL_CHECK_SKIPPED =
  "nncoach train runs the fast checks only; nncoach audit runs the label check";

/** The fast audit of a run's data and split (see the file comment); undefined for audio folders. */
export async function fastAudit(data: PreparedData, cfg: TrainConfig): Promise<AuditReport | undefined> {
  const d = data.loaded;
  if (d.kind === "images")
    return runImageFolderAudit(
      { train: d.source, validation: cfg.validationData ?? undefined, test: cfg.testData ?? undefined },
      {
        seed: cfg.seed,
        // the pixels training read (from the folder's cache when it has one), not the files decoded again
        loaded: { train: d.folder },
      },
    );
  if (d.kind === "audio") return undefined;
  const columns =
    d.kind === "text" && d.textColumn
      ? [d.textColumn, d.target]
      : [...inputColumns(d.table, d.target, cfg), d.target];
  const tables = await splitTables(data, cfg, columns);
  const audit = prepareAuditData(tables, d.target, { task: data.task, seed: cfg.seed });
  const text = d.kind === "text";
  const { columns: summary, scales: raw } = text ? { columns: [], scales: null } : summarizeColumns(audit);
  // the run standardizes its inputs unless told not to: very different raw scales need no action then
  const scales = raw && cfg.standardize !== "none" ? { ...raw, recommendation: null } : raw;
  // identifier columns make every row unique: duplicates are looked for in the other inputs
  const identifiers = summary.filter((c) => c.identifier_like !== undefined).map((c) => c.name);
  const compared = audit.featureIndices.filter((c) => !identifiers.includes(audit.columns[c]!));
  const exact = findExactDuplicates(audit, compared);
  const near = text
    ? { groups: [], truncated: false }
    : findNearDuplicates(audit, { maxDistance: NEAR_DUPLICATE_DISTANCE, seed: cfg.seed, columns: compared });
  const leakage = text ? { suspects: [], scores: [] } : auditLeakage(audit, cfg.seed);
  const report: AuditReport = {
    target: d.target,
    task: audit.task,
    files: (["train", "validation", "test"] as const).flatMap((split) => {
      const t = tables[split];
      return t ? [{ path: t.source, split, rows: t.rows.length }] : [];
    }),
    split_source: "the split of this run",
    rows: audit.rows.length,
    findings: [],
    columns: summary,
    scales,
    duplicates: sortDuplicateGroups([...exact, ...near.groups]),
    duplicate_summary: {
      ...summarizeDuplicates(exact, near.groups, NEAR_DUPLICATE_DISTANCE, near.truncated),
      ignored_columns: identifiers,
    },
    leakage: leakage.suspects,
    single_column_scores: leakage.scores,
    label_issues: [],
    label_issue_summary: skippedLabelCheck(audit.classes, LABEL_CHECK_SKIPPED),
    imbalance: auditImbalance(audit),
  };
  report.findings = collectFindings(report);
  const total = data.rows.train.length + data.rows.val.length + (data.test?.size ?? 0);
  if (audit.rows.length < total)
    for (const f of report.findings)
      f.message = `in a seeded sample of ${audit.rows.length} of ${total} rows (nncoach audit reads them all): ${f.message}`;
  return report;
}

/** The run's training, validation and test rows as tables of `columns` (inputs and target). */
async function splitTables(data: PreparedData, cfg: TrainConfig, columns: string[]): Promise<AuditTables> {
  const d = data.loaded;
  if (d.kind !== "table" && d.kind !== "text") throw new Error("splitTables: not a table");
  // above FAST_AUDIT_MAX_ROWS the checks read a seeded sample of every split, in proportion, and say so
  const total = data.rows.train.length + data.rows.val.length + (data.test?.size ?? 0);
  const share = Math.min(1, FAST_AUDIT_MAX_ROWS / Math.max(1, total));
  const rng = Random.derive(cfg.seed, "fast-audit-sample");
  const pick = (table: Table, all: readonly number[], name: string): Table => {
    const idx = columns.map((c) => table.columns.indexOf(c));
    const rows =
      share < 1
        ? rng
            .shuffle([...all])
            .slice(0, Math.max(1, Math.round(all.length * share)))
            .sort((a, b) => a - b)
        : all;
    return {
      source: `${table.source} (${name}${share < 1 ? `, a seeded sample of ${rows.length} of ${all.length}` : ""})`,
      columns,
      rows: rows.map((r) => idx.map((j) => (j < 0 ? "" : table.rows[r]![j]!))),
    };
  };
  const all = (t: Table) => Array.from(t.rows.keys());
  const train = pick(d.table, data.rows.train, "training rows");
  let validation: Table;
  if (data.rows.valIsSeparate && cfg.validationData) {
    const t = await readTableFile(cfg.validationData);
    validation = pick(t, data.rows.val, "validation rows");
  } else validation = pick(d.table, data.rows.val, "validation rows");
  let test: Table | undefined;
  if (cfg.testData) {
    const t = await readTableFile(cfg.testData);
    test = pick(t, all(t), "test rows");
  } else if (!data.rows.valIsSeparate) {
    // the held-out rows of the training file: labelled rows in neither training nor validation
    const used = new Set([...data.rows.train, ...data.rows.val, ...(data.rows.dropped ?? [])]);
    test = pick(
      d.table,
      d.labelled.filter((r) => !used.has(r)),
      "test rows",
    );
  }
  return { train, validation, ...(test?.rows.length ? { test } : {}) };
}
