import { intervalOption, positiveNumber, wholeNumber } from "./arguments.js";
import type { IntervalOption } from "./lr-schedule.js";
import { RecursiveSchedule } from "./recursive-schedule.js";

/** Options of {@link StepLR}. */
export interface StepLROptions extends IntervalOption {
  /** Initial learning rate (> 0). */
  lr: number;
  /** Multiply by `gamma` every `stepSize` steps (whole number >= 1). */
  stepSize: number;
  /** Decay factor (> 0). Default 0.1. */
  gamma?: number;
}

/**
 * Multiplies the learning rate by `gamma` every `stepSize` steps (PyTorch `StepLR`). Steps once per
 * epoch unless `interval` says otherwise.
 *
 * @example
 * // lr 0.1 for epochs 0-9, 0.01 for 10-19, 0.001 for 20-29, ...
 * const s = new StepLR({ lr: 0.1, stepSize: 10, gamma: 0.1 });
 */
export class StepLR extends RecursiveSchedule {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(options: StepLROptions) {
    super("StepLR", options.lr, intervalOption("StepLR", options.interval, "epoch"));
    this.stepSize = wholeNumber("StepLR", "stepSize", options.stepSize, 1);
    this.gamma = positiveNumber("StepLR", "gamma", options.gamma ?? 0.1);
    this.begin();
  }

  protected next(epoch: number, lr: number): number {
    if (epoch === 0 || epoch % this.stepSize !== 0) return lr;
    return lr * this.gamma;
  }
}
