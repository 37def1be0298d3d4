/**
 * A trial: one configuration trained on every evaluation unit of a study (the same seeds on one split,
 * or the same cross-validation folds), scored on validation with the study's objective.
 *
 * A trial is a serializable description (TrialSpec: the options, the one change it tests, the data by
 * content hash, the seeds, the thread count), it reports per-epoch progress events, it can be cancelled
 * (AbortSignal), and its result is a plain record (TrialResult). `LocalTrialRunner` runs trials here,
 * one after another with all the cores it is given; the local worker pool and the distributed workers of
 * src/scale/ implement the same TrialRunner interface, and say through `concurrency` how many trials
 * a caller should keep in flight.
 */

import { meanSe } from "../../recipe/cross-validate.js";
import type { Decision } from "../../recipe/decision.js";
import { planRun } from "../../recipe/plan-run.js";
import type { PreparedData } from "../../recipe/prepared-data.js";
import type { RunPlan } from "../../recipe/run-plan.js";
import { runRecordOf } from "../../recipe/run-record-of.js";
import { type PlanResult, trainPlan } from "../../recipe/train-plan.js";
import type { EpochLogs } from "../../train/callback.js";
import { type ResolvedConfig, resolveConfig } from "../../train/config.js";
import { evaluateDataset } from "../../train/fit.js";
import type { RunRecord } from "../diagnosis/run-record.js";
import { positiveScores, type ValidationScores } from "./decision-threshold.js";
import type { MedianPruner } from "./median-pruner.js";
import type { Objective } from "./objective.js";

/** Option values as `nncoach train` takes them (camelCase names, typed values). */
export type Options = Record<string, unknown>;

export interface TrialSpec {
  /** Position in the study (0 = the baseline). */
  id: number;
  step: string;
  /** The one change this trial tests against the current best ({} for the baseline). */
  change: Options;
  /** Every option the trial sets (the user's, the kept changes, and `change`). */
  options: Options;
  /** Content hash of the data (files and split) the trial trains on. */
  dataHash: string;
  /** Training seeds of the units, in order (one per fold in cross-validation). */
  seeds: number[];
  threads: number;
  /**
   * Only these units (indices into the study's units), for a runner that spreads the units of one trial
   * over several processes (src/scale/pool-trial-runner.ts); all of them when absent. Never part of a
   * study's own specs.
   */
  units?: number[];
}

export interface UnitResult {
  unit: number;
  /** The objective on the unit's validation rows, after training (best weights restored). */
  value: number;
  metrics: Record<string, number>;
  epochsRun: number;
  /** The epoch whose weights were kept (by the plan's monitor). */
  bestEpoch: number;
  seconds: number;
  /** The objective per epoch (NaN where not logged). */
  curve: number[];
  /** Training and validation loss per epoch (for the report's curves). */
  trainLoss: number[];
  valLoss: number[];
  /** Binary F1 objective: P(class 1) and the label of each validation row (to tune the threshold). */
  scores?: ValidationScores;
  /** Why training stopped, when the loss became non-finite. */
  note?: string;
}

export interface TrialResult {
  id: number;
  status: "done" | "pruned" | "failed";
  units: UnitResult[];
  /** Objective per finished unit. */
  values: number[];
  mean: number;
  se: number;
  seconds: number;
  /** Why it was pruned or failed. */
  note?: string;
  /** The first unit's run record (history, health, plan), for the diagnosis; from every runner. */
  record?: RunRecord;
}

export interface TrialEvents {
  onEpoch?(e: { trial: number; unit: number; epoch: number; value: number }): void;
  /** In-process runners only: a unit's full run (the study keeps the first unit's record for the diagnosis). */
  onUnitRun?(e: { unit: number; run: PlanResult; resolved: ResolvedConfig; decisions: Decision[] }): void;
}

export interface TrialRunner {
  /** How many trials this runner works on at once: a caller keeps that many in flight (1 when absent). */
  readonly concurrency?: number;
  run(spec: TrialSpec, events?: TrialEvents, signal?: AbortSignal): Promise<TrialResult>;
  /** Frees what the runner holds (worker processes, connections); no trial may run after it. */
  close?(): Promise<void>;
}

/** One place a trial trains: prepared data (a split or a fold) and its training seed. */
export interface EvaluationUnit {
  data: PreparedData;
  seed: number;
}

/** The plan a trial's options give on one unit (no logs, checkpoints or resume inside a study). */
export function trialPlan(
  unit: EvaluationUnit,
  options: Options,
  objective: Objective,
  threads: number,
): RunPlan {
  return plannedTrial(unit, options, objective, threads).plan;
}

/** trialPlan with the resolved options and the planner's decisions. */
export function plannedTrial(
  unit: EvaluationUnit,
  options: Options,
  objective: Objective,
  threads: number,
): { plan: RunPlan; resolved: ResolvedConfig; decisions: Decision[] } {
  const resolved = resolveConfig(null, { ...options, seed: unit.seed, ...(threads > 0 ? { threads } : {}) });
  const { plan, decisions } = planRun(unit.data.summary, resolved);
  const metrics = plan.metrics.includes(objective.metric)
    ? plan.metrics
    : [...plan.metrics, objective.metric];
  return { plan: { ...plan, metrics, logDir: null, checkpoint: null, resume: false }, resolved, decisions };
}

/** The epoch (1-based) whose weights a run kept: early stopping's restored epoch, else the last. */
export function keptEpoch(history: EpochLogs[], stopReason: string | undefined): number {
  const m = /restored the weights of epoch (\d+)/.exec(stopReason ?? "");
  return m ? Number(m[1]) : history.length;
}

export class LocalTrialRunner implements TrialRunner {
  constructor(
    readonly units: EvaluationUnit[],
    readonly objective: Objective,
    readonly pruner?: MedianPruner,
  ) {}

  async run(spec: TrialSpec, events: TrialEvents = {}, signal?: AbortSignal): Promise<TrialResult> {
    const t0 = performance.now();
    const units: UnitResult[] = [];
    let note: string | undefined;
    let status: TrialResult["status"] = "done";
    let record: RunRecord | undefined;
    for (const [i, unit] of this.units.entries()) {
      if (spec.units && !spec.units.includes(i)) continue;
      if (signal?.aborted) throw signal.reason ?? new Error("trial cancelled");
      const u0 = performance.now();
      const { plan, resolved, decisions } = plannedTrial(
        { ...unit, seed: spec.seeds[i] ?? unit.seed },
        spec.options,
        this.objective,
        spec.threads,
      );
      const key = `val_${this.objective.metric}`;
      let best = Number.NaN;
      let prunedAt: number | undefined;
      const callbacks = [
        {
          onEpochEnd: (epoch: number, logs: EpochLogs, s: { stop: boolean; stopReason?: string }) => {
            const v = typeof logs[key] === "number" ? (logs[key] as number) : Number.NaN;
            if (Number.isFinite(v)) best = Number.isFinite(best) ? this.objective.better(v, best) : v;
            events.onEpoch?.({ trial: spec.id, unit: i, epoch: epoch + 1, value: v });
            if (signal?.aborted) {
              s.stop = true;
              s.stopReason = "cancelled";
            } else if (this.pruner?.shouldPrune(i, epoch + 1, best, plan.epochs)) {
              prunedAt = epoch + 1;
              s.stop = true;
              s.stopReason = `pruned at epoch ${epoch + 1}`;
            }
          },
          onTrainBegin: (s: { onNonFinite?: "throw" | "stop" }) => {
            s.onNonFinite = "stop";
          },
        },
      ];
      let r: Awaited<ReturnType<typeof trainPlan>>;
      try {
        r = await trainPlan(unit.data, plan, { callbacks });
      } catch (e) {
        status = "failed";
        note = (e as Error).message;
        break;
      }
      events.onUnitRun?.({ unit: i, run: r, resolved, decisions });
      if (i === 0)
        record = runRecordOf({
          ...r,
          config: resolved.values,
          resolved,
          data: unit.data,
          decisions,
          earlyWarnings: [],
        });
      let scores: ValidationScores | undefined;
      if (this.objective.metric === "f1") {
        const ev = await evaluateDataset(r.trainer, unit.data.validation);
        scores = {
          p: positiveScores(ev.output, unit.data.validation.n),
          y: Array.from(unit.data.validation.y as ArrayLike<number>),
        };
      }
      await r.trainer.release();
      if (signal?.aborted) throw signal.reason ?? new Error("trial cancelled");
      const value = r.val[this.objective.metric];
      const series = (name: string) =>
        r.history.map((h) => (typeof h[name] === "number" ? (h[name] as number) : Number.NaN));
      units.push({
        unit: i,
        value: typeof value === "number" && Number.isFinite(value) ? value : this.objective.worst,
        metrics: Object.fromEntries(Object.entries(r.val).filter(([k]) => k !== "samples")),
        epochsRun: r.epochsRun,
        bestEpoch: keptEpoch(r.history, r.stopReason),
        seconds: (performance.now() - u0) / 1000,
        curve: series(key),
        trainLoss: series("train_loss"),
        valLoss: series("val_loss"),
        ...(scores ? { scores } : {}),
        ...(r.stopReason && /^non-finite/.test(r.stopReason) ? { note: r.stopReason } : {}),
      });
      if (prunedAt !== undefined) {
        status = "pruned";
        note = `unit ${i + 1}: at epoch ${prunedAt} its best ${this.objective.metric} was below the lower quartile of the finished trials at that epoch`;
        break;
      }
      if (r.stopReason && /^non-finite/.test(r.stopReason)) note = r.stopReason;
    }
    const values = units.map((u) => u.value);
    const s = meanSe(values);
    return {
      id: spec.id,
      status,
      units,
      values,
      mean: s.mean,
      se: s.se,
      seconds: (performance.now() - t0) / 1000,
      ...(note ? { note } : {}),
      ...(record ? { record } : {}),
    };
  }
}
