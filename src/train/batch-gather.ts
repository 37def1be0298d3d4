/**
 * Gathers the rows of one training batch (features, targets in the dtype the compiled step takes, weights)
 * into buffers reused from batch to batch, without per-row allocations: int64 class targets are converted
 * once per fit and copied as pairs of 32-bit words, narrow feature rows are copied element by element
 * (a subarray per row costs more than the copy), wide ones with one `set` per row.
 *
 * @example
 * const g = new BatchGatherer(trainer, data, 128);
 * const batch = g.gather(order, 0, 128); // rows order[0..127]
 */
import type { TypedArray } from "../engine/runtime.js";
import { type Dataset, targetSlice } from "./fit.js";
import type { Batch, Trainer } from "./trainer.js";

/** Rows narrower than this are copied element by element rather than with `set(subarray)`. */
const SET_MIN_WIDTH = 64;

export class BatchGatherer {
  private readonly feat: number;
  private readonly yPer: number;
  private readonly xb: Float32Array;
  private readonly wb: Float32Array;
  /** The targets of every row as int64 little-endian word pairs (int64 targets only). */
  private readonly y64?: Int32Array;
  private readonly yb64?: BigInt64Array;
  private readonly yb64Words?: Int32Array;
  private readonly yb?: Int32Array | Float32Array;
  private readonly views = new Map<number, { x: Float32Array; w: Float32Array; y64?: BigInt64Array }>();

  constructor(
    private readonly trainer: Trainer,
    private readonly data: Dataset,
    batchSize: number,
  ) {
    this.feat = data.x.length / data.n;
    this.yPer = data.y.length / data.n;
    this.xb = new Float32Array(batchSize * this.feat);
    this.wb = new Float32Array(batchSize);
    if (trainer.loss.targetDType === "int64" && this.yPer === 1) {
      const all = new BigInt64Array(data.n);
      for (let i = 0; i < data.n; i++) all[i] = BigInt(data.y[i]!);
      this.y64 = new Int32Array(all.buffer);
      this.yb64 = new BigInt64Array(batchSize);
      this.yb64Words = new Int32Array(this.yb64.buffer);
    } else
      this.yb =
        data.y instanceof Int32Array
          ? new Int32Array(batchSize * this.yPer)
          : new Float32Array(batchSize * this.yPer);
  }

  /** Values per row of the features. */
  get rowWidth(): number {
    return this.feat;
  }

  /** Copies the features of rows order[start .. start+n) into `into` (row-major). */
  copyRows(order: ArrayLike<number>, start: number, n: number, into: Float32Array): void {
    const { feat } = this;
    const x = this.data.x;
    for (let i = 0; i < n; i++) {
      const r = order[start + i]!;
      if (feat >= SET_MIN_WIDTH) into.set(x.subarray(r * feat, (r + 1) * feat), i * feat);
      else {
        const src = r * feat;
        const dst = i * feat;
        for (let j = 0; j < feat; j++) into[dst + j] = x[src + j]!;
      }
    }
  }

  /**
   * The batch of rows order[start .. start+n), in buffers valid until the next call. With `withoutX` the
   * features are left out (x is empty): the caller has them from elsewhere (the augmentation pipeline).
   */
  gather(order: ArrayLike<number>, start: number, n: number, withoutX = false): Batch & { x: Float32Array } {
    const { feat, yPer, xb, wb, data } = this;
    if (!withoutX) this.copyRows(order, start, n, xb);
    const w = data.weight;
    if (w) for (let i = 0; i < n; i++) wb[i] = w[order[start + i]!]!;
    else wb.fill(1, 0, n);
    let y: TypedArray;
    if (this.y64) {
      const words = this.yb64Words!;
      const all = this.y64;
      for (let i = 0; i < n; i++) {
        const r = order[start + i]!;
        words[2 * i] = all[2 * r]!;
        words[2 * i + 1] = all[2 * r + 1]!;
      }
      y = this.yb64!;
    } else {
      const yb = this.yb!;
      for (let i = 0; i < n; i++) {
        const r = order[start + i]!;
        for (let j = 0; j < yPer; j++) yb[i * yPer + j] = data.y[r * yPer + j]!;
      }
      y = targetSlice(this.trainer, yb, 0, n);
    }
    // the same views for the same n (the trainer reuses its ORT tensors over them)
    let v = this.views.get(n);
    if (!v) {
      v = { x: xb.subarray(0, n * feat), w: wb.subarray(0, n), y64: this.yb64?.subarray(0, n) };
      this.views.set(n, v);
    }
    return { x: withoutX ? xb.subarray(0, 0) : v.x, y: this.y64 ? v.y64! : y, weight: v.w, n };
  }
}
