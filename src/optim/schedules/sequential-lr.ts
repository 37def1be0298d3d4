import { UserError } from "../../errors.js";
import { readState, shown, wholeNumber } from "./arguments.js";
import type { LrSchedule, ScheduleInterval, ScheduleState } from "./lr-schedule.js";

/**
 * Runs schedules one after another (PyTorch `SequentialLR`): `schedules[0]` until step `milestones[0]`,
 * then `schedules[1]` from its own step 0, and so on. Pass freshly built schedules; the sequence owns
 * them. All must step at the same interval. Unlike PyTorch, a ReduceLROnPlateau may be part of the
 * sequence: the active schedule gets the metric.
 *
 * @example
 * // 5 epochs of linear warm-up, then cosine annealing over the remaining 95
 * const s = new SequentialLR(
 *   [new LinearLR({ lr: 0.1, startFactor: 0.01, totalIters: 5 }), new CosineAnnealingLR({ lr: 0.1, tMax: 95 })],
 *   [5],
 * );
 */
export class SequentialLR implements LrSchedule {
  readonly interval: ScheduleInterval;
  readonly needsMetric: boolean;
  readonly baseLr: number;
  private readonly schedules: readonly LrSchedule[];
  private readonly milestones: readonly number[];
  private lastEpoch = 0;

  constructor(schedules: readonly LrSchedule[], milestones: readonly number[]) {
    if (!Array.isArray(schedules) || schedules.length === 0) {
      throw new UserError(`SequentialLR: schedules must be a non-empty array; received ${shown(schedules)}`);
    }
    if (!Array.isArray(milestones) || milestones.length !== schedules.length - 1) {
      throw new UserError(
        `SequentialLR: milestones must hold one step number per schedule after the first ` +
          `(${schedules.length - 1}); received ${shown(milestones)}`,
      );
    }
    milestones.forEach((m, i) => {
      wholeNumber("SequentialLR", `milestones[${i}]`, m, 1);
      if (i > 0 && m <= milestones[i - 1]!) {
        throw new UserError(
          `SequentialLR: milestones must be strictly increasing; received ${shown(milestones)}`,
        );
      }
    });
    const interval = schedules[0]!.interval;
    schedules.forEach((s, i) => {
      if (s.interval !== interval) {
        throw new UserError(
          `SequentialLR: schedules[${i}] steps per ${s.interval} but schedules[0] steps per ${interval}`,
          "build every schedule of a sequence with the same interval",
        );
      }
    });
    this.schedules = [...schedules];
    this.milestones = [...milestones];
    this.interval = interval;
    this.needsMetric = schedules.some((s) => s.needsMetric);
    this.baseLr = schedules[0]!.baseLr;
  }

  /** Index of the schedule in charge at the current step (bisect_right over the milestones). */
  private active(): number {
    let i = 0;
    while (i < this.milestones.length && this.milestones[i]! <= this.lastEpoch) i++;
    return i;
  }

  current(): number {
    return this.schedules[this.active()]!.current();
  }

  step(metric?: number): void {
    this.lastEpoch += 1;
    const i = this.active();
    // At its milestone a schedule starts at its own step 0, which it already shows; later steps advance it.
    if (i > 0 && this.milestones[i - 1] === this.lastEpoch) return;
    this.schedules[i]!.step(metric);
  }

  state(): ScheduleState {
    return {
      kind: "SequentialLR",
      lastEpoch: this.lastEpoch,
      schedules: this.schedules.map((s) => s.state()),
    };
  }

  restore(state: unknown): void {
    const s = readState("SequentialLR", state, ["lastEpoch"]);
    const subs = s.schedules;
    if (!Array.isArray(subs) || subs.length !== this.schedules.length) {
      throw new UserError(
        `SequentialLR.restore: state field schedules must hold ${this.schedules.length} states; received ${shown(subs)}`,
      );
    }
    this.schedules.forEach((sched, i) => {
      sched.restore(subs[i]);
    });
    this.lastEpoch = s.lastEpoch as number;
  }
}
