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

/** The run record saved as run.json. */
export function runRecordJson(r: RunResult): Record<string, unknown> {
  return {
    format: "nncoach.run",
    version: 1,
    kind: r.data.kind,
    source: r.data.source,
    task: r.data.task,
    classes: r.data.classes,
    summary: r.data.summary,
    feature_stats: r.data.featureStats,
    standardize: r.config.standardize,
    monitor: r.plan.monitor,
    plan: r.plan,
    decisions: r.decisions,
    history: r.history,
    health: r.health,
    stop_reason: r.stopReason,
    val: r.val,
    test: r.test,
    cv: r.cv,
    test_unsealed: r.data.test?.rows.toJSON().unsealed ?? null,
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
  writeJsonAtomic(path.join(dir, "run.json"), runRecordJson(r));
  return dir;
}
