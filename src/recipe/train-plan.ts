/**
 * The one runner: trains a RunPlan on PreparedData, whatever the data kind. It builds the model, loss and
 * optimizer the plan names, the schedule with its warm-up, the callbacks (health monitors, early stopping
 * on the monitored metric, TensorBoard/CSV logs, checkpoints and resume), the kind's augmentation of
 * training batches, runs the fit loop (two phases when fine-tuning a pretrained model: the new head
 * alone, then everything at a lower learning rate) and evaluates the validation rows. It never reads the
 * test rows; the caller unseals them once, at the end, when asked.
 */

import fs from "node:fs";
import path from "node:path";
import { UserError } from "../errors.js";
import { getMetric } from "../nn/metrics/metric-registry.js";
import { parseSchedule } from "../optim/schedules/parse-schedule.js";
import type { Callback, EpochLogs } from "../train/callback.js";
import { CsvLogger } from "../train/callbacks/csv-logger.js";
import { EarlyStopping } from "../train/callbacks/early-stopping.js";
import { TensorBoardLogger } from "../train/callbacks/tensorboard-logger.js";
import { type Checkpoint, readCheckpoint } from "../train/checkpoint.js";
import { type Dataset, evaluateDataset, fit } from "../train/fit.js";
import { type EpochHealth, HealthMonitor } from "../train/health-monitor.js";
import { ModelCheckpoint } from "../train/model-checkpoint.js";
import { retrain } from "../train/retrain.js";
import type { Trainer } from "../train/trainer.js";
import { makeAugmenter } from "./augmentation.js";
import { buildModel, compileTrainer, plannedOptimizer } from "./build-model.js";
import { trainingWithout } from "./exclude-rows.js";
import type { PreparedData } from "./prepared-data.js";
import type { RunPlan } from "./run-plan.js";

export type EvalSummary = { loss: number; samples: number } & Record<string, number>;

export interface PlanResult {
  plan: RunPlan;
  history: EpochLogs[];
  health: EpochHealth[];
  epochsRun: number;
  stopReason?: string;
  trainSamplesPerSecond: number;
  val: EvalSummary;
  /** The trainer of the last phase (its weights are the trained model). */
  trainer: Trainer;
  /** Layers frozen in the last phase. */
  frozen: string[];
  /** With a pretrained model: how it was cut, given a head and frozen. */
  transfer?: import("../nn/transfer.js").TransferPlan;
  notices: string[];
}

export interface TrainPlanExtras {
  callbacks?: Callback[];
  /** Progress lines. */
  log?: (line: string) => void;
}

/** Validation metrics of model outputs (probabilities, or standardized values mapped back). */
export function metricValues(
  names: string[],
  output: ArrayLike<number>,
  d: Dataset,
  classes: number,
  scale?: { mean: number; std: number },
): Record<string, number> {
  const out: Record<string, number> = {};
  const yTrue = scale ? Float64Array.from(d.y, (v) => v * scale.std + scale.mean) : d.y;
  const pred = scale ? Float64Array.from(output, (v) => v * scale.std + scale.mean) : output;
  for (const n of names) out[n] = getMetric(n).compute(yTrue, pred, classes || undefined);
  return out;
}

/** Loss and metrics of a dataset under the trainer's current weights. */
export async function summarize(
  trainer: Trainer,
  data: PreparedData,
  plan: RunPlan,
  d: Dataset,
): Promise<EvalSummary> {
  const ev = await evaluateDataset(trainer, d);
  return {
    loss: ev.loss,
    samples: d.n,
    ...metricValues(plan.metrics, ev.output, d, data.classes.length, data.targetScale),
  };
}

function resumeFile(plan: RunPlan): string | undefined {
  if (!plan.resume) return undefined;
  if (typeof plan.resume === "string") {
    const st = fs.statSync(plan.resume, { throwIfNoEntry: false });
    if (!st)
      throw new UserError(
        `--resume ${plan.resume}: no such checkpoint`,
        "give the --checkpoint folder of the run, or its last.ckpt",
      );
    return st.isDirectory() ? path.join(plan.resume, "last.ckpt") : plan.resume;
  }
  const f = path.join(plan.checkpoint!, "last.ckpt");
  if (!fs.existsSync(f))
    throw new UserError(
      `--resume: ${f} does not exist`,
      "run once with --checkpoint first, or give the checkpoint path",
    );
  return f;
}

export async function trainPlan(
  data: PreparedData,
  plan: RunPlan,
  extras: TrainPlanExtras = {},
): Promise<PlanResult> {
  const notices: string[] = [];
  const built = buildModel(data, plan);
  notices.push(...(built.transfer?.notes ?? []));
  let trainer = await compileTrainer(built, plan);
  const without = trainingWithout(data, plan.excludeRows);
  if (without.notice) notices.push(without.notice);
  const train = without.train;
  const augment = plan.augment
    ? makeAugmenter(data.kind, plan.augment, { shape: data.inputShape, featureNames: data.featureNames })
    : undefined;
  const probeN = Math.min(256, train.n);
  const per = train.x.length / train.n;
  const health = new HealthMonitor({ probe: { x: train.x.subarray(0, probeN * per), n: probeN } });
  const higherIsBetter = plan.monitor.endsWith("_loss")
    ? false
    : getMetric(plan.monitor.replace(/^val_/, "")).higherIsBetter;

  const fineTune = built.unfrozenAfterHead !== undefined;
  if (fineTune && (plan.checkpoint || plan.resume))
    throw new UserError(
      "--checkpoint and --resume are not available with --fine-tune (two training phases)",
      "train without --fine-tune to checkpoint, or drop --checkpoint",
    );
  let resume: Checkpoint | undefined;
  const file = resumeFile(plan);
  if (file) {
    resume = readCheckpoint(file);
    notices.push(`resumed from ${file} after epoch ${resume.header.epoch} (step ${resume.header.step})`);
    // the health records of the epochs before the checkpoint, as the uninterrupted run has them
    const saved = resume.header.meta?.health;
    if (Array.isArray(saved)) health.records.push(...(saved as EpochHealth[]));
  }

  const fitPhase = async (t: Trainer, epochs: number, lr: number, first: boolean) => {
    const stepsPerEpoch = Math.ceil(train.n / plan.batchSize);
    const callbacks: Callback[] = [health];
    if (plan.earlyStopping !== false)
      callbacks.push(
        new EarlyStopping({ monitor: plan.monitor, patience: plan.earlyStopping, restoreBestWeights: true }),
      );
    if (plan.logDir && first) {
      callbacks.push(new TensorBoardLogger(plan.logDir, { batchEvery: 10 }));
      callbacks.push(new CsvLogger(path.join(plan.logDir, "history.csv"), { append: Boolean(resume) }));
    }
    if (plan.checkpoint || file)
      callbacks.push(
        new ModelCheckpoint({
          dir: plan.checkpoint ?? path.dirname(file!),
          monitor: plan.monitor,
          meta: () => ({ plan, health: health.records }),
        }),
      );
    callbacks.push(...(extras.callbacks ?? []));
    return fit(t, train, {
      epochs,
      batchSize: plan.batchSize,
      lr,
      schedule: parseSchedule(plan.schedule, lr, { epochs, stepsPerEpoch, higherIsBetter }),
      seed: plan.seed,
      validation: data.validation,
      callbacks,
      resume: first ? resume : undefined,
      augment,
      metrics: (output, d) => metricValues(plan.metrics, output, d, data.classes.length, data.targetScale),
    });
  };

  extras.log?.(`training ${data.describe}`);
  const history: EpochLogs[] = [];
  let frozen = built.frozen;
  let res: Awaited<ReturnType<typeof fitPhase>>;
  const m = plan.model;
  if (fineTune && m.type === "pretrained") {
    const rest = plan.epochs - m.headEpochs;
    notices.push(
      `fine-tuning: ${m.headEpochs} epoch(s) training the head alone, then ${rest} with ${built.unfrozenAfterHead!.length ? `all but ${built.unfrozenAfterHead!.length} layer(s)` : "every layer"} trainable at learning rate ${plan.optimizer.lr}/${m.fineTuneFactor}`,
    );
    res = { history: [], epochsRun: 0, steps: 0, trainSamplesPerSecond: 0 };
    if (m.headEpochs > 0) {
      res = await fitPhase(trainer, m.headEpochs, plan.optimizer.lr, true);
      history.push(...res.history);
    }
    if (rest > 0) {
      const next = await retrain(trainer, {
        frozen: built.unfrozenAfterHead,
        optimizer: plannedOptimizer(plan),
      });
      await trainer.release();
      trainer = next;
      frozen = built.unfrozenAfterHead!;
      const done = history.length;
      res = await fitPhase(trainer, rest, plan.optimizer.lr / m.fineTuneFactor, m.headEpochs === 0);
      for (const h of res.history) history.push({ ...h, epoch: h.epoch + done });
    }
  } else {
    res = await fitPhase(trainer, plan.epochs, plan.optimizer.lr, true);
    history.push(...res.history);
  }
  const val = await summarize(trainer, data, plan, data.validation);
  return {
    plan,
    history,
    health: health.records,
    epochsRun: history.length,
    stopReason: res.stopReason,
    trainSamplesPerSecond: res.trainSamplesPerSecond,
    val,
    trainer,
    frozen,
    transfer: built.transfer,
    notices,
  };
}
