import { UserError } from "../../errors.js";
import { intervalOption, nonNegativeNumber, positiveNumber, readState, wholeNumber } from "./arguments.js";
import type { IntervalOption, LrSchedule, ScheduleInterval, ScheduleState } from "./lr-schedule.js";

/** Options of {@link CosineAnnealingWarmRestarts}. */
export interface CosineAnnealingWarmRestartsOptions extends IntervalOption {
  /** Learning rate at the start of every cycle (> 0). */
  lr: number;
  /** Length of the first cycle in steps (whole number >= 1). */
  t0: number;
  /** Each cycle is `tMult` times longer than the one before (whole number >= 1). Default 1. */
  tMult?: number;
  /** Learning rate approached at the end of each cycle (>= 0, <= lr). Default 0. */
  etaMin?: number;
}

/**
 * Cosine annealing with warm restarts, SGDR (PyTorch `CosineAnnealingWarmRestarts`): within a cycle of
 * length T_i, lr = etaMin + (lr - etaMin) * (1 + cos(pi * T_cur / T_i)) / 2; when T_cur reaches T_i the
 * learning rate jumps back to `lr` and the next cycle is `tMult` times longer. Steps once per epoch
 * unless `interval` says otherwise (PyTorch also allows fractional epochs; here every step is whole).
 *
 * @example
 * // cycles of 10, 20, 40 epochs
 * const s = new CosineAnnealingWarmRestarts({ lr: 0.1, t0: 10, tMult: 2 });
 */
export class CosineAnnealingWarmRestarts implements LrSchedule {
  readonly needsMetric = false;
  readonly interval: ScheduleInterval;
  readonly baseLr: number;
  readonly t0: number;
  readonly tMult: number;
  readonly etaMin: number;
  private lastEpoch = 0;
  /** Steps since the last restart. */
  private tCur = 0;
  /** Length of the current cycle. */
  private tI: number;

  constructor(options: CosineAnnealingWarmRestartsOptions) {
    const where = "CosineAnnealingWarmRestarts";
    this.interval = intervalOption(where, options.interval, "epoch");
    this.baseLr = positiveNumber(where, "lr", options.lr);
    this.t0 = wholeNumber(where, "t0", options.t0, 1);
    this.tMult = wholeNumber(where, "tMult", options.tMult ?? 1, 1);
    this.etaMin = nonNegativeNumber(where, "etaMin", options.etaMin ?? 0);
    if (this.etaMin > this.baseLr) {
      throw new UserError(`${where}: etaMin must be <= lr (${this.baseLr}); received ${this.etaMin}`);
    }
    this.tI = this.t0;
  }

  current(): number {
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2;
  }

  step(): void {
    this.lastEpoch += 1;
    this.tCur += 1;
    if (this.tCur >= this.tI) {
      this.tCur -= this.tI;
      this.tI *= this.tMult;
    }
  }

  state(): ScheduleState {
    return { kind: "CosineAnnealingWarmRestarts", lastEpoch: this.lastEpoch, tCur: this.tCur, tI: this.tI };
  }

  restore(state: unknown): void {
    const s = readState("CosineAnnealingWarmRestarts", state, ["lastEpoch", "tCur", "tI"]);
    this.lastEpoch = s.lastEpoch as number;
    this.tCur = s.tCur as number;
    this.tI = s.tI as number;
  }
}
