import { intervalOption, numberInRange, wholeNumber } from "./arguments.js";
import type { IntervalOption } from "./lr-schedule.js";
import { RecursiveSchedule } from "./recursive-schedule.js";

/** Options of {@link LinearLR}. */
export interface LinearLROptions extends IntervalOption {
  /** The learning rate the factors multiply (> 0). */
  lr: number;
  /** Factor at step 0, in (0, 1]. Default 1/3. */
  startFactor?: number;
  /** Factor from step `totalIters` on, in [0, 1]. Default 1. */
  endFactor?: number;
  /** Steps over which the factor moves linearly from start to end (whole number >= 1). Default 5. */
  totalIters?: number;
}

/**
 * Multiplies `lr` by a factor that moves linearly from `startFactor` to `endFactor` over `totalIters`
 * steps, then stays (PyTorch `LinearLR`, recursive form). The usual linear warm-up; see `withWarmup`.
 * Steps once per epoch unless `interval` says otherwise.
 *
 * @example
 * // 0.025, 0.03125, 0.0375, 0.04375, then 0.05
 * const s = new LinearLR({ lr: 0.05, startFactor: 0.5, totalIters: 4 });
 */
export class LinearLR extends RecursiveSchedule {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;

  constructor(options: LinearLROptions) {
    super("LinearLR", options.lr, intervalOption("LinearLR", options.interval, "epoch"));
    this.startFactor = numberInRange("LinearLR", "startFactor", options.startFactor ?? 1 / 3, 0, 1, {
      lo: true,
    });
    this.endFactor = numberInRange("LinearLR", "endFactor", options.endFactor ?? 1, 0, 1);
    this.totalIters = wholeNumber("LinearLR", "totalIters", options.totalIters ?? 5, 1);
    this.begin();
  }

  protected next(epoch: number, lr: number): number {
    const { startFactor: s, endFactor: e, totalIters: n } = this;
    if (epoch === 0) return lr * s;
    if (epoch > n) return lr;
    return lr * (1 + (e - s) / (n * s + (epoch - 1) * (e - s)));
  }
}
