/**
 * K-fold cross-validation estimate of the validation metrics (RECIPE.md §10, for little data): the rows
 * of the training and validation splits (never the test rows) are dealt into K folds (stratified for
 * classes, seeded); each fold is prepared with preprocessing fitted on its own training rows and trained
 * with the same plan; the estimate is the mean over folds with its standard error.
 */
import { kFold, stratifiedKFold } from "../data/split.js";
import type { ResolvedConfig } from "../train/config.js";
import { type FolderData, folderArrays } from "./fit-folder.js";
import { planRun } from "./plan-run.js";
import { prepareFold } from "./prepare-data.js";
import type { PreparedData } from "./prepared-data.js";
import { trainPlan } from "./train-plan.js";

export interface CrossValidation {
  k: number;
  /** Validation metrics of each fold (loss and the plan's metrics). */
  folds: Record<string, number>[];
  /** Mean and standard error (std / sqrt(k)) of each metric over the folds. */
  mean: Record<string, number>;
  se: Record<string, number>;
}

/** Mean and standard error of a list of numbers. */
export function meanSe(xs: readonly number[]): { mean: number; se: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, se: sd / Math.sqrt(n) };
}

/**
 * The K folds of `rows` (indices of the loaded data, never test rows), each prepared with preprocessing
 * fitted on its own training rows: stratified by class for classification, seeded.
 */
export async function prepareFolds(
  data: PreparedData,
  rows: readonly number[],
  resolved: ResolvedConfig,
  k: number,
  seed: number = resolved.values.seed,
): Promise<PreparedData[]> {
  const loaded = data.loaded;
  let folds: import("../data/split.js").Fold[];
  if (data.task === "classification") {
    const labels =
      loaded.kind === "table" || loaded.kind === "text"
        ? rows.map((r) => loaded.table.rows[r]![loaded.table.columns.indexOf(loaded.target)]!.trim())
        : rows.map((r) => folderArrays(loaded as FolderData).labels[r]!);
    folds = stratifiedKFold(labels, k, seed);
  } else folds = kFold(rows.length, k, seed);
  const out: PreparedData[] = [];
  for (const f of folds)
    out.push(
      await prepareFold(
        loaded,
        { train: f.train.map((j) => rows[j]!), val: f.val.map((j) => rows[j]!), test: null },
        resolved,
        { pretrained: data.pretrained },
      ),
    );
  return out;
}

/**
 * Repeated K-fold: `repeats` rounds of prepareFolds, the first dealt with the split seed (the plain
 * K-fold), each later one with its own seed, so the rows land in other folds. Units in round order.
 */
export async function prepareRepeatedFolds(
  data: PreparedData,
  rows: readonly number[],
  resolved: ResolvedConfig,
  k: number,
  repeats: number,
): Promise<PreparedData[]> {
  const out: PreparedData[] = [];
  for (let r = 0; r < repeats; r++)
    out.push(...(await prepareFolds(data, rows, resolved, k, repeatSeed(resolved.values.seed, r))));
  return out;
}

/** The fold seed of round `r` of a repeated K-fold (round 0: the split seed itself). */
function repeatSeed(seed: number, r: number): number {
  return r === 0 ? seed : (seed + r * 7919) >>> 0;
}

export async function crossValidate(
  data: PreparedData,
  rows: readonly number[],
  resolved: ResolvedConfig,
  k: number,
  log?: (line: string) => void,
): Promise<CrossValidation> {
  const results: Record<string, number>[] = [];
  for (const [i, fold] of (await prepareFolds(data, rows, resolved, k)).entries()) {
    const { plan } = planRun(fold.summary, resolved);
    const r = await trainPlan(fold, { ...plan, logDir: null, checkpoint: null, resume: false });
    await r.trainer.release();
    const { samples: _s, ...metrics } = r.val;
    results.push(metrics);
    log?.(
      `cv fold ${i + 1}/${k}: ${Object.entries(metrics)
        .map(([n, v]) => `${n} ${v.toPrecision(4)}`)
        .join(", ")}`,
    );
  }
  const mean: Record<string, number> = {};
  const se: Record<string, number> = {};
  for (const name of Object.keys(results[0] ?? {})) {
    const s = meanSe(results.map((r) => r[name]!));
    mean[name] = s.mean;
    se[name] = s.se;
  }
  return { k, folds: results, mean, se };
}
