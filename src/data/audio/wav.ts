import { UserError } from "../../errors.js";

/** A decoded WAV file, mixed down to mono. */
export interface DecodedAudio {
  sampleRate: number;
  /** Channels in the file (the samples are their average). */
  channels: number;
  /** Mono samples in [-1, 1]. */
  samples: Float32Array;
}

/**
 * Decodes a RIFF/WAVE file: PCM 8-bit (unsigned), 16-, 24- and 32-bit (signed), and IEEE float 32/64, also
 * inside WAVE_FORMAT_EXTENSIBLE; channels are averaged to mono. Compressed formats (ADPCM, mu-law, ...)
 * and damaged headers are a UserError naming `path`. A data chunk that claims more bytes than the file
 * holds is read up to the end of the file.
 */
export function decodeWav(bytes: Uint8Array, path: string): DecodedAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const convert = `convert it to 16-bit PCM WAV, e.g. \`sox in.wav -e signed-integer -b 16 out.wav\` or \`ffmpeg -i in.wav -acodec pcm_s16le out.wav\``;
  const tag = (at: number) => String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
  if (bytes.length < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE") {
    const what = describeBytes(bytes);
    throw new UserError(
      `${path}: not a WAV file (no RIFF/WAVE header${what ? `; it looks like ${what}` : ""})`,
      `${convert}, or remove it from the folder`,
    );
  }
  let fmt:
    | { format: number; channels: number; sampleRate: number; bits: number; blockAlign: number }
    | undefined;
  let dataAt = -1;
  let dataLen = 0;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === "fmt ") {
      if (size < 16 || body + 16 > bytes.length)
        throw new UserError(
          `${path}: damaged WAV header (the format chunk at byte ${at} is cut short: the file has ${bytes.length} bytes)`,
          `the file is truncated or damaged: ${convert} from its source, or remove it`,
        );
      let format = view.getUint16(body, true);
      if (format === 0xfffe && size >= 40) format = view.getUint16(body + 24, true); // extensible: sub-format GUID
      fmt = {
        format,
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        blockAlign: view.getUint16(body + 12, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === "data") {
      dataAt = body;
      dataLen = Math.min(size, bytes.length - body);
      break;
    }
    at = body + size + (size % 2);
  }
  if (!fmt)
    throw new UserError(
      `${path}: WAV file without a format chunk (damaged)`,
      `${convert}, or remove it from the folder`,
    );
  if (dataAt < 0)
    throw new UserError(
      `${path}: WAV file without a data chunk (damaged, or no samples)`,
      `${convert}, or remove it from the folder`,
    );
  const { format, channels, sampleRate, bits } = fmt;
  const supported =
    (format === 1 && [8, 16, 24, 32].includes(bits)) || (format === 3 && (bits === 32 || bits === 64));
  if (!supported) {
    throw new UserError(
      `${path}: unsupported WAV encoding (format ${format}, ${bits} bits): ${encodingName(format)}; nncoach reads PCM 8/16/24/32-bit and float 32/64-bit`,
      convert,
    );
  }
  if (channels < 1 || sampleRate < 1)
    throw new UserError(
      `${path}: damaged WAV header: ${channels} channels at ${sampleRate} Hz`,
      `${convert}, or remove it from the folder`,
    );
  const bytesPer = bits / 8;
  const frame = bytesPer * channels;
  const n = Math.floor(dataLen / frame);
  const samples = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) {
      const at = dataAt + i * frame + c * bytesPer;
      sum += readSample(view, at, format, bits);
    }
    samples[i] = sum / channels;
  }
  return { sampleRate, channels, samples };
}

/** WAVE format codes by name, for messages. */
const WAVE_FORMATS: Record<number, string> = {
  1: "PCM",
  2: "Microsoft ADPCM",
  3: "IEEE float",
  6: "A-law",
  7: "mu-law",
  17: "IMA ADPCM",
  49: "GSM 6.10",
  80: "MPEG",
  85: "MP3",
};

function encodingName(format: number): string {
  return WAVE_FORMATS[format] ?? "an unknown encoding";
}

/** What a file's first bytes say it is (for a file named .wav that is not one), or "" when unknown. */
function describeBytes(b: Uint8Array): string {
  const ascii = (n: number) => String.fromCharCode(...b.subarray(0, n));
  if (b.length === 0) return "an empty file";
  if (ascii(3) === "ID3" || (b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0)) return "MP3 audio";
  if (ascii(4) === "fLaC") return "FLAC audio";
  if (ascii(4) === "OggS") return "Ogg audio";
  if (ascii(4) === "FORM") return "AIFF audio";
  if (ascii(4) === "RIFF") return `a RIFF file of type '${ascii(12).slice(8)}'`;
  if (b[0] === 0x89 && ascii(4).slice(1) === "PNG") return "a PNG image";
  const text = b.subarray(0, 64).every((c) => c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127));
  return text ? "text" : "";
}

function readSample(view: DataView, at: number, format: number, bits: number): number {
  if (format === 3) return bits === 32 ? view.getFloat32(at, true) : view.getFloat64(at, true);
  switch (bits) {
    case 8:
      return (view.getUint8(at) - 128) / 128;
    case 16:
      return view.getInt16(at, true) / 32768;
    case 24: {
      const v = view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getInt8(at + 2) << 16);
      return v / 8388608;
    }
    default:
      return view.getInt32(at, true) / 2147483648;
  }
}

/**
 * Encodes mono samples in [-1, 1] as a 16-bit PCM WAV file (values outside are clipped). Used to write
 * test signals and augmented audio. Example: `writeFileSync("tone.wav", encodeWav(samples, 16000))`.
 */
export function encodeWav(samples: Float32Array, sampleRate: number): Uint8Array {
  const out = new Uint8Array(44 + samples.length * 2);
  const view = new DataView(out.buffer);
  const put = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  put(0, "RIFF");
  view.setUint32(4, 36 + samples.length * 2, true);
  put(8, "WAVE");
  put(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  put(36, "data");
  view.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]!));
    view.setInt16(44 + 2 * i, Math.round(v < 0 ? v * 32768 : v * 32767), true);
  }
  return out;
}

/**
 * Resamples by linear interpolation (no anti-aliasing filter: fine for speech and tones, and for
 * upsampling; downsampling by large factors can alias). Returns the input when the rates are equal.
 */
export function resampleLinear(samples: Float32Array, from: number, to: number): Float32Array {
  if (from === to) return samples;
  const n = Math.max(1, Math.round((samples.length * to) / from));
  const out = new Float32Array(n);
  const ratio = from / to;
  for (let i = 0; i < n; i++) {
    const s = i * ratio;
    const j = Math.floor(s);
    const f = s - j;
    const a = samples[Math.min(j, samples.length - 1)]!;
    const b = samples[Math.min(j + 1, samples.length - 1)]!;
    out[i] = a + (b - a) * f;
  }
  return out;
}
