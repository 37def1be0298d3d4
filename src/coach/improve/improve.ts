/**
 * `nncoach improve`: the recipe's tuning plan (RECIPE.md §12) run for you. Given data and a time budget
 * it audits the data and fixes what needs no asking, measures a non-neural reference and the recipe's
 * baseline network, then changes one thing at a time (learning rate, schedule, batch size,
 * normalization, capacity, regularization, optimizer, transfer), in an order the baseline's diagnosis
 * steers, and keeps a change only when the paired comparison over the study's evaluation units (seeds on
 * one split, or cross-validation folds on small data) says it helps beyond noise (keep-rule.ts). Losing
 * trials are pruned by a conservative median rule (median-pruner.ts). At the end it retrains the chosen configuration on training +
 * validation rows for the chosen epochs and evaluates the sealed test rows once.
 *
 * Resuming replays the study: every trial's result is saved (StudyStore) as it finishes, the study is a
 * deterministic function of those results, so a resumed study reuses them and runs only what is missing,
 * giving the same ledger as an uninterrupted one.
 *
 * @example
 * const s = await improve({ data: "wine.csv", target: "cultivar", budget: 120, out: "wine-improve" });
 * s.final.test; // { accuracy: 0.96, ci: [0.89, 1] }
 */
import fs from "node:fs";
import path from "node:path";
import { runAudit } from "../../data/audit/run-audit.js";
import { UserError } from "../../errors.js";
import { buildModel, compileTrainer } from "../../recipe/build-model.js";
import { meanSe, prepareRepeatedFolds } from "../../recipe/cross-validate.js";
import type { Decision } from "../../recipe/decision.js";
import { loadData } from "../../recipe/load-data.js";
import { planRun } from "../../recipe/plan-run.js";
import { prepareData, prepareFold } from "../../recipe/prepare-data.js";
import type { PreparedData } from "../../recipe/prepared-data.js";
import { saveRun } from "../../recipe/save-run.js";
import { metricValues, type PlanResult, trainPlan } from "../../recipe/train-plan.js";
import type { RunResult } from "../../recipe/train-run.js";
import { dataRefOf } from "../../scale/data-ref.js";
import { modelSize } from "../../scale/parallelism.js";
import { inFlight } from "../../scale/run-trials.js";
import { studyIdOf } from "../../scale/study-queue.js";
import { trialRunnerFor } from "../../scale/trial-runner-for.js";
import { type ResolvedConfig, resolveConfig } from "../../train/config.js";
import { evaluateDataset } from "../../train/fit.js";
import { findLearningRate } from "../../train/lr-finder.js";
import { diagnose } from "../diagnosis/diagnose.js";
import type { Finding } from "../diagnosis/finding.js";
import { auditSummary, type RunRecord } from "../diagnosis/run-record.js";
import { bootstrapInterval } from "./bootstrap.js";
import { dataHash } from "./data-hash.js";
import { f1At, positiveScores, tuneThreshold, type ValidationScores } from "./decision-threshold.js";
import { compare, keptForSpeed } from "./keep-rule.js";
import { type LearningCurve, learningCurve } from "./learning-curve.js";
import { MedianPruner } from "./median-pruner.js";
import { chooseObjective, type Objective } from "./objective.js";
import { fitReference, noReference, scoreReference } from "./reference-model.js";
import { likelyMislabeled, orderSteps, STEPS, type StepContext, type StepDef } from "./steps.js";
import { FileStudyStore, MemoryStudyStore, type StudyStore } from "./study-store.js";
import {
  type EvaluationUnit,
  type Options,
  type TrialEvents,
  type TrialResult,
  type TrialSpec,
  trialPlan,
} from "./trial.js";
import { writeImproveOutputs } from "./write-outputs.js";

/** Below this many training + validation rows a study compares on cross-validation folds. */
export const CV_BELOW_ROWS = 2000;
export const DEFAULT_FOLDS = 5;
export const DEFAULT_SEEDS = 3;
/** At most this many rounds of folds chosen from the budget (repeated K-fold; --cv-repeats sets more). */
export const MAX_AUTO_REPEATS = 3;
/**
 * The trials the tuning steps take at most, about: 20-25 on the shared tables (the LR grid 4-5, schedule,
 * batch size, two norms, capacity until two increments fail, two each of weight decay, dropout and label
 * smoothing, augmentation, the mislabeled rows, three SGD rates). A budget with room for this many per round
 * gets more rounds of folds.
 */
export const STEP_TRIALS = 24;

/**
 * Rounds of folds a budget buys: as many (up to MAX_AUTO_REPEATS) as leave every round room for the tuning
 * steps' trials and a baseline, given the room in trials of one round that the budget has after a first
 * baseline of one round.
 */
export function roundsForBudget(room: number): number {
  return Math.max(1, Math.min(MAX_AUTO_REPEATS, Math.floor(room / (STEP_TRIALS + 1))));
}
/** A capacity search stops after this many increments in a row fail (RECIPE.md §12). */
export const CAPACITY_FAILS = 2;
export const MAX_CAPACITY_INCREMENTS = 4;
/** The batch-size step keeps a larger batch when an epoch gets at least this much faster and the paired mean metric is not lower. */
export const SPEEDUP = 0.2;

export interface ImproveOptions {
  data: string;
  target?: string;
  /** Seconds for the whole study. */
  budget: number;
  /** Output folder (model/, config.yaml, summary.json, report.html, report.md, study.json). */
  out?: string;
  metric?: string;
  seed?: number;
  validationData?: string;
  testData?: string;
  pretrained?: string;
  resume?: boolean;
  /** A fixed number of trials instead of the budget's (the same plan on any machine). */
  trials?: number;
  threads?: number;
  /**
   * Trials at once on this machine (worker processes; 1: one after another in this process). Default:
   * chosen from the model size and the cores (src/scale/parallelism.ts), or from `threads`.
   */
  workers?: number;
  /** redis://host:port: trials go to `nncoach worker`s through this Redis (BullMQ) instead. */
  queue?: string;
  /** Files up to this size reach queue workers through Redis (default 64 MB). */
  maxDataBytes?: number;
  /** Further `nncoach train` options (camelCase) the study starts from. */
  train?: Options;
  /** Evaluation units: training seeds on one split, or folds on small data. */
  seeds?: number;
  folds?: number;
  /**
   * Small data: deal the cross-validation folds this many times, each round with its own seed (repeated
   * K-fold). More paired units give the keep rule more power for the same noise, at that many times the
   * cost of a trial. Default (without `trials`): chosen from the budget once a baseline of one round has
   * measured a trial's cost, up to MAX_AUTO_REPEATS while each round keeps room for STEP_TRIALS trials.
   */
  cvRepeats?: number;
  store?: StudyStore<StudyState>;
  /** Records the study as it runs (the experiment store's ImproveRecorder); see ImproveTracker. */
  tracker?: ImproveTracker;
  log?: (line: string) => void;
  /** Called with the summary before any output file is written (the CLI prints it). */
  onSummary?: (s: ImproveSummary) => void;
}

export interface Spread {
  mean: number;
  se: number;
  values: number[];
}

export interface CandidateRecord {
  trial: number;
  change: Options;
  status: TrialResult["status"];
  mean: number;
  se: number;
  seconds: number;
  note?: string;
}

export interface LedgerStep {
  name: string;
  /** The change kept (or the best candidate's, when none was kept); {} when skipped. */
  change: Options;
  val_before: Spread | null;
  val_after: Spread | null;
  kept: boolean;
  skipped: boolean;
  reason: string;
  /** The diagnosis finding that put this step where it is in the order. */
  finding: string | null;
  candidates: CandidateRecord[];
}

export interface TestResult {
  value: number;
  ci: [number, number];
  metrics: Record<string, number>;
}

export interface ImproveSummary {
  format: "nncoach-improve";
  version: 1;
  data: string;
  kind: string;
  task: "classification" | "regression";
  metric: { name: string; higherIsBetter: boolean };
  evaluation: { mode: "cv" | "seeds"; units: number; seeds: number[] };
  decisions: Decision[];
  audit: ReturnType<typeof auditSummary> | null;
  reference: { name: string; val: Spread | null; test: number | null } | { name: null; reason: string };
  baseline: { options: Options; val: Spread; test: TestResult | null };
  final: { options: Options; val: Spread; test: TestResult | null; epochs: number; threshold?: number };
  steps: LedgerStep[];
  trials: { planned: number; run: number; pruned: number; failed: number };
  learning_curve: LearningCurve | null;
  diagnosis: { baseline: Finding[]; final: Finding[] };
  lr_finder: { suggestion: number; lrs: number[]; losses: number[] } | null;
  /** Train and validation loss of the first unit, per epoch, for the report's curves. */
  curves: { baseline: { train: number[]; val: number[] }; final: { train: number[]; val: number[] } };
  /** Why and when the sealed test rows were read (once, in step 9). */
  test_unsealed: { reason: string; at: string } | null;
  /** Classification: confusion matrix of the final model on the test rows (rows true, columns predicted). */
  confusion: { classes: string[]; counts: number[][] } | null;
  /** Regression: test targets and predictions of the final model (for the residual plot). */
  residuals: { actual: number[]; predicted: number[] } | null;
  commands: { improve: string; train: string };
  /**
   * How often the test rows (by content) have been evaluated, this study's final evaluation included, as
   * the experiment store counts them; null without a store or without test rows.
   */
  test_evaluations: number | null;
  wall_seconds: number;
}

/**
 * Hooks through which a study is recorded while it runs (the experiment store implements them; the coach
 * knows no store). Every hook is optional; a trial replayed on resume is not started again.
 */
export interface ImproveTracker {
  /** The study's data is prepared and its objective chosen. */
  studyStarted?(e: { data: PreparedData; objective: Objective; decisions: Decision[] }): void;
  /** A trial starts; the events returned go to the trial runner, `finished` gets its result. */
  trialStarted?(spec: TrialSpec): (TrialEvents & { finished?(r: TrialResult): void }) | undefined;
  lrFinder?(r: { suggestion: number; lrs: number[]; losses: number[]; smoothed: number[] }): void;
  /** The sealed test rows of `data` are evaluated (once per study); returns how often they have been, now included. */
  testEvaluated?(data: PreparedData, reason: string): number | null;
  /** The final configuration retrained on training + validation rows, and its test result. */
  finalRun?(e: {
    run: PlanResult;
    resolved: ResolvedConfig;
    decisions: Decision[];
    data: PreparedData;
    test: TestResult | null;
    confusion: { classes: string[]; counts: number[][] } | null;
  }): void;
  finished?(s: ImproveSummary): void;
}

/** What the study store keeps: the finished trials (by id and spec) and facts measured once. */
export interface StudyState {
  format: "nncoach-study";
  version: 1;
  dataHash: string;
  trials: { spec: TrialSpec; result: TrialResult; record?: RunRecord }[];
  /** Measured once and reused on resume (trial plan, LR finder). */
  facts: Record<string, unknown>;
}

/** The audit findings a study fixes without asking, and how (the rest are flagged for the user). */
const AUDIT_FIXES: Partial<Record<string, (r: ResolvedConfig) => string | undefined>> = {
  scales: (r) =>
    r.values.standardize !== "none" ? `inputs are scaled (--standardize ${r.values.standardize})` : undefined,
  imbalance: (r) =>
    r.values.classWeights === "balanced"
      ? "balanced class weights and an imbalance-aware objective"
      : undefined,
  columns: () => "constant columns carry nothing; categories are one-hot encoded",
  duplicates: (r) =>
    r.values.dropSplitDuplicates
      ? "validation and test rows whose inputs repeat a training row are dropped, in every split and fold (--drop-split-duplicates)"
      : undefined,
};

function log(o: ImproveOptions, line: string): void {
  o.log?.(line);
}

/** Flags of `nncoach train` for a change, e.g. `--weight-decay 0.001`. */
export function changeFlags(change: Options): string {
  return Object.entries(change)
    .map(
      ([k, v]) =>
        `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${Array.isArray(v) ? v.join(",") : String(v)}`,
    )
    .join(" ");
}

function spread(r: TrialResult): Spread {
  return { mean: r.mean, se: r.se, values: r.values };
}

export async function improve(o: ImproveOptions): Promise<ImproveSummary> {
  // what the study opens (worker processes, queue connections) is closed however it ends
  const closers: (() => Promise<void>)[] = [];
  try {
    return await runStudy(o, closers);
  } finally {
    for (const close of closers) await close();
  }
}

async function runStudy(o: ImproveOptions, closers: (() => Promise<void>)[]): Promise<ImproveSummary> {
  const t0 = performance.now();
  if (!(o.budget > 0)) throw new UserError(`--budget must be a number of seconds > 0, got ${o.budget}`);
  if (o.trials !== undefined && !(Number.isInteger(o.trials) && o.trials >= 0))
    throw new UserError(`--trials must be a whole number >= 0, got ${o.trials}`);
  const seed = o.seed ?? 0;
  const studyFile = o.out ? path.join(o.out, "study.json") : undefined;
  if (o.out) checkOut(o.out, Boolean(o.resume));
  const store: StudyStore<StudyState> =
    o.store ?? (studyFile ? new FileStudyStore<StudyState>(studyFile) : new MemoryStudyStore<StudyState>());

  // ---- 1. data, audit and the fixes that need no asking
  const userOptions: Options = Object.fromEntries(
    Object.entries({
      ...o.train,
      data: o.data,
      target: o.target,
      seed,
      validationData: o.validationData,
      testData: o.testData,
      pretrained: o.pretrained,
      ...(o.threads ? { threads: o.threads } : {}),
    }).filter(([, v]) => v !== undefined),
  );
  const decisions: Decision[] = [];
  let resolved = resolveConfig(null, userOptions);
  // the options the data is prepared with: what a worker elsewhere prepares it from (src/scale/data-ref.ts)
  let prepareOptions: Options = userOptions;
  let data = await prepareData(resolved);
  const hash = dataHash([o.data, o.validationData, o.testData], seed);
  const saved = store.load();
  if (saved && !o.resume)
    throw new UserError(
      `${studyFile ?? "the study store"} already holds a study`,
      "add --resume to continue it, or choose another --out folder",
    );
  if (saved && saved.dataHash !== hash)
    throw new UserError(
      `--resume: the data changed since the study started (hash ${saved.dataHash}, now ${hash})`,
      "resume with the same data, or start a new study in another --out folder",
    );
  const state: StudyState = saved ?? {
    format: "nncoach-study",
    version: 1,
    dataHash: hash,
    trials: [],
    facts: {},
  };
  const { objective, decision: metricDecision } = chooseObjective(data.summary, o.metric);
  decisions.push(metricDecision);
  const baseOptions: Options = { ...userOptions };
  /** Whether a fix below changes how the data is prepared (prepared again once, after all of them). */
  let refit = false;
  if (
    data.task === "classification" &&
    o.train?.classWeights === undefined &&
    Math.max(...data.classCounts) / Math.max(1, Math.min(...data.classCounts)) >= 3
  ) {
    baseOptions.classWeights = "balanced";
    decisions.push({
      key: "classWeights",
      value: "balanced",
      rule: "imbalance-class-weights",
      reason: `classes are imbalanced (${data.classCounts.join(":")}): each class weighs the same in the loss (RECIPE.md §2)`,
      source: "recipe",
    });
    resolved = resolveConfig(null, baseOptions);
    refit = true;
  }
  let audit: ReturnType<typeof auditSummary> | null = null;
  let labelIssues: StepContext["labelIssues"];
  if (data.loaded.kind === "table" || data.loaded.kind === "text") {
    const report = runAudit(data.loaded.table, data.loaded.target, { seed });
    audit = auditSummary(report);
    labelIssues = likelyMislabeled(report);
    if (report.duplicate_summary.exact_groups > 0 && o.train?.dropSplitDuplicates === undefined) {
      // exact duplicates can fall on both sides of a split (or of a fold): evaluation rows seen in training
      baseOptions.dropSplitDuplicates = true;
      resolved = resolveConfig(null, baseOptions);
      refit = true;
    }
    for (const f of report.findings) {
      if (f.severity === "low") continue;
      const fixed = AUDIT_FIXES[f.check]?.(resolved);
      decisions.push({
        key: "audit",
        value: f.check,
        rule: fixed ? "audit-fixed" : "audit-flag",
        reason: fixed
          ? `${f.message} Fixed: ${fixed}`
          : `flagged, not changed (the user decides): ${f.message}`,
        source: "recipe",
      });
    }
  }
  if (refit) {
    // the fixes above (class weights, duplicates across splits) change the prepared data: prepare it once more
    prepareOptions = baseOptions;
    data = await prepareData(resolved);
  }
  log(o, `improve: ${data.describe}`);
  log(o, `objective: ${objective.metric} (${metricDecision.reason})`);
  o.tracker?.studyStarted?.({ data, objective, decisions });

  // ---- evaluation units
  const cv = !data.rows.valIsSeparate && data.train.n + data.validation.n < CV_BELOW_ROWS;
  const pool = data.train.n + data.validation.n;
  // every validation fold should be able to hold each class: at most rows / classes folds
  const perClass = data.task === "classification" ? Math.max(1, data.classes.length) : 1;
  const k = Math.min(o.folds ?? DEFAULT_FOLDS, Math.floor(pool / perClass));
  if (cv && k < 2)
    throw new UserError(
      `${o.data}: ${pool} training + validation rows for ${perClass} classes is too few even for 2-fold cross-validation`,
      `give at least ${2 * perClass} labelled rows`,
    );
  const nSeeds = o.seeds ?? DEFAULT_SEEDS;
  // repeats of the folds: the user's --cv-repeats, or chosen from the budget after a first baseline
  // (autoRepeats): the baseline of one round measures what a trial costs
  const autoRepeats = cv && o.cvRepeats === undefined && o.trials === undefined;
  let repeats = cv ? Math.max(1, Math.floor(o.cvRepeats ?? 1)) : 1;
  const evaluationDecision = (): Decision => ({
    key: "evaluation",
    value: cv ? `${k}-fold cross-validation${repeats > 1 ? `, ${repeats} rounds` : ""}` : `${nSeeds} seeds`,
    rule: cv ? "small-data-cv" : "paired-seeds",
    reason:
      (cv
        ? `${data.train.n + data.validation.n} training + validation rows (< ${CV_BELOW_ROWS}): changes are compared over ${k} stratified folds${repeats > 1 ? ` dealt ${repeats} times (${k * repeats} units)` : ""}, paired by fold`
        : `changes are compared over ${nSeeds} training seeds on one split, paired by seed`) +
      (!cv && (o.cvRepeats ?? 1) > 1
        ? ` (--cv-repeats ${o.cvRepeats} does not apply: ${CV_BELOW_ROWS} rows or more are compared over seeds, not folds)`
        : "") +
      (cv && k < (o.folds ?? DEFAULT_FOLDS)
        ? ` (${k} folds, not ${o.folds ?? DEFAULT_FOLDS}: each validation fold must be able to hold all ${perClass} classes)`
        : ""),
    source: "recipe",
  });
  decisions.push(evaluationDecision());
  const evaluationAt = decisions.length - 1;
  if (!data.test)
    decisions.push({
      key: "test",
      value: "none",
      rule: "no-test-rows",
      reason: o.validationData
        ? "no test rows: with --validation-data, give the test rows with --test-data; the validation estimate is the result"
        : `no test rows: ${pool} rows are too few for a 70/15/15 split's test part; the cross-validated estimate is the result`,
      source: "recipe",
    });
  log(o, `evaluation: ${decisions[evaluationAt]!.reason}`);

  // ---- trials, with replay of finished ones; on this machine's cores, or on queue workers
  let pruner = new MedianPruner(objective);
  /** The evaluation units (folds of `repeats` rounds, or seeds) and the trial runner that runs them. */
  const openEvaluation = async () => {
    let units: EvaluationUnit[];
    if (cv) {
      const folds = await prepareRepeatedFolds(
        data,
        [...data.rows.train, ...data.rows.val],
        resolved,
        k,
        repeats,
      );
      units = folds.map((d) => ({ data: d, seed }));
    } else units = Array.from({ length: nSeeds }, (_, i) => ({ data, seed: seed + i }));
    const seeds = units.map((u) => u.seed);
    const studyId = studyIdOf({ hash, out: o.out ? path.resolve(o.out) : null, baseOptions, seeds });
    const scaled = await trialRunnerFor(
      {
        queue: o.queue,
        workers: o.workers,
        threads: o.threads,
        maxDataBytes: o.maxDataBytes,
        log: (l) => log(o, l),
      },
      {
        studyId,
        ref: dataRefOf(
          prepareOptions,
          cv ? (repeats > 1 ? { mode: "cv", k, repeats } : { mode: "cv", k }) : { mode: "seeds" },
          hash,
        ),
        units,
        objective,
        pruner,
        size: modelSize(
          trialPlan(units[0]!, baseOptions, objective, 0),
          units[0]!.data.inputShape,
          data.task === "classification" ? data.classes.length : 1,
        ),
      },
    );
    closers.push(() => scaled.runner.close());
    return { units, seeds, scaled };
  };
  let { units, seeds, scaled } = await openEvaluation();
  decisions.push(scaled.decision);
  log(o, `parallelism: ${scaled.decision.value} (${scaled.decision.reason})`);
  let nextId = 0;
  const results: TrialResult[] = [];
  const records = new Map<number, RunRecord>();
  /** Runs (or replays) one trial; the pruner hears of it only when its step is over (recordStep). */
  const runTrial = async (step: string, change: Options, options: Options, keepRecord = true) => {
    const spec: TrialSpec = {
      id: nextId++,
      step,
      change,
      options,
      dataHash: hash,
      seeds,
      threads: scaled.threads,
    };
    const done = state.trials.find((t) => t.spec.id === spec.id);
    let result: TrialResult;
    if (done && JSON.stringify(done.spec) === JSON.stringify(spec)) {
      result = done.result;
      if (done.record) records.set(spec.id, done.record);
    } else {
      if (done)
        throw new UserError(
          `--resume: trial ${spec.id} was saved with other settings than this study would run now`,
          "resume with the same options as the first run, or start a new study in another --out folder",
        );
      const tracked = o.tracker?.trialStarted?.(spec);
      let inProcess = false;
      const { record: unitRecord, ...ran } = await scaled.runner.run(spec, {
        onEpoch: tracked?.onEpoch,
        onUnitRun: (e) => {
          inProcess = true;
          tracked?.onUnitRun?.(e);
        },
      });
      // a trial run in another process brings its first unit's logs in its record: the tracker gets
      // those (the per-epoch history and health it records), not the in-process run object
      if (!inProcess && unitRecord && tracked?.onUnitRun)
        tracked.onUnitRun({
          unit: 0,
          run: { history: unitRecord.history, health: unitRecord.health },
        } as unknown as Parameters<NonNullable<TrialEvents["onUnitRun"]>>[0]);
      result = ran;
      const record = keepRecord ? unitRecord : undefined;
      tracked?.finished?.(result);
      if (record) records.set(spec.id, record);
      state.trials.push({ spec, result, ...(record ? { record } : {}) });
      store.save(state);
    }
    results.push(result);
    log(
      o,
      `trial ${spec.id} ${step}${Object.keys(change).length ? ` ${changeFlags(change)}` : ""}: ${objective.metric} ${result.mean.toPrecision(4)} ± ${result.se.toPrecision(2)}${result.status !== "done" ? ` (${result.status})` : ""}`,
    );
    return result;
  };

  // ---- 2. baselines: the non-neural reference and the recipe's network
  const noRef = noReference(data);
  const referenceName = noRef ? null : fitReference(units[0]!.data).name;
  /** The non-neural reference's validation metric on the evaluation units. */
  const referenceOn = (us: EvaluationUnit[]): Spread | null => {
    if (noRef) return null;
    const vals = us.map((u) => {
      const ref = fitReference(u.data);
      return scoreReference(ref, u.data, u.data.validation, [objective.metric])[objective.metric]!;
    });
    return { ...meanSe(vals), values: vals };
  };
  /** The pruner learns a step's trials after the whole step, in trial order, so the trials of one step are
   * judged against the same earlier curves whether they run one after another or at once. */
  const recordStep = (rs: TrialResult[]) => {
    for (const r of [...rs].sort((a, b) => a.id - b.id)) pruner.record(r);
  };
  const elapsed = () => (performance.now() - t0) / 1000;
  /** What the end takes for a configuration whose trial took `trialSeconds`: retraining it on training +
   * validation rows and testing it, about two units' training. */
  const lockSecondsOf = (trialSeconds: number) => (2 * trialSeconds * 1.3) / units.length;
  /** Runs the baseline network on the current units; says how long the budget needs when it is too small. */
  const runBaseline = async () => {
    const r = await runTrial("baseline", {}, baseOptions);
    if (r.status === "failed") throw new UserError(`the baseline network failed to train: ${r.note}`);
    // the recorded time of the trial (a replayed trial takes no time now)
    const lock = lockSecondsOf(r.seconds);
    if (o.trials === undefined && r.seconds > o.budget)
      throw new UserError(
        `--budget ${o.budget} s is too small: the baseline network alone took ${r.seconds.toFixed(1)} s ` +
          `(${units.length} ${cv ? "folds" : "seeds"}), and retraining and testing it needs about ${lock.toFixed(0)} s more`,
        `give --budget ${Math.ceil((r.seconds + lock) * 4)} or more for a few tuning steps` +
          (studyFile ? " and add --resume to reuse the baseline already trained" : ""),
      );
    // the trials the rest of the budget pays for at this trial's cost
    const room = Math.max(0, Math.floor((o.budget - elapsed() - lock) / r.seconds));
    return { result: r, room };
  };
  let first = await runBaseline();
  if (autoRepeats) {
    // small data: the budget's spare room buys more rounds of folds (a keep rule with more power), as
    // many as leave the tuning steps their trials in every round, at most MAX_AUTO_REPEATS
    const chosen = (state.facts.cvRepeats as number | undefined) ?? roundsForBudget(first.room);
    state.facts.cvRepeats = chosen;
    store.save(state);
    decisions.push({
      key: "cvRepeats",
      value: chosen,
      rule: "budget-repeats",
      reason:
        `the budget pays for about ${first.room} trials of one round of ${k} folds (${first.result.seconds.toFixed(1)} s each) and the tuning steps take up to ${STEP_TRIALS}: ` +
        (chosen > 1
          ? `the folds are dealt ${chosen} times (${k * chosen} paired units; the baseline runs again on them), so the keep rule sees smaller differences`
          : `one round (two would need room for ${2 * (STEP_TRIALS + 1)}); --cv-repeats R sets the rounds`),
      source: "recipe",
    });
    if (chosen > 1) {
      repeats = chosen;
      decisions[evaluationAt] = evaluationDecision();
      log(o, `evaluation: ${decisions[evaluationAt]!.reason}`);
      await scaled.runner.close();
      pruner = new MedianPruner(objective);
      ({ units, seeds, scaled } = await openEvaluation());
      first = await runBaseline();
    }
  }
  const referenceVal = referenceOn(units);
  if (referenceVal)
    log(o, `reference (${referenceName}): ${objective.metric} ${referenceVal.mean.toPrecision(4)}`);
  const runner = scaled.runner;
  const baseline = first.result;
  recordStep([baseline]);
  const baselineSeconds = baseline.seconds;
  // the trial plan, fixed once from the baseline's time (or --trials)
  const planned = (state.facts.plannedTrials as number | undefined) ?? o.trials ?? first.room;
  state.facts.plannedTrials = planned;
  store.save(state);
  log(o, `trial plan: ${planned} trials after the baseline (${baselineSeconds.toFixed(1)} s each)`);

  // ---- LR finder on the baseline model (first unit)
  let lrFinder: ImproveSummary["lr_finder"] = (state.facts.lrFinder as ImproveSummary["lr_finder"]) ?? null;
  if (!state.facts.lrFinder) {
    try {
      const plan = trialPlan(units[0]!, baseOptions, objective, o.threads ?? 0);
      const trainer = await compileTrainer(buildModel(units[0]!.data, plan), plan);
      const r = await findLearningRate(trainer, units[0]!.data.train, { batchSize: plan.batchSize, seed });
      await trainer.release();
      lrFinder = { suggestion: r.suggestion, lrs: r.lrs, losses: r.smoothed };
      o.tracker?.lrFinder?.({
        suggestion: r.suggestion,
        lrs: r.lrs,
        losses: r.losses,
        smoothed: r.smoothed,
      });
    } catch (e) {
      log(o, `lr finder: no suggestion (${(e as Error).message})`);
    }
    state.facts.lrFinder = lrFinder;
    store.save(state);
  }

  // ---- 3-8. the steps, one change at a time
  const baselineFindings = records.has(baseline.id) ? diagnose(records.get(baseline.id)!) : [];
  const { order, movedBy } = orderSteps(baselineFindings);
  let best = { options: baseOptions, result: baseline };
  const ledger: LedgerStep[] = [];
  let used = 0;
  // what the end takes for the current best is kept out of the budget's time, so that a study under load
  // ends on time
  const lockCost = () => lockSecondsOf(best.result.seconds);
  const budgetLeft = () => used < planned && elapsed() + lockCost() < o.budget;
  const contextFor = () => ({
    data: units[0]!.data,
    plan: trialPlan(units[0]!, best.options, objective, o.threads ?? 0),
    options: best.options,
    lrSuggestion: lrFinder?.suggestion,
    labelIssues,
  });
  for (const name of order) {
    const step = STEPS.find((s) => s.name === name)!;
    const finding = movedBy[name] ?? null;
    const proposed = step.candidates(contextFor());
    if ("skip" in proposed) {
      ledger.push(skipped(name, best.result, proposed.skip, finding));
      continue;
    }
    if (!budgetLeft()) {
      ledger.push(
        skipped(name, best.result, `budget: the trial plan (${planned} trials) is used up`, finding),
      );
      continue;
    }
    if (step.sequential) {
      const entries = await capacitySearch(
        step,
        contextFor,
        best,
        runTrial,
        recordStep,
        objective,
        () => {
          used++;
          return budgetLeft();
        },
        finding,
      );
      ledger.push(...entries.ledger);
      best = entries.best;
      continue;
    }
    // the candidates of a step are independent: they run at once, as many as the runner takes
    const from = best.options;
    const tried = await inFlight(
      proposed.map((c) => async () => {
        used++;
        const r = await runTrial(name, c.change, { ...from, ...c.change });
        return { change: c.change, result: r };
      }),
      runner.concurrency,
      budgetLeft,
    );
    recordStep(tried.map((t) => t.result));
    const cands = tried.map((t) => candidateRecord(t.result, t.change));
    ledger.push(judge(step, tried, cands, best, objective, finding, tried.length));
    const last = ledger[ledger.length - 1]!;
    if (last.kept) {
      const winner = tried.find((t) => JSON.stringify(t.change) === JSON.stringify(last.change))!;
      best = { options: { ...best.options, ...winner.change }, result: winner.result };
    }
  }

  // ---- learning curve: would more data help?
  let lc: LearningCurve | null = (state.facts.learningCurve as LearningCurve | undefined) ?? null;
  const curveUnits = units.slice(0, cv ? k : units.length);
  // the curve trains its units on 25, 50, 75 and 100% of the rows: 2.5 times a trial on them
  const curveCost = (2.5 * best.result.seconds * curveUnits.length) / units.length;
  if (!lc) {
    const why = data.rows.valIsSeparate
      ? "the validation rows are given apart (--validation-data), so there is no pool of rows to subsample"
      : planned - used < 3 || !budgetLeft()
        ? `the trial plan (${planned} trials) or the budget's time is used up`
        : elapsed() + curveCost + lockCost() > o.budget
          ? `it takes about ${curveCost.toFixed(0)} s, more than the budget has left`
          : null;
    if (why === null) {
      lc = await learningCurve(curveUnits, best.options, objective, o.threads ?? 0, (line) => log(o, line));
      used += 3;
      state.facts.learningCurve = lc;
      store.save(state);
    } else {
      decisions.push({
        key: "learningCurve",
        value: "not measured",
        rule: "learning-curve-budget",
        reason: why,
        source: "recipe",
      });
      log(o, `learning curve: not measured (${why})`);
    }
  }
  await runner.close();

  // ---- the decision threshold (binary F1), tuned on the chosen configuration's validation rows
  let threshold: ReturnType<typeof tuneThreshold> | undefined;
  const scores = best.result.units.map((u) => u.scores).filter((v): v is ValidationScores => v !== undefined);
  if (objective.metric === "f1" && data.classes.length === 2 && scores.length === best.result.units.length) {
    threshold = tuneThreshold(scores);
    decisions.push({
      key: "threshold",
      value: threshold.threshold,
      rule: "f1-threshold",
      reason: `binary task judged by F1: the threshold ${threshold.threshold} gives mean validation F1 ${threshold.f1.toPrecision(4)} (0.5 gives ${threshold.f1AtHalf.toPrecision(4)})`,
      source: "recipe",
    });
    log(o, `threshold: ${decisions[decisions.length - 1]!.reason}`);
  }

  // ---- 9. lock and test: retrain on train + validation for the chosen epochs, test once
  const finalEpochs = chosenEpochs(best.result);
  const baselineEpochs = chosenEpochs(baseline);
  const lockData = await lockFold(data, resolved);
  let testRows: import("../../train/fit.js").Dataset | null = null;
  let unsealReason: string | null = null;
  if (lockData.test) {
    unsealReason = `nncoach improve step 9: the one evaluation of the chosen model, after the baseline and ${results.length - 1} trials`;
    testRows = lockData.test.unseal(unsealReason);
  }
  const testEvaluations = testRows ? (o.tracker?.testEvaluated?.(lockData, unsealReason!) ?? null) : null;
  if (testEvaluations !== null && testEvaluations > 1)
    log(o, `test: ${testEvaluationWarning(testEvaluations)}`);
  const lockRun = async (options: Options, epochs: number) => {
    const lockOptions = { ...options, epochs, earlyStopping: false };
    const r = resolveConfig(null, { ...lockOptions, ...(o.threads ? { threads: o.threads } : {}) });
    const { plan, decisions: d } = planRun(lockData.summary, r);
    const run = await trainPlan(lockData, {
      ...plan,
      metrics: withMetric(plan.metrics, objective),
      logDir: null,
      checkpoint: null,
      resume: false,
    });
    return { run, resolved: r, plan, decisions: d, options: lockOptions };
  };
  log(o, `lock: retraining the final configuration on ${lockData.train.n} rows for ${finalEpochs} epochs`);
  const finalLock = await lockRun(best.options, finalEpochs);
  const baseLock = best.result === baseline ? finalLock : await lockRun(baseOptions, baselineEpochs);
  const testOf = async (run: typeof finalLock.run, threshold?: number): Promise<TestResult | null> => {
    if (!testRows) return null;
    const ev = await evaluateDataset(run.trainer, testRows);
    const metrics = metricValues(
      withMetric(finalLock.plan.metrics, objective),
      ev.output,
      testRows,
      lockData.classes.length,
      lockData.targetScale,
    );
    if (threshold !== undefined) {
      const scores = {
        p: positiveScores(ev.output, testRows.n),
        y: Array.from(testRows.y as ArrayLike<number>),
      };
      metrics.f1 = f1At(scores, threshold);
      metrics.f1_at_0_5 = f1At(scores, 0.5);
    }
    const ci = bootstrapInterval(
      objective.metric,
      ev.output,
      testRows,
      lockData.classes.length,
      lockData.targetScale,
      seed,
    );
    return { value: metrics[objective.metric]!, ci, metrics };
  };
  const finalTest = await testOf(finalLock.run, threshold?.threshold);
  const baseTest = baseLock === finalLock ? finalTest : await testOf(baseLock.run);
  let referenceTest: number | null = null;
  if (!noRef && testRows) {
    const ref = fitReference(lockData);
    referenceTest = scoreReference(ref, lockData, testRows, [objective.metric])[objective.metric]!;
  }
  let confusion: ImproveSummary["confusion"] = null;
  let residuals: ImproveSummary["residuals"] = null;
  if (testRows) {
    const ev = await evaluateDataset(finalLock.run.trainer, testRows);
    if (lockData.task === "classification") confusion = confusionOf(ev.output, testRows, lockData.classes);
    else {
      const s = lockData.targetScale ?? { mean: 0, std: 1 };
      residuals = {
        actual: Array.from(testRows.y as ArrayLike<number>, (v) => v * s.std + s.mean),
        predicted: Array.from(ev.output as ArrayLike<number>, (v) => v * s.std + s.mean),
      };
    }
  }

  o.tracker?.finalRun?.({
    run: finalLock.run,
    resolved: finalLock.resolved,
    decisions: finalLock.decisions,
    data: lockData,
    test: finalTest,
    confusion,
  });
  const finalRecord = records.get(best.result.id);
  const summary: ImproveSummary = {
    format: "nncoach-improve",
    version: 1,
    data: o.data,
    kind: data.kind,
    task: data.task,
    metric: { name: objective.metric, higherIsBetter: objective.higherIsBetter },
    evaluation: { mode: cv ? "cv" : "seeds", units: units.length, seeds },
    decisions,
    audit,
    reference: noRef
      ? { name: null, reason: noRef }
      : { name: referenceName!, val: referenceVal, test: referenceTest },
    baseline: { options: baseOptions, val: spread(baseline), test: baseTest },
    final: {
      options: best.options,
      val: spread(best.result),
      test: finalTest,
      epochs: finalEpochs,
      ...(threshold ? { threshold: threshold.threshold } : {}),
    },
    steps: ledger,
    trials: {
      planned,
      run: results.length - 1,
      pruned: results.filter((r) => r.status === "pruned").length,
      failed: results.filter((r) => r.status === "failed").length,
    },
    learning_curve: lc,
    diagnosis: { baseline: baselineFindings, final: finalRecord ? diagnose(finalRecord) : [] },
    lr_finder: lrFinder,
    curves: {
      baseline: { train: baseline.units[0]?.trainLoss ?? [], val: baseline.units[0]?.valLoss ?? [] },
      final: { train: best.result.units[0]?.trainLoss ?? [], val: best.result.units[0]?.valLoss ?? [] },
    },
    test_unsealed: lockData.test ? lockData.test.rows.toJSON().unsealed : null,
    confusion,
    residuals,
    commands: {
      improve: improveCommand(o),
      train: `nncoach train --config ${o.out ? path.join(o.out, "config.yaml") : "config.yaml"}`,
    },
    test_evaluations: testEvaluations,
    wall_seconds: (performance.now() - t0) / 1000,
  };
  o.tracker?.finished?.(summary);
  o.onSummary?.(summary);
  if (threshold) {
    // predict applies it to P(class 1)
    lockData.preprocessing.decisionThreshold = threshold.threshold;
    lockData.metadata.decision_threshold = String(threshold.threshold);
  }
  if (o.out) {
    const runResult: RunResult = {
      ...finalLock.run,
      config: finalLock.resolved.values,
      resolved: finalLock.resolved,
      data: lockData,
      decisions: [...decisions, ...finalLock.decisions],
      notices: finalLock.run.notices,
      earlyWarnings: [],
    };
    await writeImproveOutputs(o.out, summary, finalLock.options, async (dir) => {
      await saveRun(dir, runResult);
    });
  }
  await finalLock.run.trainer.release();
  if (baseLock !== finalLock) await baseLock.run.trainer.release();
  return summary;
}

/** What a study and `nncoach train --evaluate-test` say when the same test rows were evaluated before. */
export function testEvaluationWarning(count: number): string {
  return `this test split has been evaluated ${count} times; its score is no longer an unbiased estimate`;
}

function withMetric(metrics: string[], objective: Objective): string[] {
  return metrics.includes(objective.metric) ? metrics : [...metrics, objective.metric];
}

function confusionOf(
  output: ArrayLike<number>,
  d: import("../../train/fit.js").Dataset,
  classes: string[],
): { classes: string[]; counts: number[][] } {
  const k = classes.length;
  const cols = output.length / d.n;
  const counts = classes.map(() => new Array<number>(k).fill(0));
  for (let i = 0; i < d.n; i++) {
    let p: number;
    if (cols === 1) p = (output[i] as number) > 0.5 ? 1 : 0;
    else {
      p = 0;
      for (let j = 1; j < cols; j++)
        if ((output[i * cols + j] as number) > (output[i * cols + p] as number)) p = j;
    }
    counts[d.y[i] as number]![p]!++;
  }
  return { classes, counts };
}

/** The epochs the lock retrains for: the mean over units of the epoch whose weights were kept. */
export function chosenEpochs(r: TrialResult): number {
  const e = r.units.map((u) => u.bestEpoch).filter((v) => v > 0);
  return Math.max(1, Math.round(e.reduce((a, b) => a + b, 0) / Math.max(1, e.length)));
}

/**
 * The data the lock trains on: training + validation rows (validation kept as a formality), the test rows
 * still sealed (a --test-data file is read again with the training data's image or audio settings).
 */
async function lockFold(data: PreparedData, resolved: ResolvedConfig): Promise<PreparedData> {
  if (data.rows.valIsSeparate) return data;
  const loaded = data.loaded;
  const cfg = resolved.values;
  const testData = cfg.testData
    ? await loadData(cfg.testData, cfg, {
        expect: loaded.kind,
        role: "test",
        imageSize:
          loaded.kind === "images"
            ? [loaded.folder.shape[2] as number, loaded.folder.shape[3] as number]
            : undefined,
        channels: loaded.kind === "images" ? (loaded.folder.shape[1] as 1 | 3) : undefined,
        audio: loaded.kind === "audio" ? loaded.folder.settings : undefined,
      })
    : undefined;
  return prepareFold(
    loaded,
    { train: [...data.rows.train, ...data.rows.val], val: data.rows.val, test: data.test?.rows ?? null },
    resolved,
    { pretrained: data.pretrained, how: "training + validation rows", testData },
  );
}

function candidateRecord(r: TrialResult, change: Options): CandidateRecord {
  return {
    trial: r.id,
    change,
    status: r.status,
    mean: r.mean,
    se: r.se,
    seconds: r.seconds,
    ...(r.note ? { note: r.note } : {}),
  };
}

function skipped(name: string, best: TrialResult, reason: string, finding: string | null): LedgerStep {
  return {
    name,
    change: {},
    val_before: spread(best),
    val_after: null,
    kept: false,
    skipped: true,
    reason,
    finding,
    candidates: [],
  };
}

/** Picks the best finished candidate and applies the keep rule (or, for batch size, the speed rule). */
function judge(
  step: StepDef,
  tried: { change: Options; result: TrialResult }[],
  cands: CandidateRecord[],
  best: { options: Options; result: TrialResult },
  objective: Objective,
  finding: string | null,
  proposed: number,
): LedgerStep {
  const done = tried.filter(
    (t) => t.result.status === "done" && t.result.values.length === best.result.values.length,
  );
  const base = {
    name: step.name,
    val_before: spread(best.result),
    skipped: false,
    finding,
    candidates: cands,
  };
  if (done.length === 0)
    return {
      ...base,
      change: tried[0]?.change ?? {},
      val_after: tried[0] ? spread(tried[0].result) : null,
      kept: false,
      reason: tried.length
        ? `every candidate was ${tried.map((t) => t.result.status).join("/")}: ${tried.map((t) => t.result.note ?? "").join("; ")}`
        : "budget: no candidate could run",
    };
  const top = done.reduce((a, b) =>
    objective.better(a.result.mean, b.result.mean) === a.result.mean ? a : b,
  );
  const c = compare(best.result.values, top.result.values, objective.higherIsBetter, proposed);
  const fmt = (v: number) => v.toPrecision(3);
  if (step.speed) {
    const perEpoch = (r: TrialResult) =>
      r.units.reduce((a, u) => a + u.seconds / Math.max(1, u.epochsRun), 0) / Math.max(1, r.units.length);
    const gain = 1 - perEpoch(top.result) / perEpoch(best.result);
    const notWorse = c.diff >= 0;
    const kept = keptForSpeed(c, gain, SPEEDUP);
    return {
      ...base,
      change: top.change,
      val_after: spread(top.result),
      kept,
      reason: `${kept ? "kept" : "rejected"}: an epoch took ${Math.round(gain * 100)}% less time (needs ${SPEEDUP * 100}%), ${objective.metric} changed ${fmt(c.diff)} ± ${fmt(c.se)} (${notWorse ? "not lower" : "lower"} on average over the paired units)`,
    };
  }
  return {
    ...base,
    change: top.change,
    val_after: spread(top.result),
    kept: c.kept,
    reason: `${c.kept ? "kept" : "rejected"}: the best of ${proposed} candidate(s) changed ${objective.metric} by ${fmt(c.diff)} ± ${fmt(c.se)} (paired over ${c.se >= 0 ? top.result.values.length : 0} units; needs > ${fmt(c.threshold)} SE)`,
  };
}

/** Capacity (RECIPE.md §12): depth first, then width, from the last kept model, until two increments in a row fail. */
async function capacitySearch(
  step: StepDef,
  contextFor: () => Parameters<StepDef["candidates"]>[0],
  start: { options: Options; result: TrialResult },
  runTrial: (step: string, change: Options, options: Options) => Promise<TrialResult>,
  recordStep: (rs: TrialResult[]) => void,
  objective: Objective,
  spend: () => boolean,
  finding: string | null,
): Promise<{ ledger: LedgerStep[]; best: { options: Options; result: TrialResult } }> {
  let best = start;
  const ledger: LedgerStep[] = [];
  let fails = 0;
  let which = 0; // 0: deeper, 1: wider
  for (let i = 0; i < MAX_CAPACITY_INCREMENTS && fails < CAPACITY_FAILS; i++) {
    const proposed = step.candidates(contextFor());
    if ("skip" in proposed) break;
    if (!spend()) {
      ledger.push(skipped(step.name, best.result, "budget: the trial plan is used up", finding));
      break;
    }
    const cand = proposed[which]!;
    const r = await runTrial(step.name, cand.change, { ...best.options, ...cand.change });
    recordStep([r]);
    const entry = judge(
      step,
      [{ change: cand.change, result: r }],
      [candidateRecord(r, cand.change)],
      best,
      objective,
      finding,
      1,
    );
    ledger.push({ ...entry, name: `${step.name} (${which === 0 ? "deeper" : "wider"})` });
    if (entry.kept) {
      best = { options: { ...best.options, ...cand.change }, result: r };
      fails = 0;
    } else {
      fails++;
      which = 1 - which;
    }
  }
  if (ledger.length > 0) {
    const last = ledger[ledger.length - 1]!;
    last.reason += fails >= CAPACITY_FAILS ? "; capacity search ends: two increments in a row failed" : "";
  }
  return { ledger, best };
}

function improveCommand(o: ImproveOptions): string {
  const parts = ["nncoach improve", o.data];
  if (o.target) parts.push("--target", o.target);
  parts.push("--budget", String(o.budget));
  if (o.out) parts.push("--out", o.out);
  if (o.metric) parts.push("--metric", o.metric);
  if (o.seed) parts.push("--seed", String(o.seed));
  if (o.validationData) parts.push("--validation-data", o.validationData);
  if (o.testData) parts.push("--test-data", o.testData);
  if (o.pretrained) parts.push("--pretrained", o.pretrained);
  if (o.trials !== undefined) parts.push("--trials", String(o.trials));
  if (o.train && Object.keys(o.train).length) parts.push(changeFlags(o.train));
  return parts.join(" ");
}

/** Refuses an --out that holds other files (a study is resumed only with --resume). */
function checkOut(out: string, resume: boolean): void {
  const st = fs.statSync(out, { throwIfNoEntry: false });
  if (!st) return;
  if (!st.isDirectory())
    throw new UserError(`--out ${out} is a file`, "give a folder for the study's outputs");
  const entries = fs.readdirSync(out);
  if (entries.length > 0 && !resume && !entries.includes("study.json"))
    throw new UserError(
      `--out ${out} already holds other files (${entries.slice(0, 3).join(", ")}${entries.length > 3 ? ", ..." : ""})`,
      "choose an empty or new folder",
    );
}
