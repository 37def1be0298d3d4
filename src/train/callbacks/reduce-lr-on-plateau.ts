import { UserError } from "../../errors.js";
import { nonNegativeNumber } from "../../optim/schedules/arguments.js";
import type { ScheduleState } from "../../optim/schedules/lr-schedule.js";
import { ReduceLROnPlateau } from "../../optim/schedules/reduce-lr-on-plateau.js";
import type { Callback, EpochLogs, FitState } from "../callback.js";
import { type MonitorMode, monitoredValue, monitorName, resolveMode } from "./monitor.js";

/** Options of {@link ReduceLROnPlateauCallback}. */
export interface ReduceLROnPlateauCallbackOptions {
  /** Epoch log entry to watch. Default "val_loss". */
  monitor?: string;
  /** "min", "max", or "auto" (default: from the name, as in EarlyStopping). */
  mode?: "auto" | "min" | "max";
  /** The learning rate is multiplied by this on a plateau, in (0, 1). Default 0.1. */
  factor?: number;
  /** Epochs without improvement tolerated; the next one reduces (whole number >= 0). Default 10. */
  patience?: number;
  /** Epochs after a reduction during which bad epochs are not counted (whole number >= 0). Default 0. */
  cooldown?: number;
  /** A reduction never takes the learning rate below this absolute value (>= 0). Default 0. */
  minLr?: number;
  /** How much better than the best a value must be to count as an improvement (>= 0). Default 1e-4. */
  threshold?: number;
  /** "rel" (default): relative to the best (best * (1 - threshold) in "min" mode); "abs": best - threshold. */
  thresholdMode?: "rel" | "abs";
  /** A reduction that would change the learning rate by less than this is skipped (>= 0). Default 1e-8. */
  eps?: number;
  /** Called with one line each time the learning rate is lowered. */
  log?: (line: string) => void;
}

/** One reduction made by {@link ReduceLROnPlateauCallback}. */
export interface LrReduction {
  /** Epoch (1-based, as in the logs) after which the learning rate was lowered. */
  epoch: number;
  from: number;
  to: number;
}

/**
 * Lowers the learning rate when a monitored metric has stopped improving: PyTorch `ReduceLROnPlateau`
 * counting (the same epochs reduce as with the {@link ReduceLROnPlateau} schedule, whose plateau logic it
 * uses), acting on `state.lrScale`, the multiplier the training loop applies on top of the scheduled
 * learning rate, so it composes with any schedule. `minLr` bounds the absolute learning rate
 * (scheduled rate x scale) a reduction may reach. Keras calls this callback `ReduceLROnPlateau`; this name
 * keeps it apart from the schedule of that name.
 *
 * @param options `monitor` ("val_loss"), `mode` ("auto"), `factor` (0.1), `patience` (10), `cooldown` (0),
 *   `minLr` (0), `threshold` (1e-4), `thresholdMode` ("rel"), `eps` (1e-8), `log`: see
 *   {@link ReduceLROnPlateauCallbackOptions}.
 *
 * @example
 * const plateau = new ReduceLROnPlateauCallback({ monitor: "val_loss", factor: 0.5, patience: 3, minLr: 1e-5 });
 * await fit(trainer, train, { epochs: 50, batchSize: 32, lr: 1e-3, validation, callbacks: [plateau] });
 * plateau.reductions; // [{ epoch: 14, from: 1e-3, to: 5e-4 }, ...]
 */
export class ReduceLROnPlateauCallback implements Callback {
  readonly monitor: string;
  readonly mode: MonitorMode;
  readonly factor: number;
  readonly patience: number;
  readonly cooldown: number;
  readonly minLr: number;
  readonly threshold: number;
  readonly thresholdMode: "rel" | "abs";
  readonly eps: number;
  /** Reductions made in the current (or last) training run. */
  reductions: LrReduction[] = [];
  private detector: ReduceLROnPlateau;
  private readonly log?: (line: string) => void;
  private restored = false;

  constructor(options: ReduceLROnPlateauCallbackOptions = {}) {
    const where = "ReduceLROnPlateau";
    if (typeof options !== "object" || options === null)
      throw new UserError(`${where}: options must be an object; received ${String(options)}`);
    this.monitor = monitorName(where, options.monitor ?? "val_loss");
    this.mode = resolveMode(where, this.monitor, options.mode ?? "auto");
    this.minLr = nonNegativeNumber(where, "minLr", options.minLr ?? 0);
    this.eps = nonNegativeNumber(where, "eps", options.eps ?? 1e-8);
    if (options.log !== undefined && typeof options.log !== "function")
      throw new UserError(`${where}: log must be a function; received ${String(options.log)}`);
    this.log = options.log;
    // The schedule checks factor, patience, cooldown, threshold and thresholdMode, and detects plateaus:
    // run at lr 1 with no floor, a drop of its rate marks a reduction epoch.
    this.detector = new ReduceLROnPlateau({
      lr: 1,
      mode: this.mode,
      factor: options.factor ?? 0.1,
      patience: options.patience ?? 10,
      cooldown: options.cooldown ?? 0,
      threshold: options.threshold ?? 1e-4,
      thresholdMode: options.thresholdMode ?? "rel",
      minLr: 0,
      eps: 0,
    });
    this.factor = this.detector.factor;
    this.patience = this.detector.patience;
    this.cooldown = this.detector.cooldown;
    this.threshold = this.detector.threshold;
    this.thresholdMode = this.detector.thresholdMode;
  }

  onTrainBegin(): void {
    if (this.restored) {
      this.restored = false;
      return;
    }
    this.detector.restore(this.freshState());
    this.reductions = [];
  }

  onEpochEnd(epoch: number, logs: EpochLogs, s: FitState): void {
    const value = monitoredValue("ReduceLROnPlateau", this.monitor, logs);
    this.detector.step(value);
    if (this.detector.current() >= 1) return;
    // a plateau: reset the detector's rate (its counters are already reset) and lower the scale
    this.detector.restore({ ...this.detector.state(), lr: 1 });
    const scheduled = s.schedule ? s.schedule.current() : s.lr / s.lrScale;
    const from = scheduled * s.lrScale;
    const to = Math.max(from * this.factor, this.minLr);
    if (!(from - to > this.eps)) return;
    s.lrScale = to / scheduled;
    const epochNo = logs.epoch ?? epoch + 1;
    this.reductions.push({ epoch: epochNo, from, to });
    this.log?.(
      `epoch ${epochNo}: ${this.monitor} has not improved for ${this.patience + 1} epochs; learning rate ${from.toExponential(2)} -> ${to.toExponential(2)}`,
    );
  }

  /** The plateau counters as JSON, for a checkpoint (the scale itself lives in `FitState.lrScale`). */
  state(): ScheduleState {
    return this.detector.state();
  }

  /** Continues from {@link state}: the next `fit` keeps these counters instead of starting afresh. */
  restore(state: unknown): void {
    this.detector.restore(state);
    this.restored = true;
  }

  private freshState(): ScheduleState {
    return {
      kind: "ReduceLROnPlateau",
      lastEpoch: 0,
      lr: 1,
      best: null,
      numBadEpochs: 0,
      cooldownCounter: 0,
    };
  }
}
