/**
 * `nncoach train <data> --target <col> [options]`: train a network and report. Every option can also come
 * from a YAML or JSON file (`--config run.yaml`); flags override the file. The option table lives in
 * src/train/config-options.ts, so help, validation and config files agree.
 */
import fs from "node:fs";
import { ortBackend } from "../engine/ort-backend.js";
import { UserError } from "../errors.js";
import { ProgressDisplay } from "../train/callbacks/progress-display.js";
import { loadConfigFile, resolveConfig, TRAIN_OPTIONS } from "../train/config.js";
import { formatTrainOptionsHelp } from "../train/config-help.js";
import { type TabularTrainResult, trainTabular } from "../train/train-tabular.js";
import { parseCommandArgs } from "./args.js";
import { fmt, progressWriter } from "./output.js";
import { trainImageFolder } from "./train-images.js";

export const TRAIN_USAGE =
  "usage: nncoach train <data> --target <col> [--config run.yaml] [options]\n" +
  "       nncoach train <folder> [options]   (a folder of images, one subfolder per class)";

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

export async function trainCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("train", normalizeOptionalValues(argv), parseOptions());
  if (values.help) {
    process.stdout.write(`${TRAIN_USAGE}\n\n${formatTrainOptionsHelp()}\n`);
    return 0;
  }
  if (positionals.length > 1)
    throw new UserError(
      `nncoach train takes one data file, got ${positionals.length}: ${positionals.join(" ")}`,
      TRAIN_USAGE,
    );
  const cli: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values))
    if (k !== "config" && k !== "help" && v !== undefined) cli[k] = v;
  if (positionals[0]) cli.data = positionals[0];
  const file = typeof values.config === "string" ? loadConfigFile(values.config) : null;
  const resolved = resolveConfig(file, cli);
  if (!resolved.values.data) throw new UserError("nncoach train needs a data file", TRAIN_USAGE);
  const json = resolved.values.json;
  const out = progressWriter(json);
  if (fs.statSync(resolved.values.data, { throwIfNoEntry: false })?.isDirectory())
    return trainImageFolder(resolved, out, json);

  // per-batch bar with ETA in a terminal, plain per-epoch lines otherwise (stderr when stdout carries JSON)
  const progress = new ProgressDisplay({ stream: json ? process.stderr : process.stdout });
  const result = await trainTabular(resolved, { log: out, callbacks: [progress] });
  report(result, out);
  await result.trainer.release();
  if (json) process.stdout.write(`${JSON.stringify(jsonResult(result))}\n`);
  return 0;
}

function report(r: TabularTrainResult, out: (l: string) => void): void {
  for (const n of r.notices) out(`note: ${n}`);
  const describe = (e: Record<string, number>) =>
    Object.entries(e)
      .filter(([k]) => k !== "samples")
      .map(([k, v]) => `${k} ${fmt(v)}`)
      .join(", ");
  out(`validation (${r.val.samples} rows): ${describe(r.val)}`);
  if (r.test) out(`test (${r.test.samples} rows, evaluated once, at the end): ${describe(r.test)}`);
  const last = r.health.at(-1);
  if (last) {
    const dead = Object.entries(last.deadRelu).filter(([, f]) => f > 0.5);
    if (dead.length)
      out(`warning: dead ReLU units: ${dead.map(([l, f]) => `${l} ${(100 * f).toFixed(0)}%`).join(", ")}`);
    const spikes = r.health.reduce((a, h) => a + h.spikes.length, 0);
    if (spikes) out(`warning: ${spikes} loss spikes (batch loss > 3x the recent median)`);
  }
  out(`training speed: ${Math.round(r.trainSamplesPerSecond)} samples/s`);
  if (r.config.logDir) out(`logs: ${r.config.logDir} (TensorBoard event files, history.csv)`);
  if (r.config.checkpoint)
    out(`checkpoints: ${r.config.checkpoint}/last.ckpt, best.ckpt (continue with --resume)`);
  if (r.savedTo) out(`saved model.onnx, preprocess.json and config.json to ${r.savedTo}`);
}

function jsonResult(r: TabularTrainResult) {
  return {
    task: r.task,
    engine: ortBackend,
    classes: r.classes,
    monitor: r.monitor,
    epochs_run: r.epochsRun,
    stop_reason: r.stopReason,
    train_samples_per_second: r.trainSamplesPerSecond,
    history: r.history.map((h, i) => ({ ...h, health: r.health[i] })),
    val: r.val,
    test: r.test,
    notices: r.notices,
    saved_to: r.savedTo,
    config: r.config,
  };
}
