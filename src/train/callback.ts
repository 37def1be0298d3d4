/**
 * The one hook interface of the training loop. Every built-in (early stopping, checkpoints, LR on plateau,
 * loggers, progress) and every user callback implements some of these methods; all are optional and may
 * be async. `FitState` is shared: a callback stops training by setting `stop`, and may read the trainer,
 * the history and the current learning rate.
 */
import type { LrSchedule } from "../optim/schedules/lr-schedule.js";
import type { Random } from "../util/random.js";
import type { Trainer } from "./trainer.js";

export interface BatchLogs {
  loss: number;
  gradNorm: number;
  /** Pre-clip gradient norm per layer, in `trainer.layerNames` order. */
  layerGradNorms: ArrayLike<number>;
  lr: number;
  /** Samples in the batch. */
  size: number;
}

export interface EpochLogs {
  epoch: number;
  train_loss: number;
  val_loss?: number;
  /** Validation metrics by name, e.g. val_accuracy, val_mae. */
  [metric: string]: number | undefined;
}

export interface FitState {
  trainer: Trainer;
  epochs: number;
  stepsPerEpoch: number;
  epoch: number;
  history: EpochLogs[];
  /**
   * Multiplier on the scheduled learning rate (1 unless a callback such as ReduceLROnPlateau lowers it).
   * The learning rate of the next step is `schedule.current() * lrScale` (or `lr * lrScale`).
   */
  lrScale: number;
  /** The learning rate used by the last step. */
  lr: number;
  /** The loop's generators (batch order, augmentation); checkpoints save their state. */
  shuffleRng: Random;
  augmentRng: Random;
  schedule?: LrSchedule;
  /** The callbacks of this run (checkpoints save the state of those that have `state()`/`restore()`). */
  callbacks: readonly Callback[];
  /** Set by a callback to end training after the current batch/epoch. */
  stop: boolean;
  /** Why training stopped early, for the report. */
  stopReason?: string;
  /**
   * What a non-finite loss or gradient norm does when `FitOptions.onNonFinite` is not given: "throw" (the
   * default) or "stop" (end training, keep the partial history). A callback that diagnoses such runs (the
   * coach's EarlyDiagnosis) sets "stop" in onTrainBegin.
   */
  onNonFinite?: "throw" | "stop";
}

export interface Callback {
  /** JSON-able counters to save in checkpoints, so a resumed run continues them (optional). */
  state?(): unknown;
  restore?(state: never): void;
  onTrainBegin?(s: FitState): void | Promise<void>;
  onEpochBegin?(epoch: number, s: FitState): void | Promise<void>;
  onBatchBegin?(batch: number, s: FitState): void | Promise<void>;
  onBatchEnd?(batch: number, logs: BatchLogs, s: FitState): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: EpochLogs, s: FitState): void | Promise<void>;
  onTrainEnd?(s: FitState): void | Promise<void>;
}
