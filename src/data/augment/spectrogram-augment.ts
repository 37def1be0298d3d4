import { UserError } from "../../errors.js";
import type { Random } from "../../util/random.js";

/** SpecAugment-style masking settings. */
export interface SpectrogramMaskOptions {
  /** Number of frequency masks per spectrogram. Default 1. */
  freqMasks?: number;
  /** Widest frequency mask, in mel bands. */
  maxFreqWidth: number;
  /** Number of time masks per spectrogram. Default 1. */
  timeMasks?: number;
  /** Widest time mask, in frames. */
  maxTimeWidth: number;
}

/**
 * SpecAugment masking (Park et al. 2019) on a batch of spectrograms [N, 1, mels, frames]: random bands of
 * mel rows and of frames are set to each spectrogram's mean. For audio read as precomputed spectrograms
 * (readAudioFolder), where waveform augmentation is not possible. Same seed, same result; training only.
 */
export function maskSpectrograms(
  batch: Float32Array,
  shape: readonly [number, number, number, number],
  opts: SpectrogramMaskOptions,
  rng: Random,
): Float32Array {
  const [n, c, mels, frames] = shape;
  if (n * c * mels * frames !== batch.length) {
    throw new UserError(
      `spectrogram batch shape ${JSON.stringify(shape)} needs ${n * c * mels * frames} values; got ${batch.length}`,
    );
  }
  const fm = opts.freqMasks ?? 1;
  const tm = opts.timeMasks ?? 1;
  for (const [name, v] of [
    ["freqMasks", fm],
    ["timeMasks", tm],
    ["maxFreqWidth", opts.maxFreqWidth],
    ["maxTimeWidth", opts.maxTimeWidth],
  ] as const) {
    if (!Number.isInteger(v) || v < 0)
      throw new UserError(`spectrogram masking '${name}' must be a non-negative integer; got ${v}`);
  }
  const out = batch.slice();
  const per = c * mels * frames;
  for (let i = 0; i < n; i++) {
    const s = out.subarray(i * per, (i + 1) * per);
    let mean = 0;
    for (const v of s) mean += v;
    mean /= per;
    for (let k = 0; k < fm; k++) {
      const width = rng.int(Math.min(opts.maxFreqWidth, mels) + 1);
      const start = rng.int(mels - width + 1);
      for (let ch = 0; ch < c; ch++)
        s.fill(mean, (ch * mels + start) * frames, (ch * mels + start + width) * frames);
    }
    for (let k = 0; k < tm; k++) {
      const width = rng.int(Math.min(opts.maxTimeWidth, frames) + 1);
      const start = rng.int(frames - width + 1);
      for (let row = 0; row < c * mels; row++)
        s.fill(mean, row * frames + start, row * frames + start + width);
    }
  }
  return out;
}
