/**
 * ModelCheckpoint: after every epoch writes `<dir>/last.ckpt` (everything `--resume` needs to continue
 * exactly), and `<dir>/best.ckpt` whenever the monitored value improves. Writes are atomic (temp file,
 * fsync, rename), so killing the process at any moment leaves the previous checkpoint intact; best.ckpt is
 * written before last.ckpt, so a run killed between the two redoes that epoch on resume and writes both.
 * Put it after the callbacks whose state it saves (early stopping): it captures their state of this epoch.
 *
 * @example
 * new ModelCheckpoint({ dir: "runs/wine/checkpoints", monitor: "val_loss" })
 */
import path from "node:path";
import { UserError } from "../errors.js";
import type { Callback, EpochLogs, FitState } from "./callback.js";
import { captureCheckpoint, writeCheckpoint } from "./checkpoint.js";

export interface ModelCheckpointOptions {
  dir: string;
  /** Epoch log key to watch for best.ckpt (default val_loss). */
  monitor?: string;
  /** "min" for losses and errors, "max" for scores; "auto" decides from the name. */
  mode?: "auto" | "min" | "max";
  /** Write best.ckpt when the monitored value improves (default true). */
  saveBest?: boolean;
  /**
   * Free-form data saved in the header (e.g. the resolved config), or a function giving it at each write
   * (e.g. records that grow every epoch, which a resumed run puts back).
   */
  meta?: Record<string, unknown> | (() => Record<string, unknown>);
}

export function lowerIsBetter(monitor: string): boolean {
  return /loss|error|mae|mse|rmse|ece/i.test(monitor);
}

export class ModelCheckpoint implements Callback {
  readonly monitor: string;
  readonly mode: "min" | "max";
  private best: number | undefined;
  lastPath: string;
  bestPath: string;

  constructor(readonly opts: ModelCheckpointOptions) {
    if (!opts.dir) throw new UserError("ModelCheckpoint needs a folder (dir)");
    this.monitor = opts.monitor ?? "val_loss";
    const mode = opts.mode ?? "auto";
    if (!["auto", "min", "max"].includes(mode))
      throw new UserError(`ModelCheckpoint mode must be auto, min or max, got '${mode}'`);
    this.mode = mode === "auto" ? (lowerIsBetter(this.monitor) ? "min" : "max") : mode;
    this.lastPath = path.join(opts.dir, "last.ckpt");
    this.bestPath = path.join(opts.dir, "best.ckpt");
  }

  onTrainBegin(s: FitState): void {
    // on resume, the best so far comes from the restored history
    for (const h of s.history) this.consider(h);
  }

  private consider(logs: EpochLogs): boolean {
    const v = logs[this.monitor];
    if (v === undefined || Number.isNaN(v)) return false;
    const better = this.best === undefined || (this.mode === "min" ? v < this.best : v > this.best);
    if (better) this.best = v;
    return better;
  }

  onEpochEnd(_epoch: number, logs: EpochLogs, s: FitState): void {
    if (logs[this.monitor] === undefined && s.history.length === 1 && this.opts.saveBest !== false)
      throw new UserError(
        `ModelCheckpoint monitors '${this.monitor}', which the epoch logs do not have`,
        `available: ${Object.keys(logs).join(", ")}`,
      );
    const meta = typeof this.opts.meta === "function" ? this.opts.meta() : this.opts.meta;
    const c = captureCheckpoint(s.trainer, s, { ...meta, monitor: this.monitor, value: logs[this.monitor] });
    if (this.opts.saveBest !== false && this.consider(logs)) writeCheckpoint(this.bestPath, c);
    writeCheckpoint(this.lastPath, c);
  }
}
