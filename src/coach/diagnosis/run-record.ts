/**
 * The run record: everything the diagnosis reads about one training run, as plain JSON. The runner (or
 * `runRecordFromTabular` for `trainTabular` results) builds it; `saveRunRecord` writes it as `run.json`
 * next to the saved model or checkpoints, and `nncoach diagnose <dir>` reads it back.
 *
 * Rules read what the run did: its curves (`history`), its health records (`health`), the task and class
 * counts, the monitored metric, why it stopped, the data summary and the audit's findings. The `plan`
 * and `command` are read only to word actions (current values, the command to edit); a record without
 * them gets the same findings.
 *
 * @example
 * const record: RunRecord = {
 *   task: "classification", classes: ["a", "b"], classCounts: [90, 30], loss: { name: "bce" },
 *   monitor: "val_loss", history, health,
 *   data: { kind: "table", rows: { train: 120, validation: 26, test: 26 }, features: 4,
 *           featureScales: [{ name: "x1", mean: 3, std: 1.2, min: 0.5, max: 7 }, ...], standardization: "standard" },
 * };
 */
import type { AuditFinding, AuditReport } from "../../data/audit/audit-report.js";
import type { EpochLogs } from "../../train/callback.js";
import type { TrainConfig } from "../../train/config-options.js";
import type { EpochHealth } from "../../train/health-monitor.js";

export const RUN_RECORD_FORMAT = "nncoach.run-record";
export const RUN_RECORD_VERSION = 1;

/** Per-feature statistics of the training rows before any standardization. */
export interface FeatureScale {
  name: string;
  mean: number;
  std: number;
  min: number;
  max: number;
}

export interface DataSummary {
  kind: "table" | "images" | "audio" | "text";
  /** The data file or folder, when there is one (for commands). */
  source?: string;
  /** The target column (tables). */
  target?: string;
  rows: { train: number; validation: number; test: number };
  /** Inputs per example after preprocessing (features, or pixels x channels). */
  features: number;
  /** Raw scales of the inputs the network was fed, before standardization (numeric features). */
  featureScales: FeatureScale[];
  /** How inputs were scaled before the network saw them. */
  standardization: "standard" | "minmax" | "none";
}

/** The loss the run minimized (its name as in `--loss` after "auto" is resolved: bce, sparse_ce, ce, mse...). */
export interface LossInfo {
  name: string;
  labelSmoothing?: number;
  focalGamma?: number;
}

/** The parts of the fast audit (src/data/audit) the rules read. */
export interface AuditSummary {
  /** Columns suspected of leaking the target, most suspicious first. */
  leakage: { column: string; score: number; metric: string; reasons: string[] }[];
  duplicates: {
    /** Validation/test rows that repeat (exactly or nearly) a training row. */
    evaluation_rows_seen_in_training: number;
    cross_split_groups: number;
    conflicting_groups: number;
  };
  /** Rows flagged by confident learning, of the rows checked (classification), or null when not checked. */
  label_issues: { count: number; checked: number } | null;
  constant_columns: string[];
  /** The audit's findings in words. */
  findings: AuditFinding[];
}

/** What the run was asked to do; used only to word actions. */
export interface RunPlanInfo {
  /** The `nncoach train` options in effect (camelCase, as in TrainConfig). */
  options: Partial<TrainConfig>;
}

export interface RunRecord {
  format?: typeof RUN_RECORD_FORMAT;
  version?: number;
  task: "classification" | "regression";
  /** Class names in output order; [] for regression. */
  classes: string[];
  /** Training rows per class, in `classes` order; [] for regression. */
  classCounts: number[];
  loss?: LossInfo;
  /** The metric early stopping, checkpoints and plateau schedules watched, e.g. "val_loss". */
  monitor: string;
  /** Why training ended before its last epoch (early stopping, a non-finite loss), if it did. */
  stopReason?: string;
  /** Epochs asked for (the run may have stopped before). */
  epochs?: number;
  history: EpochLogs[];
  health: EpochHealth[];
  data: DataSummary;
  audit?: AuditSummary;
  timing?: { trainSamplesPerSecond?: number; trainSeconds?: number };
  plan?: RunPlanInfo;
  /** The command that ran, e.g. ["nncoach", "train", "wine.csv", "--target", "cultivar"]. */
  command?: string[];
  /** The planner's decision records, kept for the report (not read by rules). */
  decisions?: unknown[];
}

/** The audit report's parts that the diagnosis reads. */
export function auditSummary(report: AuditReport): AuditSummary {
  const d = report.duplicate_summary;
  return {
    leakage: report.leakage.map((s) => ({
      column: s.column,
      score: s.score,
      metric: s.metric,
      reasons: [...s.reasons],
    })),
    duplicates: {
      evaluation_rows_seen_in_training: d.evaluation_rows_seen_in_training,
      cross_split_groups: d.cross_split_groups,
      conflicting_groups: d.conflicting_groups,
    },
    label_issues:
      report.task === "classification" && !report.label_issue_summary.skipped
        ? { count: report.label_issues.length, checked: report.label_issue_summary.rows_checked }
        : null,
    constant_columns: report.columns.filter((c) => c.role === "input" && c.constant).map((c) => c.name),
    findings: report.findings,
  };
}

/** The record without what rules must not read (plan, command): for checking that findings ignore them. */
export function withoutPlan(r: RunRecord): RunRecord {
  const { plan: _p, command: _c, decisions: _d, ...rest } = r;
  return rest;
}
