import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { audioFeatures, readAudioFile, readAudioFolder } from "../src/data/audio/audio-folder.js";
import { fftInPlace } from "../src/data/audio/fft.js";
import { logMelSpectrogram } from "../src/data/audio/log-mel.js";
import { decodeWav, encodeWav, resampleLinear } from "../src/data/audio/wav.js";
import { UserError } from "../src/errors.js";

const gold = JSON.parse(readFileSync(new URL("../../test/fixtures/log_mel.json", import.meta.url), "utf8"));
const tmp = mkdtempSync(join(tmpdir(), "nncoach-wav-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function tone(freq: number, seconds: number, rate: number, phase = 0, amp = 0.5): Float32Array {
  return Float32Array.from(
    { length: Math.round(seconds * rate) },
    (_, i) => amp * Math.sin(2 * Math.PI * freq * (i / rate) + phase),
  );
}

/** A WAV with any encoding, written by hand: samples per channel interleaved. */
function rawWav(
  format: number,
  bits: number,
  channels: number,
  rate: number,
  frames: number[][],
): Uint8Array {
  const bytesPer = bits / 8;
  const dataLen = frames.length * channels * bytesPer;
  const buf = new DataView(new ArrayBuffer(44 + dataLen));
  const put = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) buf.setUint8(at + i, s.charCodeAt(i));
  };
  put(0, "RIFF");
  buf.setUint32(4, 36 + dataLen, true);
  put(8, "WAVE");
  put(12, "fmt ");
  buf.setUint32(16, 16, true);
  buf.setUint16(20, format, true);
  buf.setUint16(22, channels, true);
  buf.setUint32(24, rate, true);
  buf.setUint32(28, rate * channels * bytesPer, true);
  buf.setUint16(32, channels * bytesPer, true);
  buf.setUint16(34, bits, true);
  put(36, "data");
  buf.setUint32(40, dataLen, true);
  let at = 44;
  for (const f of frames) {
    for (const v of f) {
      if (format === 3) buf.setFloat32(at, v, true);
      else if (bits === 8) buf.setUint8(at, Math.round(v * 127) + 128);
      else if (bits === 16) buf.setInt16(at, Math.round(v * 32767), true);
      else if (bits === 24) {
        const x = Math.round(v * 8388607);
        buf.setUint8(at, x & 0xff);
        buf.setUint8(at + 1, (x >> 8) & 0xff);
        buf.setInt8(at + 2, x >> 16);
      } else buf.setInt32(at, Math.round(v * 2147483647), true);
      at += bytesPer;
    }
  }
  return new Uint8Array(buf.buffer);
}

test("FFT matches torch.fft.fft", () => {
  const re = Float64Array.from(gold.fft.re);
  const im = Float64Array.from(gold.fft.im);
  fftInPlace(re, im);
  re.forEach((v, k) => {
    assert.ok(
      Math.abs(v - gold.fft.outRe[k]) < 1e-10 && Math.abs(im[k]! - gold.fft.outIm[k]) < 1e-10,
      `bin ${k}`,
    );
  });
  assert.throws(() => fftInPlace(new Float64Array(6), new Float64Array(6)), /power of two; got 6/);
});

test("log-mel spectrogram matches torch.stft + torchaudio's HTK mel filterbank", () => {
  const s = logMelSpectrogram(Float32Array.from(gold.signal), {
    sampleRate: gold.sampleRate,
    nFft: gold.nFft,
    hop: gold.hop,
    mels: gold.mels,
    fMin: gold.fMin,
    fMax: gold.fMax,
  });
  assert.equal(s.mels, gold.mels);
  assert.equal(s.frames, gold.frames);
  let maxErr = 0;
  s.data.forEach((v, i) => {
    maxErr = Math.max(maxErr, Math.abs(v - gold.logMel[i]));
  });
  assert.ok(maxErr < 1e-3, `max abs error in log-mel: ${maxErr}`);
});

test("WAV decoding: PCM 8/16/24/32, float, stereo mixed to mono; 16-bit round trip", () => {
  const frames = [[0.5], [-0.25], [0]];
  for (const [format, bits] of [
    [1, 8],
    [1, 16],
    [1, 24],
    [1, 32],
    [3, 32],
  ] as const) {
    const d = decodeWav(rawWav(format, bits, 1, 8000, frames), "x.wav");
    assert.equal(d.sampleRate, 8000);
    assert.deepEqual(
      Array.from(d.samples, (v) => Math.round(v * 100) / 100),
      [0.5, -0.25, 0],
      `${format}/${bits}`,
    );
  }
  const stereo = decodeWav(
    rawWav(1, 16, 2, 22050, [
      [0.5, -0.5],
      [0.2, 0.4],
    ]),
    "s.wav",
  );
  assert.equal(stereo.channels, 2);
  assert.deepEqual(
    Array.from(stereo.samples, (v) => Math.round(v * 100) / 100),
    [0, 0.3],
  );
  const t = tone(440, 0.01, 16000);
  const back = decodeWav(encodeWav(t, 16000), "t.wav");
  assert.ok(back.samples.every((v, i) => Math.abs(v - t[i]!) < 1e-4));
  assert.throws(
    () => decodeWav(rawWav(2, 4, 1, 8000, []), "adpcm.wav"),
    /adpcm\.wav: unsupported WAV encoding \(format 2, 4 bits\)/,
  );
  assert.throws(() => decodeWav(new Uint8Array(20), "junk.wav"), /junk\.wav: not a WAV file/);
});

test("resampling keeps the pitch", () => {
  const r = resampleLinear(tone(500, 0.1, 16000), 16000, 8000);
  assert.equal(r.length, 800);
  const expected = tone(500, 0.1, 8000);
  assert.ok(r.every((v, i) => Math.abs(v - expected[i]!) < 0.01));
});

test("WAV folder: sine tones of two pitches give [N,1,mels,frames] spectrograms a CNN can separate", async () => {
  const dir = join(tmp, "tones");
  const rate = 8000;
  for (const [cls, freq] of [
    ["high", 2000],
    ["low", 300],
  ] as const) {
    mkdirSync(join(dir, cls), { recursive: true });
    for (let k = 0; k < 3; k++) {
      // different lengths: the shorter ones are padded to the longest (0.5 s)
      writeFileSync(
        join(dir, cls, `${k}.wav`),
        encodeWav(tone(freq * (1 + k * 0.03), 0.5 - k * 0.1, rate, k), rate),
      );
    }
  }
  writeFileSync(join(dir, "low", "song.mp3"), "ID3");
  const a = await readAudioFolder(dir, { sampleRate: rate, nFft: 256, hop: 80, mels: 32 });
  assert.deepEqual(a.classes, ["high", "low"]);
  assert.deepEqual(a.shape, [6, 1, 32, 51]);
  assert.deepEqual(Array.from(a.labels), [0, 0, 0, 1, 1, 1]);
  assert.equal(a.settings.seconds, 0.5);
  assert.ok(a.spectrograms.every(Number.isFinite));
  assert.ok(a.warnings.some((w) => w.includes("song.mp3")));
  const per = 32 * 51;
  const peakBand = (n: number) => {
    const energy = new Array(32).fill(0);
    for (let m = 0; m < 32; m++)
      for (let t = 0; t < 20; t++) energy[m] += a.spectrograms[n * per + m * 51 + t]!;
    return energy.indexOf(Math.max(...energy));
  };
  for (let n = 0; n < 3; n++)
    assert.ok(peakBand(n) > peakBand(3 + n) + 10, `high tone ${n} peaks above low tone`);
  // prediction-time reading with the saved settings gives the same features
  const one = await readAudioFile(a.files[3]!, a.settings);
  assert.deepEqual(one, a.spectrograms.subarray(3 * per, 4 * per));
  // kept waveforms give the same spectrograms through audioFeatures (the path after waveform augmentation)
  const w = await readAudioFolder(dir, {
    sampleRate: rate,
    nFft: 256,
    hop: 80,
    mels: 32,
    keepWaveforms: true,
  });
  assert.equal(w.waveforms!.length, 6 * 4000);
  const again = audioFeatures(w.waveforms!, 6, w.settings);
  assert.deepEqual(again.shape, a.shape);
  assert.deepEqual(again.spectrograms, a.spectrograms);
});

test("WAV folder: a damaged file is a UserError naming it, or a warning with skipCorrupt", async () => {
  const dir = join(tmp, "damaged");
  mkdirSync(join(dir, "a"), { recursive: true });
  mkdirSync(join(dir, "b"), { recursive: true });
  writeFileSync(join(dir, "a", "ok.wav"), encodeWav(tone(300, 0.05, 8000), 8000));
  writeFileSync(join(dir, "b", "ok.wav"), encodeWav(tone(900, 0.05, 8000), 8000));
  writeFileSync(join(dir, "b", "bad.wav"), "RIFF....WAVEjunk");
  await assert.rejects(
    readAudioFolder(dir, { sampleRate: 8000 }),
    (e: unknown) => e instanceof UserError && /b\/bad\.wav: WAV file without a format chunk/.test(e.message),
  );
  const a = await readAudioFolder(dir, { sampleRate: 8000, skipCorrupt: true, seconds: 0.1 });
  assert.equal(a.shape[0], 2);
  assert.equal(a.shape[3], 1 + Math.floor(800 / 160));
  assert.match(a.warnings[0]!, /skipped .*bad\.wav/);
});
