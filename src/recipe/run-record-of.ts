/**
 * The run record of a `trainRun` result: what the diagnosis reads about the run (curves, health records,
 * class counts, data summary, the fast audit's summary), what it needs to word its actions (the options the
 * user set, the command that ran) and the planner's decisions. `nncoach train` diagnoses this record after
 * training and saves the same record as run.json (--save), so `nncoach diagnose <dir>` prints the same
 * diagnosis. `runContextOf` is the part known before training, for the early diagnosis (--diagnose-every).
 *
 * @example
 * const r = await trainRun({ data: "wine.csv", target: "cultivar" });
 * const findings = diagnose(runRecordOf(r, ["nncoach", "train", "wine.csv", "--target", "cultivar"]));
 */
import {
  auditSummary,
  RUN_RECORD_FORMAT,
  RUN_RECORD_VERSION,
  type RunRecord,
} from "../coach/diagnosis/run-record.js";
import type { AuditReport } from "../data/audit/audit-report.js";
import type { ResolvedConfig, TrainConfig } from "../train/config.js";
import type { Decision } from "./decision.js";
import type { PreparedData } from "./prepared-data.js";
import { reproducibleConfig } from "./reproducible-config.js";
import type { RunPlan } from "./run-plan.js";
import type { RunResult } from "./train-run.js";

/** What the record holds before training: everything but the curves, health records, stop and timing. */
export type RunContext = Omit<RunRecord, "history" | "health" | "stopReason" | "timing">;

/** The parts of a run known once it is planned. */
export interface PlannedRun {
  data: PreparedData;
  plan: RunPlan;
  resolved: ResolvedConfig;
  decisions: Decision[];
  /** The fast audit of the run's data (see fast-audit.ts), when there is one. */
  audit?: AuditReport;
}

/**
 * The record of a planned run before it trains.
 * @param command the command that ran (argv from "nncoach"); without it, actions rebuild one from the options
 */
export function runContextOf(r: PlannedRun, command?: readonly string[]): RunContext {
  const d = r.data;
  return {
    format: RUN_RECORD_FORMAT,
    version: RUN_RECORD_VERSION,
    task: d.task,
    classes: d.classes,
    classCounts: d.classCounts,
    loss: {
      name: r.plan.loss.name,
      labelSmoothing: r.plan.loss.labelSmoothing,
      focalGamma: r.plan.loss.focalGamma,
    },
    monitor: r.plan.monitor,
    epochs: r.plan.epochs,
    data: {
      kind: d.kind,
      source: d.source,
      target: d.loaded.kind === "table" || d.loaded.kind === "text" ? d.loaded.target : undefined,
      rows: { train: d.train.n, validation: d.validation.n, test: d.test?.size ?? 0 },
      features: d.inputShape.reduce((a, b) => a * b, 1),
      featureScales: d.featureStats ?? [],
      standardization: r.resolved.values.standardize,
    },
    ...(r.audit ? { audit: auditSummary(r.audit) } : {}),
    plan: { options: reproducibleConfig(r.resolved) as Partial<TrainConfig> },
    ...(command ? { command: [...command] } : {}),
    decisions: r.decisions,
  };
}

/** The record of a trained run (saved as run.json; read by `nncoach diagnose`). */
export function runRecordOf(r: RunResult, command?: readonly string[]): RunRecord {
  const samples = r.data.train.n * r.epochsRun;
  const speed = r.trainSamplesPerSecond;
  return {
    ...runContextOf(r, command),
    ...(r.stopReason ? { stopReason: r.stopReason } : {}),
    history: r.history,
    health: r.health,
    timing: {
      trainSamplesPerSecond: speed,
      ...(speed > 0 && samples > 0 ? { trainSeconds: samples / speed } : {}),
    },
  };
}
