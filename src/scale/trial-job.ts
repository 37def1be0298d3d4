/**
 * What travels to a worker: one trial (TrialSpec), the data reference it trains on, the objective's
 * metric name and the pruner's curves. A worker runs nothing else: `validateTrialJob` checks a job from a
 * queue against this schema before anything is read or trained. Every key must be known, every train
 * option must be one `nncoach train` knows with a valid value (the option table's own validation,
 * src/train/config.ts), options that write files or resume (save, logDir, checkpoint, resume, ...) must
 * be unset, and the only paths are the data reference's input files, absolute (where they may be read
 * from is the worker's data roots: data-source.ts).
 */
import path from "node:path";
import type { TrialResult, TrialSpec } from "../coach/improve/trial.js";
import { getMetric } from "../nn/metrics/metric-registry.js";
import { findOption, resolveConfig } from "../train/config.js";
import { type DataRef, INPUT_PATH_OPTIONS } from "./data-ref.js";

export interface TrialJob {
  format: "nncoach-trial";
  version: 1;
  spec: TrialSpec;
  data: DataRef;
  /** The objective (metric registry name). */
  metric: string;
  /** The median pruner's curves for the watched unit (MedianPruner.snapshot), or null: no pruning. */
  prune: number[][] | null;
}

/** A job that does not match the schema: the worker refuses it (the message says which part and why). */
export class InvalidTrialJob extends Error {
  override readonly name = "InvalidTrialJob";
}

/** Options a trial on a worker may not set (they write files, resume, or print). */
const FORBIDDEN = new Set(["save", "logDir", "checkpoint", "resume", "json", "evaluateTest", "cv"]);

const MAX_SEEDS = 100;
const MAX_CURVES = 10_000;
const MAX_EPOCHS = 100_000;

type Rec = Record<string, unknown>;

function fail(where: string, what: string): never {
  throw new InvalidTrialJob(`trial job ${where}: ${what}`);
}

function record(v: unknown, where: string, keys: readonly string[], optional: readonly string[] = []): Rec {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(where, "must be an object");
  const r = v as Rec;
  for (const k of Object.keys(r))
    if (!keys.includes(k) && !optional.includes(k)) fail(where, `unknown key "${k}"`);
  for (const k of keys) if (!(k in r)) fail(where, `missing key "${k}"`);
  return r;
}

function int(v: unknown, where: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)
    fail(where, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return v;
}

function str(v: unknown, where: string, pattern: RegExp): string {
  if (typeof v !== "string" || !pattern.test(v))
    fail(where, `must match ${pattern}, got ${JSON.stringify(v)}`);
  return v;
}

/** Train options: known names, valid values (the option table's checks), nothing that writes or resumes. */
function trainOptions(v: unknown, where: string, inputPaths: Rec | null): Rec {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(where, "must be an object");
  const r = v as Rec;
  for (const [k, value] of Object.entries(r)) {
    const o = findOption(k);
    if (!o || o.name !== k) fail(`${where}.${k}`, `"${k}" is not an option of nncoach train`);
    if (FORBIDDEN.has(k) && value !== null && value !== false && value !== undefined)
      fail(`${where}.${k}`, `a trial may not set ${o.flag}`);
    if (o.isPath && value !== null) {
      if ((INPUT_PATH_OPTIONS as readonly string[]).includes(k)) {
        if (typeof value !== "string" || !path.isAbsolute(value))
          fail(`${where}.${k}`, "must be an absolute path");
        if (inputPaths && inputPaths[k] !== value)
          fail(`${where}.${k}`, "must be the data reference's own path");
      } else fail(`${where}.${k}`, `a trial may not set ${o.flag}`);
    }
  }
  try {
    resolveConfig(null, r);
  } catch (e) {
    fail(where, (e as Error).message.split("\n")[0]!);
  }
  return r;
}

function dataRef(v: unknown): DataRef {
  const r = record(v, "data", ["options", "units", "hash", "files"]);
  const options = trainOptions(r.options, "data.options", null);
  const units = record(r.units, "data.units", ["mode"], ["k", "repeats"]);
  if (units.mode === "cv") {
    int(units.k, "data.units.k", 2, 100);
    if ("repeats" in units) int(units.repeats, "data.units.repeats", 1, 20);
  } else if (units.mode !== "seeds" || "k" in units || "repeats" in units)
    fail("data.units", 'must be {mode: "seeds"} or {mode: "cv", k, repeats?}');
  str(r.hash, "data.hash", /^[0-9a-f]{16}$/);
  if (!Array.isArray(r.files) || r.files.length > INPUT_PATH_OPTIONS.length)
    fail("data.files", "must be a short list");
  for (const [i, f] of r.files.entries()) {
    const w = `data.files[${i}]`;
    const file = record(f, w, ["option", "path", "kind", "size"], ["sha256"]);
    if (!(INPUT_PATH_OPTIONS as readonly string[]).includes(file.option as string))
      fail(`${w}.option`, `must be one of ${INPUT_PATH_OPTIONS.join(", ")}`);
    if (options[file.option as string] !== file.path)
      fail(`${w}.path`, `must be data.options.${file.option}`);
    if (file.kind === "file") str(file.sha256, `${w}.sha256`, /^[0-9a-f]{64}$/);
    else if (file.kind !== "dir" || "sha256" in file)
      fail(`${w}.kind`, 'must be "file" (with sha256) or "dir"');
    int(file.size, `${w}.size`, 0, Number.MAX_SAFE_INTEGER);
  }
  for (const o of INPUT_PATH_OPTIONS)
    if (typeof options[o] === "string" && !r.files.some((f) => (f as Rec).option === o))
      fail("data.files", `${o} has no entry`);
  return r as unknown as DataRef;
}

/** Checks a job from a queue; returns it typed, or throws InvalidTrialJob naming what is wrong. */
export function validateTrialJob(raw: unknown): TrialJob {
  const r = record(raw, "", ["format", "version", "spec", "data", "metric", "prune"]);
  if (r.format !== "nncoach-trial" || r.version !== 1) fail("format", 'must be "nncoach-trial" version 1');
  const data = dataRef(r.data);
  const s = record(
    r.spec,
    "spec",
    ["id", "step", "change", "options", "dataHash", "seeds", "threads"],
    ["units"],
  );
  int(s.id, "spec.id", 0, 1_000_000_000);
  str(s.step, "spec.step", /^[\w .()-]{1,80}$/);
  trainOptions(s.options, "spec.options", data.options);
  trainOptions(s.change, "spec.change", data.options);
  if (s.dataHash !== data.hash) fail("spec.dataHash", "must be data.hash");
  if (!Array.isArray(s.seeds) || s.seeds.length === 0 || s.seeds.length > MAX_SEEDS)
    fail("spec.seeds", `must be a list of 1 to ${MAX_SEEDS} seeds`);
  for (const [i, v] of s.seeds.entries()) int(v, `spec.seeds[${i}]`, 0, 2 ** 32 - 1);
  int(s.threads, "spec.threads", 0, 1024);
  if ("units" in s) {
    if (!Array.isArray(s.units) || s.units.length === 0 || s.units.length > s.seeds.length)
      fail("spec.units", "must be a list of unit indices");
    for (const [i, v] of s.units.entries()) int(v, `spec.units[${i}]`, 0, s.seeds.length - 1);
  }
  try {
    getMetric(str(r.metric, "metric", /^[a-z0-9_]{1,40}$/));
  } catch {
    fail("metric", `unknown metric ${JSON.stringify(r.metric)}`);
  }
  if (r.prune !== null) {
    if (!Array.isArray(r.prune) || r.prune.length > MAX_CURVES)
      fail("prune", "must be a list of curves or null");
    for (const [i, c] of r.prune.entries())
      if (
        !Array.isArray(c) ||
        c.length > MAX_EPOCHS ||
        !c.every((v) => v === null || (typeof v === "number" && Number.isFinite(v)))
      )
        fail(`prune[${i}]`, "must be a list of numbers");
  }
  return r as unknown as TrialJob;
}

/**
 * The job of a trial: its spec (input paths written as the data reference's absolute ones), the data
 * reference, the objective and the pruner's curves as they are now.
 */
export function trialJob(
  spec: TrialSpec,
  data: DataRef,
  metric: string,
  pruner: { snapshot(): number[][] } | undefined,
): TrialJob {
  const paths = (o: Record<string, unknown>) => {
    const out = { ...o };
    for (const k of INPUT_PATH_OPTIONS) if (typeof out[k] === "string") out[k] = data.options[k];
    return out;
  };
  return {
    format: "nncoach-trial",
    version: 1,
    spec: { ...spec, options: paths(spec.options), change: paths(spec.change) },
    data,
    metric,
    prune: pruner ? pruner.snapshot() : null,
  };
}

/** The record of a trial that could not run or finish (its process died, a worker refused it). */
export function failedTrial(id: number, note: string): TrialResult {
  return { id, status: "failed", units: [], values: [], mean: Number.NaN, se: Number.NaN, seconds: 0, note };
}
