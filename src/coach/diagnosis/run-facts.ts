/**
 * Quantities many rules read, derived once from a run record: the loss curves, the untrained and chance
 * levels, the best epoch, the per-batch losses, the validation size, how the run ended.
 */
import type { EpochHealth } from "../../train/health-monitor.js";
import type { RunRecord } from "./run-record.js";
import { chanceCrossEntropy, priors } from "./statistics.js";

export interface RunFacts {
  record: RunRecord;
  /** Epochs completed (history entries). */
  epochs: number;
  /** Training loss per epoch (mean over the epoch's batches, in training mode). */
  train: number[];
  /** Validation loss per epoch (NaN where absent). */
  val: number[];
  hasVal: boolean;
  nTrain: number;
  nVal: number;
  /**
   * Classification with cross-entropy (label smoothing included, focal loss not): the loss of the best
   * constant prediction (the class priors, smoothed as the targets are), and the standard deviation of its
   * per-row losses, and the loss of a perfect model (see chanceCrossEntropy). Undefined otherwise.
   */
  chance?: { loss: number; sd: number; floor: number };
  /** Classification: the share of the largest class in training (the accuracy of always guessing it). */
  majority?: number;
  /** The loss at the start of training: the first recorded batch-loss point, else the first epoch's loss. */
  initialLoss: number;
  /** The level of a model that learned nothing: the chance loss when known, else the initial loss. */
  untrainedLoss: number;
  /**
   * How much loss there is to learn: the untrained loss minus a perfect model's (0, or with label smoothing
   * the smoothed targets' entropy). Rules size "a meaningful change" against this.
   */
  learnable: number;
  /** Set when training ended on a NaN/Inf loss or gradient norm. */
  nonFinite?: { step: number; epoch: number; batch: number; text: string };
  /** Epoch (1-based) of the lowest validation loss and that loss; undefined without validation. */
  best?: { epoch: number; val: number; train: number };
  /** Learning rate per epoch, from the logs. */
  lr: number[];
  /** Epoch whose weights early stopping restored, when it did. */
  restoredEpoch?: number;
  /** Whether early stopping ended the run. */
  earlyStopped: boolean;
  /** Per-batch losses of the whole run (decimated as recorded; see EpochHealth.batchLoss). */
  batchLosses: number[];
  /** Health records of completed epochs (partial ones left out). */
  health: EpochHealth[];
  /** Trainable layers in order, input side first. */
  layers: string[];
  /**
   * The layers whose RMS gradient per weight can be compared across depth: `layers` without a text
   * model's n-gram embedding table (its first layer). A batch touches only the rows of the n-grams it
   * holds, so the table's gradient is sparse and its RMS per weight is diluted by the share of rows
   * touched (in a healthy first-names run it sat 10-100x below the next layer's), which says nothing
   * about gradients vanishing on the way back.
   */
  gradientLayers: string[];
}

/** Losses whose untrained level is the cross-entropy of the class priors. */
const CROSS_ENTROPY = new Set(["bce", "ce", "sparse_ce", "auto"]);

/** Builds the facts of a record. */
export function runFacts(record: RunRecord): RunFacts {
  const h = record.history;
  // saved runs hold null where the loss was NaN or infinite (JSON has neither)
  const train = h.map((e) => (typeof e.train_loss === "number" ? e.train_loss : Number.NaN));
  const val = h.map((e) => (typeof e.val_loss === "number" ? e.val_loss : Number.NaN));
  const hasVal = val.some((v) => !Number.isNaN(v));
  const cls = record.task === "classification" && record.classCounts.length > 1;
  const lossName = record.loss?.name ?? "auto";
  // a focal gamma means something only for the focal loss (saved runs record the option's value whatever
  // the loss); focal is not among CROSS_ENTROPY, so the name alone decides
  const plainCe = cls && CROSS_ENTROPY.has(lossName);
  const chance = plainCe
    ? chanceCrossEntropy(record.classCounts, record.loss?.labelSmoothing ?? 0)
    : undefined;
  const majority = cls ? Math.max(...priors(record.classCounts)) : undefined;
  const batchLosses = record.health.flatMap((e) => (e.batchLoss?.values ?? []).map((v) => v ?? Number.NaN));
  const firstBatch = batchLosses.find((v) => Number.isFinite(v));
  const initialLoss = firstBatch ?? train.find((v) => Number.isFinite(v)) ?? Number.NaN;
  const untrainedLoss = chance?.loss ?? initialLoss;

  let nonFinite: RunFacts["nonFinite"];
  const m = /^non-finite [a-z ]+ at step (\d+) \(epoch (\d+), batch (\d+)\)/.exec(record.stopReason ?? "");
  if (m)
    nonFinite = { step: Number(m[1]), epoch: Number(m[2]), batch: Number(m[3]), text: record.stopReason! };
  else {
    const bad = train.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0)
      nonFinite = {
        step: 0,
        epoch: bad + 1,
        batch: 0,
        text: `training loss ${train[bad]} in epoch ${bad + 1}`,
      };
  }

  let best: RunFacts["best"];
  for (let i = 0; i < h.length; i++) {
    const v = val[i]!;
    if (Number.isFinite(v) && (best === undefined || v < best.val))
      best = { epoch: i + 1, val: v, train: train[i]! };
  }
  const restored = /restored the weights of epoch (\d+)/.exec(record.stopReason ?? "");
  const health = record.health.filter((e) => !e.partial);
  const layers = Object.keys(record.health[0]?.layerGradRms ?? record.health[0]?.layerGradNorm ?? {});
  return {
    record,
    epochs: h.length,
    train,
    val,
    hasVal,
    nTrain: record.data.rows.train,
    nVal: record.data.rows.validation,
    chance,
    majority,
    initialLoss,
    untrainedLoss,
    learnable: untrainedLoss - (chance?.floor ?? 0),
    nonFinite,
    best,
    lr: h.map((e) => (typeof e.lr === "number" ? e.lr : Number.NaN)),
    restoredEpoch: restored ? Number(restored[1]) : undefined,
    earlyStopped: /early stopping/.test(record.stopReason ?? ""),
    batchLosses,
    health,
    layers,
    gradientLayers: record.data.kind === "text" ? layers.slice(1) : layers,
  };
}

/** A validation metric per epoch ("val_accuracy", "val_roc_auc"...), NaN where absent; [] when never logged. */
export function metricSeries(f: RunFacts, name: string): number[] {
  const s = f.record.history.map((e) => (typeof e[name] === "number" ? (e[name] as number) : Number.NaN));
  return s.some((v) => !Number.isNaN(v)) ? s : [];
}

/** The values of the last half of the epochs (at least the last one): where a run has settled. */
export function lastHalf(xs: readonly number[]): number[] {
  return xs.slice(Math.floor(xs.length / 2)).filter((v) => Number.isFinite(v));
}

/**
 * The run's base learning rate: the highest one the epoch logs recorded (the rate `--lr` set, which warm-up
 * ramps up to and schedules decay from), else the one named in a non-finite stop reason, else the plan's.
 * Actions scale this rate, so that a proposed `--lr` means what the user's did; evidence quotes it too.
 */
export function baseLr(f: RunFacts): number | undefined {
  const logged = f.lr.filter((v) => Number.isFinite(v) && v > 0);
  if (logged.length > 0) return Math.max(...logged);
  const m = /learning rate ([0-9.eE+-]+)/.exec(f.record.stopReason ?? "");
  if (m) return Number(m[1]);
  const p = f.record.plan?.options.lr;
  return typeof p === "number" ? p : undefined;
}
