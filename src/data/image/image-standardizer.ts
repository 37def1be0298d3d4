import { UserError } from "../../errors.js";
import { PIXEL_VALUE, pixelsToFloat } from "./pixels.js";

/**
 * Per-channel standardization of NCHW images: mean and standard deviation of each channel, fitted on the
 * training images only, then (x - mean) / std applied to any batch (std 0 -> 1). Saved with the model.
 *
 * Example:
 * ```ts
 * const norm = ImageStandardizer.fit(data.images, data.shape, split.train);
 * const x = norm.apply(data.images, data.shape);
 * ```
 */
export class ImageStandardizer {
  private constructor(
    /** Per-channel mean of the training images. */
    readonly mean: number[],
    /** Per-channel standard deviation of the training images (0 replaced by 1). */
    readonly std: number[],
  ) {}

  /** Fits on images `rows` (indices along N) of an NCHW batch. */
  static fit(images: Float32Array, shape: readonly number[], rows: readonly number[]): ImageStandardizer {
    const [n, c, h, w] = checkShape(images, shape);
    const plane = h * w;
    return ImageStandardizer.fitValues(n, c, plane, rows, (r, ch, i) => images[(r * c + ch) * plane + i]!);
  }

  /**
   * Fits on images `rows` of N x H x W x C 8-bit pixels (an ImageFolder's `pixels`; `shape` is [N, C, H, W])
   * as `fit` would on their [0, 1] floats: the same statistics, to the last bit.
   */
  static fitPixels(
    pixels: Uint8Array,
    shape: readonly [number, number, number, number],
    rows: readonly number[],
  ): ImageStandardizer {
    const [n, c, h, w] = shape;
    if (pixels.length !== n * c * h * w)
      throw new UserError(
        `image shape ${JSON.stringify(shape)} needs ${n * c * h * w} pixels; got ${pixels.length}`,
      );
    const plane = h * w;
    return ImageStandardizer.fitValues(
      n,
      c,
      plane,
      rows,
      (r, ch, i) => PIXEL_VALUE[pixels[(r * plane + i) * c + ch]!]!,
    );
  }

  /** Mean and std per channel of `value(row, channel, pixel)` over `rows`, summed row by row, channel by channel. */
  private static fitValues(
    n: number,
    c: number,
    plane: number,
    rows: readonly number[],
    value: (r: number, ch: number, i: number) => number,
  ): ImageStandardizer {
    if (rows.length === 0) throw new UserError("ImageStandardizer.fit needs at least one training image");
    const sum = new Float64Array(c);
    const sq = new Float64Array(c);
    for (const r of rows) {
      if (!Number.isInteger(r) || r < 0 || r >= n)
        throw new UserError(`image index ${r} is outside 0..${n - 1}`);
      for (let ch = 0; ch < c; ch++) {
        let s = 0;
        let s2 = 0;
        for (let i = 0; i < plane; i++) {
          const v = value(r, ch, i);
          s += v;
          s2 += v * v;
        }
        sum[ch] += s;
        sq[ch] += s2;
      }
    }
    const count = rows.length * plane;
    const mean = Array.from(sum, (s) => s / count);
    const std = Array.from(sq, (s2, ch) => {
      const v = Math.sqrt(Math.max(0, s2 / count - mean[ch]! ** 2));
      return v > 1e-12 ? v : 1;
    });
    return new ImageStandardizer(mean, std);
  }

  /** Images `rows` of N x H x W x C pixels (`shape` [N, C, H, W]), standardized, as NCHW floats. */
  applyPixels(
    pixels: Uint8Array,
    shape: readonly [number, number, number, number],
    rows: readonly number[],
  ): Float32Array {
    if (shape[1] !== this.mean.length)
      throw new UserError(
        `images have ${shape[1]} channel(s) but the standardizer was fitted on ${this.mean.length}`,
      );
    return pixelsToFloat(pixels, shape, rows, this.mean, this.std);
  }

  /** A standardized copy of an NCHW batch (or of one CHW image: pass shape [C, H, W]). */
  apply(images: Float32Array, shape: readonly number[]): Float32Array {
    const dims = shape.length === 3 ? [1, ...shape] : shape;
    const [, c, h, w] = checkShape(images, dims);
    if (c !== this.mean.length) {
      throw new UserError(
        `images have ${c} channel(s) but the standardizer was fitted on ${this.mean.length}`,
      );
    }
    const plane = h * w;
    const out = new Float32Array(images.length);
    for (let base = 0, k = 0; base < images.length; base += plane, k++) {
      const ch = k % c;
      const m = this.mean[ch]!;
      const s = this.std[ch]!;
      for (let i = 0; i < plane; i++) out[base + i] = (images[base + i]! - m) / s;
    }
    return out;
  }

  toJSON(): { mean: number[]; std: number[] } {
    return { mean: [...this.mean], std: [...this.std] };
  }

  static fromJSON(o: { mean?: unknown; std?: unknown }): ImageStandardizer {
    const ok = (a: unknown): a is number[] => Array.isArray(a) && a.every((v) => typeof v === "number");
    if (!ok(o?.mean) || !ok(o?.std) || o.mean.length !== o.std.length) {
      throw new UserError("not a saved image standardizer (needs 'mean' and 'std' arrays of equal length)");
    }
    return new ImageStandardizer([...o.mean], [...o.std]);
  }
}

function checkShape(images: Float32Array, shape: readonly number[]): [number, number, number, number] {
  if (shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new UserError(`image shape must be [N, C, H, W]; got ${JSON.stringify(shape)}`);
  }
  const [n, c, h, w] = shape as [number, number, number, number];
  if (n * c * h * w !== images.length) {
    throw new UserError(
      `image shape ${JSON.stringify(shape)} needs ${n * c * h * w} values; got ${images.length}`,
    );
  }
  return [n, c, h, w];
}
