/**
 * `trainTabular(config)`: `nncoach train` on a table as a library call, in the result shape earlier
 * versions returned. It runs the one path of every data kind (src/recipe/train-run.ts: prepare, plan,
 * train) and, when `config.save` is set, writes the model folder (src/recipe/save-run.ts).
 *
 * @example
 * const r = await trainTabular({ data: "examples/wine.csv", target: "cultivar", epochs: 30 });
 */
import type { TabularPreprocessor } from "../data/tabular-preprocessor.js";
import type { Decision } from "../recipe/decision.js";
import type { PreparedData } from "../recipe/prepared-data.js";
import type { RunPlan } from "../recipe/run-plan.js";
import { saveRun } from "../recipe/save-run.js";
import type { EvalSummary } from "../recipe/train-plan.js";
import { type RunResult, type TrainRunConfig, type TrainRunExtras, trainRun } from "../recipe/train-run.js";
import type { EpochLogs } from "./callback.js";
import type { TrainConfig } from "./config.js";
import type { EpochHealth } from "./health-monitor.js";
import type { Trainer } from "./trainer.js";

export type { EvalSummary };
/** The options of `nncoach train` as a library call: unset options take their defaults. */
export type TabularTrainConfig = Partial<TrainConfig> & { data: string };

export interface TabularTrainResult {
  task: "classification" | "regression";
  classes: string[];
  epochsRun: number;
  trainSamplesPerSecond: number;
  history: EpochLogs[];
  health: EpochHealth[];
  monitor: string;
  stopReason?: string;
  val: EvalSummary;
  /** Only with `evaluateTest: true`. */
  test?: EvalSummary;
  notices: string[];
  savedTo?: string;
  config: TrainConfig;
  trainer: Trainer;
  preprocessor: TabularPreprocessor;
  plan: RunPlan;
  decisions: Decision[];
  data: PreparedData;
  run: RunResult;
}

export async function trainTabular(
  config: TrainRunConfig,
  extra: TrainRunExtras = {},
): Promise<TabularTrainResult> {
  const r = await trainRun(config, extra);
  const savedTo = r.config.save ? await saveRun(r.config.save, r) : undefined;
  return {
    task: r.data.task,
    classes: r.data.classes,
    epochsRun: r.epochsRun,
    trainSamplesPerSecond: r.trainSamplesPerSecond,
    history: r.history,
    health: r.health,
    monitor: r.plan.monitor,
    stopReason: r.stopReason,
    val: r.val,
    test: r.test,
    notices: r.notices,
    savedTo,
    config: r.config,
    trainer: r.trainer,
    preprocessor: r.data.preprocessor!,
    plan: r.plan,
    decisions: r.decisions,
    data: r.data,
    run: r,
  };
}
