/**
 * Runs one trial job in this process: its data reference's units (prepared once, prepared-units.ts), the
 * pruner rebuilt from the job's curves, and the same LocalTrialRunner the coordinator would use, so a trial
 * gives the same result wherever it runs (same seeds, same thread count). The job's data paths must already
 * be local and verified (data-source.ts).
 */
import { MedianPruner } from "../coach/improve/median-pruner.js";
import { objectiveFor } from "../coach/improve/objective.js";
import { LocalTrialRunner, type TrialEvents, type TrialResult } from "../coach/improve/trial.js";
import { preparedUnits } from "./prepared-units.js";
import type { TrialJob } from "./trial-job.js";

/**
 * `threads`: the worker's thread count, used when the spec leaves it to the worker (threads 0); a spec
 * with a thread count keeps it (the same ledger needs the same thread count).
 */
export async function executeTrial(
  job: TrialJob,
  threads: number,
  events: TrialEvents = {},
  signal?: AbortSignal,
): Promise<TrialResult> {
  const objective = objectiveFor(job.metric);
  const units = await preparedUnits(job.data, job.spec.seeds);
  const pruner = job.prune ? MedianPruner.fromSnapshot(objective, job.prune) : undefined;
  const runner = new LocalTrialRunner(units, objective, pruner);
  const spec = job.spec.threads > 0 ? job.spec : { ...job.spec, threads };
  const r = await runner.run(spec, { onEpoch: events.onEpoch }, signal);
  return { ...r, id: job.spec.id };
}
