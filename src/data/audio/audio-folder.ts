import { readFile } from "node:fs/promises";
import { UserError } from "../../errors.js";
import { largest } from "../../util/extent.js";
import { listClassFolder } from "../class-folder.js";
import { type LogMelOptions, logMelSpectrogram } from "./log-mel.js";
import { type DecodedAudio, decodeWav, resampleLinear } from "./wav.js";

/** Options of readAudioFolder and readAudioFile. */
export interface AudioReadOptions {
  /** Rate every clip is resampled to, in Hz. Default 16000. */
  sampleRate?: number;
  /** Clip length in seconds: shorter clips are zero-padded at the end, longer ones cut. Default: the longest clip. */
  seconds?: number;
  /** Spectrogram settings (the sample rate is `sampleRate`). Defaults: nFft 512, hop 160, 64 mels. */
  nFft?: number;
  hop?: number;
  mels?: number;
  fMin?: number;
  fMax?: number;
  /** Skip unreadable files with a warning instead of failing. */
  skipCorrupt?: boolean;
  /** Also return the fixed-length waveforms (for waveform augmentation, then audioFeatures). */
  keepWaveforms?: boolean;
}

/** Settings that fix the spectrogram's shape, to save with a model and pass to readAudioFile. */
export interface AudioFeatureSettings extends Required<Pick<AudioReadOptions, "sampleRate" | "seconds">> {
  spectrogram: Omit<LogMelOptions, "sampleRate">;
}

/** Log-mel spectrograms of a folder of WAV files, as a batch a CNN can take. */
export interface AudioFolder {
  /** N x 1 x mels x frames log-mel values, row-major (NCHW with one channel). */
  spectrograms: Float32Array;
  /** [N, 1, mels, frames]. */
  shape: [number, number, number, number];
  labels: Int32Array;
  classes: string[];
  files: string[];
  warnings: string[];
  /** The settings used (pass them to readAudioFile at prediction time). */
  settings: AudioFeatureSettings;
  /** With keepWaveforms: N x samples, the resampled clips padded or cut to `settings.seconds`. */
  waveforms?: Float32Array;
}

const WAV_EXTENSIONS = new Set([".wav", ".wave"]);
const OTHER_AUDIO_EXTENSIONS = new Set([".mp3", ".flac", ".ogg", ".m4a", ".aac", ".opus", ".aiff", ".aif"]);

/**
 * Reads an audio classification folder (`dir/<class>/*.wav`): each WAV decoded and mixed to mono,
 * resampled to `sampleRate`, padded or cut to `seconds`, and turned into a log-mel spectrogram
 * (see logMelSpectrogram), stacked as [N, 1, mels, frames].
 *
 * Errors (UserError): no such folder, no class subfolders, no WAV files, a file that cannot be decoded
 * (naming the file; with skipCorrupt a warning instead).
 *
 * Example: `const a = await readAudioFolder("speech_commands", { seconds: 1 });`
 */
export async function readAudioFolder(dir: string, opts: AudioReadOptions = {}): Promise<AudioFolder> {
  const {
    classes,
    files: listed,
    warnings,
  } = await listClassFolder(dir, WAV_EXTENSIONS, OTHER_AUDIO_EXTENSIONS, "WAV files");
  const sampleRate = checkRate(opts.sampleRate ?? 16000);
  const clips: { samples: Float32Array; file: string; label: number }[] = [];
  for (const { file, label } of listed) {
    let audio: DecodedAudio;
    try {
      audio = decodeWav(await readFile(file), file);
    } catch (e) {
      if (!(e instanceof UserError) || !opts.skipCorrupt) throw e;
      warnings.push(`skipped ${e.message.split("\n")[0]}`);
      continue;
    }
    if (audio.samples.length === 0) {
      const msg = `${file}: the WAV file holds no samples`;
      if (!opts.skipCorrupt)
        throw new UserError(
          msg,
          "record or convert the clip again, or remove the empty file from the folder",
        );
      warnings.push(`skipped ${msg}`);
      continue;
    }
    clips.push({ samples: resampleLinear(audio.samples, audio.sampleRate, sampleRate), file, label });
  }
  if (clips.length === 0)
    throw new UserError(`folder '${dir}': every WAV file was skipped`, warnings.slice(0, 3).join("; "));
  const seconds = opts.seconds ?? largest(clips.map((c) => c.samples.length)) / sampleRate;
  const settings = makeSettings(sampleRate, seconds, opts);
  const length = clipLength(settings);
  const waveforms = new Float32Array(clips.length * length);
  clips.forEach((clip, n) => {
    waveforms.set(fitLength(clip.samples, length), n * length);
  });
  const { spectrograms, shape } = audioFeatures(waveforms, clips.length, settings);
  const labels = Int32Array.from(clips, (c) => c.label);
  const result: AudioFolder = {
    spectrograms,
    shape,
    labels,
    classes,
    files: clips.map((c) => c.file),
    warnings,
    settings,
  };
  if (opts.keepWaveforms) result.waveforms = waveforms;
  return result;
}

/**
 * Log-mel spectrograms [count, 1, mels, frames] of `count` waveforms of equal length (row-major), e.g.
 * after augmentAudio on a training batch.
 */
export function audioFeatures(
  waveforms: Float32Array,
  count: number,
  settings: AudioFeatureSettings,
): { spectrograms: Float32Array; shape: [number, number, number, number] } {
  if (!Number.isInteger(count) || count < 1 || waveforms.length % count !== 0) {
    throw new UserError(`${waveforms.length} samples do not split into ${count} clips of equal length`);
  }
  const length = waveforms.length / count;
  let spectrograms = new Float32Array(0);
  let shape: [number, number, number, number] = [count, 1, 0, 0];
  for (let n = 0; n < count; n++) {
    const s = featuresOf(waveforms.subarray(n * length, (n + 1) * length), settings);
    if (n === 0) {
      shape = [count, 1, s.mels, s.frames];
      spectrograms = new Float32Array(count * s.data.length);
    }
    spectrograms.set(s.data, n * s.data.length);
  }
  return { spectrograms, shape };
}

/** One WAV file as a [1, mels, frames] log-mel spectrogram with the settings a model was trained with. */
export async function readAudioFile(path: string, settings: AudioFeatureSettings): Promise<Float32Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    throw new UserError(`cannot read audio '${path}': no such file`);
  }
  const audio = decodeWav(bytes, path);
  return featuresOf(resampleLinear(audio.samples, audio.sampleRate, settings.sampleRate), settings).data;
}

/** Pads with zeros or cuts `samples` to exactly `length`. */
export function fitLength(samples: Float32Array, length: number): Float32Array {
  if (samples.length === length) return samples;
  const out = new Float32Array(length);
  out.set(samples.subarray(0, Math.min(length, samples.length)));
  return out;
}

function clipLength(settings: AudioFeatureSettings): number {
  return Math.max(1, Math.round(settings.seconds * settings.sampleRate));
}

function featuresOf(samples: Float32Array, settings: AudioFeatureSettings) {
  const length = clipLength(settings);
  return logMelSpectrogram(fitLength(samples, length), {
    ...settings.spectrogram,
    sampleRate: settings.sampleRate,
  });
}

function checkRate(rate: number): number {
  if (!Number.isInteger(rate) || rate < 1)
    throw new UserError(`sampleRate must be a positive integer (Hz); got ${rate}`);
  return rate;
}

function makeSettings(sampleRate: number, seconds: number, opts: AudioReadOptions): AudioFeatureSettings {
  if (!(seconds > 0) || !Number.isFinite(seconds))
    throw new UserError(`seconds must be a positive number; got ${seconds}`);
  const spectrogram: Omit<LogMelOptions, "sampleRate"> = {
    nFft: opts.nFft ?? 512,
    hop: opts.hop ?? 160,
    mels: opts.mels ?? 64,
    fMin: opts.fMin ?? 0,
    fMax: opts.fMax ?? sampleRate / 2,
  };
  return { sampleRate, seconds, spectrogram };
}
