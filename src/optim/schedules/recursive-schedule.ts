import { positiveNumber, readState } from "./arguments.js";
import type { LrSchedule, ScheduleInterval, ScheduleState } from "./lr-schedule.js";

/**
 * The common shape of PyTorch's chainable schedulers: each step computes the next learning rate from
 * the step count and the previous learning rate (`next`), exactly as `get_lr()` does in PyTorch, so
 * rounding matches step for step. Subclasses set their fields, then call `begin()` to compute step 0.
 */
export abstract class RecursiveSchedule implements LrSchedule {
  readonly needsMetric = false;
  readonly baseLr: number;
  /** Scheduler steps taken so far (PyTorch's `last_epoch`). */
  protected lastEpoch = 0;
  protected lr: number;

  constructor(
    private readonly kind: string,
    lr: unknown,
    readonly interval: ScheduleInterval,
  ) {
    this.baseLr = positiveNumber(kind, "lr", lr);
    this.lr = this.baseLr;
  }

  /** The learning rate after step `epoch` (>= 0), given the learning rate `lr` before it. */
  protected abstract next(epoch: number, lr: number): number;

  /** Computes the learning rate of step 0 (PyTorch's initial `step()` in the constructor). */
  protected begin(): void {
    this.lastEpoch = 0;
    this.lr = this.next(0, this.baseLr);
  }

  current(): number {
    return this.lr;
  }

  step(): void {
    this.lastEpoch += 1;
    this.lr = this.next(this.lastEpoch, this.lr);
  }

  state(): ScheduleState {
    return { kind: this.kind, lastEpoch: this.lastEpoch, lr: this.lr };
  }

  restore(state: unknown): void {
    const s = readState(this.kind, state, ["lastEpoch", "lr"]);
    this.lastEpoch = s.lastEpoch as number;
    this.lr = s.lr as number;
  }
}
