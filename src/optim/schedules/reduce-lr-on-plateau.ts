import { UserError } from "../../errors.js";
import {
  intervalOption,
  nonNegativeNumber,
  numberInRange,
  oneOf,
  positiveNumber,
  readState,
  shown,
  wholeNumber,
} from "./arguments.js";
import type { IntervalOption, LrSchedule, ScheduleInterval, ScheduleState } from "./lr-schedule.js";

/** Options of {@link ReduceLROnPlateau}. */
export interface ReduceLROnPlateauOptions extends IntervalOption {
  /** Initial learning rate (> 0). */
  lr: number;
  /** "min": reduce when the metric stops falling (a loss); "max": when it stops rising (accuracy). Default "min". */
  mode?: "min" | "max";
  /** new lr = lr * factor, in (0, 1). Default 0.1. */
  factor?: number;
  /** Steps without improvement tolerated before reducing (whole number >= 0). Default 10. */
  patience?: number;
  /** How much better than the best a metric must be to count as an improvement (>= 0). Default 1e-4. */
  threshold?: number;
  /**
   * "rel": better means below best * (1 - threshold) in min mode, above best * (1 + threshold) in max mode;
   * "abs": below best - threshold, or above best + threshold. Default "rel".
   */
  thresholdMode?: "rel" | "abs";
  /** Steps after a reduction during which bad steps are not counted (whole number >= 0). Default 0. */
  cooldown?: number;
  /** The learning rate is never reduced below this (>= 0). Default 0. */
  minLr?: number;
  /** A reduction smaller than this is skipped (>= 0). Default 1e-8. */
  eps?: number;
}

/**
 * Reduces the learning rate by `factor` when the monitored metric has not improved for more than
 * `patience` steps (PyTorch `ReduceLROnPlateau`, same counters, same order of checks). Steps once per
 * epoch unless `interval` says otherwise, and `step(metric)` must be given the metric. A NaN metric never
 * improves, so it counts as a bad step (as in PyTorch).
 *
 * @example
 * const s = new ReduceLROnPlateau({ lr: 0.01, factor: 0.5, patience: 5 });
 * for (...) { train(s.current()); s.step(validationLoss); }
 */
export class ReduceLROnPlateau implements LrSchedule {
  readonly needsMetric = true;
  readonly interval: ScheduleInterval;
  readonly baseLr: number;
  readonly mode: "min" | "max";
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: "rel" | "abs";
  readonly cooldown: number;
  readonly minLr: number;
  readonly eps: number;
  private lr: number;
  private lastEpoch = 0;
  private best: number;
  private numBadEpochs = 0;
  private cooldownCounter = 0;

  constructor(options: ReduceLROnPlateauOptions) {
    const where = "ReduceLROnPlateau";
    this.interval = intervalOption(where, options.interval, "epoch");
    this.baseLr = positiveNumber(where, "lr", options.lr);
    this.mode = oneOf(where, "mode", options.mode ?? "min", ["min", "max"] as const);
    this.factor = numberInRange(where, "factor", options.factor ?? 0.1, 0, 1, { lo: true, hi: true });
    this.patience = wholeNumber(where, "patience", options.patience ?? 10, 0);
    this.threshold = nonNegativeNumber(where, "threshold", options.threshold ?? 1e-4);
    this.thresholdMode = oneOf(where, "thresholdMode", options.thresholdMode ?? "rel", [
      "rel",
      "abs",
    ] as const);
    this.cooldown = wholeNumber(where, "cooldown", options.cooldown ?? 0, 0);
    this.minLr = nonNegativeNumber(where, "minLr", options.minLr ?? 0);
    this.eps = nonNegativeNumber(where, "eps", options.eps ?? 1e-8);
    this.lr = this.baseLr;
    this.best = this.worst();
  }

  private worst(): number {
    return this.mode === "min" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  private isBetter(a: number, best: number): boolean {
    if (this.mode === "min" && this.thresholdMode === "rel") return a < best * (1 - this.threshold);
    if (this.mode === "min") return a < best - this.threshold;
    if (this.thresholdMode === "rel") return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  current(): number {
    return this.lr;
  }

  step(metric?: number): void {
    if (typeof metric !== "number") {
      throw new UserError(
        `ReduceLROnPlateau.step: metric must be the monitored value (a number); received ${shown(metric)}`,
        "pass the validation metric of the epoch that just ended: schedule.step(valLoss)",
      );
    }
    this.lastEpoch += 1;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs during cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      const newLr = Math.max(this.lr * this.factor, this.minLr);
      if (this.lr - newLr > this.eps) this.lr = newLr;
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
  }

  state(): ScheduleState {
    return {
      kind: "ReduceLROnPlateau",
      lastEpoch: this.lastEpoch,
      lr: this.lr,
      // JSON has no Infinity: null means "no metric seen yet"; an infinite metric is kept as a string.
      best: this.best === this.worst() ? null : Number.isFinite(this.best) ? this.best : String(this.best),
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
    };
  }

  restore(state: unknown): void {
    const s = readState("ReduceLROnPlateau", state, ["lastEpoch", "lr", "numBadEpochs", "cooldownCounter"]);
    const b = s.best;
    let best: number;
    if (b === null) best = this.worst();
    else if (typeof b === "number" && Number.isFinite(b)) best = b;
    else if (b === "Infinity" || b === "-Infinity") best = Number(b);
    else
      throw new UserError(
        `ReduceLROnPlateau.restore: state field best must be a number or null; received ${shown(b)}`,
      );
    this.lastEpoch = s.lastEpoch as number;
    this.lr = s.lr as number;
    this.best = best;
    this.numBadEpochs = s.numBadEpochs as number;
    this.cooldownCounter = s.cooldownCounter as number;
  }
}
