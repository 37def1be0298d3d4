/** How often the training loop advances a schedule: after every optimizer step, or after every epoch. */
export type ScheduleInterval = "batch" | "epoch";

/**
 * A learning-rate schedule: the learning rate for the next optimizer step, advanced by the training loop.
 *
 * The loop reads `current()` before each optimizer step and calls `step()` once per batch or once per
 * epoch, as `interval` says (PyTorch's `optimizer.step(); scheduler.step()` order). Every schedule in
 * this folder reproduces the sequence of the PyTorch 1.13 scheduler of the same name.
 *
 * @example
 * const s = new StepLR({ lr: 0.1, stepSize: 10 });
 * for (let epoch = 0; epoch < 30; epoch++) { train(s.current()); s.step(); }
 */
export interface LrSchedule {
  /** LR to use for the next optimizer step. */
  current(): number;
  /**
   * Advance one scheduler step (the training loop calls this once per batch or once per epoch, see
   * `interval`). `metric` is the monitored validation value; only schedules with `needsMetric` read it.
   */
  step(metric?: number): void;
  readonly interval: ScheduleInterval;
  /** True when `step` must be given the monitored metric (ReduceLROnPlateau, or a sequence holding one). */
  readonly needsMetric: boolean;
  /** The learning rate the schedule was built around (its `lr` option; `maxLr` for OneCycleLR). */
  readonly baseLr: number;
  /** JSON-able state for checkpoints; restore(state) continues exactly. */
  state(): ScheduleState;
  /** Continue from a `state()` taken from a schedule built with the same arguments. */
  restore(state: unknown): void;
}

/** What `LrSchedule.state()` returns: plain JSON, tagged with the schedule's class name. */
export interface ScheduleState {
  kind: string;
  [field: string]: unknown;
}

/** Options every schedule accepts. */
export interface IntervalOption {
  /** How often the training loop calls `step()`; see each schedule for its default. */
  interval?: ScheduleInterval;
}
