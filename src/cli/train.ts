/**
 * `nncoach train <data> [options]`: train a network on a table, a text column, an image folder or an
 * audio folder, through the recipe's planner and its one runner. Every option can also come from a YAML
 * or JSON file (`--config run.yaml`); flags override the file. The option table lives in
 * src/train/config-options.ts, so help, validation and config files agree. The recipe's decisions are
 * printed before training, the results after it, and only then is anything written (--save).
 */
import { ortBackend } from "../engine/ort-backend.js";
import { UserError } from "../errors.js";
import { formatDecision } from "../recipe/decision.js";
import { saveRun } from "../recipe/save-run.js";
import { type RunResult, trainRun } from "../recipe/train-run.js";
import { ProgressDisplay } from "../train/callbacks/progress-display.js";
import { loadConfigFile, resolveConfig, TRAIN_OPTIONS } from "../train/config.js";
import { formatTrainOptionsHelp } from "../train/config-help.js";
import { parseCommandArgs } from "./args.js";
import { fmt, progressWriter } from "./output.js";

export const TRAIN_USAGE =
  "usage: nncoach train <data> [--target <col>] [--config run.yaml] [options]\n" +
  "  <data>: a CSV/TSV/JSONL table (text models for a table whose one input is free text, or --text <col>),\n" +
  "          or a folder with one subfolder per class of images (PNG/JPEG) or of WAV files";

function parseOptions() {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
    config: { type: "string" },
    help: { type: "boolean", short: "h" },
  };
  for (const o of TRAIN_OPTIONS) {
    if (o.name === "data") continue;
    options[o.flag] = { type: o.arity === "flag" ? "boolean" : "string" };
  }
  return options;
}

/** `--resume` may stand alone or take a path: give a bare one the value "true". */
function normalizeOptionalValues(argv: string[]): string[] {
  const optional = new Set(
    TRAIN_OPTIONS.filter((o) => o.arity === "optional-value").map((o) => `--${o.flag}`),
  );
  const out: string[] = [];
  argv.forEach((a, i) => {
    const next = argv[i + 1];
    if (optional.has(a) && (next === undefined || next.startsWith("--"))) out.push(`${a}=true`);
    else out.push(a);
  });
  return out;
}

/** Options as the user gave them (command line over config file), resolved with their sources. */
export function resolveTrainArgs(argv: string[], command = "train") {
  const { values, positionals } = parseCommandArgs(command, normalizeOptionalValues(argv), parseOptions());
  if (positionals.length > 1)
    throw new UserError(
      `nncoach ${command} takes one data path, got ${positionals.length}: ${positionals.join(" ")}`,
      TRAIN_USAGE,
    );
  const cli: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values))
    if (k !== "config" && k !== "help" && v !== undefined) cli[k] = v;
  if (positionals[0]) cli.data = positionals[0];
  const file = typeof values.config === "string" ? loadConfigFile(values.config) : null;
  return { help: Boolean(values.help), resolved: resolveConfig(file, cli) };
}

export async function trainCommand(argv: string[]): Promise<number> {
  const { help, resolved } = resolveTrainArgs(argv);
  if (help) {
    process.stdout.write(`${TRAIN_USAGE}\n\n${formatTrainOptionsHelp()}\n`);
    return 0;
  }
  if (!resolved.values.data) throw new UserError("nncoach train needs training data", TRAIN_USAGE);
  const json = resolved.values.json;
  const out = progressWriter(json);
  // per-batch bar with ETA in a terminal, plain per-epoch lines otherwise (stderr when stdout carries JSON)
  const progress = new ProgressDisplay({ stream: json ? process.stderr : process.stdout });
  const result = await trainRun(resolved, {
    log: out,
    callbacks: [progress],
    onPlan: (plan) => {
      out("recipe:");
      for (const d of plan.decisions) if (d.source !== "default") out(`  ${formatDecision(d)}`);
      const defaults = plan.decisions.filter((d) => d.source === "default");
      if (defaults.length)
        out(
          `  defaults: ${defaults.map((d) => `${d.key} ${typeof d.value === "string" ? d.value : JSON.stringify(d.value)}`).join(", ")}`,
        );
    },
  });
  report(result, out);
  let savedTo: string | undefined;
  try {
    if (result.config.save) savedTo = await saveRun(result.config.save, result);
  } finally {
    await result.trainer.release();
  }
  if (savedTo) out(`saved model.onnx, preprocess.json, config.json and run.json to ${savedTo}`);
  if (json) process.stdout.write(`${JSON.stringify(jsonResult(result, savedTo))}\n`);
  return 0;
}

function describe(e: Record<string, number>): string {
  return Object.entries(e)
    .filter(([k]) => k !== "samples")
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(", ");
}

function report(r: RunResult, out: (l: string) => void): void {
  for (const n of r.notices) out(`note: ${n}`);
  out(`validation (${r.val.samples}): ${describe(r.val)}`);
  if (r.cv)
    out(
      `cross-validation (${r.cv.k} folds, mean ± SE): ${Object.keys(r.cv.mean)
        .map((k) => `${k} ${fmt(r.cv!.mean[k])} ± ${fmt(r.cv!.se[k])}`)
        .join(", ")}`,
    );
  if (r.test)
    out(`test (${r.test.samples}, unsealed by --evaluate-test, evaluated once): ${describe(r.test)}`);
  else if (r.data.test)
    out(`test: ${r.data.test.size} rows held out, sealed (evaluate once at the end with --evaluate-test)`);
  const last = r.health.at(-1);
  if (last) {
    const dead = Object.entries(last.deadRelu).filter(([, f]) => f > 0.5);
    if (dead.length)
      out(`warning: dead ReLU units: ${dead.map(([l, f]) => `${l} ${(100 * f).toFixed(0)}%`).join(", ")}`);
  }
  if (r.trainSamplesPerSecond > 0) out(`training speed: ${Math.round(r.trainSamplesPerSecond)} samples/s`);
  if (r.config.logDir) out(`logs: ${r.config.logDir} (TensorBoard event files, history.csv)`);
  if (r.config.checkpoint)
    out(`checkpoints: ${r.config.checkpoint}/last.ckpt, best.ckpt (continue with --resume)`);
}

export function jsonResult(r: RunResult, savedTo?: string) {
  return {
    kind: r.data.kind,
    engine: ortBackend,
    task: r.data.task,
    classes: r.data.classes,
    input_shape: r.data.inputShape,
    monitor: r.plan.monitor,
    decisions: r.decisions,
    plan: r.plan,
    epochs_run: r.epochsRun,
    stop_reason: r.stopReason,
    train_samples_per_second: r.trainSamplesPerSecond,
    history: r.history.map((h, i) => ({ ...h, health: r.health[i] })),
    val: r.val,
    test: r.test,
    test_rows_sealed: r.test ? 0 : (r.data.test?.size ?? 0),
    cv: r.cv,
    frozen: r.frozen,
    notices: r.notices,
    saved_to: savedTo,
    config: r.config,
  };
}
