import type { DecodedImage } from "./decode-image.js";
import { resizeBilinear } from "./resize.js";

/**
 * The one conversion of a decoded image to what nncoach trains on: `channels` (1: luma 0.299/0.587/0.114 of
 * color files; 3: RGB, grayscale replicated), resized (bilinear) to h x w, and rounded to 8-bit pixels,
 * height x width x channels (HWC). A folder keeps its images this way (a quarter of float32's memory, and
 * the bytes its cache file holds); `pixelsToFloat` gives the [0, 1] values a model reads.
 */
export function toPixels(d: DecodedImage, channels: 1 | 3, h: number, w: number): Uint8Array {
  const n = d.width * d.height;
  const px = d.rgba;
  const out = new Uint8Array(h * w * channels);
  if (d.width === w && d.height === h && (channels === 3 || d.channels === 1)) {
    // no resize and no color mixing: the file's bytes as they are
    for (let i = 0; i < n; i++) {
      if (channels === 1) out[i] = px[4 * i]!;
      else {
        out[3 * i] = px[4 * i]!;
        out[3 * i + 1] = px[4 * i + 1]!;
        out[3 * i + 2] = px[4 * i + 2]!;
      }
    }
    return out;
  }
  const chw = new Float32Array(channels * n);
  if (channels === 1) {
    for (let i = 0; i < n; i++) {
      const r = px[4 * i]!;
      chw[i] = d.channels === 1 ? r : 0.299 * r + 0.587 * px[4 * i + 1]! + 0.114 * px[4 * i + 2]!;
    }
  } else {
    for (let i = 0; i < n; i++) {
      chw[i] = px[4 * i]!;
      chw[n + i] = px[4 * i + 1]!;
      chw[2 * n + i] = px[4 * i + 2]!;
    }
  }
  const sized = resizeBilinear(chw, channels, d.height, d.width, h, w);
  const plane = h * w;
  for (let c = 0; c < channels; c++)
    for (let i = 0; i < plane; i++) out[i * channels + c] = Math.round(sized[c * plane + i]!);
  return out;
}

/** value / 255 as float32, for every byte value: the [0, 1] value of a pixel. */
export const PIXEL_VALUE = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/**
 * Images `rows` (indices along N; null: all) of N x H x W x C pixels as N' x C x H x W floats in [0, 1] (NCHW, what a
 * CNN takes), each value (pixel / 255 - mean[c]) / std[c] (mean 0 and std 1 when not given).
 */
export function pixelsToFloat(
  pixels: Uint8Array,
  shape: readonly [number, number, number, number],
  rows: readonly number[] | null,
  mean?: readonly number[],
  std?: readonly number[],
): Float32Array {
  const [, c, h, w] = shape;
  const plane = h * w;
  const per = c * plane;
  const count = rows ? rows.length : shape[0];
  const out = new Float32Array(count * per);
  for (let k = 0; k < count; k++) {
    const src = (rows ? rows[k]! : k) * per;
    for (let ch = 0; ch < c; ch++) {
      const dst = k * per + ch * plane;
      const m = mean?.[ch] ?? 0;
      const s = std?.[ch] ?? 1;
      if (m === 0 && s === 1)
        for (let i = 0; i < plane; i++) out[dst + i] = PIXEL_VALUE[pixels[src + i * c + ch]!]!;
      else for (let i = 0; i < plane; i++) out[dst + i] = (PIXEL_VALUE[pixels[src + i * c + ch]!]! - m) / s;
    }
  }
  return out;
}
