import { UserError } from "../../errors.js";
import type { Random } from "../../util/random.js";

/** Image augmentation settings; every one is off unless set. */
export interface ImageAugmentOptions {
  /** Flip left-right with probability 0.5. */
  horizontalFlip?: boolean;
  /** Flip upside-down with probability 0.5 (only for images without a natural "up": cells, satellite tiles). */
  verticalFlip?: boolean;
  /** Random crop after zero-padding every side by this many pixels (a shift of up to this many pixels). */
  cropPadding?: number;
  /** Random shift of up to this fraction of the width/height (e.g. 0.1), with bilinear sampling. */
  translate?: number;
  /** Random rotation of up to this many degrees either way, about the center, with bilinear sampling. */
  rotate?: number;
  /** Random brightness change: add a value drawn from [-b, b] (in the images' units). */
  brightness?: number;
  /** Random contrast change: scale around each channel's mean by a factor drawn from [1 - c, 1 + c]. */
  contrast?: number;
}

/**
 * Randomly augments a batch of images (NCHW) for training; returns a new array of the same shape. Each
 * image gets its own draws from `rng`, in a fixed order, so the same seed gives the same batch. Geometric
 * changes fill uncovered pixels with 0; values are not clipped (the batch may already be standardized).
 * Apply it to training batches only, never to validation or test images.
 *
 * Example: `const x = augmentImages(batch, [64, 1, 28, 28], { cropPadding: 2, rotate: 10 }, rng);`
 */
export function augmentImages(
  batch: Float32Array,
  shape: readonly [number, number, number, number],
  opts: ImageAugmentOptions,
  rng: Random,
): Float32Array {
  const [n, c, h, w] = shape;
  if (n * c * h * w !== batch.length) {
    throw new UserError(
      `image batch shape ${JSON.stringify(shape)} needs ${n * c * h * w} values; got ${batch.length}`,
    );
  }
  checkOptions(opts);
  const out = new Float32Array(batch.length);
  const per = c * h * w;
  for (let i = 0; i < n; i++) {
    const img = augmentOne(batch.subarray(i * per, (i + 1) * per), c, h, w, opts, rng);
    out.set(img, i * per);
  }
  return out;
}

function checkOptions(o: ImageAugmentOptions): void {
  const nonNeg = (name: keyof ImageAugmentOptions, max = Number.POSITIVE_INFINITY) => {
    const v = o[name];
    if (v !== undefined && (typeof v !== "number" || !(v >= 0) || v > max)) {
      throw new UserError(
        `image augmentation '${name}' must be a number in [0, ${max}]; got ${JSON.stringify(v)}`,
      );
    }
  };
  nonNeg("translate", 1);
  nonNeg("rotate", 180);
  nonNeg("brightness");
  nonNeg("contrast", 1);
  if (o.cropPadding !== undefined && (!Number.isInteger(o.cropPadding) || o.cropPadding < 0)) {
    throw new UserError(
      `image augmentation 'cropPadding' must be a non-negative integer; got ${o.cropPadding}`,
    );
  }
}

function augmentOne(
  src: Float32Array,
  c: number,
  h: number,
  w: number,
  o: ImageAugmentOptions,
  rng: Random,
): Float32Array {
  // Draw every random number first, in a fixed order, whatever is enabled.
  const flipX = o.horizontalFlip ? rng.next() < 0.5 : false;
  const flipY = o.verticalFlip ? rng.next() < 0.5 : false;
  const pad = o.cropPadding ?? 0;
  const cropDx = pad > 0 ? rng.int(2 * pad + 1) - pad : 0;
  const cropDy = pad > 0 ? rng.int(2 * pad + 1) - pad : 0;
  const tx = o.translate ? rng.uniform(-o.translate, o.translate) * w : 0;
  const ty = o.translate ? rng.uniform(-o.translate, o.translate) * h : 0;
  const angle = o.rotate ? (rng.uniform(-o.rotate, o.rotate) * Math.PI) / 180 : 0;
  const delta = o.brightness ? rng.uniform(-o.brightness, o.brightness) : 0;
  const factor = o.contrast ? rng.uniform(1 - o.contrast, 1 + o.contrast) : 1;

  const plane = h * w;
  let img = src;
  if (flipX || flipY || cropDx !== 0 || cropDy !== 0) {
    // integer moves: out(y, x) = in(y', x') with x' = (flipX ? w-1-x : x) + dx (0 outside)
    const moved = new Float32Array(src.length);
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < h; y++) {
        const sy = (flipY ? h - 1 - y : y) + cropDy;
        if (sy < 0 || sy >= h) continue;
        for (let x = 0; x < w; x++) {
          const sx = (flipX ? w - 1 - x : x) + cropDx;
          if (sx >= 0 && sx < w) moved[ch * plane + y * w + x] = src[ch * plane + sy * w + sx]!;
        }
      }
    }
    img = moved;
  }
  if (angle !== 0 || tx !== 0 || ty !== 0) img = affine(img, c, h, w, angle, tx, ty);
  if (delta !== 0 || factor !== 1) {
    if (img === src) img = src.slice();
    for (let ch = 0; ch < c; ch++) {
      let mean = 0;
      for (let i = 0; i < plane; i++) mean += img[ch * plane + i]!;
      mean /= plane;
      for (let i = 0; i < plane; i++) {
        const k = ch * plane + i;
        img[k] = (img[k]! - mean) * factor + mean + delta;
      }
    }
  }
  return img === src ? src.slice() : img;
}

/** Rotation by `angle` about the center and a shift by (tx, ty) pixels, sampled bilinearly, 0 outside. */
function affine(
  src: Float32Array,
  c: number,
  h: number,
  w: number,
  angle: number,
  tx: number,
  ty: number,
): Float32Array {
  const out = new Float32Array(src.length);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const plane = h * w;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // inverse map: source = R(-angle) * (out - center - shift) + center
      const dx = x - cx - tx;
      const dy = y - cy - ty;
      const sx = cos * dx + sin * dy + cx;
      const sy = -sin * dx + cos * dy + cy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let ch = 0; ch < c; ch++) {
        const base = ch * plane;
        const at = (yy: number, xx: number) =>
          yy >= 0 && yy < h && xx >= 0 && xx < w ? src[base + yy * w + xx]! : 0;
        out[base + y * w + x] =
          (at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx) * (1 - fy) +
          (at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx) * fy;
      }
    }
  }
  return out;
}
