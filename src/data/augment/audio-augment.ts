import { UserError } from "../../errors.js";
import type { Random } from "../../util/random.js";

/** Waveform augmentation settings; every one is off unless set. */
export interface AudioAugmentOptions {
  /** Add Gaussian noise at a signal-to-noise ratio (dB) drawn from [min, max], e.g. [10, 30]. */
  noiseSnrDb?: [number, number];
  /** Shift in time by up to this fraction of the clip either way (zeros fill the gap), e.g. 0.1. */
  timeShift?: number;
  /** Multiply by a gain (dB) drawn from [-g, g], e.g. 6. */
  gainDb?: number;
}

/**
 * Randomly augments a batch of equal-length mono waveforms (N x length, row-major) for training; returns a
 * new array. Per clip, in this order: time shift, gain, noise at the drawn SNR (noise power = signal power
 * / 10^(snr/10), so silent clips stay silent). Same seed, same result. Apply to training clips only, then
 * compute spectrograms (see audioFeatures).
 *
 * Example: `augmentAudio(waves, 32, 16000, { noiseSnrDb: [10, 30], timeShift: 0.1 }, rng)`.
 */
export function augmentAudio(
  batch: Float32Array,
  count: number,
  length: number,
  opts: AudioAugmentOptions,
  rng: Random,
): Float32Array {
  if (count * length !== batch.length) {
    throw new UserError(
      `audio batch of ${count} x ${length} needs ${count * length} samples; got ${batch.length}`,
    );
  }
  const snr = opts.noiseSnrDb;
  if (snr !== undefined && (!Array.isArray(snr) || snr.length !== 2 || !(snr[0] <= snr[1]))) {
    throw new UserError(
      `audio augmentation 'noiseSnrDb' must be [min, max] with min <= max; got ${JSON.stringify(snr)}`,
    );
  }
  if (opts.timeShift !== undefined && !(opts.timeShift >= 0 && opts.timeShift <= 1)) {
    throw new UserError(`audio augmentation 'timeShift' must be in [0, 1]; got ${opts.timeShift}`);
  }
  if (opts.gainDb !== undefined && !(opts.gainDb >= 0)) {
    throw new UserError(`audio augmentation 'gainDb' must be >= 0; got ${opts.gainDb}`);
  }
  const out = new Float32Array(batch.length);
  for (let i = 0; i < count; i++) {
    let clip = batch.subarray(i * length, (i + 1) * length);
    if (opts.timeShift)
      clip = shiftTime(clip, Math.round(rng.uniform(-opts.timeShift, opts.timeShift) * length));
    if (opts.gainDb) clip = applyGain(clip, rng.uniform(-opts.gainDb, opts.gainDb));
    if (snr) clip = addNoise(clip, rng.uniform(snr[0], snr[1]), rng);
    out.set(clip, i * length);
  }
  return out;
}

/** The clip moved by `shift` samples (positive = later), zeros filling the gap; same length. */
export function shiftTime(clip: Float32Array, shift: number): Float32Array {
  const out = new Float32Array(clip.length);
  for (let i = 0; i < clip.length; i++) {
    const s = i - shift;
    if (s >= 0 && s < clip.length) out[i] = clip[s]!;
  }
  return out;
}

/** The clip scaled by `db` decibels (amplitude factor 10^(db/20)). */
export function applyGain(clip: Float32Array, db: number): Float32Array {
  const g = 10 ** (db / 20);
  return clip.map((v) => v * g);
}

/** The clip plus Gaussian noise whose power is the clip's mean power / 10^(snrDb/10). */
export function addNoise(clip: Float32Array, snrDb: number, rng: Random): Float32Array {
  let power = 0;
  for (const v of clip) power += v * v;
  power /= Math.max(1, clip.length);
  const std = Math.sqrt(power / 10 ** (snrDb / 10));
  return clip.map((v) => v + std * rng.normal());
}
