import assert from "node:assert/strict";
import { test } from "node:test";
import { addNoise, applyGain, augmentAudio, shiftTime } from "../src/data/augment/audio-augment.js";
import { augmentImages } from "../src/data/augment/image-augment.js";
import { maskSpectrograms } from "../src/data/augment/spectrogram-augment.js";
import {
  gaussianNoise,
  mixup,
  sampleBeta,
  TABULAR_AUGMENTATION_CAUTION,
} from "../src/data/augment/tabular-augment.js";
import { augmentText, parseLexicon } from "../src/data/augment/text-augment.js";
import { Random } from "../src/util/random.js";

const SHAPE = [4, 2, 6, 5] as const;
const batch = Float32Array.from({ length: 4 * 2 * 6 * 5 }, (_, i) => ((i * 37) % 101) / 100);
const ALL = {
  horizontalFlip: true,
  verticalFlip: true,
  cropPadding: 2,
  translate: 0.1,
  rotate: 15,
  brightness: 0.1,
  contrast: 0.2,
};

test("image augmentation: deterministic per seed, keeps shape, input untouched", () => {
  const copy = batch.slice();
  const a = augmentImages(batch, SHAPE, ALL, new Random(1));
  assert.equal(a.length, batch.length);
  assert.deepEqual(batch, copy);
  assert.deepEqual(augmentImages(batch, SHAPE, ALL, new Random(1)), a);
  assert.notDeepEqual(augmentImages(batch, SHAPE, ALL, new Random(2)), a);
  assert.ok(a.every(Number.isFinite));
  assert.deepEqual(augmentImages(batch, SHAPE, {}, new Random(1)), batch);
  assert.throws(
    () => augmentImages(batch, SHAPE, { rotate: -3 }, new Random(1)),
    /'rotate' must be a number in \[0, 180\]; got -3/,
  );
  assert.throws(() => augmentImages(batch, [4, 2, 6, 6], {}, new Random(1)), /needs 288 values; got 240/);
});

test("image augmentation: a flip is a mirror, a zero-angle rotation is the identity", () => {
  const img = Float32Array.from([1, 2, 3, 4, 5, 6]); // 1 image, 1 channel, 2x3
  // find seeds that flip and that do not
  const results = new Set<string>();
  for (let s = 0; s < 20; s++)
    results.add(Array.from(augmentImages(img, [1, 1, 2, 3], { horizontalFlip: true }, new Random(s))).join());
  assert.deepEqual([...results].sort(), ["1,2,3,4,5,6", "3,2,1,6,5,4"]);
  const rotated = augmentImages(img, [1, 1, 2, 3], { rotate: 1e-9 }, new Random(0));
  assert.ok(rotated.every((v, i) => Math.abs(v - img[i]!) < 1e-6));
  // crop padding shifts by whole pixels: every value is an input value or 0
  const cropped = augmentImages(batch, SHAPE, { cropPadding: 1 }, new Random(3));
  const values = new Set(batch);
  assert.ok(cropped.every((v) => v === 0 || values.has(v)));
  // brightness adds a constant per image
  const bright = augmentImages(img, [1, 1, 2, 3], { brightness: 0.5 }, new Random(4));
  const d = bright[0]! - img[0]!;
  assert.ok(Math.abs(d) <= 0.5 && bright.every((v, i) => Math.abs(v - img[i]! - d) < 1e-6));
});

test("audio augmentation: SNR, shift, gain; deterministic; shape kept", () => {
  const len = 4000;
  const tone = Float32Array.from({ length: len }, (_, i) => Math.sin((2 * Math.PI * 440 * i) / 16000));
  const noisy = addNoise(tone, 10, new Random(1));
  let signal = 0;
  let noise = 0;
  tone.forEach((v, i) => {
    signal += v * v;
    noise += (noisy[i]! - v) ** 2;
  });
  const snr = 10 * Math.log10(signal / noise);
  assert.ok(Math.abs(snr - 10) < 0.5, `measured SNR ${snr}`);
  assert.deepEqual(Array.from(shiftTime(Float32Array.from([1, 2, 3, 4]), 1)), [0, 1, 2, 3]);
  assert.deepEqual(Array.from(shiftTime(Float32Array.from([1, 2, 3, 4]), -2)), [3, 4, 0, 0]);
  assert.ok(Math.abs(applyGain(Float32Array.from([0.5]), 20)[0]! - 5) < 1e-6);
  const two = new Float32Array(2 * len);
  two.set(tone);
  two.set(tone, len);
  const opts = { noiseSnrDb: [10, 20] as [number, number], timeShift: 0.1, gainDb: 6 };
  const a = augmentAudio(two, 2, len, opts, new Random(5));
  assert.equal(a.length, 2 * len);
  assert.deepEqual(augmentAudio(two, 2, len, opts, new Random(5)), a);
  assert.notDeepEqual(augmentAudio(two, 2, len, opts, new Random(6)), a);
  assert.throws(
    () => augmentAudio(two, 2, len, { noiseSnrDb: [20, 10] }, new Random(5)),
    /min <= max; got \[20,10\]/,
  );
});

test("spectrogram masking: masked bands set to the mean, deterministic", () => {
  const spec = Float32Array.from({ length: 2 * 8 * 10 }, (_, i) => i % 7);
  const shape = [2, 1, 8, 10] as const;
  const m = maskSpectrograms(spec, shape, { maxFreqWidth: 3, maxTimeWidth: 4 }, new Random(2));
  assert.equal(m.length, spec.length);
  assert.deepEqual(maskSpectrograms(spec, shape, { maxFreqWidth: 3, maxTimeWidth: 4 }, new Random(2)), m);
  const changed = m.filter((v, i) => v !== spec[i]).length;
  assert.ok(changed > 0);
});

test("text augmentation: deletion, swaps, synonyms from a lexicon; deterministic", () => {
  const lex = parseLexicon("# synonyms\ngood, fine, great\nmovie, film\nnot a, single word\n");
  assert.deepEqual(lex.get("good"), ["fine", "great"]);
  assert.deepEqual(lex.get("film"), ["movie"]);
  assert.equal(lex.get("single"), undefined);
  const text = "A good movie with a good cast";
  const s = augmentText(text, { synonymProbability: 1, lexicon: lex }, new Random(1));
  const words = s.split(" ");
  assert.equal(words.length, 7);
  assert.equal(words[2], "film");
  assert.ok(["fine", "great"].includes(words[1]!));
  const deleted = augmentText(text, { deleteProbability: 0.5 }, new Random(3));
  assert.ok(deleted.split(" ").length < 7 && deleted.split(" ").length >= 1);
  assert.equal(augmentText("one two", { deleteProbability: 1 }, new Random(0)).split(" ").length, 1);
  const swapped = augmentText(text, { swaps: 2 }, new Random(9));
  assert.deepEqual(swapped.split(" ").sort(), text.toLowerCase().split(" ").sort());
  const opts = { deleteProbability: 0.2, swaps: 1, synonymProbability: 0.5, lexicon: lex };
  assert.equal(augmentText(text, opts, new Random(7)), augmentText(text, opts, new Random(7)));
  assert.throws(() => augmentText(text, { synonymProbability: 0.5 }, new Random(1)), /needs a lexicon/);
});

test("tabular augmentation: noise on chosen columns, mixup mixes rows and soft targets", () => {
  const x = Float32Array.from([1, 0, 2, 1, 3, 0]); // 3 rows x 2 features (second is one-hot-like)
  const n = gaussianNoise(x, 2, 0.1, new Random(1), [0]);
  assert.deepEqual([n[1], n[3], n[5]], [0, 1, 0]);
  assert.ok(n[0] !== 1 && Math.abs(n[0]! - 1) < 0.5);
  assert.deepEqual(gaussianNoise(x, 2, 0.1, new Random(1), [0]), n);
  const y = Int32Array.from([0, 1, 2]);
  const m = mixup(x, 2, y, 0.4, new Random(3), 3);
  assert.equal(m.x.length, 6);
  assert.equal(m.y.length, 9);
  for (let r = 0; r < 3; r++) {
    const sum = m.y[r * 3]! + m.y[r * 3 + 1]! + m.y[r * 3 + 2]!;
    assert.ok(Math.abs(sum - 1) < 1e-6);
  }
  assert.ok(m.lambda >= 0 && m.lambda <= 1);
  assert.deepEqual(mixup(x, 2, y, 0.4, new Random(3), 3), m);
  const reg = mixup(x, 2, Float32Array.from([10, 20, 30]), 1, new Random(3));
  assert.equal(reg.y.length, 3);
  // Beta(a, a) has mean 1/2
  const rng = new Random(11);
  let mean = 0;
  for (let i = 0; i < 4000; i++) mean += sampleBeta(0.4, 0.4, rng) / 4000;
  assert.ok(Math.abs(mean - 0.5) < 0.03, `Beta mean ${mean}`);
  assert.match(TABULAR_AUGMENTATION_CAUTION, /validation/);
});
