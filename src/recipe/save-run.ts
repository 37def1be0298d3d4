/**
 * Writes a trained run into a folder: model.onnx (with the task, classes and input kind in its metadata;
 * regression outputs mapped back to target units), preprocess.json (what `nncoach predict` needs to turn
 * raw inputs of the same kind into model inputs), config.json (the resolved options, reproducing the run
 * with `nncoach train --config`; output options are left out so that reproducing a run never overwrites
 * it) and run.json (history, health, plan, decisions, data summary: what `nncoach diagnose` reads). Every
 * file is written atomically.
 */
import fs from "node:fs";
import path from "node:path";
import { saveRunRecord } from "../coach/diagnosis/run-file.js";
import { RUN_RECORD_FORMAT, type RunRecord } from "../coach/diagnosis/run-record.js";
import { configToJson, type ResolvedConfig, TRAIN_OPTIONS } from "../train/config.js";
import { writeJsonAtomic } from "../util/atomic-write.js";
import type { RunResult } from "./train-run.js";

/** Options that say where a run writes, not how it trains: not part of a reproducing config. */
export const OUTPUT_OPTIONS = ["save", "logDir", "checkpoint", "resume", "json", "evaluateTest"] as const;

/**
 * The options a user set for a run (command line or config file), without its outputs: with the same
 * version's defaults and planner they reproduce the run (see the file comment). Options left at their
 * defaults are left out, so that the planner adapts them exactly as it did.
 */
export function reproducibleConfig(resolved: ResolvedConfig): Record<string, unknown> {
  const all = configToJson(resolved.values);
  const out: Record<string, unknown> = {};
  for (const o of TRAIN_OPTIONS) {
    if ((OUTPUT_OPTIONS as readonly string[]).includes(o.name)) continue;
    if (o.name === "data" || resolved.sources[o.name] !== "default") out[o.name] = all[o.name];
  }
  return out;
}

/** The run as the diagnosis reads it (saved as run.json; `nncoach diagnose <dir>` re-reads it). */
export function runRecordOf(r: RunResult, command?: string[]): RunRecord {
  const d = r.data;
  return {
    format: RUN_RECORD_FORMAT,
    version: 1,
    task: d.task,
    classes: d.classes,
    classCounts: d.classCounts,
    loss: {
      name: r.plan.loss.name,
      labelSmoothing: r.plan.loss.labelSmoothing,
      focalGamma: r.plan.loss.focalGamma,
    },
    monitor: r.plan.monitor,
    stopReason: r.stopReason,
    epochs: r.plan.epochs,
    history: r.history,
    health: r.health,
    data: {
      kind: d.kind,
      source: d.source,
      target: d.loaded.kind === "table" || d.loaded.kind === "text" ? d.loaded.target : undefined,
      rows: { train: d.train.n, validation: d.validation.n, test: d.test?.size ?? 0 },
      features: d.inputShape.reduce((a, b) => a * b, 1),
      featureScales: d.featureStats ?? [],
      standardization: r.config.standardize,
    },
    timing: { trainSamplesPerSecond: r.trainSamplesPerSecond },
    plan: { options: reproducibleConfig(r.resolved) as never },
    command,
    decisions: r.decisions,
  };
}

export async function saveRun(dir: string, r: RunResult): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const scale = r.data.targetScale;
  await r.trainer.saveOnnx(path.join(dir, "model.onnx"), {
    outputScale: scale ? [scale.std] : undefined,
    outputShift: scale ? [scale.mean] : undefined,
    metadata: r.data.metadata,
  });
  writeJsonAtomic(path.join(dir, "preprocess.json"), r.data.preprocessing);
  writeJsonAtomic(path.join(dir, "config.json"), reproducibleConfig(r.resolved));
  saveRunRecord(dir, runRecordOf(r));
  return dir;
}
