/**
 * `nncoach train` as a library call, for every kind of data: resolve the options, check the output paths,
 * prepare the data (one read, one split, test rows sealed), run the fast audit on the run's split (see
 * fast-audit.ts), plan the run (decisions as records), train it through the one runner (with
 * `diagnoseEvery`, the early diagnosis warns every N epochs and stops a run that diverged), estimate by
 * cross-validation when asked, and evaluate the test rows once, only with `evaluateTest` (recorded as an
 * unsealing with its reason). Nothing is written here: `saveRun` writes the model folder after the
 * results are printed. `runRecordOf(result)` is what the diagnosis reads.
 *
 * A NaN/Inf loss throws a UserError by default; with `onNonFinite: "stop"` (what `nncoach train` uses, and
 * the default with `diagnoseEvery`) training ends there and the result keeps the epochs completed, with a
 * stop reason starting "non-finite" (see `stoppedOnNonFinite`); cross-validation and the test evaluation
 * are then skipped (a notice says so) and the weights are not a usable model.
 *
 * @example
 * const r = await trainRun({ data: "examples/wine.csv", target: "cultivar", epochs: 30 });
 * console.log(r.val.accuracy, r.decisions, r.audit?.findings);
 * console.log(renderDiagnosis(diagnose(runRecordOf(r))));
 */
import { EarlyDiagnosis } from "../coach/diagnosis/early-diagnosis.js";
import type { Finding } from "../coach/diagnosis/finding.js";
import type { AuditReport } from "../data/audit/audit-report.js";
import { UserError } from "../errors.js";
import type { Callback, FitState } from "../train/callback.js";
import { type ResolvedConfig, resolveConfig, type TrainConfig } from "../train/config.js";
import { checkOutputFolder } from "./check-outputs.js";
import { type CrossValidation, crossValidate } from "./cross-validate.js";
import type { Decision } from "./decision.js";
import { fastAudit } from "./fast-audit.js";
import { planRun } from "./plan-run.js";
import { prepareData } from "./prepare-data.js";
import type { PreparedData } from "./prepared-data.js";
import type { RunPlan } from "./run-plan.js";
import { runContextOf } from "./run-record-of.js";
import { type EvalSummary, type PlanResult, summarize, trainPlan } from "./train-plan.js";

/** What a training run gives: the runner's result (notices of the data included) and what surrounds it. */
export interface RunResult extends PlanResult {
  config: TrainConfig;
  /** The options with where each came from (the saved config keeps the ones the user set). */
  resolved: ResolvedConfig;
  data: PreparedData;
  decisions: Decision[];
  /** Only with evaluateTest: the one evaluation of the sealed test rows. */
  test?: EvalSummary;
  cv?: CrossValidation;
  /** The fast audit of the run's data and split (tables, text, image folders; absent for audio or when turned off). */
  audit?: AuditReport;
  /** With diagnoseEvery: each problem the early diagnosis warned about, the first time, with its epoch. */
  earlyWarnings: { epoch: number; finding: Finding }[];
}

export interface TrainRunExtras {
  callbacks?: Callback[];
  /** Progress lines, and the early diagnosis's warnings. */
  log?: (line: string) => void;
  /** Called with the plan's decisions and the fast audit before training starts (the CLI prints them). */
  onPlan?: (plan: RunPlan, data: PreparedData, audit?: AuditReport) => void;
  /** Run the fast audit before training (default true). */
  audit?: boolean;
  /**
   * What a NaN/Inf loss or gradient does: "throw" a UserError, or "stop" training and return the run so
   * far (see the file comment). Default: "stop" with `diagnoseEvery`, else what a callback of `callbacks`
   * sets in FitState.onNonFinite, else "throw".
   */
  onNonFinite?: "throw" | "stop";
  /** The command that runs this (argv from "nncoach"), for the actions of the early diagnosis. */
  command?: readonly string[];
}

/** True when training ended on a NaN/Inf loss or gradient norm (fit's "non-finite ..." stop reason). */
export function stoppedOnNonFinite(r: { stopReason?: string }): boolean {
  return /^non-finite /.test(r.stopReason ?? "");
}

/** Options of `nncoach train` (camelCase; unset = default), or a resolved config. */
export type TrainRunConfig = (Partial<TrainConfig> & { data: string }) | ResolvedConfig;

export function toResolved(config: TrainRunConfig): ResolvedConfig {
  return "sources" in config && "values" in config
    ? (config as ResolvedConfig)
    : resolveConfig(Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)));
}

export async function trainRun(config: TrainRunConfig, extras: TrainRunExtras = {}): Promise<RunResult> {
  const resolved = toResolved(config);
  const cfg = resolved.values;
  if (!cfg.data)
    throw new UserError("nncoach train needs training data", "give a table file or a class folder");
  checkOutputFolder("save", cfg.save);
  checkOutputFolder("checkpoint", cfg.checkpoint);
  checkOutputFolder("log-dir", cfg.logDir);
  const data = await prepareData(resolved);
  const audit = extras.audit === false ? undefined : await fastAudit(data, cfg);
  const { plan, decisions } = planRun(data.summary, resolved);
  if (cfg.evaluateTest && !data.test)
    throw new UserError(
      "--evaluate-test: there are no test rows to evaluate",
      cfg.validationData
        ? "with --validation-data, give the test rows with --test-data"
        : "the data is too small for a test split",
    );
  extras.onPlan?.(plan, data, audit);
  // unset, fit throws unless a callback of the caller's chooses (FitState.onNonFinite)
  const onNonFinite = extras.onNonFinite ?? (cfg.diagnoseEvery ? "stop" : undefined);
  const callbacks: Callback[] = [...(extras.callbacks ?? [])];
  if (onNonFinite)
    callbacks.unshift({
      onTrainBegin: (s: FitState) => {
        s.onNonFinite = onNonFinite;
      },
    });
  const early = cfg.diagnoseEvery
    ? new EarlyDiagnosis({
        every: cfg.diagnoseEvery,
        log: extras.log,
        stopOnNonFinite: false,
        context: runContextOf({ data, plan, resolved, decisions, audit }, extras.command),
      })
    : undefined;
  if (early) callbacks.push(early);
  const run = await trainPlan(data, plan, { callbacks, log: extras.log });
  const notices = [...data.notices, ...run.notices];
  const failed = stoppedOnNonFinite(run);
  let cv: CrossValidation | undefined;
  if (cfg.cv && failed)
    notices.push("cross-validation skipped: training stopped on a NaN/Inf loss or gradient");
  else if (cfg.cv) {
    const rows = data.rows.valIsSeparate ? data.rows.train : [...data.rows.train, ...data.rows.val];
    cv = await crossValidate(data, rows, resolved, cfg.cv, extras.log);
  }
  let test: EvalSummary | undefined;
  if (cfg.evaluateTest && data.test && failed)
    notices.push(
      "test rows left sealed: training stopped on a NaN/Inf loss or gradient, there is no model to evaluate",
    );
  else if (cfg.evaluateTest && data.test)
    test = await summarize(
      run.trainer,
      data,
      plan,
      data.test.unseal("--evaluate-test: final evaluation at the end of nncoach train"),
    );
  return {
    ...run,
    config: cfg,
    resolved,
    data,
    decisions,
    test,
    cv,
    audit,
    earlyWarnings: early?.warnings ?? [],
    notices,
  };
}
