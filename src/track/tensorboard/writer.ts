import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { UserError } from "../../errors.js";
import { computeHistogram, encodeFileVersionEvent, encodeSummaryEvent, type SummaryValue } from "./event.js";
import { frameRecord } from "./tfrecord.js";

/** Options of {@link TensorBoardWriter}. */
export interface TensorBoardWriterOptions {
  /** Buffered bytes past which a write flushes by itself (default 1 MiB). */
  maxBufferBytes?: number;
  /** Seconds since the Unix epoch, for wall times and the file name (default: the system clock). */
  clock?: () => number;
  /** Host name used in the file name (default: `os.hostname()`). */
  hostname?: string;
  /** Buckets per histogram (default 30). */
  histogramBuckets?: number;
}

/**
 * Writes a TensorBoard event file, `events.out.tfevents.<unix-seconds>.<hostname>`, under `logDir`
 * (created if missing). Point TensorBoard at the folder (`tensorboard --logdir <logDir>`) to see the
 * scalars and histograms.
 *
 * Records are buffered in memory and appended to the file by {@link flush} (call it once per epoch
 * or so), by {@link close}, and whenever more than `maxBufferBytes` are waiting. Every flush writes
 * whole records with a synchronous append, so a crash loses at most the records not yet flushed and
 * leaves at most one partial record at the end, which readers skip.
 *
 * @example
 * const tb = new TensorBoardWriter("runs/exp1");
 * tb.scalar("loss/train", 0.42, 1);
 * tb.histogram("weights/dense1", weights, 1);
 * tb.flush();
 * tb.close();
 */
export class TensorBoardWriter {
  /** The path of the event file this writer appends to. */
  readonly path: string;
  private fd: number | undefined;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private readonly maxBufferBytes: number;
  private readonly clock: () => number;
  private readonly histogramBuckets: number;

  /**
   * @param logDir folder for the event file; created with its parents when missing.
   * @param options buffering, clock, host name and histogram bucket count.
   */
  constructor(logDir: string, options: TensorBoardWriterOptions = {}) {
    if (typeof logDir !== "string" || logDir.length === 0) {
      throw new UserError(`TensorBoard logDir must be a folder path, got ${JSON.stringify(logDir)}`);
    }
    this.maxBufferBytes = options.maxBufferBytes ?? 1 << 20;
    if (!(this.maxBufferBytes >= 0)) {
      throw new UserError(`maxBufferBytes must be >= 0, got ${options.maxBufferBytes}`);
    }
    this.clock = options.clock ?? (() => Date.now() / 1000);
    this.histogramBuckets = options.histogramBuckets ?? 30;
    if (!Number.isInteger(this.histogramBuckets) || this.histogramBuckets < 1) {
      throw new UserError(`histogramBuckets must be a whole number >= 1, got ${options.histogramBuckets}`);
    }
    const host = (options.hostname ?? hostname()).replace(/[/\\]/g, "_") || "localhost";
    try {
      mkdirSync(logDir, { recursive: true });
    } catch (e) {
      throw new UserError(`cannot create TensorBoard log folder ${logDir}: ${(e as Error).message}`);
    }
    const base = `events.out.tfevents.${Math.floor(this.clock())}.${host}`;
    // Two writers started in the same second get distinct files: base, base.1, base.2, ...
    let path = join(logDir, base);
    for (let i = 1; ; i++) {
      try {
        this.fd = openSync(path, "wx");
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") {
          throw new UserError(`cannot create TensorBoard event file ${path}: ${(e as Error).message}`);
        }
        path = join(logDir, `${base}.${i}`);
      }
    }
    this.path = path;
    this.append(encodeFileVersionEvent(this.clock()));
    this.flush();
  }

  /**
   * Logs one scalar (shown in TensorBoard's Scalars tab; stored as float32).
   * @param tag series name, e.g. "loss/train"
   * @param value the value; NaN and infinities are written as they are
   * @param step training step or epoch (a whole number >= 0)
   */
  scalar(tag: string, value: number, step: number): void {
    checkTag(tag);
    checkStep(step);
    if (typeof value !== "number")
      throw new UserError(`scalar ${tag}: value must be a number, got ${String(value)}`);
    this.append(encodeSummaryEvent(this.clock(), step, [{ tag, simpleValue: value }]));
  }

  /** Logs several scalars at one step in one event, e.g. `{ "loss/train": 0.4, "loss/val": 0.5 }`. */
  scalars(values: Record<string, number>, step: number): void {
    checkStep(step);
    const list: SummaryValue[] = [];
    for (const [tag, value] of Object.entries(values)) {
      checkTag(tag);
      if (typeof value !== "number") {
        throw new UserError(`scalar ${tag}: value must be a number, got ${String(value)}`);
      }
      list.push({ tag, simpleValue: value });
    }
    if (list.length > 0) this.append(encodeSummaryEvent(this.clock(), step, list));
  }

  /**
   * Logs the distribution of `values` (e.g. a layer's weights) as a histogram (Histograms and
   * Distributions tabs). Non-finite values are left out of the buckets.
   */
  histogram(tag: string, values: Float32Array | Float64Array | readonly number[], step: number): void {
    checkTag(tag);
    checkStep(step);
    const histogram = computeHistogram(values, this.histogramBuckets);
    this.append(encodeSummaryEvent(this.clock(), step, [{ tag, histogram }]));
  }

  /** Appends every buffered record to the file (one synchronous write). */
  flush(): void {
    if (this.fd === undefined) throw new Error(`TensorBoardWriter for ${this.path} is closed`);
    if (this.pendingBytes === 0) return;
    const all = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    let written = 0;
    while (written < all.length) written += writeSync(this.fd, all, written, all.length - written);
  }

  /** Flushes and closes the file. Calling it again does nothing. */
  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
  }

  private append(event: Uint8Array): void {
    if (this.fd === undefined) throw new Error(`TensorBoardWriter for ${this.path} is closed`);
    const record = frameRecord(event);
    this.pending.push(record);
    this.pendingBytes += record.length;
    if (this.pendingBytes > this.maxBufferBytes) this.flush();
  }
}

function checkTag(tag: string): void {
  if (typeof tag !== "string" || tag.length === 0) {
    throw new UserError(`TensorBoard tag must be a non-empty string, got ${JSON.stringify(tag)}`);
  }
}

function checkStep(step: number): void {
  if (!Number.isSafeInteger(step) || step < 0) {
    throw new UserError(`TensorBoard step must be a whole number >= 0, got ${step}`);
  }
}
