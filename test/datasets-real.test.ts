/**
 * The real text and audio datasets: the SpamAssassin and first-name CSVs build and read back through
 * readTableFile, the committed spoken-digits folder reads through readAudioFolder, and the scikit-learn peer
 * fixture (scripts/gold/text_audio_peers.py) matches the data and nncoach's splits.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { readAudioFolder } from "../src/data/audio/audio-folder.js";
import { readTableFile } from "../src/data/read-table-file.js";
import { stratifiedSplit } from "../src/data/split.js";
import { PEER_SEEDS, SPOKEN_DIGITS_AUDIO } from "./helpers/export-peer-inputs.js";
import { buildFirstNamesCsv, buildSpamCsv } from "./helpers/text-datasets.js";

interface SeedResult {
  train: number;
  val: number;
  test: number;
  trainHead: number[];
  valAccuracy: number;
  testAccuracy: number;
}
interface TextPeer {
  rows: number;
  perClass: Record<string, number>;
  seeds: Record<string, SeedResult>;
  mean: { valAccuracy: number; testAccuracy: number };
}
const peers = JSON.parse(
  readFileSync(new URL("../../test/fixtures/text_audio_peers.json", import.meta.url), "utf8"),
) as {
  sklearn: string;
  spam: TextPeer;
  names: TextPeer;
  spokenDigits: {
    classes: string[];
    rows: Record<string, number>;
    valAccuracy: number;
    testAccuracy: number;
    settings: { spectrogramShape: number[] };
  };
};
const digitsDir = fileURLToPath(new URL("../../examples/spoken-digits/", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "nncoach-datasets-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function counts(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

/** The fixture's split sizes and first train rows are what stratifiedSplit gives today. */
function assertSplitsMatch(labels: string[], peer: TextPeer): void {
  for (const seed of PEER_SEEDS) {
    const s = stratifiedSplit(labels, undefined, seed);
    const p = peer.seeds[String(seed)]!;
    assert.deepEqual([s.train.length, s.val.length, s.test.length], [p.train, p.val, p.test]);
    assert.deepEqual(s.train.slice(0, 5), p.trainHead);
  }
}

test("the SpamAssassin CSV reads back row for row, quoting and line breaks intact", async () => {
  const built = await buildSpamCsv(tmp);
  const table = await readTableFile(built.path);
  assert.deepEqual(table.columns, ["text", "label"]);
  assert.equal(table.rows.length, built.rows);
  assert.equal(table.rows.length, peers.spam.rows);
  const texts = table.rows.map((r) => r[0]!);
  const labels = table.rows.map((r) => r[1]!);
  assert.deepEqual(counts(labels), peers.spam.perClass);
  assert.deepEqual(counts(labels), built.perClass);
  assert.equal(new Set(texts).size, texts.length, "repeated texts were dropped");
  assert.ok(texts.filter((t) => t.includes('"')).length > 100, "cells with quotes survive the round trip");
  assert.ok(
    texts.filter((t) => t.includes("\n")).length > 0.95 * texts.length,
    "line breaks in cells survive",
  );
  // biome-ignore lint/suspicious/noControlCharactersInRegex: checking that control characters are gone
  assert.ok(texts.every((t) => !/[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/.test(t)));
  assert.ok(texts[0]!.startsWith("Re: New Sequences Window\n\nDate: Wed, 21 Aug 2002 10:54:46 -0500"));
  assertSplitsMatch(labels, peers.spam);
});

test("the first-names CSV holds each name once, ambiguous names dropped", async () => {
  const built = await buildFirstNamesCsv(tmp);
  const table = await readTableFile(built.path);
  assert.deepEqual(table.columns, ["name", "gender"]);
  assert.equal(table.rows.length, peers.names.rows);
  const names = table.rows.map((r) => r[0]!);
  const genders = table.rows.map((r) => r[1]!);
  assert.deepEqual(counts(genders), peers.names.perClass);
  assert.equal(new Set(names).size, names.length);
  assert.equal(built.dropped["name on both lists"], 419);
  assert.ok(!names.includes("Alexis") && !names.includes("Robin"), "names on both lists are left out");
  assert.equal(genders[names.indexOf("Aaren")], "female");
  assert.equal(genders[names.indexOf("Aaron")], "male");
  assertSplitsMatch(genders, peers.names);
});

test("the spoken digits read through readAudioFolder, voices held out of training", async () => {
  const voices: Record<string, Set<string>> = {};
  for (const split of ["train", "val", "test"]) {
    const a = await readAudioFolder(join(digitsDir, split), SPOKEN_DIGITS_AUDIO);
    assert.deepEqual(a.warnings, []);
    assert.deepEqual(a.classes, [
      "eight",
      "five",
      "four",
      "nine",
      "one",
      "seven",
      "six",
      "three",
      "two",
      "zero",
    ]);
    assert.deepEqual(a.classes, peers.spokenDigits.classes);
    assert.equal(a.files.length, peers.spokenDigits.rows[split]);
    const perVoice = split === "train" ? 12 : 2;
    assert.equal(
      a.files.length,
      10 * perVoice * 9,
      `${split}: 10 digits x ${perVoice} voices x 3 speeds x 3 pitches`,
    );
    assert.deepEqual(Object.values(counts([...a.labels].map(String))), Array(10).fill(perVoice * 9));
    assert.deepEqual(a.shape, [a.files.length, ...peers.spokenDigits.settings.spectrogramShape]);
    assert.deepEqual(a.shape.slice(2), [40, 101]);
    assert.ok(a.spectrograms.every(Number.isFinite));
    voices[split] = new Set(a.files.map((f) => basename(f).split("_")[0]!));
    assert.equal(voices[split]!.size, perVoice);
  }
  for (const v of voices.train!) assert.ok(!voices.val!.has(v) && !voices.test!.has(v), v);
  for (const v of voices.val!) assert.ok(!voices.test!.has(v), v);
});

test("the scikit-learn peers are recorded and sane", () => {
  assert.match(peers.sklearn, /^\d+\.\d+/);
  for (const [name, peer, floor] of [
    ["spam", peers.spam, 0.95],
    ["names", peers.names, 0.8],
  ] as const) {
    const seeds = Object.values(peer.seeds);
    assert.equal(seeds.length, PEER_SEEDS.length, name);
    for (const s of seeds) {
      assert.equal(s.train + s.val + s.test, peer.rows, name);
      assert.ok(
        s.testAccuracy > floor && s.valAccuracy > floor && s.testAccuracy <= 1,
        `${name}: ${s.testAccuracy}`,
      );
    }
    const mean = seeds.reduce((a, s) => a + s.testAccuracy, 0) / seeds.length;
    assert.ok(Math.abs(mean - peer.mean.testAccuracy) < 1e-12, name);
  }
  const d = peers.spokenDigits;
  assert.ok(d.valAccuracy > 0.8 && d.testAccuracy > 0.8 && d.testAccuracy <= 1, `${d.testAccuracy}`);
});
