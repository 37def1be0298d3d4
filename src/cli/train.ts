/**
 * `nncoach train <data> [options]`: train a network on a table, a text column, an image folder or an
 * audio folder, through the recipe's planner and its one runner. Every option can also come from a YAML
 * or JSON file (`--config run.yaml`); flags override the file. The option table lives in
 * src/train/config-options.ts, so help, validation and config files agree.
 *
 * Printed in order: the recipe's decisions and the fast audit's findings before training, the epochs, the
 * results, then the diagnosis of the run (the same block `nncoach diagnose <dir>` prints for the saved
 * run, ending with `next: <command>`); only then is anything written (--save, and run.json next to the
 * checkpoints with --checkpoint). With --json all of that goes to stderr and stdout ends with one JSON
 * object (with `diagnosis` and `next_command`).
 *
 * A NaN/Inf loss stops training (fit's onNonFinite "stop"): the run is reported and diagnosed as usual,
 * --save writes config.json and run.json but no model (see save-run.ts), and the exit code is
 * EXIT_DIVERGED, as for a run the early diagnosis (--diagnose-every) stopped because it diverged.
 */
import fs from "node:fs";
import path from "node:path";
import { runDiagnosis } from "../coach/diagnosis/render.js";
import { saveRunRecord } from "../coach/diagnosis/run-file.js";
import type { RunRecord } from "../coach/diagnosis/run-record.js";
import { testEvaluationWarning } from "../coach/improve/improve.js";
import type { AuditReport } from "../data/audit/audit-report.js";
import { ortBackend } from "../engine/ort-backend.js";
import { UserError } from "../errors.js";
import { formatDecision } from "../recipe/decision.js";
import { runRecordOf } from "../recipe/run-record-of.js";
import { MODEL_FILES, savedFiles, saveRun } from "../recipe/save-run.js";
import { type RunResult, stoppedOnNonFinite, trainRun } from "../recipe/train-run.js";
import { artifactsOf, confusionMatrix, finalMetrics, RunRecorder } from "../store/record-run.js";
import { StoreSession } from "../store/session.js";
import { ProgressDisplay } from "../train/callbacks/progress-display.js";
import { loadConfigFile, resolveConfig, TRAIN_OPTIONS } from "../train/config.js";
import { formatTrainOptionsHelp } from "../train/config-help.js";
import { parseCommandArgs } from "./args.js";
import { fmt, progressWriter } from "./output.js";
import { TRACKING_HELP, takeTrackingArgs } from "./tracking.js";

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

/** Exit code of a run that diverged: stopped on a NaN/Inf loss, or by the early diagnosis (2 is a user mistake). */
export const EXIT_DIVERGED = 3;

/** Fewer optimizer steps than this time too little work to report a training speed. */
export const MIN_TIMED_STEPS = 20;

export async function trainCommand(fullArgv: string[]): Promise<number> {
  const { argv, tracking } = takeTrackingArgs(fullArgv);
  const { help, resolved } = resolveTrainArgs(argv);
  if (help) {
    process.stdout.write(`${TRAIN_USAGE}\n\n${formatTrainOptionsHelp()}\n\n${TRACKING_HELP}\n`);
    return 0;
  }
  if (!resolved.values.data) throw new UserError("nncoach train needs training data", TRAIN_USAGE);
  const json = resolved.values.json;
  const out = progressWriter(json);
  const command = ["nncoach", "train", ...argv];
  // the experiment store (never in the way: a store that fails is noted once and training goes on)
  const session = tracking.track ? await StoreSession.open({ file: tracking.store }) : null;
  const recorder = session
    ? new RunRecorder(session, "train", ["nncoach", "train", ...fullArgv], { name: tracking.runName })
    : null;
  // per-batch bar with ETA in a terminal, plain per-epoch lines otherwise (stderr when stdout carries JSON)
  const progress = new ProgressDisplay({ stream: json ? process.stderr : process.stdout });
  let result: RunResult;
  try {
    result = await trainRun(resolved, {
      log: out,
      // the recorder first: an epoch printed is an epoch stored
      callbacks: recorder ? [recorder.callback(), progress] : [progress],
      onNonFinite: "stop",
      command,
      onPlan: (plan, data, audit) => {
        recorder?.begin({ data, plan, resolved, folder: resolved.values.save ?? resolved.values.checkpoint });
        printPlan(plan, audit, out);
      },
    });
  } catch (e) {
    recorder?.fail(e);
    session?.close();
    throw e;
  }
  const testEvaluations = result.test
    ? recorder?.testEvaluated("--evaluate-test: final evaluation at the end of nncoach train")
    : undefined;
  const nonFinite = stoppedOnNonFinite(result);
  const diverged = nonFinite || /^early diagnosis: diverged: /.test(result.stopReason ?? "");
  report(result, out, testEvaluations ?? undefined);
  const record = runRecordOf(result, command);
  const diagnosis = runDiagnosis(record);
  out(diagnosis.text.trimEnd());
  let savedTo: string | undefined;
  let replaced: string[] = [];
  try {
    const dir = result.config.save;
    if (dir) {
      if (nonFinite) replaced = MODEL_FILES.filter((f) => fs.existsSync(path.join(dir, f)));
      savedTo = await saveRun(dir, result, record);
    }
    if (result.config.checkpoint) saveRunRecord(result.config.checkpoint, record);
    if (recorder?.id != null) await recordEnd(recorder, result, diverged, diagnosis.findings, savedTo);
  } finally {
    await result.trainer.release();
    session?.close();
  }
  if (recorder?.id != null)
    out(`store: run ${recorder.id} recorded in ${session!.file} (nncoach runs show ${recorder.id})`);
  if (savedTo) {
    out(`saved ${savedFiles(result).join(", ")} to ${savedTo}`);
    if (nonFinite)
      out(
        "no model saved: training stopped on a NaN/Inf loss or gradient, so its weights are not a usable model" +
          (replaced.length ? ` (removed the ${replaced.join(" and ")} of an earlier run there)` : "") +
          `; nncoach diagnose ${savedTo} explains the run`,
      );
  }
  if (result.config.checkpoint) out(`run record: ${path.join(result.config.checkpoint, "run.json")}`);
  if (json)
    process.stdout.write(
      `${JSON.stringify({
        ...jsonResult(result, savedTo, { record, ...diagnosis }),
        run_id: recorder?.id ?? null,
        test_evaluations: testEvaluations ?? null,
      })}\n`,
    );
  if (diverged) {
    process.stderr.write(
      `nncoach: training diverged: ${result.stopReason}\n  next: ${diagnosis.nextCommand}\n`,
    );
    return EXIT_DIVERGED;
  }
  return 0;
}

/** The recipe's decisions (the defaults on one line) and the fast audit, before training. */
function printPlan(plan: RunResult["plan"], audit: RunResult["audit"], out: (l: string) => void): void {
  out("recipe:");
  for (const d of plan.decisions) if (d.source !== "default") out(`  ${formatDecision(d)}`);
  const defaults = plan.decisions.filter((d) => d.source === "default");
  if (defaults.length)
    out(
      `  defaults: ${defaults.map((d) => `${d.key} ${typeof d.value === "string" ? d.value : JSON.stringify(d.value)}`).join(", ")}`,
    );
  if (audit) reportAudit(audit, out);
}

/** The fast audit before training: its high and medium findings, and how many low ones it left unsaid. */
function reportAudit(audit: AuditReport, out: (l: string) => void): void {
  const shown = audit.findings.filter((f) => f.severity !== "low");
  const low = audit.findings.length - shown.length;
  const lows = low ? `; ${low} low not shown (nncoach audit lists them)` : "";
  if (!shown.length) {
    out(`audit: no problem found by the fast checks${lows}`);
    return;
  }
  out(`audit: ${shown.length} finding${shown.length > 1 ? "s" : ""} of the fast checks${lows}`);
  for (const f of shown) out(`  [${f.severity}] ${f.check}: ${f.message}`);
}

function describe(e: Record<string, number>): string {
  return Object.entries(e)
    .filter(([k]) => k !== "samples")
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(", ");
}

/** Writes how the run ended into the store: metrics, diagnosis, confusion matrix, saved files. */
async function recordEnd(
  recorder: RunRecorder,
  r: RunResult,
  diverged: boolean,
  findings: ReturnType<typeof runDiagnosis>["findings"],
  savedTo: string | undefined,
): Promise<void> {
  const extra: Record<string, unknown> = { trainSamplesPerSecond: r.trainSamplesPerSecond };
  if (r.data.task === "classification" && !stoppedOnNonFinite(r))
    extra.confusion = {
      split: "validation",
      ...(await confusionMatrix(r.trainer, r.data.validation, r.data.classes)),
    };
  const folder = savedTo ?? r.config.checkpoint;
  const files = savedTo
    ? savedFiles(r).map((f) => ({ path: path.join(savedTo, f), kind: f.replace(/\..*$/, "") }))
    : r.config.checkpoint
      ? ["last.ckpt", "best.ckpt", "run.json"].map((f) => ({
          path: path.join(r.config.checkpoint!, f),
          kind: f,
        }))
      : [];
  recorder.finish(
    {
      status: diverged ? "diverged" : "completed",
      metrics: finalMetrics(r),
      stopReason: r.stopReason ?? null,
      epochsRun: r.epochsRun,
      extra,
    },
    {
      findings: findings.map((f) => ({
        symptom: f.symptom,
        severity: f.severity,
        confidence: f.confidence,
        explanation: f.explanation,
        detail: f,
      })),
      artifacts: folder ? artifactsOf(files) : [],
    },
  );
}

function report(r: RunResult, out: (l: string) => void, testEvaluations?: number): void {
  for (const n of r.notices) out(`note: ${n}`);
  out(`validation (${r.val.samples}): ${describe(r.val)}`);
  if (r.cv)
    out(
      `cross-validation (${r.cv.k} folds, mean ± SE): ${Object.keys(r.cv.mean)
        .map((k) => `${k} ${fmt(r.cv!.mean[k])} ± ${fmt(r.cv!.se[k])}`)
        .join(", ")}`,
    );
  if (r.test) {
    out(`test (${r.test.samples}, unsealed by --evaluate-test, evaluated once): ${describe(r.test)}`);
    if (testEvaluations !== undefined && testEvaluations > 1)
      out(`warning: ${testEvaluationWarning(testEvaluations)}`);
  } else if (r.data.test)
    out(`test: ${r.data.test.size} rows held out, sealed (evaluate once at the end with --evaluate-test)`);
  out(
    speedMeasured(r)
      ? `training speed: ${Math.round(r.trainSamplesPerSecond)} samples/s`
      : `training speed: not measured (run too short: fewer than ${MIN_TIMED_STEPS} optimizer steps)`,
  );
  if (r.config.logDir) out(`logs: ${r.config.logDir} (TensorBoard event files, history.csv)`);
  if (r.config.checkpoint)
    out(`checkpoints: ${r.config.checkpoint}/last.ckpt, best.ckpt (continue with --resume)`);
}

/** Whether the run did enough optimizer steps for its samples per second to mean something. */
function speedMeasured(r: RunResult): boolean {
  const steps = r.health.reduce((a, h) => a + h.steps, 0);
  return steps >= MIN_TIMED_STEPS && Number.isFinite(r.trainSamplesPerSecond) && r.trainSamplesPerSecond > 0;
}

/**
 * The `--json` object. `train_samples_per_second` is what was measured, however short the run (the text
 * output says "not measured" below MIN_TIMED_STEPS steps); `diagnosis` holds the findings (as `nncoach diagnose --json` gives them), `next_command` the command on
 * the diagnosis's "next:" line, `model_saved` whether --save wrote a model (not after a non-finite loss).
 */
export function jsonResult(
  r: RunResult,
  savedTo?: string,
  diagnosis?: { record: RunRecord } & ReturnType<typeof runDiagnosis>,
) {
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
    audit: diagnosis?.record.audit,
    early_warnings: r.earlyWarnings.map((w) => ({ epoch: w.epoch, ...w.finding })),
    diagnosis: diagnosis?.findings,
    next_command: diagnosis?.nextCommand,
    saved_to: savedTo,
    saved_files: savedTo ? savedFiles(r) : undefined,
    model_saved: savedTo ? !stoppedOnNonFinite(r) : undefined,
    config: r.config,
  };
}
