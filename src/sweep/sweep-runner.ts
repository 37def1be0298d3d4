/**
 * Where a sweep's trials run: the same places improve's trials run (src/scale/trial-runner-for.ts) —
 * this process one at a time (the default: the same seed gives the same sweep), the local worker pool
 * (`--workers N`), or `nncoach worker`s through a Redis queue (`--queue`). With trials at once, TPE and
 * ASHA learn from trials in the order they finish, so the sweep is no longer the same run to run. Returns the runner, how many trials it keeps in
 * flight, the thread count every trial carries, and the decision that says what was chosen.
 */
import path from "node:path";
import type { Objective } from "../coach/improve/objective.js";
import { type EvaluationUnit, type Options, type TrialRunner, trialPlan } from "../coach/improve/trial.js";
import type { Decision } from "../recipe/decision.js";
import { dataRefOf } from "../scale/data-ref.js";
import { modelSize } from "../scale/parallelism.js";
import { studyIdOf } from "../scale/study-queue.js";
import { type ScaleOptions, trialRunnerFor } from "../scale/trial-runner-for.js";

export interface SweepRunner {
  runner: TrialRunner;
  concurrency: number;
  threads: number;
  decision: Decision | null;
  close(): Promise<void>;
}

export async function sweepRunner(
  scale: ScaleOptions,
  study: { units: EvaluationUnit[]; objective: Objective; options: Options; hash: string; out?: string },
): Promise<SweepRunner> {
  const unit = study.units[0]!;
  const data = unit.data;
  const studyId = studyIdOf({
    sweep: true,
    hash: study.hash,
    out: study.out ? path.resolve(study.out) : null,
    options: study.options,
  });
  // one trial at a time unless asked: the sampler and ASHA learn from finished trials, so trials run at
  // once make the sweep depend on which finishes first; one at a time, the same seed gives the same sweep
  const where: ScaleOptions = scale.queue ? scale : { ...scale, workers: scale.workers ?? 1 };
  const scaled = await trialRunnerFor(where, {
    studyId,
    ref: dataRefOf(study.options, { mode: "seeds" }, study.hash),
    units: study.units,
    objective: study.objective,
    size: modelSize(
      trialPlan(unit, study.options, study.objective, 0),
      data.inputShape,
      data.task === "classification" ? data.classes.length : 1,
    ),
  });
  return {
    runner: scaled.runner,
    concurrency: scaled.runner.concurrency,
    threads: scaled.threads,
    decision: scaled.decision,
    close: () => scaled.runner.close(),
  };
}
