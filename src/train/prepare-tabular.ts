/**
 * `prepareTabular(config)`: a table made ready to train on, with a compiled, freshly initialized trainer
 * (the shape earlier versions returned). It is `prepareTrainer` (src/recipe/prepare-trainer.ts), the one
 * preparation path of every data kind, seen as a table.
 *
 * @example
 * const p = await prepareTabular({ data: "examples/wine.csv", target: "cultivar" });
 * const r = await findLearningRate(p.trainer, p.train, { batchSize: p.config.batchSize });
 */
import type { TabularPreprocessor } from "../data/tabular-preprocessor.js";
import { prepareTrainer } from "../recipe/prepare-trainer.js";
import type { PreparedData } from "../recipe/prepared-data.js";
import type { RunPlan } from "../recipe/run-plan.js";
import { type TrainRunConfig, toResolved } from "../recipe/train-run.js";
import type { ResolvedConfig, TrainConfig } from "./config.js";
import type { Dataset } from "./fit.js";
import type { Trainer } from "./trainer.js";

export interface PreparedTabular {
  task: "classification" | "regression";
  classes: string[];
  train: Dataset;
  validation: Dataset;
  /** Number of test rows held out (sealed; never read here). */
  testRows: number;
  classCounts: number[];
  resolved: ResolvedConfig;
  trainer: Trainer;
  preprocessor: TabularPreprocessor;
  notices: string[];
  config: TrainConfig & { target: string };
  summary: string;
  data: PreparedData;
  plan: RunPlan;
}

export async function prepareTabular(config: TrainRunConfig): Promise<PreparedTabular> {
  const resolved = toResolved(config);
  const p = await prepareTrainer(resolved);
  const d = p.data;
  const target = d.loaded.kind === "table" || d.loaded.kind === "text" ? d.loaded.target : "";
  return {
    task: d.task,
    classes: d.classes,
    train: d.train,
    validation: d.validation,
    testRows: d.test?.size ?? 0,
    classCounts: d.classCounts,
    resolved,
    trainer: p.trainer,
    preprocessor: d.preprocessor!,
    notices: d.notices,
    config: { ...resolved.values, target },
    summary: d.describe,
    data: d,
    plan: p.plan,
  };
}
