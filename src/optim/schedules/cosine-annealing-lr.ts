import { UserError } from "../../errors.js";
import { intervalOption, nonNegativeNumber, wholeNumber } from "./arguments.js";
import type { IntervalOption } from "./lr-schedule.js";
import { RecursiveSchedule } from "./recursive-schedule.js";

/** Options of {@link CosineAnnealingLR}. */
export interface CosineAnnealingLROptions extends IntervalOption {
  /** Initial (largest) learning rate (> 0). */
  lr: number;
  /** Steps from `lr` down to `etaMin` (whole number >= 1). */
  tMax: number;
  /** Smallest learning rate (>= 0, <= lr). Default 0. */
  etaMin?: number;
}

/**
 * Cosine annealing from `lr` to `etaMin` over `tMax` steps (PyTorch `CosineAnnealingLR`):
 * lr_t = etaMin + (lr - etaMin) * (1 + cos(pi * t / tMax)) / 2.
 *
 * Computed with PyTorch's recursive form, so values match it to the last bits; like PyTorch, stepping
 * past `tMax` climbs back up along the same cosine (period 2 * tMax) rather than staying at `etaMin`.
 * Steps once per epoch unless `interval` says otherwise.
 *
 * @example
 * const s = new CosineAnnealingLR({ lr: 0.1, tMax: 50, etaMin: 1e-4 });
 */
export class CosineAnnealingLR extends RecursiveSchedule {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(options: CosineAnnealingLROptions) {
    super("CosineAnnealingLR", options.lr, intervalOption("CosineAnnealingLR", options.interval, "epoch"));
    this.tMax = wholeNumber("CosineAnnealingLR", "tMax", options.tMax, 1);
    this.etaMin = nonNegativeNumber("CosineAnnealingLR", "etaMin", options.etaMin ?? 0);
    if (this.etaMin > this.baseLr) {
      throw new UserError(
        `CosineAnnealingLR: etaMin must be <= lr (${this.baseLr}); received ${this.etaMin}`,
        "etaMin is the learning rate the cosine ends at",
      );
    }
    this.begin();
  }

  protected next(epoch: number, lr: number): number {
    const { tMax, etaMin, baseLr } = this;
    if (epoch === 0) return lr;
    if ((epoch - 1 - tMax) % (2 * tMax) === 0) {
      return lr + ((baseLr - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2;
    }
    return (
      ((1 + Math.cos((Math.PI * epoch) / tMax)) / (1 + Math.cos((Math.PI * (epoch - 1)) / tMax))) *
        (lr - etaMin) +
      etaMin
    );
  }
}
