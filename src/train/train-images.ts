/**
 * `trainImages(config)`: `nncoach train <image folder>` as a library call, in the result shape earlier
 * versions returned. It runs the one path of every data kind (src/recipe/train-run.ts), so every option
 * of `nncoach train` is honoured or refused exactly as for tables, and writes the model folder when
 * `config.save` is set.
 *
 * @example
 * const r = await trainImages({ data: "digits_png", epochs: 15, widths: [16, 32] });
 */
import type { ImageStandardizer } from "../data/image/image-standardizer.js";
import type { TransferPlan } from "../nn/transfer.js";
import type { Decision } from "../recipe/decision.js";
import { saveRun } from "../recipe/save-run.js";
import type { EvalSummary } from "../recipe/train-plan.js";
import { type TrainRunConfig, type TrainRunExtras, trainRun } from "../recipe/train-run.js";
import type { EpochLogs } from "./callback.js";
import type { TrainConfig } from "./config.js";
import type { Trainer } from "./trainer.js";

export type ImageTrainConfig = Partial<TrainConfig> & { data: string };

export interface ImageTrainResult {
  classes: string[];
  /** [channels, height, width] the model takes. */
  imageShape: [number, number, number];
  epochsRun: number;
  trainSamplesPerSecond: number;
  history: EpochLogs[];
  stopReason?: string;
  val: EvalSummary;
  test?: EvalSummary;
  notices: string[];
  savedTo?: string;
  config: TrainConfig;
  trainer: Trainer;
  standardizer: ImageStandardizer;
  frozen: string[];
  transfer?: TransferPlan;
  decisions: Decision[];
}

export async function trainImages(
  config: TrainRunConfig,
  extra: TrainRunExtras = {},
): Promise<ImageTrainResult> {
  const r = await trainRun(config, extra);
  const savedTo = r.config.save ? await saveRun(r.config.save, r) : undefined;
  return {
    classes: r.data.classes,
    imageShape: r.data.inputShape as [number, number, number],
    epochsRun: r.epochsRun,
    trainSamplesPerSecond: r.trainSamplesPerSecond,
    history: r.history,
    stopReason: r.stopReason,
    val: r.val,
    test: r.test,
    notices: r.notices,
    savedTo,
    config: r.config,
    trainer: r.trainer,
    standardizer: r.data.standardizer!,
    frozen: r.frozen,
    transfer: r.transfer,
    decisions: r.decisions,
  };
}
