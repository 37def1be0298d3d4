/**
 * A run record from what `trainTabular` returns (the library form of `nncoach train <table>`), for
 * diagnosing table runs until the planner's runner produces the record itself.
 *
 * `trainTabular` does not return its split or raw data, so the adapter reads the table again and repeats
 * the split nncoach train made (the same seeded, stratified 70/15/15 split of the labelled rows, or all rows
 * for training when a validation file was given) to count rows per split and class and to measure each
 * numeric feature's raw scale on the training rows. Means and standard deviations are those the
 * preprocessor fitted (it standardizes with them); minimum and maximum are read from the rows.
 *
 * @example
 * const result = await trainTabular({ data: "wine.csv", target: "cultivar", lr: 10 });
 * const record = await runRecordFromTabular(result, { audit: runAudit(table, "cultivar"), command: process.argv.slice(1) });
 * diagnose(record);
 */
import type { AuditReport } from "../../data/audit/audit-report.js";
import { parseNumber } from "../../data/missing.js";
import { readTableFile } from "../../data/read-table-file.js";
import { randomSplit, stratifiedSplit } from "../../data/split.js";
import { rowsWithTarget } from "../../data/tabular-preprocessor.js";
import type { TabularTrainResult } from "../../train/train-tabular.js";
import {
  type AuditSummary,
  auditSummary,
  type DataSummary,
  type FeatureScale,
  RUN_RECORD_FORMAT,
  RUN_RECORD_VERSION,
  type RunRecord,
} from "./run-record.js";

export interface TabularRecordExtras {
  /** The fast audit of the same data (a report from runAudit, or its summary). */
  audit?: AuditReport | AuditSummary;
  /** The command that ran (argv from "nncoach"); rebuilt from the config when absent. */
  command?: string[];
  /** Overrides of the data summary (e.g. a standardization other than the default). */
  data?: Partial<DataSummary>;
  /** The planner's decision records, kept with the run. */
  decisions?: unknown[];
}

/** Builds the run record of a `trainTabular` result. */
export async function runRecordFromTabular(
  result: TabularTrainResult,
  extras: TabularRecordExtras = {},
): Promise<RunRecord> {
  const cfg = result.config;
  const pre = result.preprocessor;
  if (!cfg.data) throw new Error("runRecordFromTabular: the result's config names no data file");
  const table = await readTableFile(cfg.data);
  const target = pre.target;
  const tIdx = table.columns.indexOf(target);
  const labelled = rowsWithTarget(table, target).rows;
  let train: number[];
  let validation: number;
  let test = 0;
  if (cfg.validationData) {
    train = labelled;
    validation = result.val.samples;
  } else {
    const split =
      pre.task === "classification"
        ? stratifiedSplit(
            labelled.map((r) => table.rows[r]![tIdx]!),
            undefined,
            cfg.seed,
          )
        : randomSplit(labelled.length, undefined, cfg.seed);
    train = split.train.map((i) => labelled[i]!);
    validation = split.val.length;
    test = split.test.length;
  }
  const scales: FeatureScale[] = [];
  for (const e of pre.toJSON().encoders) {
    if (e.kind !== "numeric") continue;
    const c = table.columns.indexOf(e.column);
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const r of train) {
      const v = parseNumber(table.rows[r]![c] ?? "");
      if (Number.isNaN(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    scales.push({ name: e.column, mean: e.center, std: e.scale, min, max });
  }
  const loss = result.trainer.loss.config();
  const audit =
    extras.audit && "duplicate_summary" in extras.audit ? auditSummary(extras.audit) : extras.audit;
  return {
    format: RUN_RECORD_FORMAT,
    version: RUN_RECORD_VERSION,
    task: result.task,
    classes: [...result.classes],
    classCounts: result.task === "classification" ? pre.classCounts(table, train) : [],
    loss: {
      name: result.trainer.loss.name,
      ...(typeof loss.labelSmoothing === "number" ? { labelSmoothing: loss.labelSmoothing } : {}),
      ...(typeof loss.focalGamma === "number" ? { focalGamma: loss.focalGamma } : {}),
    },
    monitor: result.monitor,
    ...(result.stopReason ? { stopReason: result.stopReason } : {}),
    epochs: cfg.epochs,
    history: result.history,
    health: result.health,
    data: {
      kind: "table",
      source: cfg.data,
      target,
      rows: { train: train.length, validation, test },
      features: pre.featureCount,
      featureScales: scales,
      standardization: "standard",
      ...extras.data,
    },
    ...(audit ? { audit } : {}),
    timing: {
      trainSamplesPerSecond: result.trainSamplesPerSecond,
      trainSeconds: (train.length * result.epochsRun) / Math.max(result.trainSamplesPerSecond, 1e-9),
    },
    plan: { options: { ...cfg } },
    ...(extras.command ? { command: [...extras.command] } : {}),
    ...(extras.decisions ? { decisions: extras.decisions } : {}),
  };
}
