/**
 * `nncoach lr-find <data> --target <col> [options]`: the learning-rate range test on the model that
 * `nncoach train` would build with the same options, and a suggested `--lr`, with the plot.
 */
import fs from "node:fs";
import path from "node:path";
import { UserError } from "../errors.js";
import { prepareTrainer } from "../recipe/prepare-trainer.js";
import { RunRecorder } from "../store/record-run.js";
import { StoreSession } from "../store/session.js";
import { loadConfigFile, resolveConfig, TRAIN_OPTIONS, type TrainOption } from "../train/config.js";
import { formatDefault } from "../train/config-help.js";
import { findLearningRate, LR_SUGGESTION_RULES, renderLrFinderPlot } from "../train/lr-finder.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { choiceOption, intOption, numberOption, parseCommandArgs } from "./args.js";
import { progressWriter } from "./output.js";
import { TRACKING_HELP, takeTrackingArgs } from "./tracking.js";

export const LR_FIND_USAGE =
  "usage: nncoach lr-find <data> [--target <col>] [--plot lr.png] [--json] [--steps 100] [--start 1e-7] [--end 10] [model options]";

/** The options of `nncoach train` that change the loss curve (the rest, such as --lr or --epochs, are ignored). */
const TRAIN_FLAGS = [
  "target",
  "validation-data",
  "task",
  "hidden",
  "activation",
  "norm",
  "dropout",
  "loss",
  "label-smoothing",
  "huber-delta",
  "focal-gamma",
  "class-weights",
  "optimizer",
  "momentum",
  "weight-decay",
  "batch-size",
  "clip-norm",
  "clip-value",
  "seed",
  "threads",
  "json",
];

const OWN_OPTIONS = {
  steps: { type: "string" },
  start: { type: "string" },
  end: { type: "string" },
  rule: { type: "string" },
  plot: { type: "string" },
  config: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

function trainOptions(): TrainOption[] {
  return TRAIN_FLAGS.map((f) => {
    const o = TRAIN_OPTIONS.find((x) => x.flag === f);
    if (!o) throw new Error(`lr-find: train option --${f} is missing from the option table`);
    return o;
  });
}

function help(): string {
  const lines = [
    LR_FIND_USAGE,
    "",
    "Trains briefly from fresh weights while the learning rate grows exponentially from --start to --end,",
    "records the smoothed loss, stops when it passes 4x its minimum, and suggests a learning rate.",
    "The weights are not kept. Pass the suggestion to nncoach train as --lr.",
    "",
    "Sweep:",
    "  --steps <n>        optimizer steps in the sweep (default: 100)",
    "  --start <lr>       first learning rate (default: 1e-7)",
    "  --end <lr>         last learning rate (default: 10)",
    `  --rule <name>      suggestion to choose: ${LR_SUGGESTION_RULES.join("|")} (default: valley)`,
    "                     valley: about 2/3 down the longest stretch where the loss keeps falling;",
    "                     steepest: where the loss falls fastest; minimum/10: a tenth of the rate at the lowest loss",
    "  --plot <file>      write the loss curve with the suggestion marked (.png, or .svg)",
    "  --json             last line of stdout: one JSON object with the result",
    "  --config <file>    read options from a YAML/JSON config (as nncoach train); flags override it",
    "",
    "Model and data (as nncoach train):",
  ];
  for (const o of trainOptions()) {
    if (o.flag === "json") continue;
    const head = `  --${o.flag}${o.valueName ? ` ${o.valueName}` : ""}`;
    lines.push(`${head.padEnd(28)} ${o.description} (default: ${formatDefault(o)})`);
  }
  lines.push("", TRACKING_HELP);
  return `${lines.join("\n")}\n`;
}

/** Runs `nncoach lr-find`; returns the exit code. */
export async function lrFindCommand(fullArgv: string[]): Promise<number> {
  const { argv, tracking } = takeTrackingArgs(fullArgv);
  const spec: Record<string, { type: "string" | "boolean"; short?: string }> = { ...OWN_OPTIONS };
  for (const o of trainOptions()) spec[o.flag] = { type: o.arity === "flag" ? "boolean" : "string" };
  const { values: v, positionals } = parseCommandArgs("lr-find", argv, spec);
  if (v.help) {
    process.stdout.write(help());
    return 0;
  }
  if (positionals.length > 1)
    throw new UserError(
      `nncoach lr-find takes one data file, got ${positionals.length}: ${positionals.join(" ")}`,
      LR_FIND_USAGE,
    );
  const cli: Record<string, unknown> = {};
  for (const f of TRAIN_FLAGS) if (v[f] !== undefined) cli[f] = v[f];
  if (positionals[0]) cli.data = positionals[0];
  const file = typeof v.config === "string" ? loadConfigFile(v.config) : null;
  const resolved = resolveConfig(file, cli);
  const cfg = resolved.values;
  if (!cfg.data) throw new UserError("nncoach lr-find needs a data file", LR_FIND_USAGE);

  const str = (k: string) => (typeof v[k] === "string" ? (v[k] as string) : undefined);
  const steps = intOption("steps", str("steps"), 10);
  if (steps !== undefined && steps > 10000)
    throw new UserError(`--steps must be at most 10000, got '${str("steps")}'`);
  const start = numberOption("start", str("start"));
  if (start !== undefined && !(start > 0)) throw new UserError(`--start must be > 0, got '${str("start")}'`);
  const end = numberOption("end", str("end"));
  if (end !== undefined && !(end > (start ?? 1e-7)))
    throw new UserError(`--end must be greater than --start (${start ?? 1e-7}), got '${str("end")}'`);
  const rule = choiceOption("rule", str("rule"), LR_SUGGESTION_RULES);
  const plot = str("plot");
  if (plot !== undefined && !/\.(png|svg)$/i.test(plot))
    throw new UserError(`--plot must name a .png or .svg file, got '${plot}'`);

  const json = cfg.json;
  const out = progressWriter(json);
  const p = await prepareTrainer(resolved);
  const session = tracking.track ? await StoreSession.open({ file: tracking.store }) : null;
  const recorder = session
    ? new RunRecorder(session, "lr-find", ["nncoach", "lr-find", ...fullArgv], { name: tracking.runName })
    : null;
  recorder?.begin({ data: p.data, plan: p.plan, resolved });
  for (const n of p.data.notices) out(`note: ${n}`);
  const batchSize = p.plan.batchSize;
  out(
    `lr-find: ${p.data.describe}; ${cfg.optimizer}, batch ${batchSize}, ${steps ?? 100} steps from ${(start ?? 1e-7).toExponential(0)} to ${(end ?? 10).toExponential(0)}`,
  );
  let r: Awaited<ReturnType<typeof findLearningRate>>;
  try {
    r = await findLearningRate(p.trainer, p.data.train, {
      steps,
      start,
      end,
      rule,
      batchSize,
      seed: cfg.seed,
    });
  } catch (e) {
    recorder?.fail(e);
    session?.close();
    throw e;
  } finally {
    await p.trainer.release();
  }
  if (recorder?.id != null) {
    const id = recorder.id;
    session!.use(
      (s) =>
        s.setLrFinder(id, {
          lrs: r.lrs,
          losses: r.losses,
          smoothed: r.smoothed,
          suggestion: r.suggestion,
          rule: r.chosen,
        }),
      undefined,
    );
    const finite = r.smoothed.filter(Number.isFinite);
    recorder.finish({
      status: "completed",
      metrics: {
        suggested_lr: r.suggestion,
        ...Object.fromEntries(
          Object.entries(r.suggestions).map(([k, v]) => [`lr_${k.replace(/\W/g, "_")}`, v]),
        ),
        ...(finite.length ? { lowest_loss: Math.min(...finite) } : {}),
        steps: r.lrs.length,
      },
      stopReason: r.stopped === "completed" ? null : `sweep ${r.stopped}`,
      extra: { explanation: r.explanation },
    });
  }
  session?.close();
  let plotPath: string | null = null;
  if (plot) {
    fs.mkdirSync(path.dirname(path.resolve(plot)), { recursive: true });
    const bytes = plot.toLowerCase().endsWith(".svg")
      ? renderLrFinderPlot(r, { format: "svg" })
      : renderLrFinderPlot(r);
    writeFileAtomic(plot, bytes);
    plotPath = plot;
  }
  const ran =
    r.stopped === "completed"
      ? `ran all ${r.lrs.length} steps`
      : `stopped after ${r.lrs.length} steps (${r.stopped === "diverged" ? "the loss diverged" : "the loss became NaN or infinite"})`;
  out(
    `sweep ${ran}; smoothed loss ${r.smoothed[0]!.toPrecision(4)} -> lowest ${Math.min(...r.smoothed).toPrecision(4)}`,
  );
  out(
    `suggestions: ${LR_SUGGESTION_RULES.map((k) => `${k} ${r.suggestions[k].toExponential(1)}${k === r.chosen ? " (chosen)" : ""}`).join("  ")}`,
  );
  out(r.explanation);
  if (plotPath) out(`plot: ${plotPath}`);
  const target =
    p.data.loaded.kind === "table" || p.data.loaded.kind === "text"
      ? ` --target ${p.data.loaded.target}`
      : "";
  out(`next: nncoach train ${cfg.data}${target} --lr ${r.suggestion.toExponential(1)}`);
  if (recorder?.id != null)
    out(`store: run ${recorder.id} recorded in ${session!.file} (nncoach runs show ${recorder.id})`);
  if (json) {
    process.stdout.write(
      `${JSON.stringify({
        suggestion: r.suggestion,
        rule: r.chosen,
        explanation: r.explanation,
        suggestions: r.suggestions,
        stopped: r.stopped,
        steps: r.lrs.length,
        batch_size: batchSize,
        lrs: r.lrs,
        losses: r.losses,
        smoothed: r.smoothed,
        plot: plotPath,
        run_id: recorder?.id ?? null,
      })}\n`,
    );
  }
  return 0;
}
