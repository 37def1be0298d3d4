import { intervalOption, numberInRange, wholeNumber } from "./arguments.js";
import type { IntervalOption } from "./lr-schedule.js";
import { RecursiveSchedule } from "./recursive-schedule.js";

/** Options of {@link ConstantLR}. */
export interface ConstantLROptions extends IntervalOption {
  /** The learning rate (> 0). */
  lr: number;
  /** Factor applied for the first `totalIters` steps, in (0, 1]. Default 1/3. */
  factor?: number;
  /** Steps that use `lr * factor` before `lr` itself (whole number >= 0). Default 5. */
  totalIters?: number;
}

/**
 * `lr * factor` for the first `totalIters` steps, then `lr` (PyTorch `ConstantLR`). With `factor: 1`
 * it is a constant learning rate. Steps once per epoch unless `interval` says otherwise.
 *
 * @example
 * const constant = new ConstantLR({ lr: 0.01, factor: 1, totalIters: 0 });
 * const lowStart = new ConstantLR({ lr: 0.05, factor: 0.5, totalIters: 4 }); // 0.025 x4, then 0.05
 */
export class ConstantLR extends RecursiveSchedule {
  readonly factor: number;
  readonly totalIters: number;

  constructor(options: ConstantLROptions) {
    super("ConstantLR", options.lr, intervalOption("ConstantLR", options.interval, "epoch"));
    this.factor = numberInRange("ConstantLR", "factor", options.factor ?? 1 / 3, 0, 1, { lo: true });
    this.totalIters = wholeNumber("ConstantLR", "totalIters", options.totalIters ?? 5, 0);
    this.begin();
  }

  protected next(epoch: number, lr: number): number {
    if (epoch === 0) return lr * this.factor;
    if (epoch !== this.totalIters) return lr;
    return lr * (1 / this.factor);
  }
}
