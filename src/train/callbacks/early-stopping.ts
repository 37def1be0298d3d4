import { UserError } from "../../errors.js";
import { nonNegativeNumber, wholeNumber } from "../../optim/schedules/arguments.js";
import type { Callback, EpochLogs, FitState } from "../callback.js";
import type { Trainer } from "../trainer.js";
import { improves, type MonitorMode, monitoredValue, monitorName, resolveMode } from "./monitor.js";

/** Options of {@link EarlyStopping}. */
export interface EarlyStoppingOptions {
  /** Epoch log entry to watch, e.g. "val_loss", "val_accuracy", "train_loss". Default "val_loss". */
  monitor?: string;
  /**
   * "min": stop when the value stops falling; "max": when it stops rising; "auto" (default): from the
   * name (losses and errors "min", scores "max", the metric registry's `higherIsBetter` when it knows it).
   */
  mode?: "auto" | "min" | "max";
  /** Epochs without improvement after which training stops (whole number >= 0). Default 0. */
  patience?: number;
  /** A change smaller than this (absolute, >= 0) does not count as an improvement. Default 0. */
  minDelta?: number;
  /**
   * At the end of training, put back the model values (parameters and running statistics) of the epoch
   * with the best monitored value; the optimizer state and step counter stay as they are. Default false.
   */
  restoreBestWeights?: boolean;
  /**
   * Training stops unless the monitored value beats this within `patience` epochs (an improvement on the
   * best so far that does not beat the baseline does not reset the count). Default: none.
   */
  baseline?: number;
  /** Epochs to wait before watching at all (a warm-up; whole number >= 0). Default 0. */
  startFromEpoch?: number;
}

/**
 * The state of an {@link EarlyStopping}, for checkpoints: the counters and, with `restoreBestWeights`, the
 * best epoch's model values (typed arrays, which checkpoints store as tensors), so that a resumed run stops
 * at the same epoch and restores the same weights as an uninterrupted one.
 */
export interface EarlyStoppingState {
  wait: number;
  best: number | null;
  bestEpoch: number;
  stoppedEpoch: number;
  /** Why training stopped, when it did (a run killed after stopping resumes to the same end). */
  stopReason?: string;
  /** The model values of the best epoch, by name (with restoreBestWeights, once an epoch was watched). */
  bestValues?: Record<string, Float32Array | Float64Array>;
}

/**
 * Stops training when a monitored metric has stopped improving (Keras `EarlyStopping` semantics).
 *
 * After each epoch the monitored value is compared with the best so far: beating it by more than
 * `minDelta` resets the wait counter (and, with a `baseline`, only when the baseline is beaten too);
 * otherwise the counter grows, and when it reaches `patience` training stops and `state.stopReason` says
 * why. With `restoreBestWeights`, the model values of the best epoch are put back when training ends,
 * whether it stopped early or not. A monitored metric missing from the epoch logs is a UserError that
 * lists the metrics the logs hold.
 *
 * @param options `monitor` ("val_loss"), `mode` ("auto" | "min" | "max"), `patience` (0), `minDelta` (0),
 *   `restoreBestWeights` (false), `baseline` (none), `startFromEpoch` (0): see {@link EarlyStoppingOptions}.
 *
 * @example
 * const stopper = new EarlyStopping({ monitor: "val_loss", patience: 5, restoreBestWeights: true });
 * const result = await fit(trainer, train, { epochs: 100, batchSize: 32, lr: 1e-3, validation, callbacks: [stopper] });
 * result.stopReason; // "early stopping: val_loss has not improved on 0.3912 (epoch 12) for 5 epochs; ..."
 * stopper.bestEpoch;  // 12 (1-based, as in the logs)
 */
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly mode: MonitorMode;
  readonly patience: number;
  readonly minDelta: number;
  readonly restoreBestWeights: boolean;
  readonly baseline?: number;
  readonly startFromEpoch: number;
  /** Best monitored value so far (Infinity, or -Infinity in "max" mode, before the first watched epoch). */
  best: number;
  /** Epoch (1-based, as in the logs) of the best value; 0 before the first watched epoch. */
  bestEpoch = 0;
  /** Epoch (1-based) at which training was stopped; 0 when it was not. */
  stoppedEpoch = 0;
  /** Epoch (1-based) whose weights were restored at the end; 0 when none were. */
  restoredEpoch = 0;
  private wait = 0;
  private bestValues?: Map<string, Float32Array | Float64Array>;
  /** Set by restore(): the next onTrainBegin keeps the counters. */
  private restored = false;
  private stopReason?: string;

  constructor(options: EarlyStoppingOptions = {}) {
    const where = "EarlyStopping";
    if (typeof options !== "object" || options === null)
      throw new UserError(`${where}: options must be an object; received ${String(options)}`);
    this.monitor = monitorName(where, options.monitor ?? "val_loss");
    this.mode = resolveMode(where, this.monitor, options.mode ?? "auto");
    this.patience = wholeNumber(where, "patience", options.patience ?? 0, 0);
    this.minDelta = nonNegativeNumber(where, "minDelta", options.minDelta ?? 0);
    const restore = options.restoreBestWeights ?? false;
    if (typeof restore !== "boolean")
      throw new UserError(`${where}: restoreBestWeights must be true or false; received ${String(restore)}`);
    this.restoreBestWeights = restore;
    if (options.baseline !== undefined) {
      if (typeof options.baseline !== "number" || !Number.isFinite(options.baseline))
        throw new UserError(
          `${where}: baseline must be a finite number; received ${String(options.baseline)}`,
        );
      this.baseline = options.baseline;
    }
    this.startFromEpoch = wholeNumber(where, "startFromEpoch", options.startFromEpoch ?? 0, 0);
    this.best = this.worst();
  }

  private worst(): number {
    return this.mode === "min" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  onTrainBegin(s?: FitState): void {
    // a resumed run keeps the counters restore() put back, and stays stopped if it had stopped
    if (this.restored) {
      this.restored = false;
      if (this.stoppedEpoch > 0 && s) {
        s.stop = true;
        s.stopReason = this.stopReason;
      }
      return;
    }
    this.stopReason = undefined;
    this.wait = 0;
    this.best = this.worst();
    this.bestEpoch = 0;
    this.stoppedEpoch = 0;
    this.restoredEpoch = 0;
    this.bestValues = undefined;
  }

  onEpochEnd(epoch: number, logs: EpochLogs, s: FitState): void {
    const current = monitoredValue("EarlyStopping", this.monitor, logs);
    if (epoch < this.startFromEpoch) return;
    const epochNo = logs.epoch ?? epoch + 1;
    if (this.restoreBestWeights && !this.bestValues && this.bestEpoch === 0) {
      // nothing better seen yet: the current weights are the best
      this.bestValues = modelValues(s.trainer);
      this.bestEpoch = epochNo;
    }
    this.wait += 1;
    if (improves(current, this.best, this.mode, this.minDelta)) {
      this.best = current;
      this.bestEpoch = epochNo;
      if (this.restoreBestWeights) this.bestValues = modelValues(s.trainer);
      if (this.baseline === undefined || improves(current, this.baseline, this.mode, this.minDelta))
        this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epochNo;
      s.stop = true;
      const what =
        this.baseline !== undefined && !improves(this.best, this.baseline, this.mode, this.minDelta)
          ? `has not beaten the baseline ${this.baseline}`
          : `has not improved on ${fmt(this.best)} (epoch ${this.bestEpoch})`;
      s.stopReason = `early stopping: ${this.monitor} ${what} for ${this.wait} epoch${this.wait === 1 ? "" : "s"} (patience ${this.patience})`;
      this.stopReason = s.stopReason;
    }
  }

  onTrainEnd(s: FitState): void {
    if (!this.restoreBestWeights || !this.bestValues) return;
    const lastEpoch = s.history.at(-1)?.epoch;
    if (lastEpoch !== this.bestEpoch) {
      s.trainer.restore({ step: s.trainer.step, values: this.bestValues });
      this.restoredEpoch = this.bestEpoch;
      if (s.stopReason?.startsWith("early stopping"))
        s.stopReason += `; restored the weights of epoch ${this.bestEpoch}`;
    }
  }

  /** The counters and the best epoch's model values, for a checkpoint (see {@link EarlyStoppingState}). */
  state(): EarlyStoppingState {
    return {
      wait: this.wait,
      best: Number.isFinite(this.best) ? this.best : null,
      bestEpoch: this.bestEpoch,
      stoppedEpoch: this.stoppedEpoch,
      ...(this.stopReason !== undefined ? { stopReason: this.stopReason } : {}),
      ...(this.bestValues ? { bestValues: Object.fromEntries(this.bestValues) } : {}),
    };
  }

  /**
   * Continues from {@link state}: the next `fit` keeps these counters (and the best weights) instead of
   * starting afresh; a state saved after training had stopped ends that `fit` before its first epoch.
   */
  restore(state: EarlyStoppingState): void {
    if (typeof state !== "object" || state === null || !Number.isInteger(state.wait) || state.wait < 0)
      throw new UserError(
        `EarlyStopping.restore: expected the object state() returned; received ${JSON.stringify(state)}`,
      );
    this.wait = state.wait;
    this.best = state.best ?? this.worst();
    this.bestEpoch = state.bestEpoch;
    this.stoppedEpoch = state.stoppedEpoch;
    this.stopReason = state.stopReason;
    this.bestValues = state.bestValues ? new Map(Object.entries(state.bestValues)) : undefined;
    this.restored = true;
  }
}

/** Copies of the model's values: parameters and running statistics, without optimizer slots (`name#slot`). */
function modelValues(trainer: Trainer): Map<string, Float32Array | Float64Array> {
  const out = new Map<string, Float32Array | Float64Array>();
  for (const [k, v] of trainer.values) if (!k.includes("#")) out.set(k, v.slice());
  return out;
}

function fmt(v: number): string {
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? v.toFixed(4) : v.toExponential(3);
}
