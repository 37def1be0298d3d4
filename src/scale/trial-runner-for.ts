/**
 * The runner a study's trials go to, from `{queue?, workers?, threads?}` (the options of `improve` and
 * `sweep`):
 * - `queue: "redis://host:port"`: BullMQ on Redis, trials taken by `nncoach worker` processes anywhere
 *   (queue-trial-runner.ts); trials run with `threads` (0: each worker's own --threads);
 * - otherwise the local machine: trials × threads chosen from the model size (parallelism.ts) or from
 *   --workers/--threads; several trials at once run on the worker pool (pool-trial-runner.ts), one at a
 *   time in this process (LocalTrialRunner).
 * It returns the runner, the thread count every TrialSpec must carry, and the decision (what was chosen
 * and why). Keep `runner.concurrency` trials in flight (run-trials.ts) and `close()` the runner at the end.
 *
 * @example
 * const { runner, threads, decision } = await trialRunnerFor({ workers: 2 }, study);
 * const results = await runTrials(runner, specs.map((s) => ({ ...s, threads })));
 * await runner.close?.();
 */
import type { MedianPruner } from "../coach/improve/median-pruner.js";
import type { Objective } from "../coach/improve/objective.js";
import { type EvaluationUnit, LocalTrialRunner, type TrialRunner } from "../coach/improve/trial.js";
import { UserError } from "../errors.js";
import type { Decision } from "../recipe/decision.js";
import type { DataRef } from "./data-ref.js";
import { chooseParallelism, type ModelSize } from "./parallelism.js";
import { PoolTrialRunner } from "./pool-trial-runner.js";
import { QueueTrialRunner } from "./queue-trial-runner.js";
import { WorkerPool } from "./worker-pool.js";

export interface ScaleOptions {
  /** redis://[user:password@]host:port[/db]: run trials on `nncoach worker`s through this Redis. */
  queue?: string;
  /** Local trials at once (worker processes); 1 runs them in this process. */
  workers?: number;
  /** ONNX Runtime threads per trial. */
  threads?: number;
  /** Files up to this size reach queue workers through Redis (default 64 MB). */
  maxDataBytes?: number;
  log?: (line: string) => void;
}

export interface StudyData {
  /** Names the study's queue (stable across --resume). */
  studyId: string;
  /** How workers rebuild the data (data-ref.ts). */
  ref: DataRef;
  /** The same data prepared in this process (for trials run here). */
  units: EvaluationUnit[];
  objective: Objective;
  pruner?: MedianPruner;
  /** The starting model's size, for the trials × threads choice (null: unknown). */
  size: ModelSize | null;
}

export interface ScaledRunner {
  runner: TrialRunner & { readonly concurrency: number; close(): Promise<void> };
  /** The `threads` every TrialSpec of the study carries (0: all cores, or the worker's own). */
  threads: number;
  decision: Decision;
}

export async function trialRunnerFor(o: ScaleOptions, study: StudyData): Promise<ScaledRunner> {
  if (o.queue && o.workers !== undefined)
    throw new UserError(
      "--workers and --queue both say where trials run",
      "give --workers N for this machine, or --queue redis://host:port for nncoach workers anywhere",
    );
  if (o.queue) {
    const runner = await QueueTrialRunner.open({
      url: o.queue,
      studyId: study.studyId,
      ref: study.ref,
      objective: study.objective,
      pruner: study.pruner,
      maxDataBytes: o.maxDataBytes,
      log: o.log,
    });
    return {
      runner,
      threads: o.threads ?? 0,
      decision: {
        key: "parallelism",
        value: `queue ${runner.masked}`,
        rule: "user",
        reason: `trials go to the nncoach workers of ${runner.masked} (queue ${runner.name}), ${o.threads ? `${o.threads} thread(s) each` : "each with its worker's --threads"}`,
        source: "user",
      },
    };
  }
  const p = chooseParallelism(study.size, { workers: o.workers, threads: o.threads });
  if (p.trials <= 1) {
    const local = new LocalTrialRunner(study.units, study.objective, study.pruner);
    return {
      runner: Object.assign(local, { concurrency: 1, close: async () => {} }),
      threads: o.threads ?? 0,
      decision: p.decision,
    };
  }
  const pool = new WorkerPool({ size: p.trials, threads: p.threads, log: o.log });
  return {
    runner: new PoolTrialRunner(pool, study.ref, study.objective, study.pruner),
    threads: p.threads,
    decision: p.decision,
  };
}
