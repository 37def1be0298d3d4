/**
 * `nncoach sweep`: hyperparameter search over a space of `nncoach train` options. The data is prepared
 * once (the recipe's seeded split); each trial trains one configuration on it, scored by the validation
 * objective per epoch (the test rows are never read). A sampler (random, Sobol or TPE) proposes each
 * configuration from the trials so far, and ASHA stops trials whose objective at a rung epoch is not in
 * the top third of what that rung has seen. Trials run through a TrialRunner, several in flight when the
 * runner allows it; with one at a time the same seed gives the same sweep.
 *
 * @example
 * const s = await sweep({ data: "wine.csv", target: "cultivar", space: "space.yaml", trials: 20, budget: 300 });
 * s.best?.command; // "nncoach train wine.csv --target cultivar --seed 0 --lr 0.0031 --hidden 64,64"
 */
import fs from "node:fs";
import path from "node:path";
import { dataHash } from "../coach/improve/data-hash.js";
import { changeFlags } from "../coach/improve/improve.js";
import { chooseObjective, type Objective } from "../coach/improve/objective.js";
import type {
  EvaluationUnit,
  Options,
  TrialEvents,
  TrialResult,
  TrialRunner,
  TrialSpec,
} from "../coach/improve/trial.js";
import { UserError } from "../errors.js";
import type { Decision } from "../recipe/decision.js";
import { prepareData } from "../recipe/prepare-data.js";
import type { PreparedData } from "../recipe/prepared-data.js";
import { resolveConfig } from "../train/config.js";
import { writeJsonAtomic } from "../util/atomic-write.js";
import { Random } from "../util/random.js";
import { type AshaOptions, AshaPruner } from "./asha.js";
import { RandomSampler } from "./random-sampler.js";
import { configOf, type Sampler, type TrialHistoryEntry } from "./sampler.js";
import { SobolSampler } from "./sobol.js";
import { loadSpace, type SearchSpace } from "./space.js";
import { type SweepRunner, sweepRunner } from "./sweep-runner.js";
import {
  checkIdentity,
  openSweepState,
  reportedValues,
  type SavedTrial,
  type SweepState,
} from "./sweep-state.js";
import { TpeSampler } from "./tpe-sampler.js";

export const SAMPLERS = ["random", "sobol", "tpe"] as const;
export type SamplerName = (typeof SAMPLERS)[number];
export const PRUNERS = ["asha", "none"] as const;
export type PrunerName = (typeof PRUNERS)[number];

export interface SweepOptions {
  data: string;
  target?: string;
  /** The search space: a file path or a parsed space. */
  space: string | SearchSpace;
  /** The most trials to run. */
  trials: number;
  /** Seconds: no trial starts after this (a running one finishes). */
  budget: number;
  metric?: string;
  sampler?: SamplerName;
  pruner?: PrunerName;
  asha?: AshaOptions;
  /** Seeds the split, every trial's training and the sampler. */
  seed?: number;
  threads?: number;
  /** Further `nncoach train` options (camelCase) every trial starts from. */
  train?: Options;
  /** Folder for sweep.json (the summary) and sweep-state.json (what --resume continues from). */
  out?: string;
  /**
   * Continue the sweep in `out` after its last finished trial: the trials recorded there are kept, the
   * sampler and ASHA rebuilt from them in id order, trials launched but not finished run again (with a
   * queue: re-attached to, where a worker still has them), and the sweep goes on to --trials. One trial at
   * a time, the result is the uninterrupted sweep's.
   */
  resume?: boolean;
  /** Runs the trials (default: sweepRunner from queue/workers/threads); `concurrency` trials are kept in flight. */
  runner?: { runner: TrialRunner; concurrency: number };
  /** redis://host:port: trials go to `nncoach worker`s through this queue. */
  queue?: string;
  /** Trials at once on this machine (worker processes); default chosen from the model size. */
  workers?: number;
  /** With --queue: data files up to this size travel through Redis. */
  maxDataBytes?: number;
  tracker?: SweepTracker;
  log?: (line: string) => void;
}

export interface SweepTrial {
  id: number;
  /** The searched options' values (as `nncoach train` takes them). */
  config: Record<string, unknown>;
  status: "completed" | "pruned" | "failed";
  /** The validation objective: after training (completed), at the epoch it was stopped (pruned); null when failed. */
  val: number | null;
  epochs_run: number;
  seconds: number;
  note?: string;
}

export interface SweepSummary {
  format: "nncoach-sweep";
  version: 1;
  data: string;
  target: string | null;
  metric: { name: string; higherIsBetter: boolean };
  sampler: SamplerName;
  pruner: PrunerName;
  seed: number;
  space: SearchSpace["params"];
  fixed: Options;
  trials: SweepTrial[];
  /** The best completed trial, with the `nncoach train` command that trains it again. */
  best: (SweepTrial & { command: string }) | null;
  counts: { completed: number; pruned: number; failed: number };
  /** Why no further trial started. */
  stopped: "trials" | "budget";
  /** Seconds spent reading and preparing the data (once), of wall_seconds. */
  prepare_seconds: number;
  wall_seconds: number;
}

/** Hooks through which a sweep is recorded (the experiment store's SweepRecorder implements them). */
export interface SweepTracker {
  studyStarted?(e: { data: PreparedData; objective: Objective; decisions: Decision[] }): void;
  /**
   * A resumed sweep: the study it recorded before (`store` as the state saved it), to continue; `unfinished`
   * are the trials that will run again (their earlier, interrupted runs are dropped).
   */
  studyResumed?(e: {
    data: PreparedData;
    objective: Objective;
    decisions: Decision[];
    store: NonNullable<SweepState["store"]>;
    unfinished: number[];
  }): void;
  /** Where the store recorded the sweep so far (saved in the sweep's state for --resume). */
  storeState?(): SweepState["store"];
  trialStarted?(spec: TrialSpec): (TrialEvents & { finished?(r: TrialResult): void }) | undefined;
  finished?(s: SweepSummary): void;
}

/** Thrown through a trial's AbortSignal when ASHA stops it. */
class Pruned extends Error {
  constructor(
    readonly epoch: number,
    readonly value: number,
  ) {
    super(`pruned at epoch ${epoch}`);
  }
}

export function makeSampler(name: SamplerName, space: SearchSpace, objective: Objective): Sampler {
  if (name === "random") return new RandomSampler(space);
  if (name === "sobol") return new SobolSampler(space);
  return new TpeSampler(space, objective.higherIsBetter);
}

export async function sweep(o: SweepOptions): Promise<SweepSummary> {
  const t0 = performance.now();
  if (!(Number.isInteger(o.trials) && o.trials >= 1))
    throw new UserError(`--trials must be a whole number >= 1, got ${o.trials}`);
  if (!(o.budget > 0)) throw new UserError(`--budget must be a number of seconds > 0, got ${o.budget}`);
  const samplerName = o.sampler ?? "tpe";
  const prunerName = o.pruner ?? "asha";
  if (!SAMPLERS.includes(samplerName))
    throw new UserError(`--sampler ${samplerName}: unknown sampler`, `use ${SAMPLERS.join(", ")}`);
  if (!PRUNERS.includes(prunerName))
    throw new UserError(`--pruner ${prunerName}: unknown pruner`, `use ${PRUNERS.join(", ")}`);
  const space = typeof o.space === "string" ? loadSpace(o.space) : o.space;
  if (o.out) {
    const st = fs.statSync(o.out, { throwIfNoEntry: false });
    if (st && !st.isDirectory())
      throw new UserError(`--out ${o.out} is a file`, "give a folder for sweep.json");
  }
  const { store: stateStore, saved } = openSweepState(o.out, Boolean(o.resume));
  if (o.out) fs.mkdirSync(o.out, { recursive: true });
  const seed = o.seed ?? 0;
  const base: Options = Object.fromEntries(
    Object.entries({ ...o.train, data: o.data, target: o.target, seed }).filter(([, v]) => v !== undefined),
  );
  for (const k of [...space.params.map((p) => p.name), ...Object.keys(space.fixed)])
    if (o.train?.[k] !== undefined)
      throw new UserError(
        `${k} is set on the command line and in the search space ${space.file}`,
        "give it in one place",
      );
  const fixed: Options = { ...base, ...space.fixed };
  const resolved = resolveConfig(null, fixed);
  const data = await prepareData(resolved);
  const { objective, decision } = chooseObjective(data.summary, o.metric);
  const prepareSeconds = (performance.now() - t0) / 1000;
  const log = (line: string) => o.log?.(line);
  log(`sweep: ${data.describe}`);
  log(`objective: ${objective.metric} (${decision.reason})`);
  const units: EvaluationUnit[] = [{ data, seed }];
  // the files a worker hashes again before training (src/scale/data-source.ts): data, validation, test
  const hash = dataHash(
    [o.data, o.train?.validationData as string | undefined, o.train?.testData as string | undefined],
    seed,
  );
  const identity = {
    data: hash,
    options: fixed,
    space: space.params,
    sampler: samplerName,
    pruner: prunerName,
    asha: o.asha ?? null,
    metric: objective.metric,
  };
  if (saved) checkIdentity(saved, identity, o.out!);
  // a finished sweep has nothing to continue; resuming it would record its study's ledger a second time
  if (o.out && saved && saved.finished.length >= o.trials && fs.existsSync(path.join(o.out, "sweep.json")))
    throw new UserError(
      `the sweep in ${o.out} is finished: all ${saved.finished.length} trials are recorded (${path.join(o.out, "sweep.json")})`,
      "its result is in sweep.json there; for another sweep choose another --out folder",
    );
  const finishedById = new Map((saved?.finished ?? []).map((t) => [t.id, t]));
  const unfinished = (saved?.launched ?? []).filter((l) => !finishedById.has(l.id));
  if (saved?.store && o.tracker?.studyResumed)
    o.tracker.studyResumed({
      data,
      objective,
      decisions: [decision],
      store: saved.store,
      unfinished: unfinished.map((l) => l.id),
    });
  else o.tracker?.studyStarted?.({ data, objective, decisions: [decision] });
  const scaled: SweepRunner = o.runner
    ? { ...o.runner, threads: o.threads ?? 0, decision: null, close: async () => {} }
    : await sweepRunner(
        { queue: o.queue, workers: o.workers, threads: o.threads, maxDataBytes: o.maxDataBytes, log },
        { units, objective, options: fixed, hash, out: o.out },
      );
  const { runner, concurrency } = scaled;
  if (scaled.decision) log(`parallelism: ${scaled.decision.value} (${scaled.decision.reason})`);
  const sampler = makeSampler(samplerName, space, objective);
  const rng = Random.derive(seed, "sweep-sampler");
  const pruner = prunerName === "asha" ? new AshaPruner(objective.higherIsBetter, o.asha) : null;
  const history: TrialHistoryEntry[] = [];
  const trials: SweepTrial[] = [];
  const before = saved?.elapsed ?? 0;
  const elapsed = () => before + (performance.now() - t0) / 1000;
  const state: SweepState = saved ?? {
    format: "nncoach-sweep-state",
    version: 1,
    identity,
    launched: [],
    finished: [],
    elapsed: 0,
    store: null,
  };
  const save = () => {
    if (!stateStore) return;
    state.elapsed = elapsed();
    state.store = o.tracker?.storeState?.() ?? state.store;
    stateStore.save(state);
  };
  // a resumed sweep: the sampler proposes each recorded trial again, seeing the trials before it as they
  // ended (its own state, e.g. Sobol's position, moves as it did), then gets the random stream as saved;
  // ASHA hears each finished trial's reports in id order
  const entries = new Map<number, TrialHistoryEntry>();
  for (const l of saved?.launched ?? []) {
    sampler.suggest(history, rng);
    const f = finishedById.get(l.id);
    const entry: TrialHistoryEntry = {
      id: l.id,
      params: l.params,
      state: f ? f.state : "running",
      intermediate: [],
    };
    if (f) {
      for (const [e, v] of reportedValues(f)) entry.intermediate[e - 1] = v;
      if (f.val !== null) entry.value = f.val;
      const { state: _s, reported: _r, ...trial } = f;
      trials.push(trial);
    }
    entries.set(l.id, entry);
    history.push(entry);
  }
  const last = saved?.launched.at(-1);
  if (last) rng.setState(last.rng);
  for (const f of saved?.finished ?? [])
    for (const [e, v] of reportedValues(f)) pruner?.shouldPrune(f.id, e, v);
  if (saved)
    log(
      `resume: ${saved.finished.length} trial(s) recorded, ${unfinished.length} to run again (${unfinished.map((l) => l.id).join(", ") || "none"}), ${Math.max(0, o.trials - saved.launched.length)} new`,
    );

  const runOne = async (id: number): Promise<void> => {
    let entry = entries.get(id);
    if (entry) {
      // launched before the interruption, not finished: the same params again, reports from scratch
      entry.state = "running";
      entry.intermediate = [];
    } else {
      entry = { id, params: sampler.suggest(history, rng), state: "running", intermediate: [] };
      history.push(entry);
      state.launched.push({ id, params: entry.params, rng: rng.getState() });
    }
    const internal = entry.params;
    const config = configOf(space, internal);
    const reported: [number, number][] = [];
    const spec: TrialSpec = {
      id,
      step: "sweep",
      change: config,
      options: { ...fixed, ...config },
      dataHash: hash,
      seeds: [seed],
      threads: scaled.threads,
    };
    const tracked = o.tracker?.trialStarted?.(spec);
    save();
    const controller = new AbortController();
    const started = performance.now();
    const events: TrialEvents = {
      onEpoch: (e) => {
        tracked?.onEpoch?.(e);
        entry.intermediate[e.epoch - 1] = e.value;
        reported.push([e.epoch, e.value]);
        if (pruner?.shouldPrune(id, e.epoch, e.value)) controller.abort(new Pruned(e.epoch, e.value));
      },
      onUnitRun: tracked?.onUnitRun,
    };
    let result: TrialResult;
    try {
      result = await runner.run(spec, events, controller.signal);
    } catch (e) {
      const seconds = (performance.now() - started) / 1000;
      if (e instanceof Pruned) result = prunedResult(id, e, entry.intermediate, objective, seconds);
      else
        result = {
          id,
          status: "failed",
          units: [],
          values: [],
          mean: Number.NaN,
          se: Number.NaN,
          seconds,
          note: (e as Error)?.message ?? String(e),
        };
    }
    // a trial that ran on while no coordinator listened (re-attached after --resume, its job already done):
    // ASHA hears the epochs it missed from the trial's curve, and stops it where it would have
    const curve = result.units[0]?.curve ?? [];
    if (result.status === "done" && pruner && reported.length < curve.length)
      for (let e = reported.length + 1; e <= curve.length; e++) {
        const v = curve[e - 1]!;
        entry.intermediate[e - 1] = v;
        reported.push([e, v]);
        if (pruner.shouldPrune(id, e, v)) {
          result = prunedResult(id, new Pruned(e, v), entry.intermediate, objective, result.seconds);
          break;
        }
      }
    tracked?.finished?.(result);
    const status = result.status === "done" ? "completed" : result.status;
    const val = status === "failed" || !Number.isFinite(result.mean) ? null : result.mean;
    entry.state = status === "completed" && val === null ? "failed" : status;
    if (val !== null) entry.value = val;
    const trial: SweepTrial = {
      id,
      config,
      status: entry.state as SweepTrial["status"],
      val,
      epochs_run: result.units[0]?.epochsRun ?? 0,
      seconds: result.seconds,
      ...(result.note ? { note: result.note } : {}),
    };
    trials.push(trial);
    const record: SavedTrial = { ...trial, state: entry.state, reported };
    state.finished.push(record);
    save();
    log(trialLine(trial, objective));
  };

  // keep up to `concurrency` trials in flight; stop launching at --trials or when the budget is spent
  // (a resumed sweep first runs its unfinished trials again, then goes on after its last launched one)
  const queue = [...unfinished.map((l) => l.id)];
  let next = state.launched.length;
  let stopped: SweepSummary["stopped"] = "trials";
  const inFlight = new Set<Promise<void>>();
  try {
    while (queue.length > 0 || next < o.trials) {
      if (elapsed() >= o.budget) {
        stopped = "budget";
        break;
      }
      const id = queue.length > 0 ? queue.shift()! : next++;
      const p: Promise<void> = runOne(id).finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= Math.max(1, concurrency)) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    await scaled.close();
  }
  trials.sort((a, b) => a.id - b.id);

  const completed = trials.filter((t) => t.status === "completed" && t.val !== null);
  const top = completed.reduce<SweepTrial | null>(
    (a, b) => (a === null || objective.better(b.val!, a.val!) !== a.val! ? b : a),
    null,
  );
  const summary: SweepSummary = {
    format: "nncoach-sweep",
    version: 1,
    data: o.data,
    target: o.target ?? null,
    metric: { name: objective.metric, higherIsBetter: objective.higherIsBetter },
    sampler: samplerName,
    pruner: prunerName,
    seed,
    space: space.params,
    fixed: space.fixed,
    trials,
    best: top ? { ...top, command: trainCommand(o, seed, { ...space.fixed, ...top.config }) } : null,
    counts: {
      completed: completed.length,
      pruned: trials.filter((t) => t.status === "pruned").length,
      failed: trials.filter((t) => t.status === "failed").length,
    },
    stopped,
    prepare_seconds: prepareSeconds,
    wall_seconds: elapsed(),
  };
  o.tracker?.finished?.(summary);
  if (o.out) writeJsonAtomic(path.join(o.out, "sweep.json"), summary);
  return summary;
}

function prunedResult(
  id: number,
  p: Pruned,
  curve: number[],
  objective: Objective,
  seconds: number,
): TrialResult {
  return {
    id,
    status: "pruned",
    units: [
      {
        unit: 0,
        value: p.value,
        metrics: { [objective.metric]: p.value },
        epochsRun: p.epoch,
        bestEpoch: p.epoch,
        seconds,
        curve: [...curve],
        trainLoss: [],
        valLoss: [],
      },
    ],
    values: [p.value],
    mean: p.value,
    se: 0,
    seconds,
    note: `ASHA: at epoch ${p.epoch} its ${objective.metric} ${p.value.toPrecision(4)} was not in the top third of the trials that reached that epoch (not the best, while fewer than 3 had)`,
  };
}

/** One line per trial: id, config, status, val, epochs. */
export function trialLine(t: SweepTrial, objective: Objective): string {
  const cfg = Object.entries(t.config)
    .map(([k, v]) => `${k}=${typeof v === "number" && !Number.isInteger(v) ? v.toPrecision(3) : String(v)}`)
    .join(" ");
  const val = t.val === null ? "–" : t.val.toPrecision(4);
  return `trial ${t.id}: ${cfg}  ${t.status}  ${objective.metric} ${val}  epochs ${t.epochs_run}${t.status === "failed" && t.note ? `  (${t.note.split("\n")[0]})` : ""}`;
}

/** The `nncoach train` command that trains a trial's configuration again (same split and seed). */
function trainCommand(o: SweepOptions, seed: number, options: Options): string {
  const parts = ["nncoach train", o.data];
  if (o.target) parts.push("--target", o.target);
  parts.push("--seed", String(seed));
  const all = { ...o.train, ...options };
  if (Object.keys(all).length) parts.push(changeFlags(all));
  return parts.join(" ");
}
