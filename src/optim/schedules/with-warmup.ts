import { UserError } from "../../errors.js";
import { numberInRange, wholeNumber } from "./arguments.js";
import { LinearLR } from "./linear-lr.js";
import type { LrSchedule } from "./lr-schedule.js";
import { OneCycleLR } from "./one-cycle-lr.js";
import { SequentialLR } from "./sequential-lr.js";

/** Options of {@link withWarmup}. */
export interface WarmupOptions {
  /** Warm-up length, in steps of the schedule's own interval (whole number >= 1). */
  steps: number;
  /** Fraction of the base learning rate at the first step, in (0, 1]. Default 0.01. */
  startFactor?: number;
}

/**
 * Linear warm-up, then `schedule`: the learning rate rises linearly from `startFactor * baseLr` over
 * `steps` steps, then `schedule` runs from its own step 0. The same sequence as PyTorch's
 * `SequentialLR(opt, [LinearLR(opt, startFactor, total_iters=steps), schedule], milestones=[steps])`.
 * `schedule` must be fresh; OneCycleLR is refused, since it warms up by itself (see `pctStart`).
 *
 * @example
 * const s = withWarmup(new CosineAnnealingLR({ lr: 0.1, tMax: 95 }), { steps: 5 });
 */
export function withWarmup(schedule: LrSchedule, options: WarmupOptions): SequentialLR {
  if (schedule instanceof OneCycleLR) {
    throw new UserError(
      "withWarmup: OneCycleLR already starts with a warm-up phase",
      "lengthen its rise with pctStart instead of adding a warm-up",
    );
  }
  const steps = wholeNumber("withWarmup", "steps", options.steps, 1);
  const startFactor = numberInRange("withWarmup", "startFactor", options.startFactor ?? 0.01, 0, 1, {
    lo: true,
  });
  const warmup = new LinearLR({
    lr: schedule.baseLr,
    startFactor,
    totalIters: steps,
    interval: schedule.interval,
  });
  return new SequentialLR([warmup, schedule], [steps]);
}
