/**
 * A TrialRunner on the local worker pool (worker-pool.ts): each trial becomes a job (its spec, the study's
 * data reference, the objective, the pruner's curves at submission) run by a free process, which prepares
 * the data once from the reference and trains as the in-process runner would. `concurrency` is the pool's
 * size: a caller keeps that many trials in flight.
 *
 * The units of one trial (seeds or folds) are independent too, so a trial is split over the pool's
 * processes (unit i to part i mod size): a lone trial (the baseline, a capacity increment) also uses every
 * core. The parts are merged into exactly the record the in-process runner gives: units in order, a
 * failure ending the trial at the unit that failed, and a trial pruned at its first unit (the only one the
 * median rule watches) keeping that unit alone, the other parts cancelled. A trial whose process dies is
 * recorded as failed (the pool starts a new process for the next one).
 */
import type { MedianPruner } from "../coach/improve/median-pruner.js";
import type { Objective } from "../coach/improve/objective.js";
import type { TrialEvents, TrialResult, TrialRunner, TrialSpec } from "../coach/improve/trial.js";
import { meanSe } from "../recipe/cross-validate.js";
import type { DataRef } from "./data-ref.js";
import { failedTrial, trialJob } from "./trial-job.js";
import { WorkerExited, type WorkerPool } from "./worker-pool.js";

/** The parts of a trial with `n` units on `size` processes: unit i goes to part i mod size. */
export function unitParts(n: number, size: number): number[][] {
  const parts = Math.max(1, Math.min(size, n));
  return Array.from({ length: parts }, (_, p) =>
    Array.from({ length: n }, (_, i) => i).filter((i) => i % parts === p),
  );
}

/** The in-process runner's record from the records of a trial's parts (each run on `parts[j]`). */
export function mergeParts(
  spec: TrialSpec,
  parts: number[][],
  results: TrialResult[],
  seconds: number,
): TrialResult {
  // the first unit that did not finish (a failure ends the trial there, as one after another it would)
  let end = Number.POSITIVE_INFINITY;
  let failed: TrialResult | undefined;
  for (const [j, r] of results.entries()) {
    if (r.status !== "failed") continue;
    const got = new Set(r.units.map((u) => u.unit));
    const missing = parts[j]!.find((i) => !got.has(i)) ?? Number.POSITIVE_INFINITY;
    if (missing < end) {
      end = missing;
      failed = r;
    }
  }
  const units = results
    .flatMap((r) => r.units)
    .filter((u) => u.unit < end)
    .sort((a, b) => a.unit - b.unit);
  const values = units.map((u) => u.value);
  const s = meanSe(values);
  const note = failed ? failed.note : [...units].reverse().find((u) => u.note)?.note;
  const record = results.find((r) => r.record)?.record;
  return {
    id: spec.id,
    status: failed ? "failed" : "done",
    units,
    values,
    mean: s.mean,
    se: s.se,
    seconds,
    ...(note ? { note } : {}),
    ...(record ? { record } : {}),
  };
}

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
    const t0 = performance.now();
    const parts = unitParts(spec.seeds.length, this.pool.size);
    const job = (s: TrialSpec) => trialJob(s, this.ref, this.objective.metric, this.pruner);
    const on = { onEpoch: events.onEpoch };
    try {
      if (parts.length === 1) return await this.pool.execute(job(spec), on, signal);
      const ac = new AbortController();
      const stop = () => ac.abort(signal?.reason ?? new Error("trial cancelled"));
      signal?.addEventListener("abort", stop, { once: true });
      let pruned: TrialResult | undefined;
      const runs = parts.map((units, j) =>
        this.pool.execute(job({ ...spec, units }), on, ac.signal).then((r) => {
          // the first unit pruned: the trial ends there, the other parts are not needed
          if (j === 0 && r.status === "pruned") {
            pruned = r;
            ac.abort(new Error("pruned"));
          }
          return r;
        }),
      );
      const settled = await Promise.allSettled(runs);
      signal?.removeEventListener("abort", stop);
      if (signal?.aborted) throw signal.reason ?? new Error("trial cancelled");
      if (pruned) return { ...pruned, id: spec.id, seconds: (performance.now() - t0) / 1000 };
      const rejected = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
      if (rejected) throw rejected.reason;
      const results = settled.map((s) => (s as PromiseFulfilledResult<TrialResult>).value);
      return mergeParts(spec, parts, results, (performance.now() - t0) / 1000);
    } catch (e) {
      if (e instanceof WorkerExited) return failedTrial(spec.id, e.message);
      throw e;
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
