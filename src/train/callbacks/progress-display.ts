import { UserError } from "../../errors.js";
import type { BatchLogs, Callback, EpochLogs, FitState } from "../callback.js";

/** Where {@link ProgressDisplay} writes: a stream such as `process.stdout`. */
export interface ProgressStream {
  write(text: string): unknown;
  /** True for a terminal: the per-batch bar is shown only there. */
  isTTY?: boolean;
  /** Terminal width; the bar line is cut to fit. */
  columns?: number;
}

/** Options of {@link ProgressDisplay}. */
export interface ProgressDisplayOptions {
  /** Default `process.stdout`. */
  stream?: ProgressStream;
  /** Show the per-batch bar; default: whether the stream is a terminal (`stream.isTTY`). */
  tty?: boolean;
  /** Milliseconds clock for durations and the ETA; default `performance.now`. */
  clock?: () => number;
  /** Least milliseconds between two redraws of the bar (the last batch is always drawn). Default 100. */
  redrawMs?: number;
  /** Characters of the bar. Default 24. */
  barWidth?: number;
}

/**
 * Shows training progress. In a terminal, a bar per batch with the batch count, running mean loss and
 * time left, redrawn in place (`\r`), replaced by one line per epoch when the epoch ends. Elsewhere (a
 * file, a pipe, a CI log) only the per-epoch lines, without control characters:
 *
 *     epoch  3/20  train_loss 0.4123  val_loss 0.3912  val_accuracy 0.9630  lr 1.0e-3  1.2s
 *
 * Every numeric entry of the epoch logs is shown in the order logged, the learning rate and the epoch's
 * duration last. When training stops early, a last line gives the reason.
 *
 * @param options `stream` (process.stdout), `tty` (stream.isTTY), `clock`, `redrawMs` (100), `barWidth` (24):
 *   see {@link ProgressDisplayOptions}.
 *
 * @example
 * await fit(trainer, train, { epochs: 20, batchSize: 32, lr: 1e-3, validation,
 *   callbacks: [new ProgressDisplay({ stream: process.stderr })] });
 */
export class ProgressDisplay implements Callback {
  readonly stream: ProgressStream;
  readonly tty: boolean;
  readonly redrawMs: number;
  readonly barWidth: number;
  private readonly clock: () => number;
  private epochStart = 0;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private lossSum = 0;
  private seen = 0;
  private batches = 0;
  private drawn = false;

  constructor(options: ProgressDisplayOptions = {}) {
    const where = "ProgressDisplay";
    if (typeof options !== "object" || options === null)
      throw new UserError(`${where}: options must be an object; received ${String(options)}`);
    const stream = options.stream ?? process.stdout;
    if (typeof stream?.write !== "function")
      throw new UserError(`${where}: stream must have a write(text) method; received ${String(stream)}`);
    this.stream = stream;
    const tty = options.tty ?? Boolean(stream.isTTY);
    if (typeof tty !== "boolean")
      throw new UserError(`${where}: tty must be true or false; received ${String(tty)}`);
    this.tty = tty;
    const redraw = options.redrawMs ?? 100;
    if (typeof redraw !== "number" || !Number.isFinite(redraw) || redraw < 0)
      throw new UserError(`${where}: redrawMs must be a number >= 0; received ${String(redraw)}`);
    this.redrawMs = redraw;
    const width = options.barWidth ?? 24;
    if (typeof width !== "number" || !Number.isInteger(width) || width < 1 || width > 200)
      throw new UserError(
        `${where}: barWidth must be a whole number from 1 to 200; received ${String(width)}`,
      );
    this.barWidth = width;
    if (options.clock !== undefined && typeof options.clock !== "function")
      throw new UserError(
        `${where}: clock must be a function returning milliseconds; received ${String(options.clock)}`,
      );
    this.clock = options.clock ?? (() => performance.now());
  }

  onEpochBegin(): void {
    this.epochStart = this.clock();
    this.lastDraw = Number.NEGATIVE_INFINITY;
    this.lossSum = 0;
    this.seen = 0;
    this.batches = 0;
    this.drawn = false;
  }

  onBatchEnd(_batch: number, logs: BatchLogs, s: FitState): void {
    this.lossSum += logs.loss * logs.size;
    this.seen += logs.size;
    this.batches += 1;
    if (!this.tty) return;
    const now = this.clock();
    if (now - this.lastDraw < this.redrawMs && this.batches < s.stepsPerEpoch) return;
    this.lastDraw = now;
    const done = Math.min(this.batches, s.stepsPerEpoch);
    const filled = Math.round((done / s.stepsPerEpoch) * this.barWidth);
    const bar =
      filled >= this.barWidth
        ? "=".repeat(this.barWidth)
        : `${"=".repeat(Math.max(0, filled - 1))}${filled > 0 ? ">" : ""}${".".repeat(this.barWidth - filled)}`;
    const perBatch = (now - this.epochStart) / done;
    const eta = formatDuration((perBatch * (s.stepsPerEpoch - done)) / 1000);
    const w = String(s.stepsPerEpoch).length;
    let line = `${epochLabel(s.epoch, s.epochs)} [${bar}] ${String(done).padStart(w)}/${s.stepsPerEpoch}  loss ${formatNumber(this.lossSum / this.seen)}  ETA ${eta}`;
    if (this.stream.columns && line.length >= this.stream.columns)
      line = line.slice(0, this.stream.columns - 1);
    this.stream.write(`\r${line}\x1b[K`);
    this.drawn = true;
  }

  onEpochEnd(epoch: number, logs: EpochLogs, s: FitState): void {
    const parts = [epochLabel(epoch, s.epochs)];
    for (const [k, v] of Object.entries(logs)) {
      if (k === "epoch" || k === "lr" || typeof v !== "number") continue;
      parts.push(`${k} ${formatNumber(v)}`);
    }
    if (typeof logs.lr === "number") parts.push(`lr ${formatLr(logs.lr)}`);
    parts.push(`${((this.clock() - this.epochStart) / 1000).toFixed(1)}s`);
    const line = parts.join("  ");
    this.stream.write(this.tty && this.drawn ? `\r${line}\x1b[K\n` : `${line}\n`);
    this.drawn = false;
  }

  onTrainEnd(s: FitState): void {
    if (this.tty && this.drawn) this.stream.write("\n");
    if (s.stopReason) this.stream.write(`stopped: ${s.stopReason}\n`);
  }
}

/** "epoch  3/20": the 1-based epoch number padded to the width of the total. */
function epochLabel(epoch: number, epochs: number): string {
  return `epoch ${String(epoch + 1).padStart(String(epochs).length)}/${epochs}`;
}

/** 4 decimals, or scientific notation for very small or large magnitudes. */
function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(2);
  return v.toFixed(4);
}

/** A learning rate as "1.0e-3". */
function formatLr(v: number): string {
  return Number.isFinite(v) && v !== 0 ? v.toExponential(1) : String(v);
}

/** Seconds as "12s", "3m05s" or "1h02m". */
function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
