import { UserError } from "../../errors.js";
import { powerSpectrum } from "./fft.js";

/** Settings of the log-mel spectrogram (saved with an audio model so prediction computes the same). */
export interface LogMelOptions {
  /** Sample rate of the signal in Hz. */
  sampleRate: number;
  /** FFT size (a power of two; also the window length). Default 512. */
  nFft?: number;
  /** Samples between frames. Default 160 (10 ms at 16 kHz). */
  hop?: number;
  /** Mel bands. Default 64. */
  mels?: number;
  /** Lowest and highest frequency of the mel bands in Hz. Default 0 and sampleRate / 2. */
  fMin?: number;
  fMax?: number;
  /** Added before the logarithm. Default 1e-6. */
  logOffset?: number;
}

/** A log-mel spectrogram: `data` is mels x frames, row-major (one row per mel band). */
export interface LogMel {
  data: Float32Array;
  mels: number;
  frames: number;
}

const hzToMel = (f: number) => 2595 * Math.log10(1 + f / 700);
const melToHz = (m: number) => 700 * (10 ** (m / 2595) - 1);

/**
 * Triangular mel filters on the HTK mel scale (2595 log10(1 + f/700)), unnormalized, as torchaudio's
 * `melscale_fbanks(norm=None, mel_scale="htk")`: returns (nFft/2 + 1) x mels, row-major by frequency bin.
 */
export function melFilterbank(
  mels: number,
  nFft: number,
  sampleRate: number,
  fMin = 0,
  fMax = sampleRate / 2,
): Float64Array {
  const nFreqs = (nFft >> 1) + 1;
  const mMin = hzToMel(fMin);
  const mMax = hzToMel(fMax);
  const fPts = Array.from({ length: mels + 2 }, (_, i) => melToHz(mMin + ((mMax - mMin) * i) / (mels + 1)));
  const fb = new Float64Array(nFreqs * mels);
  const nyquist = Math.floor(sampleRate / 2);
  for (let k = 0; k < nFreqs; k++) {
    const f = nFreqs === 1 ? 0 : (nyquist * k) / (nFreqs - 1);
    for (let m = 0; m < mels; m++) {
      const down = (f - fPts[m]!) / (fPts[m + 1]! - fPts[m]!);
      const up = (fPts[m + 2]! - f) / (fPts[m + 2]! - fPts[m + 1]!);
      fb[k * mels + m] = Math.max(0, Math.min(down, up));
    }
  }
  return fb;
}

/**
 * Log-mel spectrogram of a mono signal: frames centered on t = i * hop (the signal reflect-padded by nFft/2
 * at both ends, as torch.stft(center=True) does), a periodic Hann window, the power spectrum by FFT, the
 * mel filterbank, then log(x + logOffset). frames = 1 + floor(samples / hop).
 *
 * Example: `const { data, mels, frames } = logMelSpectrogram(samples, { sampleRate: 16000 });`
 */
export function logMelSpectrogram(samples: Float32Array, opts: LogMelOptions): LogMel {
  const { sampleRate } = opts;
  const nFft = opts.nFft ?? 512;
  const hop = opts.hop ?? 160;
  const mels = opts.mels ?? 64;
  const fMin = opts.fMin ?? 0;
  const fMax = opts.fMax ?? sampleRate / 2;
  const logOffset = opts.logOffset ?? 1e-6;
  if (!(sampleRate > 0)) throw new UserError(`sampleRate must be positive; got ${sampleRate}`);
  if (!Number.isInteger(nFft) || nFft < 2 || (nFft & (nFft - 1)) !== 0) {
    throw new UserError(`nFft must be a power of two >= 2; got ${nFft}`);
  }
  if (!Number.isInteger(hop) || hop < 1) throw new UserError(`hop must be a positive integer; got ${hop}`);
  if (!Number.isInteger(mels) || mels < 1)
    throw new UserError(`mels must be a positive integer; got ${mels}`);
  if (!(fMin >= 0 && fMax > fMin && fMax <= sampleRate / 2)) {
    throw new UserError(
      `mel band edges must satisfy 0 <= fMin < fMax <= sampleRate/2; got fMin ${fMin}, fMax ${fMax}`,
    );
  }
  if (samples.length === 0) throw new UserError("cannot compute a spectrogram of an empty signal");
  const fb = melFilterbank(mels, nFft, sampleRate, fMin, fMax);
  const nFreqs = (nFft >> 1) + 1;
  const window = Float64Array.from(
    { length: nFft },
    (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / nFft),
  );
  const pad = nFft >> 1;
  const frames = 1 + Math.floor(samples.length / hop);
  const data = new Float32Array(mels * frames);
  const frame = new Float64Array(nFft);
  for (let t = 0; t < frames; t++) {
    const start = t * hop - pad;
    for (let i = 0; i < nFft; i++) frame[i] = samples[reflect(start + i, samples.length)]! * window[i]!;
    const power = powerSpectrum(frame);
    for (let m = 0; m < mels; m++) {
      let s = 0;
      for (let k = 0; k < nFreqs; k++) s += power[k]! * fb[k * mels + m]!;
      data[m * frames + t] = Math.log(s + logOffset);
    }
  }
  return { data, mels, frames };
}

/** Index i reflected into 0..n-1 without repeating the edge sample (numpy/torch "reflect"). */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = i % period;
  if (j < 0) j += period;
  return j < n ? j : period - j;
}
