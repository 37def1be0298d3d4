import { UserError } from "../../errors.js";
import { TensorBoardWriter, type TensorBoardWriterOptions } from "../../track/tensorboard/writer.js";
import type { BatchLogs, Callback, EpochLogs, FitState } from "../callback.js";

/** Options of {@link TensorBoardLogger}. */
export interface TensorBoardLoggerOptions {
  /** Log a histogram of every parameter tensor after each epoch. Default false. */
  histograms?: boolean;
  /** Log the batch loss, learning rate and gradient norm every this many optimizer steps; 0 turns batch logging off. Default 1. */
  batchEvery?: number;
  /** Passed to the {@link TensorBoardWriter} (clock, host name, histogram buckets, buffer size). */
  writer?: TensorBoardWriterOptions;
}

/**
 * Writes TensorBoard event files while training (`tensorboard --logdir <logDir>` shows them):
 * - after each epoch, every numeric entry of the epoch logs as `epoch/<key>` at step = epoch number
 *   (`epoch/train_loss`, `epoch/val_loss`, `epoch/val_accuracy`, `epoch/lr`, ...);
 * - every `batchEvery` optimizer steps, `batch/loss`, `batch/lr` and `batch/grad_norm` at step = the
 *   trainer's optimizer step count;
 * - with `histograms`, after each epoch, `weights/<parameter>` for each parameter tensor (not optimizer
 *   slots or running statistics).
 * The file is flushed after each epoch and closed when training ends. Each run writes a new event file.
 *
 * @param logDir folder for the event files (created when missing).
 * @param options `histograms` (false), `batchEvery` (1), `writer` options: see {@link TensorBoardLoggerOptions}.
 *
 * @example
 * const tb = new TensorBoardLogger("runs/exp1", { histograms: true, batchEvery: 10 });
 * await fit(trainer, train, { epochs: 20, batchSize: 32, lr: 1e-3, validation, callbacks: [tb] });
 * tb.eventFile; // "runs/exp1/events.out.tfevents.1718000000.myhost"
 */
export class TensorBoardLogger implements Callback {
  readonly logDir: string;
  readonly histograms: boolean;
  readonly batchEvery: number;
  /** The event file of the current (or last) run; undefined before training begins. */
  eventFile?: string;
  private readonly writerOptions: TensorBoardWriterOptions;
  private writer?: TensorBoardWriter;

  constructor(logDir: string, options: TensorBoardLoggerOptions = {}) {
    const where = "TensorBoardLogger";
    if (typeof logDir !== "string" || logDir.trim() === "")
      throw new UserError(
        `${where}: logDir must be a folder path such as "runs/exp1"; received ${JSON.stringify(logDir)}`,
      );
    if (typeof options !== "object" || options === null)
      throw new UserError(`${where}: options must be an object; received ${String(options)}`);
    const histograms = options.histograms ?? false;
    if (typeof histograms !== "boolean")
      throw new UserError(`${where}: histograms must be true or false; received ${String(histograms)}`);
    const every = options.batchEvery ?? 1;
    if (typeof every !== "number" || !Number.isInteger(every) || every < 0)
      throw new UserError(
        `${where}: batchEvery must be a whole number >= 0 (0: no batch scalars); received ${String(every)}`,
      );
    this.logDir = logDir;
    this.histograms = histograms;
    this.batchEvery = every;
    this.writerOptions = options.writer ?? {};
  }

  onTrainBegin(): void {
    this.writer?.close();
    this.writer = new TensorBoardWriter(this.logDir, this.writerOptions);
    this.eventFile = this.writer.path;
  }

  onBatchEnd(_batch: number, logs: BatchLogs, s: FitState): void {
    const step = s.trainer.step;
    if (!this.writer || this.batchEvery === 0 || step % this.batchEvery !== 0) return;
    this.writer.scalars(
      { "batch/loss": logs.loss, "batch/lr": logs.lr, "batch/grad_norm": logs.gradNorm },
      step,
    );
  }

  onEpochEnd(epoch: number, logs: EpochLogs, s: FitState): void {
    if (!this.writer) return;
    const step = logs.epoch ?? epoch + 1;
    const values: Record<string, number> = {};
    for (const [k, v] of Object.entries(logs))
      if (k !== "epoch" && typeof v === "number") values[`epoch/${k}`] = v;
    this.writer.scalars(values, step);
    if (this.histograms) {
      for (const p of s.trainer.paramSpecs) {
        const v = s.trainer.values.get(p.name);
        if (v) this.writer.histogram(`weights/${p.name}`, v, step);
      }
    }
    this.writer.flush();
  }

  onTrainEnd(): void {
    this.close();
  }

  /** Flushes and closes the event file (also done when training ends); safe to call twice. */
  close(): void {
    this.writer?.close();
    this.writer = undefined;
  }
}
