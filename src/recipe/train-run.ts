/**
 * `nncoach train` as a library call, for every kind of data: resolve the options, check the output paths,
 * prepare the data (one read, one split, test rows sealed), plan the run (decisions as records), train it
 * through the one runner, estimate by cross-validation when asked, and evaluate the test rows once, only
 * with `evaluateTest` (recorded as an unsealing with its reason). Nothing is written here: `saveRun`
 * writes the model folder after the results are printed.
 *
 * @example
 * const r = await trainRun({ data: "examples/wine.csv", target: "cultivar", epochs: 30 });
 * console.log(r.val.accuracy, r.decisions);
 */
import { UserError } from "../errors.js";
import type { Callback } from "../train/callback.js";
import { type ResolvedConfig, resolveConfig, type TrainConfig } from "../train/config.js";
import { checkOutputFolder } from "./check-outputs.js";
import { type CrossValidation, crossValidate } from "./cross-validate.js";
import type { Decision } from "./decision.js";
import { planRun } from "./plan-run.js";
import { prepareData } from "./prepare-data.js";
import type { PreparedData } from "./prepared-data.js";
import type { RunPlan } from "./run-plan.js";
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
}

export interface TrainRunExtras {
  callbacks?: Callback[];
  log?: (line: string) => void;
  /** Called with the plan's decisions before training starts (the CLI prints them). */
  onPlan?: (plan: RunPlan, data: PreparedData) => void;
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
  const { plan, decisions } = planRun(data.summary, resolved);
  if (cfg.evaluateTest && !data.test)
    throw new UserError(
      "--evaluate-test: there are no test rows to evaluate",
      cfg.validationData
        ? "with --validation-data, give the test rows with --test-data"
        : "the data is too small for a test split",
    );
  extras.onPlan?.(plan, data);
  const run = await trainPlan(data, plan, { callbacks: extras.callbacks, log: extras.log });
  let cv: CrossValidation | undefined;
  if (cfg.cv) {
    const rows = data.rows.valIsSeparate ? data.rows.train : [...data.rows.train, ...data.rows.val];
    cv = await crossValidate(data, rows, resolved, cfg.cv, extras.log);
  }
  let test: EvalSummary | undefined;
  if (cfg.evaluateTest && data.test)
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
    notices: [...data.notices, ...run.notices],
  };
}
