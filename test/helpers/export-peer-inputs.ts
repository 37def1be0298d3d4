/**
 * Writes what the scikit-learn peers (scripts/gold/text_audio_peers.py) need, computed by nncoach itself so
 * that the peers see exactly nncoach's splits and features:
 *
 * - `spam.csv` and `first-names.csv` (buildSpamCsv, buildFirstNamesCsv);
 * - `splits.json`: for each CSV, read back with readTableFile, the target column's strings in file order and
 *   `stratifiedSplit(labels, undefined, seed)` (70/15/15) for seeds 0, 1, 2, as nncoach's train splits rows;
 * - `spoken-digits.json` + `spoken-digits-<split>.f32`: the log-mel spectrograms that readAudioFolder gives for
 *   examples/spoken-digits/{train,val,test} with SPOKEN_DIGITS_AUDIO (little-endian float32, N x mels x
 *   frames), with labels, class names, files and settings in the JSON.
 *
 * Run from the repository root: `node dist/test/helpers/export-peer-inputs.js <dir>`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type AudioReadOptions, readAudioFolder } from "../../src/data/audio/audio-folder.js";
import { readTableFile } from "../../src/data/read-table-file.js";
import { type SplitIndices, stratifiedSplit } from "../../src/data/split.js";
import { buildFirstNamesCsv, buildSpamCsv } from "./text-datasets.js";

/** Seeds of the splits the peers are fitted on. */
export const PEER_SEEDS = [0, 1, 2] as const;

/** The spoken-digits folder, relative to the repository root. */
export const SPOKEN_DIGITS_DIR = "examples/spoken-digits";

/**
 * Audio settings for the 8 kHz spoken digits: 32 ms windows (nFft 256), 10 ms hop, 40 mel bands over
 * 0-4 kHz (with 256-point FFTs every band spans at least two frequency bins), every clip padded to 1 s (the
 * longest clip is under 1 s), so all three splits share one shape.
 */
export const SPOKEN_DIGITS_AUDIO: AudioReadOptions = {
  sampleRate: 8000,
  seconds: 1,
  nFft: 256,
  hop: 80,
  mels: 40,
  fMin: 0,
  fMax: 4000,
};

/** Splits of one CSV for the peers. */
export interface CsvSplits {
  file: string;
  target: string;
  labels: string[];
  splits: Record<string, SplitIndices>;
}

/** Reads `file` back with readTableFile and splits its `target` column as nncoach does, per seed. */
export async function csvSplits(path: string, target: string): Promise<CsvSplits> {
  const table = await readTableFile(path);
  const col = table.columns.indexOf(target);
  if (col < 0) throw new Error(`${path}: no column '${target}' (columns: ${table.columns.join(", ")})`);
  const labels = table.rows.map((r) => r[col]!);
  const splits: Record<string, SplitIndices> = {};
  for (const seed of PEER_SEEDS) splits[String(seed)] = stratifiedSplit(labels, undefined, seed);
  return { file: path, target, labels, splits };
}

/** Writes every peer input into `dir`; the spoken digits are read from `root`/examples/spoken-digits. */
export async function exportPeerInputs(dir: string, root = "."): Promise<void> {
  await mkdir(dir, { recursive: true });
  const spam = await buildSpamCsv(dir);
  const names = await buildFirstNamesCsv(dir);
  const splits = {
    spam: { ...(await csvSplits(spam.path, "label")), built: spam },
    names: { ...(await csvSplits(names.path, "gender")), built: names },
  };
  await writeFile(join(dir, "splits.json"), JSON.stringify(splits));
  const audio: Record<string, unknown> = {};
  for (const split of ["train", "val", "test"]) {
    const a = await readAudioFolder(join(root, SPOKEN_DIGITS_DIR, split), SPOKEN_DIGITS_AUDIO);
    const s = a.spectrograms;
    await writeFile(
      join(dir, `spoken-digits-${split}.f32`),
      new Uint8Array(s.buffer, s.byteOffset, s.byteLength),
    );
    audio[split] = {
      shape: a.shape,
      labels: [...a.labels],
      classes: a.classes,
      files: a.files,
      warnings: a.warnings,
      settings: a.settings,
    };
  }
  await writeFile(join(dir, "spoken-digits.json"), JSON.stringify(audio));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const dir = process.argv[2];
  if (!dir) {
    console.error("usage: node dist/test/helpers/export-peer-inputs.js <dir>");
    process.exit(2);
  }
  await exportPeerInputs(dir);
  console.log(`wrote peer inputs to ${dir}`);
}
