/**
 * The evaluation units of a data reference, prepared as the coordinator prepared them (prepareData with
 * the same options, then the same folds: src/recipe/cross-validate.ts `prepareFolds`), once per data
 * reference and process: a worker keeps the last few and reuses them across trials.
 */
import type { EvaluationUnit } from "../coach/improve/trial.js";
import { prepareRepeatedFolds } from "../recipe/cross-validate.js";
import { prepareData } from "../recipe/prepare-data.js";
import type { PreparedData } from "../recipe/prepared-data.js";
import { resolveConfig } from "../train/config.js";
import type { DataRef } from "./data-ref.js";

/** Prepared data references kept per process (a worker serving two studies keeps both). */
export const KEEP = 2;

interface Prepared {
  data: PreparedData;
  folds: PreparedData[] | null;
}

const cache = new Map<string, Promise<Prepared>>();

async function prepare(ref: DataRef): Promise<Prepared> {
  const resolved = resolveConfig(null, ref.options);
  const data = await prepareData(resolved);
  const folds =
    ref.units.mode === "cv"
      ? await prepareRepeatedFolds(
          data,
          [...data.rows.train, ...data.rows.val],
          resolved,
          ref.units.k,
          ref.units.repeats ?? 1,
        )
      : null;
  return { data, folds };
}

/** The units a trial with `seeds` trains on: one per fold (cross-validation), else one per seed. */
export async function preparedUnits(ref: DataRef, seeds: number[]): Promise<EvaluationUnit[]> {
  const key = JSON.stringify(ref);
  let p = cache.get(key);
  if (!p) {
    p = prepare(ref);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
    while (cache.size > KEEP) cache.delete(cache.keys().next().value!);
  } else {
    // most recently used last
    cache.delete(key);
    cache.set(key, p);
  }
  const { data, folds } = await p;
  return folds
    ? folds.map((d, i) => ({ data: d, seed: seeds[i] ?? seeds[0]! }))
    : seeds.map((seed) => ({ data, seed }));
}
