/**
 * Learning-rate schedules: PyTorch 1.13's schedulers reproduced step for step, a warm-up combinator and
 * the parser for command-line schedule strings.
 */
export { ConstantLR, type ConstantLROptions } from "./constant-lr.js";
export { CosineAnnealingLR, type CosineAnnealingLROptions } from "./cosine-annealing-lr.js";
export {
  CosineAnnealingWarmRestarts,
  type CosineAnnealingWarmRestartsOptions,
} from "./cosine-annealing-warm-restarts.js";
export { ExponentialLR, type ExponentialLROptions } from "./exponential-lr.js";
export { LinearLR, type LinearLROptions } from "./linear-lr.js";
export type { IntervalOption, LrSchedule, ScheduleInterval, ScheduleState } from "./lr-schedule.js";
export { MultiStepLR, type MultiStepLROptions } from "./multi-step-lr.js";
export { OneCycleLR, type OneCycleLROptions } from "./one-cycle-lr.js";
export { parseSchedule, SCHEDULE_FORMS, type ScheduleContext } from "./parse-schedule.js";
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from "./reduce-lr-on-plateau.js";
export { SequentialLR } from "./sequential-lr.js";
export { StepLR, type StepLROptions } from "./step-lr.js";
export { type WarmupOptions, withWarmup } from "./with-warmup.js";
