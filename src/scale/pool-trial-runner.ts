/**
 * A TrialRunner on the local worker pool (worker-pool.ts): each trial becomes a job (its spec, the study's
 * data reference, the objective, the pruner's curves at submission) run by the next free process, which
 * prepares the data once from the reference and trains as the in-process runner would. `concurrency` is
 * the pool's size: a caller keeps that many trials in flight. A trial whose process dies is recorded as
 * failed (the pool starts a new process for the next one).
 */
import type { MedianPruner } from "../coach/improve/median-pruner.js";
import type { Objective } from "../coach/improve/objective.js";
import type { TrialEvents, TrialResult, TrialRunner, TrialSpec } from "../coach/improve/trial.js";
import type { DataRef } from "./data-ref.js";
import { failedTrial, trialJob } from "./trial-job.js";
import { WorkerExited, type WorkerPool } from "./worker-pool.js";

export class PoolTrialRunner implements TrialRunner {
  constructor(
    readonly pool: WorkerPool,
    readonly ref: DataRef,
    readonly objective: Objective,
    readonly pruner?: MedianPruner,
  ) {}

  get concurrency(): number {
    return this.pool.size;
  }

  async run(spec: TrialSpec, events: TrialEvents = {}, signal?: AbortSignal): Promise<TrialResult> {
    const job = trialJob(spec, this.ref, this.objective.metric, this.pruner);
    try {
      return await this.pool.execute(job, { onEpoch: events.onEpoch }, signal);
    } catch (e) {
      if (e instanceof WorkerExited) return failedTrial(spec.id, e.message);
      throw e;
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
