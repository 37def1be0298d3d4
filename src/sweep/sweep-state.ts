/**
 * A sweep's state between trials, so that a coordinator killed mid-sweep (SIGKILL, Ctrl-C, a lost
 * machine) and started again with `--resume` continues after the last finished trial: every trial
 * launched (its id, its params, the sampler's random stream after proposing it), every trial finished
 * (its record and the objective per epoch it reported, in order), the time already spent, and where the
 * store recorded it. Saved to `<out>/sweep-state.json` (atomically, through FileStudyStore) after every
 * launch and every finished trial.
 *
 * `identity` is what makes it the same sweep (data hash, options, space, sampler, pruner, seed,
 * objective): a resume with anything else is refused rather than mixed into the recorded trials.
 */
import fs from "node:fs";
import path from "node:path";
import { FileStudyStore } from "../coach/improve/study-store.js";
import { UserError } from "../errors.js";
import type { TrialState } from "./sampler.js";
import type { SweepTrial } from "./sweep.js";

/** A finished trial as saved (the sweep's record of it, and what the sampler and ASHA saw). */
export interface SavedTrial extends SweepTrial {
  /** The sampler's view of it. */
  state: TrialState;
  /** (epoch, objective) as reported, in order: ASHA's calls, replayed on resume. NaN saved as null. */
  reported: [number, number | null][];
}

export interface SweepState {
  format: "nncoach-sweep-state";
  version: 1;
  identity: Record<string, unknown>;
  /** In id order. `rng`: the sampler's random stream right after this trial's params were drawn. */
  launched: { id: number; params: Record<string, number>; rng: number[] }[];
  finished: SavedTrial[];
  /** Seconds the earlier runs of the sweep spent (counted against --budget). */
  elapsed: number;
  /** The store's study and each trial's run there (null: not recorded). */
  store: { study: number; runs: Record<string, number> } | null;
}

export const STATE_FILE = "sweep-state.json";

/**
 * The saved state of the sweep in `out` (undefined: none); refuses a state without --resume (it would be
 * overwritten) and --resume without a state or without --out.
 */
export function openSweepState(
  out: string | undefined,
  resume: boolean,
): { store: FileStudyStore<SweepState> | null; saved: SweepState | undefined } {
  if (!out) {
    if (resume)
      throw new UserError(
        "--resume needs --out: the folder of the sweep to continue",
        "give the same --out as the interrupted sweep",
      );
    return { store: null, saved: undefined };
  }
  const store = new FileStudyStore<SweepState>(path.join(out, STATE_FILE));
  const saved = store.load();
  if (saved && !resume)
    throw new UserError(
      `--out ${out} holds a sweep already (${STATE_FILE})`,
      "add --resume to continue it, or choose another --out folder",
    );
  if (!saved && resume)
    throw new UserError(
      `--resume: ${out} holds no sweep to continue (no ${STATE_FILE})`,
      fs.existsSync(out) ? "run without --resume to start one there" : "check the --out folder",
    );
  if (saved && (saved.format !== "nncoach-sweep-state" || saved.version !== 1))
    throw new UserError(
      `${path.join(out, STATE_FILE)} is not a sweep state this version of nncoach reads`,
      "start the sweep again in another --out folder",
    );
  return { store, saved };
}

/** Refuses to resume a sweep with other data or settings than it started with, naming what changed. */
export function checkIdentity(saved: SweepState, now: Record<string, unknown>, out: string): void {
  const keys = [...new Set([...Object.keys(saved.identity), ...Object.keys(now)])];
  const changed = keys.filter((k) => JSON.stringify(saved.identity[k]) !== JSON.stringify(now[k]));
  if (changed.length)
    throw new UserError(
      `--resume: the sweep in ${out} was started with other ${changed.join(", ")} than given now`,
      "resume with the same data, space and options as the first run, or start a new sweep in another --out folder",
    );
}

/** The objective values a trial reported, NaN restored. */
export function reportedValues(t: SavedTrial): [number, number][] {
  return t.reported.map(([e, v]) => [e, v === null ? Number.NaN : v]);
}
