import { UserError } from "../../errors.js";
import { intervalOption, numberInRange, oneOf, positiveNumber, readState, wholeNumber } from "./arguments.js";
import type { IntervalOption, LrSchedule, ScheduleInterval, ScheduleState } from "./lr-schedule.js";

/** Options of {@link OneCycleLR}. */
export interface OneCycleLROptions extends IntervalOption {
  /** Peak learning rate (> 0). */
  maxLr: number;
  /** Steps in the whole cycle, normally epochs * steps per epoch (whole number >= 2). */
  totalSteps: number;
  /** Fraction of the cycle spent rising to `maxLr`, in (0, 1). Default 0.3. */
  pctStart?: number;
  /** Shape of each phase: "cos" or "linear". Default "cos". */
  annealStrategy?: "cos" | "linear";
  /** The cycle starts at maxLr / divFactor (> 0). Default 25. */
  divFactor?: number;
  /** and ends at maxLr / divFactor / finalDivFactor (> 0). Default 1e4. */
  finalDivFactor?: number;
  /**
   * false (default, fastai's form): rise, then anneal to the final learning rate.
   * true (the paper's form): rise, fall back to the start symmetrically, then anneal to the final rate.
   */
  threePhase?: boolean;
}

interface Phase {
  endStep: number;
  startLr: number;
  endLr: number;
}

/**
 * The 1cycle policy (PyTorch `OneCycleLR`): the learning rate rises from maxLr / divFactor to `maxLr`
 * over the first `pctStart` of `totalSteps`, then anneals to maxLr / divFactor / finalDivFactor.
 * Steps once per batch unless `interval` says otherwise. `current()` is defined for steps 0..totalSteps
 * (the last value is PyTorch's extrapolation, never used for training); stepping past `totalSteps` is a
 * UserError, as PyTorch raises. Momentum is not cycled here (the optimizer owns momentum).
 *
 * @example
 * const s = new OneCycleLR({ maxLr: 0.01, totalSteps: epochs * stepsPerEpoch });
 */
export class OneCycleLR implements LrSchedule {
  readonly needsMetric = false;
  readonly interval: ScheduleInterval;
  readonly baseLr: number;
  readonly totalSteps: number;
  readonly pctStart: number;
  readonly annealStrategy: "cos" | "linear";
  readonly divFactor: number;
  readonly finalDivFactor: number;
  readonly threePhase: boolean;
  private readonly phases: Phase[];
  private lastEpoch = 0;

  constructor(options: OneCycleLROptions) {
    const where = "OneCycleLR";
    this.interval = intervalOption(where, options.interval, "batch");
    this.baseLr = positiveNumber(where, "maxLr", options.maxLr);
    this.totalSteps = wholeNumber(where, "totalSteps", options.totalSteps, 2);
    this.pctStart = numberInRange(where, "pctStart", options.pctStart ?? 0.3, 0, 1, { lo: true, hi: true });
    this.annealStrategy = oneOf(where, "annealStrategy", options.annealStrategy ?? "cos", [
      "cos",
      "linear",
    ] as const);
    this.divFactor = positiveNumber(where, "divFactor", options.divFactor ?? 25);
    this.finalDivFactor = positiveNumber(where, "finalDivFactor", options.finalDivFactor ?? 1e4);
    const threePhase = options.threePhase ?? false;
    if (typeof threePhase !== "boolean") {
      throw new UserError(`${where}: threePhase must be true or false; received ${String(threePhase)}`);
    }
    this.threePhase = threePhase;

    const maxLr = this.baseLr;
    const initialLr = maxLr / this.divFactor;
    const minLr = initialLr / this.finalDivFactor;
    const total = this.totalSteps;
    const rise = this.pctStart * total - 1;
    this.phases = threePhase
      ? [
          { endStep: rise, startLr: initialLr, endLr: maxLr },
          { endStep: 2 * this.pctStart * total - 2, startLr: maxLr, endLr: initialLr },
          { endStep: total - 1, startLr: initialLr, endLr: minLr },
        ]
      : [
          { endStep: rise, startLr: initialLr, endLr: maxLr },
          { endStep: total - 1, startLr: maxLr, endLr: minLr },
        ];
    // Every phase must span a positive number of steps, or PyTorch's formula divides by zero or runs backwards.
    let start = 0;
    for (const p of this.phases) {
      if (!(p.endStep > start)) {
        throw new UserError(
          `${where}: pctStart ${this.pctStart} with totalSteps ${total} leaves a phase of the cycle with no steps`,
          threePhase
            ? "need pctStart * totalSteps > 1 and pctStart < (totalSteps + 1) / (2 * totalSteps) (about 0.5)"
            : "need pctStart * totalSteps > 1 and pctStart < 1",
        );
      }
      start = p.endStep;
    }
  }

  current(): number {
    const step = this.lastEpoch;
    let start = 0;
    for (let i = 0; i < this.phases.length; i++) {
      const p = this.phases[i]!;
      if (step <= p.endStep || i === this.phases.length - 1) {
        const pct = (step - start) / (p.endStep - start);
        return this.annealStrategy === "cos"
          ? p.endLr + ((p.startLr - p.endLr) / 2.0) * (Math.cos(Math.PI * pct) + 1)
          : (p.endLr - p.startLr) * pct + p.startLr;
      }
      start = p.endStep;
    }
    throw new Error("unreachable: the last phase always matches");
  }

  step(): void {
    if (this.lastEpoch + 1 > this.totalSteps) {
      throw new UserError(
        `OneCycleLR: step ${this.lastEpoch + 1} is past the end of the cycle (totalSteps ${this.totalSteps})`,
        "build the schedule with totalSteps = epochs * steps per epoch of the whole run",
      );
    }
    this.lastEpoch += 1;
  }

  state(): ScheduleState {
    return { kind: "OneCycleLR", lastEpoch: this.lastEpoch };
  }

  restore(state: unknown): void {
    const s = readState("OneCycleLR", state, ["lastEpoch"]);
    this.lastEpoch = s.lastEpoch as number;
  }
}
