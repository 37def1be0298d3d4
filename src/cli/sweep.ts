/**
 * `nncoach sweep <data> --target <col> --space space.yaml --trials N --budget <time>`: hyperparameter
 * search over a space of `nncoach train` options (see src/sweep/sweep.ts). Prints a line per trial, then
 * the best with the `nncoach train` command that reproduces it; with --json the last line of stdout is
 * one object `{trials, best, ...}`. The sweep is recorded in the store as a study.
 */
import { UserError } from "../errors.js";
import { SweepRecorder } from "../store/record-sweep.js";
import { StoreSession } from "../store/session.js";
import { PRUNERS, SAMPLERS, type SweepSummary, sweep } from "../sweep/sweep.js";
import { choiceOption, intOption } from "./args.js";
import { parseBudget } from "./improve.js";
import { progressWriter } from "./output.js";
import { parseStudyArgs } from "./study-args.js";
import { TRACKING_HELP } from "./tracking.js";

export const SWEEP_USAGE =
  "usage: nncoach sweep <data> --target <col> --space space.yaml --trials N --budget <time>\n" +
  "         [--metric <name>] [--sampler random|sobol|tpe] [--pruner asha|none] [--seed 0] [--json] [--out dir [--resume]]\n" +
  "         [nncoach train options every trial starts from]";

/** Options of `train` that make no sense for a sweep's trials: the same as for improve's. */

const OWN = {
  space: { type: "string" },
  trials: { type: "string" },
  budget: { type: "string" },
  metric: { type: "string" },
  sampler: { type: "string" },
  pruner: { type: "string" },
  out: { type: "string" },
  resume: { type: "boolean" },
  queue: { type: "string" },
  workers: { type: "string" },
  "max-data-mb": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

function help(): string {
  return [
    SWEEP_USAGE,
    "",
    "Searches the options in a space file, each trial training once on the recipe's seeded split and scored",
    "on its validation rows (the test rows are never read). The space maps nncoach train options to",
    "distributions; a plain value fixes the option:",
    "",
    "  lr: {log_uniform: [1.0e-4, 1.0e-2]}",
    '  hidden: {choice: ["64,64", "128,128", "256,256,256"]}',
    "  dropout: {uniform: [0.0, 0.3]}",
    "  batch-size: {choice: [32, 64, 128]}",
    "  epochs: 20",
    "",
    "  (also int_uniform and log_int_uniform for whole-number options)",
    "",
    "  --space <file>    the search space (YAML or JSON)",
    "  --trials <n>      the most trials to run",
    "  --budget <time>   no trial starts after this: 300 (seconds), 5m, 1h",
    "  --metric <name>   objective: accuracy, f1_macro, roc_auc, log_loss, rmse, mae, r2 (default: the recipe's)",
    "  --sampler <name>  tpe (default; Optuna's TPE, random for the first 10 trials), random, or sobol",
    "  --pruner <name>   asha (default: stop trials not in the top third at epochs 1, 3, 9, ...) or none",
    "  --seed <n>        the split, every trial's training seed and the sampler's draws (default 0)",
    "  --out <dir>       write sweep.json there, and sweep-state.json after every trial",
    "  --resume          continue the sweep in --out after its last finished trial (with --queue: re-attaches",
    "                    to its queue); one trial at a time, the same result as had it not been interrupted",
    "  --workers <n>     trials at once on this machine, each in its own process (default 1: one at a time,",
    "                    and the same seed gives the same sweep; at once, TPE and ASHA see trials as they finish)",
    "  --queue <url>     redis://host:port: trials go to `nncoach worker --queue <url>` processes on any machine",
    "  --max-data-mb <n> with --queue: data files up to this size also travel through Redis (default 64)",
    "  --threads <n>     ONNX Runtime threads per trial",
    "  --json            last line of stdout: {trials: [{id, config, status, val, epochs_run}], best}",
    "",
    "Any other `nncoach train` option (--epochs, --optimizer, ...) is the same for every trial.",
    "",
    TRACKING_HELP,
  ].join("\n");
}

export async function sweepCommand(fullArgv: string[]): Promise<number> {
  const args = parseStudyArgs("sweep", fullArgv, OWN, ["target", "seed", "threads"], SWEEP_USAGE, help);
  if (!args) return 0;
  const { values, tracking, train } = args;
  const str = (k: string) => values[k] as string | undefined;
  if (!str("space"))
    throw new UserError(
      "nncoach sweep needs --space",
      "give a YAML file, e.g. --space space.yaml (see --help)",
    );
  if (!str("trials")) throw new UserError("nncoach sweep needs --trials", "e.g. --trials 20");
  if (!str("budget"))
    throw new UserError(
      "nncoach sweep needs --budget",
      "give the time to spend, e.g. --budget 300 or --budget 5m",
    );
  const json = Boolean(values.json);
  const out = progressWriter(json);
  const session = tracking.track ? await StoreSession.open({ file: tracking.store }) : null;
  const recorder = session
    ? new SweepRecorder(session, ["nncoach", "sweep", ...fullArgv], {
        name: tracking.runName,
        out: str("out"),
      })
    : undefined;
  let summary: SweepSummary;
  try {
    summary = await sweep({
      data: args.data,
      target: str("target"),
      space: str("space")!,
      trials: intOption("trials", str("trials"))!,
      budget: parseBudget(str("budget")),
      metric: str("metric"),
      sampler: choiceOption("sampler", str("sampler"), SAMPLERS),
      pruner: choiceOption("pruner", str("pruner"), PRUNERS),
      seed: intOption("seed", str("seed"), 0),
      threads: intOption("threads", str("threads")),
      workers: intOption("workers", str("workers")),
      queue: str("queue"),
      maxDataBytes: args.maxDataBytes,
      train,
      out: str("out"),
      resume: Boolean(values.resume),
      log: out,
      tracker: recorder,
    });
  } catch (e) {
    recorder?.failed(e);
    throw e;
  } finally {
    session?.close();
  }
  const { counts: c } = summary;
  out(
    `${summary.trials.length} trials (${c.completed} completed, ${c.pruned} pruned, ${c.failed} failed) in ${summary.wall_seconds.toFixed(1)} s` +
      (summary.stopped === "budget" ? "; stopped by the budget" : ""),
  );
  if (summary.best) {
    out(
      `best: trial ${summary.best.id}, ${summary.metric.name} ${summary.best.val!.toPrecision(4)} (${summary.best.epochs_run} epochs)`,
    );
    out(`reproduce: ${summary.best.command}`);
  } else out("best: none (no trial completed)");
  if (recorder?.studyId != null)
    out(
      `store: study ${recorder.studyId} recorded in ${session!.file} (nncoach runs list --study ${recorder.studyId})`,
    );
  if (values.out) out(`wrote ${values.out}/sweep.json`);
  if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  return 0;
}
