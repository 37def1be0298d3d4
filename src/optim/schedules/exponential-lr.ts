import { intervalOption, positiveNumber } from "./arguments.js";
import type { IntervalOption } from "./lr-schedule.js";
import { RecursiveSchedule } from "./recursive-schedule.js";

/** Options of {@link ExponentialLR}. */
export interface ExponentialLROptions extends IntervalOption {
  /** Initial learning rate (> 0). */
  lr: number;
  /** Factor applied at every step (> 0). */
  gamma: number;
}

/**
 * Multiplies the learning rate by `gamma` at every step (PyTorch `ExponentialLR`): lr_t = lr * gamma^t.
 * Steps once per epoch unless `interval` says otherwise.
 *
 * @example
 * const s = new ExponentialLR({ lr: 0.1, gamma: 0.95 });
 */
export class ExponentialLR extends RecursiveSchedule {
  readonly gamma: number;

  constructor(options: ExponentialLROptions) {
    super("ExponentialLR", options.lr, intervalOption("ExponentialLR", options.interval, "epoch"));
    this.gamma = positiveNumber("ExponentialLR", "gamma", options.gamma);
    this.begin();
  }

  protected next(epoch: number, lr: number): number {
    return epoch === 0 ? lr : lr * this.gamma;
  }
}
