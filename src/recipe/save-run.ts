/**
 * Writes a trained run into a folder: model.onnx (with the task, classes and input kind in its metadata;
 * regression outputs mapped back to target units), preprocess.json (what `nncoach predict` needs to turn
 * raw inputs of the same kind into model inputs), config.json (the options that reproduce the run with
 * `nncoach train --config`, see reproducible-config.ts; output options are left out so that reproducing a
 * run never overwrites it) and run.json (the run record: history, health, plan, decisions, data summary,
 * fast audit; what `nncoach diagnose` reads). Every file is written atomically.
 *
 * A run that stopped on a NaN/Inf loss or gradient has no usable weights: only config.json and run.json are
 * written (so `nncoach diagnose <dir>` still explains the run), and a model.onnx and preprocess.json left in
 * the folder by an earlier run are removed, so that the folder never pairs one run's model with another
 * run's record.
 */
import fs from "node:fs";
import path from "node:path";
import { saveRunRecord } from "../coach/diagnosis/run-file.js";
import type { RunRecord } from "../coach/diagnosis/run-record.js";
import { writeJsonAtomic } from "../util/atomic-write.js";
import { reproducibleConfig } from "./reproducible-config.js";
import { runRecordOf } from "./run-record-of.js";
import { type RunResult, stoppedOnNonFinite } from "./train-run.js";

export { OUTPUT_OPTIONS, reproducibleConfig } from "./reproducible-config.js";

/** The files of a saved model: written for a usable run, removed for one that stopped on a NaN/Inf loss. */
export const MODEL_FILES = ["model.onnx", "preprocess.json"] as const;

/** The files `saveRun` writes for `r`, in writing order. */
export function savedFiles(r: Pick<RunResult, "stopReason">): string[] {
  return [...(stoppedOnNonFinite(r) ? [] : MODEL_FILES), "config.json", "run.json"];
}

/**
 * Writes the run folder (see the file comment); returns `dir`.
 * @param record the run record to save as run.json (default: `runRecordOf(r)`, without the command)
 */
export async function saveRun(
  dir: string,
  r: RunResult,
  record: RunRecord = runRecordOf(r),
): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  if (stoppedOnNonFinite(r)) {
    for (const f of MODEL_FILES) fs.rmSync(path.join(dir, f), { force: true });
  } else {
    const scale = r.data.targetScale;
    await r.trainer.saveOnnx(path.join(dir, "model.onnx"), {
      outputScale: scale ? [scale.std] : undefined,
      outputShift: scale ? [scale.mean] : undefined,
      metadata: r.data.metadata,
    });
    writeJsonAtomic(path.join(dir, "preprocess.json"), r.data.preprocessing);
  }
  writeJsonAtomic(path.join(dir, "config.json"), reproducibleConfig(r.resolved));
  saveRunRecord(dir, record);
  return dir;
}
