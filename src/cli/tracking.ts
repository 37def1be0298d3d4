/**
 * The experiment-store options that `train`, `lr-find` and `improve` share: `--no-track` (record nothing),
 * `--store <file>` (default: NNCOACH_STORE, else .nncoach/runs.db here) and `--run-name <name>`. They are
 * taken out of the arguments before the command parses its own, so they are not training options (a
 * config file does not carry them, and `nncoach train --config` of a saved run records it again).
 */
import { UserError } from "../errors.js";

export interface TrackingArgs {
  track: boolean;
  store?: string;
  runName?: string;
}

export const TRACKING_HELP = [
  "Experiment store (every run is recorded; see nncoach runs and nncoach ui):",
  "  --store <file>      the store (default: NNCOACH_STORE, else .nncoach/runs.db in the working directory)",
  "  --no-track          record nothing in the store",
  "  --run-name <name>   the run's name in the store (default: the data file and target)",
].join("\n");

/** Splits the store options off `argv`. */
export function takeTrackingArgs(argv: readonly string[]): { argv: string[]; tracking: TrackingArgs } {
  const rest: string[] = [];
  const tracking: TrackingArgs = { track: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    const m = /^--(store|run-name)(?:=(.*))?$/.exec(a);
    if (m) {
      const value = m[2] ?? argv[++i];
      if (value === undefined || value === "" || (m[2] === undefined && value.startsWith("--")))
        throw new UserError(
          `--${m[1]} needs a value`,
          m[1] === "store" ? "e.g. --store runs.db" : "e.g. --run-name baseline",
        );
      if (m[1] === "store") tracking.store = value;
      else tracking.runName = value;
      continue;
    }
    if (a === "--no-track" || a === "--track=false") tracking.track = false;
    else if (a === "--track" || a === "--track=true") tracking.track = true;
    else rest.push(a);
  }
  return { argv: rest, tracking };
}
