/**
 * Where a sweep's trials run. Today: this process, one trial at a time (LocalTrialRunner on the one
 * evaluation unit). The worker pool and the Redis queue plug in here (`--workers`, `--queue`), returning
 * their runner and how many trials it keeps in flight.
 */
import type { Objective } from "../coach/improve/objective.js";
import { type EvaluationUnit, LocalTrialRunner, type TrialRunner } from "../coach/improve/trial.js";

export function sweepRunner(
  units: EvaluationUnit[],
  objective: Objective,
): { runner: TrialRunner; concurrency: number } {
  return { runner: new LocalTrialRunner(units, objective), concurrency: 1 };
}
