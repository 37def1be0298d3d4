/**
 * Keeping a runner busy: `inFlight` starts tasks in order, at most `width` at a time, each only while
 * `canStart()` says so (a budget), and returns the results of those it started, in task order. `runTrials`
 * is the small coordinator a study (improve's steps, a sweep) uses: it runs specs on any TrialRunner with
 * the runner's concurrency, each trial id once (a repeated id is run once and its result shared), and
 * returns the results ordered by trial id, whatever order they finished in.
 */
import type { TrialEvents, TrialResult, TrialRunner, TrialSpec } from "../coach/improve/trial.js";

export async function inFlight<T>(
  tasks: (() => Promise<T>)[],
  width: number,
  canStart: () => boolean = () => true,
): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  let stop = false;
  const lane = async (): Promise<void> => {
    while (!stop && next < tasks.length) {
      if (!canStart()) {
        stop = true;
        return;
      }
      const i = next++;
      out[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(width, tasks.length)) }, lane));
  return out.filter((_, i) => i < next);
}

export interface RunTrialsOptions {
  /** Events for one trial (progress). */
  events?: (spec: TrialSpec) => TrialEvents;
  /** Called once per trial id as it finishes (record it here: it is never called twice for an id). */
  onResult?: (r: TrialResult, spec: TrialSpec) => void;
  /** Checked before each trial starts; false stops starting new ones (a budget). */
  canStart?: () => boolean;
  signal?: AbortSignal;
}

export async function runTrials(
  runner: TrialRunner,
  specs: TrialSpec[],
  o: RunTrialsOptions = {},
): Promise<TrialResult[]> {
  const byId = new Map<number, TrialSpec>();
  for (const s of specs) if (!byId.has(s.id)) byId.set(s.id, s);
  const unique = [...byId.values()];
  const results = await inFlight(
    unique.map((spec) => async () => {
      const r = await runner.run(spec, o.events?.(spec) ?? {}, o.signal);
      o.onResult?.(r, spec);
      return r;
    }),
    runner.concurrency ?? 1,
    o.canStart,
  );
  return results.sort((a, b) => a.id - b.id);
}
