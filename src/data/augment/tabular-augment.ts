import { UserError } from "../../errors.js";
import type { Random } from "../../util/random.js";

/**
 * What the CLI prints when tabular augmentation is switched on (it is off by default).
 */
export const TABULAR_AUGMENTATION_CAUTION =
  "Tabular augmentation is on. It rarely helps on tables: Gaussian noise assumes the noised features are " +
  "continuous and standardized (one-hot, indicator and embedding-index columns are left alone), and mixup " +
  "blends rows into ones that may be impossible (half of one category, half of another). Compare it against " +
  "the run without augmentation on the validation set, and keep it only if validation improves.";

/**
 * Adds Gaussian noise N(0, std^2) to the chosen feature columns of a row-major batch (rows x features);
 * returns a new array. `columns` defaults to every column; pass the continuous ones (standardized
 * features) and leave one-hot and indicator columns out. Same seed, same result. Training batches only.
 */
export function gaussianNoise(
  x: Float32Array,
  features: number,
  std: number,
  rng: Random,
  columns?: readonly number[],
): Float32Array {
  if (!Number.isInteger(features) || features < 1 || x.length % features !== 0) {
    throw new UserError(`a batch of ${x.length} values does not split into rows of ${features} features`);
  }
  if (!(std >= 0)) throw new UserError(`gaussian noise std must be >= 0; got ${std}`);
  const cols = columns ?? Array.from({ length: features }, (_, i) => i);
  for (const c of cols) {
    if (!Number.isInteger(c) || c < 0 || c >= features)
      throw new UserError(`noise column ${c} is outside 0..${features - 1}`);
  }
  const out = x.slice();
  for (let r = 0; r < x.length / features; r++)
    for (const c of cols) out[r * features + c]! += std * rng.normal();
  return out;
}

/** A mixed batch: features and soft targets (rows x classes for classification, rows for regression). */
export interface MixedBatch {
  x: Float32Array;
  y: Float32Array;
  /** The mixing weight of the batch (lambda). */
  lambda: number;
}

/**
 * Mixup (Zhang et al. 2018): one lambda ~ Beta(alpha, alpha) per batch and a random pairing of the rows;
 * x = lambda * x + (1 - lambda) * x[pair], and the same mix of the targets. For classification pass class
 * indices (Int32Array) and `classes`, and get one-hot mixtures (train with soft-target cross-entropy); for
 * regression pass the values (Float32Array) and get their mixture. Same seed, same result.
 */
export function mixup(
  x: Float32Array,
  features: number,
  y: Int32Array | Float32Array,
  alpha: number,
  rng: Random,
  classes?: number,
): MixedBatch {
  const rows = y.length;
  if (rows * features !== x.length)
    throw new UserError(`mixup: ${rows} targets but ${x.length / features} feature rows`);
  if (!(alpha > 0)) throw new UserError(`mixup alpha must be > 0; got ${alpha}`);
  const lambda = sampleBeta(alpha, alpha, rng);
  const pair = rng.permutation(rows);
  const mx = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) {
    const p = pair[r]!;
    for (let f = 0; f < features; f++) {
      mx[r * features + f] = lambda * x[r * features + f]! + (1 - lambda) * x[p * features + f]!;
    }
  }
  if (y instanceof Int32Array) {
    if (!Number.isInteger(classes) || classes! < 1)
      throw new UserError(`mixup of class labels needs the class count; got ${classes}`);
    const k = classes!;
    const my = new Float32Array(rows * k);
    for (let r = 0; r < rows; r++) {
      my[r * k + y[r]!]! += lambda;
      my[r * k + y[pair[r]!]!]! += 1 - lambda;
    }
    return { x: mx, y: my, lambda };
  }
  const my = new Float32Array(rows);
  for (let r = 0; r < rows; r++) my[r] = lambda * y[r]! + (1 - lambda) * y[pair[r]!]!;
  return { x: mx, y: my, lambda };
}

/** Beta(a, b) from two Gamma draws (Marsaglia-Tsang; boosted for shape < 1). */
export function sampleBeta(a: number, b: number, rng: Random): number {
  const x = sampleGamma(a, rng);
  const y = sampleGamma(b, rng);
  return x + y === 0 ? 0.5 : x / (x + y);
}

function sampleGamma(shape: number, rng: Random): number {
  if (shape < 1) {
    const u = rng.next();
    return sampleGamma(shape + 1, rng) * u ** (1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}
