/**
 * `--augment` for every data kind: one spec syntax (comma-separated `name[:value[:value]]` items), parsed
 * per kind into the augmenters of src/data/augment, applied to training batches only (the fit loop's
 * augment hook; validation and test rows are never augmented). A name a kind does not take is refused
 * with the names it does take.
 *
 * - table: `noise:STD` Gaussian noise on the standardized numeric features (one-hot, indicator and
 *   embedding-index features are left alone);
 * - images: `flip`, `vflip`, `crop:PX` (pad and crop: shifts of up to PX pixels), `translate:FRAC`,
 *   `rotate:DEG`, `brightness:B`, `contrast:C`;
 * - audio (on the standardized log-mel spectrograms): `specaugment[:F[:T]]` one frequency mask of up to F
 *   mel bands and one time mask of up to T frames (defaults: an eighth of the bands, a tenth of the
 *   frames), `noise:STD` Gaussian noise, `shift:FRAC` a circular time shift of up to FRAC of the frames;
 * - text: `drop:P` drops each n-gram of a training text with probability P (word dropout on the bag),
 *   re-normalizing the remaining weights.
 *
 * @example makeAugmenter("images", "flip,crop:2", { shape: [3, 32, 32] })
 */
import { augmentImages, type ImageAugmentOptions } from "../data/augment/image-augment.js";
import { maskSpectrograms } from "../data/augment/spectrogram-augment.js";
import { gaussianNoise, TABULAR_AUGMENTATION_CAUTION } from "../data/augment/tabular-augment.js";
import { UserError } from "../errors.js";
import type { DataKind } from "../train/config-options.js";
import type { Random } from "../util/random.js";

export type Augmenter = (x: Float32Array, n: number, rng: Random) => void;

/** What rebuilds an augmenter in another thread (src/train/augment-pipeline.ts): makeAugmenter's arguments. */
export interface AugmenterSpec {
  kind: DataKind;
  spec: string;
  ctx: AugmentContext;
}

/** An augmenter that says how to rebuild it, so that the fit loop can run it in a worker thread. */
export type PortableAugmenter = Augmenter & { readonly portable: AugmenterSpec };

interface ItemSpec {
  /** Numbers the item takes: [min, max] count. */
  args: [number, number];
  help: string;
}

const ITEMS: Record<DataKind, Record<string, ItemSpec>> = {
  table: { noise: { args: [1, 1], help: "noise:STD" } },
  images: {
    flip: { args: [0, 0], help: "flip" },
    vflip: { args: [0, 0], help: "vflip" },
    crop: { args: [1, 1], help: "crop:PX" },
    translate: { args: [1, 1], help: "translate:FRAC" },
    rotate: { args: [1, 1], help: "rotate:DEG" },
    brightness: { args: [1, 1], help: "brightness:B" },
    contrast: { args: [1, 1], help: "contrast:C" },
  },
  audio: {
    specaugment: { args: [0, 2], help: "specaugment[:F[:T]]" },
    noise: { args: [1, 1], help: "noise:STD" },
    shift: { args: [1, 1], help: "shift:FRAC" },
  },
  text: { drop: { args: [1, 1], help: "drop:P" } },
};

function parseItems(kind: DataKind, spec: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const raw of spec.split(",")) {
    const [name, ...rest] = raw.trim().split(":");
    const item = ITEMS[kind][name!];
    const allowed = Object.values(ITEMS[kind])
      .map((i) => i.help)
      .join(", ");
    if (!item)
      throw new UserError(
        `--augment ${name} is not an augmentation for ${kind === "table" ? "tables" : kind}`,
        `use ${allowed}`,
      );
    const args = rest.map(Number);
    if (
      args.length < item.args[0] ||
      args.length > item.args[1] ||
      !args.every((a) => Number.isFinite(a) && a >= 0)
    )
      throw new UserError(`--augment ${raw.trim()}: expected ${item.help}`, `use ${allowed}`);
    if (name === "drop" && !(args[0]! < 1)) throw new UserError(`--augment ${raw.trim()}: P must be < 1`);
    out.set(name!, args);
  }
  return out;
}

/** Checks a spec for a kind (throws naming the allowed items) and returns a note on what it will do. */
export function checkAugmentation(kind: DataKind, spec: string): string {
  parseItems(kind, spec);
  return kind === "table" ? TABULAR_AUGMENTATION_CAUTION : `training batches only, ${kind}: ${spec}`;
}

/** What makeAugmenter needs to know of the data. */
export interface AugmentContext {
  /** Shape of one row ([features], [c, h, w], [1, mels, frames], [2L]). */
  shape: number[];
  /** Table feature names ("col", "col=value", "col:missing"): noise goes to plain numeric ones only. */
  featureNames?: string[];
}

/**
 * The batch augmenter for `spec` (see the file comment). Image augmenters carry their description
 * (`portable`): the fit loop runs those in a worker thread, overlapped with the training step.
 */
export function makeAugmenter(kind: DataKind, spec: string, ctx: AugmentContext): Augmenter {
  const fn = augmenterOf(kind, spec, ctx);
  return kind === "images" ? Object.assign(fn, { portable: { kind, spec, ctx } }) : fn;
}

function augmenterOf(kind: DataKind, spec: string, ctx: AugmentContext): Augmenter {
  const items = parseItems(kind, spec);
  const per = ctx.shape.reduce((a, d) => a * d, 1);
  if (kind === "table") {
    const std = items.get("noise")![0]!;
    const names = ctx.featureNames ?? [];
    const cols = names.flatMap((name, i) => (name.includes("=") || name.includes(":") ? [] : [i]));
    return (x, n, rng) => x.set(gaussianNoise(x.subarray(0, n * per), per, std, rng, cols));
  }
  if (kind === "images") {
    const o: ImageAugmentOptions = {};
    if (items.has("flip")) o.horizontalFlip = true;
    if (items.has("vflip")) o.verticalFlip = true;
    if (items.has("crop")) o.cropPadding = Math.round(items.get("crop")![0]!);
    if (items.has("translate")) o.translate = items.get("translate")![0];
    if (items.has("rotate")) o.rotate = items.get("rotate")![0];
    if (items.has("brightness")) o.brightness = items.get("brightness")![0];
    if (items.has("contrast")) o.contrast = items.get("contrast")![0];
    const [c, h, w] = ctx.shape as [number, number, number];
    return (x, n, rng) => x.set(augmentImages(x.subarray(0, n * per), [n, c, h, w], o, rng));
  }
  if (kind === "audio") {
    const [c, mels, frames] = ctx.shape as [number, number, number];
    return (x, n, rng) => {
      const batch = x.subarray(0, n * per);
      const shift = items.get("shift");
      if (shift) {
        const max = Math.round(shift[0]! * frames);
        const row = new Float32Array(frames);
        for (let i = 0; i < n * c * mels; i++) {
          const s = max > 0 ? rng.int(2 * max + 1) - max : 0;
          if (s === 0) continue;
          const r = batch.subarray(i * frames, (i + 1) * frames);
          for (let t = 0; t < frames; t++) row[(((t + s) % frames) + frames) % frames] = r[t]!;
          r.set(row);
        }
      }
      const noise = items.get("noise");
      if (noise) for (let i = 0; i < batch.length; i++) batch[i]! += noise[0]! * rng.normal();
      const sa = items.get("specaugment");
      if (sa)
        batch.set(
          maskSpectrograms(
            batch,
            [n, c, mels, frames],
            {
              maxFreqWidth: Math.max(1, Math.round(sa[0] ?? mels / 8)),
              maxTimeWidth: Math.max(1, Math.round(sa[1] ?? frames / 10)),
            },
            rng,
          ),
        );
    };
  }
  // text: drop n-grams of the [indices | weights] rows, then re-normalize the weights
  const p = items.get("drop")![0]!;
  const L = per / 2;
  return (x, n, rng) => {
    for (let r = 0; r < n; r++) {
      const w = x.subarray(r * per + L, (r + 1) * per);
      let kept = 0;
      let norm = 0;
      for (let j = 0; j < L; j++) {
        if (w[j] === 0) continue;
        if (rng.next() < p && kept + (L - j) > 1) w[j] = 0;
        else {
          kept++;
          norm += w[j]! * w[j]!;
        }
      }
      norm = Math.sqrt(norm);
      if (norm > 0) for (let j = 0; j < L; j++) w[j]! /= norm;
    }
  };
}
