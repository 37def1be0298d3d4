/**
 * Prepared data plus the planned model compiled into a fresh Trainer, without training: what
 * `nncoach lr-find` and the library's manual training loops start from, for every data kind.
 *
 * @example
 * const p = await prepareTrainer({ data: "examples/wine.csv", target: "cultivar" });
 * const r = await findLearningRate(p.trainer, p.data.train, { batchSize: p.plan.batchSize });
 */
import type { Trainer } from "../train/trainer.js";
import { buildModel, compileTrainer } from "./build-model.js";
import type { Decision } from "./decision.js";
import { planRun } from "./plan-run.js";
import { prepareData } from "./prepare-data.js";
import type { PreparedData } from "./prepared-data.js";
import type { RunPlan } from "./run-plan.js";
import { type TrainRunConfig, toResolved } from "./train-run.js";

export interface PreparedTrainer {
  data: PreparedData;
  plan: RunPlan;
  decisions: Decision[];
  trainer: Trainer;
}

export async function prepareTrainer(config: TrainRunConfig): Promise<PreparedTrainer> {
  const resolved = toResolved(config);
  const data = await prepareData(resolved);
  const { plan, decisions } = planRun(data.summary, resolved);
  const trainer = await compileTrainer(buildModel(data, plan), plan);
  return { data, plan, decisions, trainer };
}
