/**
 * Reading what the user points at, once: a table file (CSV/TSV/JSON Lines), a folder of images or a folder
 * of WAV files (one subfolder per class). Which kind it is comes from the path itself (a file, or the file
 * types inside the class folders); a table is text data when its one input column holds free text (or
 * `--text` names the column). Loaded data is then split and prepared as often as needed (cross-validation
 * folds, the coach's trials) without reading the files again.
 */
import fs from "node:fs";
import path from "node:path";
import { type AudioFolder, readAudioFolder } from "../data/audio/audio-folder.js";
import { inferColumnType } from "../data/column-types.js";
import { type ImageFolder, readImageFolder } from "../data/image/image-folder.js";
import { loadProgress } from "../data/load-progress.js";
import { readTableFile } from "../data/read-table-file.js";
import { cellText, rowCount, type Table } from "../data/table.js";
import { rowsWithTarget } from "../data/tabular-preprocessor.js";
import { closestMatch, UserError } from "../errors.js";
import type { TrainConfig } from "../train/config-options.js";

export type LoadedData =
  | {
      kind: "table" | "text";
      source: string;
      table: Table;
      target: string;
      /** The text column (text data). */
      textColumn?: string;
      /** Rows with a target value. */
      labelled: number[];
      notices: string[];
    }
  | { kind: "images"; source: string; folder: ImageFolder; notices: string[] }
  | { kind: "audio"; source: string; folder: AudioFolder; notices: string[] };

const IMAGE_EXT = new Set([".png", ".jpg", ".jpeg"]);
const AUDIO_EXT = new Set([".wav", ".wave"]);

/** "images" or "audio" for a class folder, from the files in its subfolders. */
export function folderKind(dir: string): "images" | "audio" {
  let images = 0;
  let audio = 0;
  for (const sub of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!sub.isDirectory() || sub.name.startsWith(".")) continue;
    for (const f of fs.readdirSync(path.join(dir, sub.name))) {
      const ext = path.extname(f).toLowerCase();
      if (IMAGE_EXT.has(ext)) images++;
      else if (AUDIO_EXT.has(ext)) audio++;
    }
  }
  if (images === 0 && audio === 0)
    throw new UserError(
      `${dir}: no class subfolders with images (PNG, JPEG) or WAV files`,
      "give a folder with one subfolder per class, each holding the examples of that class",
    );
  return audio > images ? "audio" : "images";
}

/** Input columns of a table: all but the target and the columns given roles. */
export function inputColumns(table: Table, target: string, cfg: TrainConfig): string[] {
  const roles = new Set([target, ...cfg.drop, cfg.id, cfg.group, cfg.time].filter((c): c is string => !!c));
  return table.columns.filter((c) => !roles.has(c));
}

function requireColumns(table: Table, names: (string | null)[], what: string, role = "training"): void {
  for (const n of names) {
    if (n === null || table.columns.includes(n)) continue;
    const near = closestMatch(n, table.columns);
    const of = role === "training" ? table.source : `the ${role} data ${table.source}`;
    throw new UserError(
      `${what} '${n}' is not a column of ${of}${near ? `; did you mean '${near}'?` : ""}`,
      `columns: ${table.columns.join(", ")}`,
    );
  }
}

export interface LoadOptions {
  /** For image folders: size and channels (the pretrained model's, when one is used). */
  imageSize?: [number, number];
  channels?: 1 | 3;
  /** For audio folders: the feature settings of the training data (validation/test folders). */
  audio?: AudioFolder["settings"];
  /** The kind the training data has (validation and test data must match it). */
  expect?: LoadedData["kind"];
  role?: "training" | "validation" | "test";
}

/** Reads `file` (a table or a class folder) as the config says; see the file comment. */
export async function loadData(file: string, cfg: TrainConfig, o: LoadOptions = {}): Promise<LoadedData> {
  const role = o.role ?? "training";
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat)
    throw new UserError(
      `${role} data ${file} does not exist`,
      "check the path; a relative path on the command line is read from the current folder",
    );
  const notices: string[] = [];
  if (stat.isDirectory()) {
    const kind = folderKind(file);
    if (o.expect && o.expect !== kind)
      throw new UserError(
        `${role} data ${file} is a folder of ${kind}, but the training data is ${o.expect}`,
        `give ${role} data of the training data's kind, with the same class subfolders`,
      );
    if (kind === "images") {
      // the progress line starts with the first files decoded, when the number of files is known
      const line: { progress?: ReturnType<typeof loadProgress>; started?: boolean } = {};
      let folder: ImageFolder;
      try {
        folder = await readImageFolder(file, {
          size: o.imageSize,
          channels: o.channels,
          onProgress: (done, total) => {
            if (!line.started) line.progress = loadProgress(file, { json: cfg.json, files: total });
            line.started = true;
            line.progress?.update(done, total, done);
          },
        });
      } finally {
        line.progress?.end();
      }
      return { kind, source: file, folder, notices: [...folder.warnings, ...folder.notes] };
    }
    const audio = o.audio ?? (await audioSettingsFor(file));
    const folder = await readAudioFolder(file, {
      sampleRate: audio.sampleRate,
      seconds: audio.seconds,
      ...audio.spectrogram,
    });
    return { kind, source: file, folder, notices: [...folder.warnings] };
  }
  const progress = loadProgress(file, { json: cfg.json });
  let table: Table;
  try {
    table = await readTableFile(file, { onProgress: progress?.update });
  } finally {
    progress?.end();
  }
  // what the reader changed or guessed about this file (a repeated or empty column name renamed, no header
  // line, decimal commas); the routine notes (the sniffed delimiter, the header found) are left out
  for (const n of table.notes ?? [])
    if (!/^delimiter .* \(sniffed\)$|^first line read as the header$/.test(n)) notices.push(`${file}: ${n}`);
  if (rowCount(table) === 0)
    throw new UserError(
      `${file}: the file has a header but no data rows`,
      "add the data rows under the header",
    );
  const target = cfg.target ?? table.columns[table.columns.length - 1]!;
  if (!cfg.target && role === "training")
    notices.push(`no --target given: predicting the last column, '${target}'`);
  requireColumns(table, [target], cfg.target ? "--target column" : "target column", role);
  requireColumns(table, [cfg.text], "--text column", role);
  requireColumns(table, [cfg.id], "--id column", role);
  requireColumns(table, [cfg.group], "--group column", role);
  requireColumns(table, [cfg.time], "--time column", role);
  requireColumns(table, cfg.drop, "--drop column", role);
  const { rows: labelled, dropped } = rowsWithTarget(table, target);
  if (dropped > 0) notices.push(`left out ${dropped} rows of ${file} with no value in '${target}'`);
  if (labelled.length === 0)
    throw new UserError(
      `${file}: no row has a value in the target column '${target}'`,
      cfg.target
        ? "fill in the target, or check --target"
        : "give --target <column>: the last column is empty",
    );
  let textColumn = cfg.text ?? undefined;
  if (!textColumn) {
    const inputs = inputColumns(table, target, cfg);
    if (inputs.length === 1) {
      const c = table.columns.indexOf(inputs[0]!);
      const sampleRows = labelled.slice(0, 2000);
      const sample = sampleRows.map((r) => cellText(table, r, c));
      const profile = inferColumnType(table, c, sampleRows);
      if (profile.kind === "text" || (profile.kind === "identifier" && looksLikeWords(sample)))
        textColumn = inputs[0];
    }
  }
  const kind = textColumn ? "text" : "table";
  if (
    o.expect &&
    o.expect !== kind &&
    !(o.expect === "text" && textColumn === undefined && cfg.text === null)
  )
    throw new UserError(
      `${role} data ${file} is ${kind === "text" ? "text" : "a table"}, but the training data is ${o.expect}`,
    );
  if (o.expect === "text") textColumn = textColumn ?? cfg.text ?? undefined;
  return {
    kind: o.expect === "text" ? "text" : kind,
    source: file,
    table,
    target,
    textColumn,
    labelled,
    notices,
  };
}

/** Free-text-like values: letters, mostly distinct (names are "identifier-like" to the type inference). */
function looksLikeWords(values: string[]): boolean {
  let letters = 0;
  for (const v of values) if (/^[\p{L}][\p{L}\s'.-]*$/u.test(v.trim())) letters++;
  return values.length > 0 && letters / values.length > 0.9;
}

/**
 * Audio feature settings for a folder: the sample rate of its first WAV file (at most 16 kHz), clips as
 * long as the longest one, and a spectrogram scaled to the rate: a 32 ms window, a 10 ms hop, 40 mel
 * bands up to the Nyquist frequency (64 at 16 kHz and above).
 */
async function audioSettingsFor(dir: string): Promise<AudioFolder["settings"]> {
  const { decodeWav } = await import("../data/audio/wav.js");
  let first: string | undefined;
  for (const sub of fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()) {
    const f = fs
      .readdirSync(path.join(dir, sub))
      .sort()
      .find((n) => AUDIO_EXT.has(path.extname(n).toLowerCase()));
    if (f) {
      first = path.join(dir, sub, f);
      break;
    }
  }
  const rate = first ? Math.min(16000, decodeWav(fs.readFileSync(first), first).sampleRate) : 16000;
  const nFft = 2 ** Math.round(Math.log2(rate * 0.032));
  return {
    sampleRate: rate,
    seconds: undefined as unknown as number,
    spectrogram: {
      nFft,
      hop: Math.round(rate / 100),
      mels: rate >= 16000 ? 64 : 40,
      fMin: 0,
      fMax: rate / 2,
    },
  };
}
