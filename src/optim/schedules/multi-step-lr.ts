import { UserError } from "../../errors.js";
import { intervalOption, positiveNumber, shown, wholeNumber } from "./arguments.js";
import type { IntervalOption } from "./lr-schedule.js";
import { RecursiveSchedule } from "./recursive-schedule.js";

/** Options of {@link MultiStepLR}. */
export interface MultiStepLROptions extends IntervalOption {
  /** Initial learning rate (> 0). */
  lr: number;
  /** Steps at which the learning rate is multiplied by `gamma`: strictly increasing whole numbers >= 1. */
  milestones: readonly number[];
  /** Decay factor (> 0). Default 0.1. */
  gamma?: number;
}

/**
 * Multiplies the learning rate by `gamma` when the step count reaches each milestone (PyTorch
 * `MultiStepLR`). Steps once per epoch unless `interval` says otherwise.
 *
 * @example
 * // lr 0.1 before epoch 30, 0.01 from 30, 0.001 from 80
 * const s = new MultiStepLR({ lr: 0.1, milestones: [30, 80] });
 */
export class MultiStepLR extends RecursiveSchedule {
  readonly milestones: readonly number[];
  readonly gamma: number;

  constructor(options: MultiStepLROptions) {
    super("MultiStepLR", options.lr, intervalOption("MultiStepLR", options.interval, "epoch"));
    const ms = options.milestones;
    if (!Array.isArray(ms)) {
      throw new UserError(`MultiStepLR: milestones must be an array of step numbers; received ${shown(ms)}`);
    }
    ms.forEach((m, i) => {
      wholeNumber("MultiStepLR", `milestones[${i}]`, m, 1);
      if (i > 0 && m <= ms[i - 1]!) {
        throw new UserError(`MultiStepLR: milestones must be strictly increasing; received ${shown(ms)}`);
      }
    });
    this.milestones = [...ms];
    this.gamma = positiveNumber("MultiStepLR", "gamma", options.gamma ?? 0.1);
    this.begin();
  }

  protected next(epoch: number, lr: number): number {
    return this.milestones.includes(epoch) ? lr * this.gamma : lr;
  }
}
