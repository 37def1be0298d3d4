/**
 * `nncoach improve <data> --target <col> --budget <time> --out <dir>`: the recipe's tuning plan run for
 * you (see src/coach/improve/improve.ts). Prints the progress, the ledger and the outcome, then writes
 * model/, config.yaml, summary.json, report.md and report.html to --out. With --json the last line of
 * stdout is the summary.
 */
import { type ImproveSummary, improve } from "../coach/improve/improve.js";
import { ledgerRow, testEvaluationNote } from "../coach/improve/improve-report.js";
import { UserError } from "../errors.js";
import { StudyRecorder } from "../store/record-study.js";
import { StoreSession } from "../store/session.js";
import { intOption } from "./args.js";
import { progressWriter } from "./output.js";
import { parseStudyArgs } from "./study-args.js";
import { TRACKING_HELP } from "./tracking.js";

export const IMPROVE_USAGE =
  "usage: nncoach improve <data> --target <col> --budget <time> --out <dir> [--metric <name>] [--seed 0]\n" +
  "         [--validation-data f] [--test-data f] [--pretrained m.onnx] [--resume] [--trials N] [--cv-repeats R]\n" +
  "         [--json]\n" +
  "         [--workers N | --queue redis://host:port] [--threads T]\n" +
  "         [nncoach train options to start from]";

const OWN = {
  budget: { type: "string" },
  out: { type: "string" },
  metric: { type: "string" },
  trials: { type: "string" },
  "cv-repeats": { type: "string" },
  workers: { type: "string" },
  queue: { type: "string" },
  "max-data-mb": { type: "string" },
  resume: { type: "boolean" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Seconds from "300", "300s", "5m" or "1.5h". */
export function parseBudget(v: string | undefined): number {
  if (v === undefined)
    throw new UserError(
      "nncoach improve needs --budget",
      "give the time to spend, e.g. --budget 300 (seconds) or --budget 5m",
    );
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h)?$/.exec(v.trim());
  if (!m || !(Number(m[1]) > 0))
    throw new UserError(`--budget ${v}: not a duration`, "give seconds (300), minutes (5m) or hours (1h)");
  return Number(m[1]) * (m[2] === "h" ? 3600 : m[2] === "m" ? 60 : 1);
}

function help(): string {
  return [
    IMPROVE_USAGE,
    "",
    "Audits the data, measures a non-neural reference and the recipe's baseline network, then tries one",
    "change at a time (learning rate, schedule, batch size, normalization, capacity, weight decay, dropout,",
    "augmentation, label smoothing, optimizer, transfer), keeping a change only when it beats the current",
    "best by more than 2 standard errors over paired seeds or cross-validation folds. Finally retrains on",
    "training + validation rows and evaluates the sealed test rows once.",
    "",
    "  --budget <time>   total time: 300 (seconds), 5m, 1h; turned into a fixed trial plan after the baseline",
    "  --out <dir>       model/, config.yaml, summary.json, report.html, report.md, study.json",
    "  --metric <name>   objective: accuracy, f1_macro, roc_auc, log_loss, rmse, mae, r2 (default: the recipe's)",
    "  --trials <n>      a fixed number of trials instead of the budget's (the same ledger on any machine)",
    "  --cv-repeats <r>  small data (cross-validation): deal the folds r times, each with its own seed (repeated",
    "                    K-fold): r times the units for the keep rule, r times the cost of a trial (default: from",
    "                    the budget after a baseline of one round, up to 3 while every round keeps room for the steps)",
    "  --resume          continue the study in --out after the last finished trial (with --queue: re-attaches",
    "                    to the study's queue; trials already finished by workers are not run again)",
    "  --workers <n>     trials at once on this machine, each in its own process (default: chosen from the",
    "                    model size and the cores; 1: one after another in this process)",
    "  --queue <url>     redis://host:port: trials go to `nncoach worker --queue <url>` processes on any machine",
    "  --max-data-mb <n> with --queue: data files up to this size also travel through Redis, for workers",
    "                    that cannot read them (default 64; folders need a shared filesystem)",
    "  --threads <n>     ONNX Runtime threads per trial (the same seed and threads give the same ledger)",
    "  --json            last line of stdout: summary.json",
    "",
    "Any `nncoach train` option (--hidden, --lr, --batch-size, ...) sets the starting configuration.",
    "",
    TRACKING_HELP,
  ].join("\n");
}

export async function improveCommand(fullArgv: string[]): Promise<number> {
  const args = parseStudyArgs(
    "improve",
    fullArgv,
    OWN,
    ["target", "seed", "validationData", "testData", "pretrained", "threads"],
    IMPROVE_USAGE,
    help,
  );
  if (!args) return 0;
  const { values, tracking, train } = args;
  const budget = parseBudget(values.budget as string | undefined);
  const json = Boolean(values.json);
  const out = progressWriter(json);
  const str = (k: string) => values[k] as string | undefined;
  const session = tracking.track ? await StoreSession.open({ file: tracking.store }) : null;
  const recorder = session
    ? new StudyRecorder(session, ["nncoach", "improve", ...fullArgv], {
        name: tracking.runName,
        out: str("out"),
        validationData: str("validation-data"),
        testData: str("test-data"),
      })
    : undefined;
  let summary: ImproveSummary;
  try {
    summary = await improve({
      data: args.data,
      target: str("target"),
      budget,
      out: str("out"),
      metric: str("metric"),
      seed: intOption("seed", str("seed"), 0),
      validationData: str("validation-data"),
      testData: str("test-data"),
      pretrained: str("pretrained"),
      threads: intOption("threads", str("threads")),
      trials: intOption("trials", str("trials"), 0),
      cvRepeats: intOption("cv-repeats", str("cv-repeats"), 1),
      workers: intOption("workers", str("workers")),
      queue: str("queue"),
      maxDataBytes: args.maxDataBytes,
      resume: Boolean(values.resume),
      train,
      log: out,
      tracker: recorder,
      onSummary: (s) => printSummary(s, out),
    });
  } catch (e) {
    recorder?.failed(e);
    throw e;
  } finally {
    session?.close();
  }
  if (recorder?.studyId != null)
    out(
      `store: study ${recorder.studyId} recorded in ${session!.file} (nncoach runs list --study ${recorder.studyId})`,
    );
  if (values.out) out(`wrote model/, config.yaml, summary.json, report.md and report.html to ${values.out}`);
  if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  return 0;
}

function printSummary(s: ImproveSummary, out: (l: string) => void): void {
  out("ledger:");
  for (const st of s.steps) {
    const [name, change, before, after, outcome, finding, reason] = ledgerRow(st);
    out(
      `  ${name}: ${outcome}${change !== "–" ? ` ${change}` : ""} (${before} -> ${after})${finding ? ` [after ${finding}]` : ""} — ${reason}`,
    );
  }
  const m = s.metric.name;
  const t = (x: ImproveSummary["final"]["test"]) =>
    x ? `${x.value.toPrecision(4)} [${x.ci[0].toPrecision(3)}, ${x.ci[1].toPrecision(3)}]` : "no test rows";
  if (s.reference.name !== null)
    out(
      `reference (${s.reference.name}): validation ${m} ${s.reference.val?.mean.toPrecision(4) ?? "–"}, test ${s.reference.test?.toPrecision(4) ?? "–"}`,
    );
  out(
    `baseline: validation ${m} ${s.baseline.val.mean.toPrecision(4)} ± ${s.baseline.val.se.toPrecision(2)}, test ${t(s.baseline.test)}`,
  );
  out(
    `final: validation ${m} ${s.final.val.mean.toPrecision(4)} ± ${s.final.val.se.toPrecision(2)}, test ${t(s.final.test)}`,
  );
  if (s.learning_curve) out(`learning curve: ${s.learning_curve.explanation}`);
  const tested = testEvaluationNote(s);
  if (tested) out(tested);
  out(`reproduce: ${s.commands.train}`);
}
