/**
 * Bad input, kind by kind, through the real CLI: every case must end with exit code 2 before any training
 * starts, with one message (no stack trace, no "internal error") that says what is wrong, where (the file,
 * line, column, class folder or option) and, in a hint, how to fix it. Inputs are real data broken the
 * way users break them: wine and house-votes tables, first names (text), digit images and spoken digits,
 * copied into a temporary folder and edited there.
 */
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { PNG } from "pngjs";
import { ROOT, runCli } from "./helpers/cli.js";
import { inParallel, runCliAsync } from "./helpers/cli-async.js";
import { buildFirstNamesCsv } from "./helpers/text-datasets.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-bad-input-"));
const DIGITS = path.join(ROOT, "test/data/digits_png");
const SPOKEN = path.join(ROOT, "examples/spoken-digits/train");
const WINE = path.join(ROOT, "examples/wine.csv");
const VOTES = path.join(ROOT, "test/data/house_votes84.csv");

const wineLines = () => fs.readFileSync(WINE, "utf8").trim().split(/\r?\n/);
const write = (file: string, lines: string[]) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
};
/** `lines` with cell `col` of line `line` (1-based, as in messages) set to `value`. */
const withCell = (lines: string[], line: number, col: number, value: string) =>
  lines.map((l, i) =>
    i === line - 1
      ? l
          .split(",")
          .map((v, c) => (c === col ? value : v))
          .join(",")
      : l,
  );

/** The first `n` files of each class folder of `src` (or of the classes given) copied into `dst`. */
function copyClasses(src: string, dst: string, n: number, classes?: string[]): string {
  for (const c of classes ?? fs.readdirSync(src).sort()) {
    fs.mkdirSync(path.join(dst, c), { recursive: true });
    for (const f of fs.readdirSync(path.join(src, c)).sort().slice(0, n))
      fs.copyFileSync(path.join(src, c, f), path.join(dst, c, f));
  }
  return dst;
}

const firstFile = (dir: string, cls: string) =>
  path.join(dir, cls, fs.readdirSync(path.join(dir, cls)).sort()[0]!);

/** A real digit image re-encoded twice as large (nearest neighbour) or as RGB. */
function digitVariant(dst: string, how: "twice-as-large" | "rgb"): void {
  const src = PNG.sync.read(fs.readFileSync(firstFile(DIGITS, "4")));
  const k = how === "twice-as-large" ? 2 : 1;
  const out = new PNG({ width: src.width * k, height: src.height * k });
  for (let y = 0; y < out.height; y++)
    for (let x = 0; x < out.width; x++)
      out.data.set(
        src.data.subarray(
          (Math.floor(y / k) * src.width + Math.floor(x / k)) * 4,
          (Math.floor(y / k) * src.width + Math.floor(x / k)) * 4 + 4,
        ),
        (y * out.width + x) * 4,
      );
  fs.writeFileSync(dst, PNG.sync.write(out, { colorType: how === "rgb" ? 2 : 0 }));
}

/** A real spoken-digit WAV with its header edited by `edit` (offsets of the canonical 44-byte header). */
function wavVariant(dst: string, edit: (b: Buffer) => Buffer): void {
  fs.writeFileSync(dst, edit(Buffer.from(fs.readFileSync(firstFile(SPOKEN, "two")))));
}

let namesLines: string[] = [];
const models = { table: "", text: "", images: "" };

interface Case {
  kind: "table" | "text" | "images" | "audio" | "predict" | "options";
  name: string;
  /** Writes the inputs under `dir` (empty, the case's own) and returns the CLI arguments. */
  args: (dir: string) => string[];
  /** What the message must say: the place (file, line, column, folder, option) and the fix. */
  says: RegExp[];
  /** Set when the message itself says the fix ("did you mean ...", "must be > 0"): no hint line needed. */
  fixInMessage?: true;
}

const train = (...a: string[]) => ["train", ...a, "--epochs", "1", "--threads", "1"];

const CASES: Case[] = [
  // ---- tables ----
  {
    kind: "table",
    name: "training file that does not exist",
    args: (d) => train(path.join(d, "wine.csv"), "--target", "cultivar"),
    says: [/data .*wine\.csv does not exist \(on the command line\)/, /hint: check the path/],
  },
  {
    kind: "table",
    name: "--validation-data file that does not exist",
    args: (d) => train(WINE, "--target", "cultivar", "--validation-data", path.join(d, "val.csv")),
    says: [/validationData .*val\.csv does not exist/],
  },
  {
    kind: "table",
    name: "--test-data file that does not exist",
    args: (d) => train(WINE, "--target", "cultivar", "--test-data", path.join(d, "test.csv")),
    says: [/test data .*test\.csv does not exist/],
  },
  {
    kind: "table",
    name: "empty file",
    args: (d) => {
      fs.writeFileSync(path.join(d, "empty.csv"), "");
      return train(path.join(d, "empty.csv"));
    },
    says: [/empty\.csv: the file is empty/],
  },
  {
    kind: "table",
    name: "header without rows",
    args: (d) => train(write(path.join(d, "h.csv"), wineLines().slice(0, 1)), "--target", "cultivar"),
    says: [/h\.csv: the file has a header line but no data rows/],
  },
  {
    kind: "table",
    name: "row with a cell too many",
    args: (d) => {
      const l = wineLines();
      l[10] += ",7";
      return train(write(path.join(d, "ragged.csv"), l), "--target", "cultivar");
    },
    says: [/ragged\.csv: line 11: expected 14 cells \(as on line 1\) but found 15/, /hint: .*quote/],
  },
  {
    kind: "table",
    name: "quote never closed",
    args: (d) => {
      const l = wineLines();
      l[10] = `"${l[10]}`;
      return train(write(path.join(d, "quote.csv"), l), "--target", "cultivar");
    },
    says: [/quote\.csv: line 11: a quoted field is never closed/],
  },
  {
    kind: "table",
    name: "an image named .csv (not UTF-8 text)",
    args: (d) => {
      fs.copyFileSync(firstFile(DIGITS, "0"), path.join(d, "digits.csv"));
      return train(path.join(d, "digits.csv"));
    },
    says: [/digits\.csv: line 1: the file is not valid UTF-8/, /hint: save the file as UTF-8/],
  },
  {
    kind: "table",
    name: "JSON Lines file with a broken line",
    args: (d) => {
      const [head, ...rows] = wineLines();
      const cols = head!.split(",");
      const objects = rows
        .slice(0, 40)
        .map((r) => JSON.stringify(Object.fromEntries(r.split(",").map((v, i) => [cols[i], v]))));
      objects[6] = objects[6]!.slice(0, -1);
      return train(write(path.join(d, "wine.jsonl"), objects), "--target", "cultivar");
    },
    says: [/wine\.jsonl: line 7: not valid JSON/, /hint: .*one complete JSON object per line/],
  },
  {
    kind: "table",
    name: "--target that is not a column",
    args: () => train(WINE, "--target", "cultivr"),
    says: [
      /--target column 'cultivr' is not a column of .*wine\.csv; did you mean 'cultivar'\?/,
      /hint: columns: alcohol/,
    ],
  },
  {
    kind: "table",
    name: "a word in a numeric column",
    args: (d) =>
      train(write(path.join(d, "w.csv"), withCell(wineLines(), 9, 2, "high")), "--target", "cultivar"),
    says: [/w\.csv: data row 7 \(line 9\), column 'ash': 'high' is not a number/, /hint:/],
  },
  {
    kind: "table",
    name: "an infinite value",
    args: (d) =>
      train(write(path.join(d, "w.csv"), withCell(wineLines(), 6, 1, "Inf")), "--target", "cultivar"),
    says: [/w\.csv: data row 4 \(line 6\), column 'malic_acid': 'Inf' is not a finite number/],
  },
  {
    kind: "table",
    name: "target column without any value",
    args: (d) =>
      train(
        write(
          path.join(d, "w.csv"),
          wineLines().map((l, i) => (i ? l.replace(/[^,]*$/, "") : l)),
        ),
        "--target",
        "cultivar",
      ),
    says: [/w\.csv: no row has a value in the target column 'cultivar'/],
  },
  {
    kind: "table",
    name: "target with a single class",
    args: (d) => {
      const [h, ...rows] = wineLines();
      return train(
        write(path.join(d, "w.csv"), [h!, ...rows.filter((r) => r.endsWith("class_0"))]),
        "--target",
        "cultivar",
      );
    },
    says: [/target 'cultivar' has a single class \('class_0'\)/, /hint:/],
  },
  {
    kind: "table",
    name: "--task regression on labels",
    args: () => train(WINE, "--target", "cultivar", "--task", "regression"),
    says: [
      /target 'cultivar' is not numeric \(e\.g\. 'class_0' in data row \d+ \(line \d+\)\)/,
      /hint: .*--task classification/,
    ],
  },
  {
    kind: "table",
    name: "too few rows to split",
    args: (d) =>
      train(
        write(path.join(d, "w.csv"), [...wineLines().slice(0, 3), ...wineLines().slice(-3)]),
        "--target",
        "cultivar",
      ),
    says: [/w\.csv: 5 usable rows give \d+ training and \d+ validation rows/, /hint: give more rows/],
  },
  {
    kind: "table",
    name: "--drop of a column that is not there",
    args: () => train(WINE, "--target", "cultivar", "--drop", "colour"),
    says: [/--drop column 'colour' is not a column of .*wine\.csv/, /hint: columns: /],
  },
  {
    kind: "table",
    name: "--validation-data with a renamed column",
    args: (d) => {
      const l = wineLines();
      l[0] = l[0]!.replace("alcohol,", "alcohol_pct,");
      return train(WINE, "--target", "cultivar", "--validation-data", write(path.join(d, "val.csv"), l));
    },
    says: [
      /validation data .*val\.csv lacks the column 'alcohol' of the training data .*wine\.csv, and has 'alcohol_pct'/,
      /hint: rename 'alcohol_pct' for 'alcohol'/,
    ],
  },
  {
    kind: "table",
    name: "--test-data with other columns than training",
    args: (d) => {
      const l = wineLines().map((r, i) => `${r.split(",").slice(1).join(",")},${i ? "b7" : "batch"}`);
      return train(WINE, "--target", "cultivar", "--test-data", write(path.join(d, "test.csv"), l));
    },
    says: [
      /test data .*test\.csv lacks the column 'alcohol' of the training data .*, and has 'batch', which the training data has not/,
      /hint: give test data with the training data's columns: alcohol, malic_acid/,
    ],
  },
  {
    kind: "table",
    name: "--test-data without the target",
    args: (d) => {
      const l = wineLines().map((r) => r.split(",").slice(0, -1).join(","));
      return train(WINE, "--target", "cultivar", "--test-data", write(path.join(d, "test.csv"), l));
    },
    says: [
      /--target column 'cultivar' is not a column of the test data .*test\.csv/,
      /hint: columns: alcohol/,
    ],
  },
  {
    kind: "table",
    name: "--test-data with a word in a numeric cell, refused before training",
    args: (d) =>
      train(
        WINE,
        "--target",
        "cultivar",
        "--test-data",
        write(path.join(d, "test.csv"), withCell(wineLines(), 30, 12, "n/a?")),
      ),
    says: [
      /the test rows are checked before training .*test\.csv: data row 28 \(line 30\), column 'proline': 'n\/a\?' is not a number/,
    ],
  },
  {
    kind: "table",
    name: "--test-data with a class the training data has not, with --evaluate-test: refused before training",
    args: (d) => {
      const l = wineLines();
      l[19] = l[19]!.replace(/class_\d$/, "class_7");
      return train(
        WINE,
        "--target",
        "cultivar",
        "--test-data",
        write(path.join(d, "test.csv"), l),
        "--evaluate-test",
      );
    },
    says: [
      /the test rows are checked before training \(they stay sealed\): .*test\.csv: data row 18 \(line 20\): class 'class_7' of target 'cultivar' was not among the training classes/,
    ],
  },
  {
    kind: "table",
    name: "--validation-data with a class the training data has not",
    args: (d) => {
      const l = wineLines();
      l[4] = l[4]!.replace(/class_\d$/, "class_7");
      return train(WINE, "--target", "cultivar", "--validation-data", write(path.join(d, "val.csv"), l));
    },
    says: [
      /val\.csv: data row 3 \(line 5\): class 'class_7' of target 'cultivar' was not among the training classes/,
    ],
  },
  // ---- text ----
  {
    kind: "text",
    name: "an empty cell in the text column",
    args: (d) => {
      const l = [...namesLines];
      l[41] = `,${l[41]!.split(",")[1]}`;
      return train(write(path.join(d, "names.csv"), l), "--target", "gender", "--text", "name");
    },
    says: [
      /names\.csv, data row 40 \(line 42\): the text column 'name' is empty/,
      /hint: fill in the text, or remove the row/,
    ],
  },
  {
    kind: "text",
    name: "an empty text cell in --validation-data",
    args: (d) => {
      const l = [...namesLines];
      l[3] = `"  ",${l[3]!.split(",")[1]}`;
      return train(
        write(path.join(d, "train.csv"), namesLines),
        "--target",
        "gender",
        "--validation-data",
        write(path.join(d, "val.csv"), l.slice(0, 60)),
      );
    },
    says: [/val\.csv, data row 2 \(line 4\): the text column 'name' is empty/],
  },
  {
    kind: "text",
    name: "--text naming a column that is not there",
    args: (d) => train(write(path.join(d, "names.csv"), namesLines), "--target", "gender", "--text", "nam"),
    says: [/--text column 'nam' is not a column of .*names\.csv; did you mean 'name'\?/],
  },
  // ---- image folders ----
  {
    kind: "images",
    name: "an empty class folder",
    args: (d) => {
      copyClasses(DIGITS, path.join(d, "digits"), 5);
      fs.mkdirSync(path.join(d, "digits", "10"));
      return train(path.join(d, "digits"));
    },
    says: [
      /class folder .*digits\/10 is empty: a class without examples cannot be learned/,
      /hint: put the class's PNG or JPEG images into it, or remove the folder/,
    ],
  },
  {
    kind: "images",
    name: "a class folder holding only GIFs",
    args: (d) => {
      copyClasses(DIGITS, path.join(d, "digits"), 5);
      fs.rmSync(path.join(d, "digits", "7"), { recursive: true });
      fs.mkdirSync(path.join(d, "digits", "7"));
      fs.writeFileSync(path.join(d, "digits", "7", "seven.gif"), "GIF89a");
      return train(path.join(d, "digits"));
    },
    says: [
      /class folder .*digits\/7 holds no PNG or JPEG images \(only 1 file\(s\) in another format, e\.g\. seven\.gif\)/,
    ],
  },
  {
    kind: "images",
    name: "an image of another size",
    args: (d) => {
      copyClasses(DIGITS, path.join(d, "digits"), 5);
      digitVariant(path.join(d, "digits", "4", "large.png"), "twice-as-large");
      return train(path.join(d, "digits"));
    },
    says: [
      /digits\/4\/large\.png: is 16x16 pixels but earlier images are 8x8 \(e\.g\. .*digits\/0\/\d+\.png\)/,
      /hint: give --image-size 8,8/,
    ],
  },
  {
    kind: "images",
    name: "an image with other channels",
    args: (d) => {
      copyClasses(DIGITS, path.join(d, "digits"), 5);
      digitVariant(path.join(d, "digits", "4", "color.png"), "rgb");
      return train(path.join(d, "digits"));
    },
    says: [
      /digits\/4\/color\.png: has 3 channel\(s\) but earlier images have 1/,
      /hint: give --channels 1 or 3/,
    ],
  },
  {
    kind: "images",
    name: "a text file named .png",
    args: (d) => {
      copyClasses(DIGITS, path.join(d, "digits"), 5);
      fs.writeFileSync(path.join(d, "digits", "3", "notes.png"), "seen on the scanner\n");
      return train(path.join(d, "digits"));
    },
    says: [/digits\/3\/notes\.png: not a PNG or JPEG file/, /hint: convert the image to PNG or JPEG/],
  },
  {
    kind: "images",
    name: "a truncated PNG",
    args: (d) => {
      copyClasses(DIGITS, path.join(d, "digits"), 5);
      const bytes = fs.readFileSync(firstFile(DIGITS, "2"));
      fs.writeFileSync(path.join(d, "digits", "2", "cut.png"), bytes.subarray(0, bytes.length >> 1));
      return train(path.join(d, "digits"));
    },
    says: [/digits\/2\/cut\.png: cannot decode PNG/, /hint: the file may be truncated or damaged/],
  },
  {
    kind: "images",
    name: "images without class folders",
    args: (d) => {
      for (const c of ["0", "1"]) fs.copyFileSync(firstFile(DIGITS, c), path.join(d, `${c}.png`));
      return train(d);
    },
    says: [
      /no class subfolders with images \(PNG, JPEG\) or WAV files/,
      /hint: give a folder with one subfolder per class/,
    ],
  },
  {
    kind: "images",
    name: "a single class folder",
    args: (d) => train(copyClasses(DIGITS, path.join(d, "digits"), 20, ["3"])),
    says: [/digits has 1 class folder; classification needs at least 2/, /hint: add a subfolder per class/],
  },
  {
    kind: "images",
    name: "--validation-data with a class the training folder has not",
    args: (d) =>
      train(
        copyClasses(DIGITS, path.join(d, "train"), 10, ["0", "1", "2"]),
        "--validation-data",
        copyClasses(DIGITS, path.join(d, "val"), 3, ["0", "1", "2", "3"]),
      ),
    says: [/val has classes that the training data does not: 3/, /hint: training classes: 0, 1, 2/],
  },
  {
    kind: "images",
    name: "--validation-data of another kind (audio for images)",
    args: (d) =>
      train(
        copyClasses(DIGITS, path.join(d, "train"), 10, ["0", "1"]),
        "--validation-data",
        copyClasses(SPOKEN, path.join(d, "val"), 2, ["zero", "one"]),
      ),
    says: [/validation data .*val is a folder of audio, but the training data is images/],
  },
  {
    kind: "images",
    name: "--target given for an image folder",
    args: (d) => train(copyClasses(DIGITS, path.join(d, "digits"), 5), "--target", "digit"),
    says: [/--target has no meaning for an image folder/, /hint: remove --target/],
  },
  // ---- audio folders (a temporary copy of spoken digits) ----
  {
    kind: "audio",
    name: "a mu-law WAV (unsupported encoding)",
    args: (d) => {
      copyClasses(SPOKEN, path.join(d, "spoken"), 3);
      wavVariant(path.join(d, "spoken", "two", "mulaw.wav"), (b) => {
        b.writeUInt16LE(7, 20);
        b.writeUInt16LE(8, 34);
        return b;
      });
      return train(path.join(d, "spoken"));
    },
    says: [
      /spoken\/two\/mulaw\.wav: unsupported WAV encoding \(format 7, 8 bits\): mu-law/,
      /hint: convert it to 16-bit PCM WAV, e\.g\. `sox/,
    ],
  },
  {
    kind: "audio",
    name: "a 12-bit PCM WAV (unsupported encoding)",
    args: (d) => {
      copyClasses(SPOKEN, path.join(d, "spoken"), 3);
      wavVariant(path.join(d, "spoken", "five", "odd.wav"), (b) => {
        b.writeUInt16LE(12, 34);
        return b;
      });
      return train(path.join(d, "spoken"));
    },
    says: [
      /spoken\/five\/odd\.wav: unsupported WAV encoding \(format 1, 12 bits\): PCM; nncoach reads PCM 8\/16\/24\/32-bit/,
    ],
  },
  {
    kind: "audio",
    name: "a text file named .wav",
    args: (d) => {
      copyClasses(SPOKEN, path.join(d, "spoken"), 3);
      fs.writeFileSync(path.join(d, "spoken", "nine", "readme.wav"), "recorded on tuesday\n");
      return train(path.join(d, "spoken"));
    },
    says: [
      /spoken\/nine\/readme\.wav: not a WAV file \(no RIFF\/WAVE header; it looks like text\)/,
      /hint: .*or remove it from the folder/,
    ],
  },
  {
    kind: "audio",
    name: "a PNG named .wav",
    args: (d) => {
      copyClasses(SPOKEN, path.join(d, "spoken"), 3);
      fs.copyFileSync(firstFile(DIGITS, "8"), path.join(d, "spoken", "eight", "eight.wav"));
      return train(path.join(d, "spoken"));
    },
    says: [/spoken\/eight\/eight\.wav: not a WAV file \(no RIFF\/WAVE header; it looks like a PNG image\)/],
  },
  {
    kind: "audio",
    name: "a WAV cut inside its header",
    args: (d) => {
      copyClasses(SPOKEN, path.join(d, "spoken"), 3);
      wavVariant(path.join(d, "spoken", "one", "cut.wav"), (b) => b.subarray(0, 30));
      return train(path.join(d, "spoken"));
    },
    says: [
      /spoken\/one\/cut\.wav: damaged WAV header \(the format chunk at byte 12 is cut short/,
      /hint: the file is truncated or damaged/,
    ],
  },
  {
    kind: "audio",
    name: "a WAV without samples",
    args: (d) => {
      copyClasses(SPOKEN, path.join(d, "spoken"), 3);
      wavVariant(path.join(d, "spoken", "six", "silent.wav"), (b) => {
        const h = Buffer.from(b.subarray(0, 44));
        h.writeUInt32LE(36, 4);
        h.writeUInt32LE(0, 40);
        return h;
      });
      return train(path.join(d, "spoken"));
    },
    says: [/spoken\/six\/silent\.wav: the WAV file holds no samples/, /hint: /],
  },
  {
    kind: "audio",
    name: "an empty class folder",
    args: (d) => {
      copyClasses(SPOKEN, path.join(d, "spoken"), 3);
      fs.mkdirSync(path.join(d, "spoken", "ten"));
      return train(path.join(d, "spoken"));
    },
    says: [
      /class folder .*spoken\/ten is empty/,
      /hint: put the class's WAV files into it, or remove the folder/,
    ],
  },
  // ---- predict ----
  {
    kind: "predict",
    name: "a table missing a column the model takes",
    args: (d) => {
      const l = wineLines().map((r) =>
        r
          .split(",")
          .filter((_, c) => c !== 5)
          .join(","),
      );
      return ["predict", models.table, write(path.join(d, "new.csv"), l), "--out", path.join(d, "p.csv")];
    },
    says: [/new\.csv lacks column 'total_phenols', which the model was trained with/, /hint: add the column/],
  },
  {
    kind: "predict",
    name: "a table with a renamed column",
    args: (d) => {
      const l = wineLines();
      l[0] = l[0]!.replace("magnesium", "Magnesium (mg)");
      return ["predict", models.table, write(path.join(d, "new.csv"), l), "--out", path.join(d, "p.csv")];
    },
    says: [/new\.csv lacks column 'magnesium'/, /hint: did you mean 'Magnesium \(mg\)'\?/],
  },
  {
    kind: "predict",
    name: "a table without the text column of a text model",
    args: (d) => {
      const l = namesLines.map((r) => r.split(",")[1]!);
      return ["predict", models.text, write(path.join(d, "new.csv"), l), "--out", path.join(d, "p.csv")];
    },
    says: [/new\.csv has no column 'name', the text the model reads/, /hint: its columns: gender/],
  },
  {
    kind: "predict",
    name: "a text file named .png for an image model",
    args: (d) => {
      fs.writeFileSync(path.join(d, "x.png"), "not an image\n");
      return ["predict", models.images, path.join(d, "x.png"), "--out", path.join(d, "p.csv")];
    },
    says: [/x\.png: not a PNG or JPEG file/],
  },
  {
    kind: "predict",
    name: "a folder that is not a saved model",
    args: (d) => ["predict", d, WINE, "--out", path.join(d, "p.csv")],
    says: [/model\.onnx does not exist/, /hint: give the folder written by nncoach train --save/],
  },
  // ---- options ----
  {
    kind: "options",
    name: "a negative learning rate",
    args: () => train(WINE, "--target", "cultivar", "--lr=-0.1"),
    says: [/--lr must be > 0, got "-0\.1"/],
    fixInMessage: true,
  },
  {
    kind: "options",
    name: "a typo in a config file",
    args: (d) => {
      fs.writeFileSync(path.join(d, "run.yaml"), "target: cultivar\nbatch_sise: 16\n");
      return [...train(WINE), "--config", path.join(d, "run.yaml")];
    },
    says: [/run\.yaml, line 2/, /batch_sise/, /did you mean "batch_size"\?/],
    fixInMessage: true,
  },
];

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

before(async () => {
  const names = await buildFirstNamesCsv(tmp);
  const lines = fs.readFileSync(names.path, "utf8").trim().split("\n");
  namesLines = [lines[0]!, ...lines.slice(1).filter((_, i) => i % 20 === 0)];
  // saved models for the predict cases
  const save = async (kind: keyof typeof models, args: string[]) => {
    models[kind] = path.join(tmp, `model-${kind}`);
    const r = await runCliAsync([...train(...args), "--save", models[kind]]);
    assert.equal(r.code, 0, r.stderr);
  };
  await inParallel([
    () => save("table", [WINE, "--target", "cultivar"]),
    () => save("text", [write(path.join(tmp, "names.csv"), namesLines), "--target", "gender"]),
    () => save("images", [copyClasses(DIGITS, path.join(tmp, "digits"), 6), "--widths", "4"]),
  ]);
});

test(`${CASES.length} bad inputs across kinds: exit code 2 before training, no stack trace, the place and the fix named`, async (t) => {
  assert.ok(CASES.length >= 30);
  const before = snapshot(Object.values(models));
  const results = await inParallel(
    CASES.map((c, i) => () => {
      const dir = path.join(tmp, `case-${i}`);
      fs.mkdirSync(dir, { recursive: true });
      return runCliAsync(c.args(dir));
    }),
    3,
  );
  const failures: string[] = [];
  CASES.forEach((c, i) => {
    const r = results[i]!;
    const problems: string[] = [];
    if (r.code !== 2) problems.push(`exit code ${r.code}`);
    if (!r.stderr.startsWith("nncoach: ")) problems.push("stderr does not start with 'nncoach: '");
    if (/internal error|\n\s+at .+:\d+:\d+\)?/.test(r.stderr)) problems.push("a stack trace");
    if (!c.fixInMessage && !/\n {2}hint: \S/.test(r.stderr)) problems.push("no hint");
    if (/^training /m.test(r.stdout)) problems.push("training started");
    for (const re of c.says) if (!re.test(r.stderr)) problems.push(`does not say ${re}`);
    if (problems.length)
      failures.push(`${c.kind}: ${c.name}: ${problems.join("; ")}\n    ${r.stderr.trim()}`);
    else t.diagnostic(`${c.kind}: ${c.name}: ${r.stderr.trim().split("\n")[0]}`);
  });
  assert.deepEqual(failures, []);
  // no earlier output destroyed (the saved models the predict cases read), no temp files left anywhere
  assert.deepEqual(snapshot(Object.values(models)), before);
  const leftovers = listFiles(tmp).filter((f) => /\.tmp($|[-.])|\.tmp-\d+/.test(path.basename(f)));
  assert.deepEqual(leftovers, []);
});

/** Every file under the folders with its size and content hash. */
function snapshot(dirs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of dirs)
    for (const f of listFiles(d))
      out[f] = crypto.createHash("sha256").update(fs.readFileSync(f)).digest("hex");
  return out;
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
    .sort();
}

test("predict notes values of a categorical column the model never saw, and still predicts every row", () => {
  const dir = path.join(tmp, "unknown-categories");
  const lines = fs.readFileSync(VOTES, "utf8").trim().split("\n").slice(0, 31);
  // the party column becomes an input when predicting the first vote; two rows name a third party
  const edited = lines.map((l, i) => (i === 4 || i === 9 ? l.replace(/^"[a-z]+"/, '"independent"') : l));
  const model = path.join(dir, "model");
  const r = runCli([...train(VOTES, "--target", "V1"), "--save", model]);
  assert.equal(r.code, 0, r.stderr);
  const p = runCli([
    "predict",
    model,
    write(path.join(dir, "new.csv"), edited),
    "--out",
    path.join(dir, "p.csv"),
  ]);
  assert.equal(p.code, 0, p.stderr);
  assert.match(
    p.stdout,
    /note: 2 row\(s\) of .*new\.csv hold a value of 'Class' the model did not learn \(e\.g\. 'independent'\)/,
  );
  assert.equal(fs.readFileSync(path.join(dir, "p.csv"), "utf8").trim().split("\n").length, 31);
  const plain = runCli(["predict", model, VOTES, "--out", path.join(dir, "q.csv")]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.doesNotMatch(plain.stdout, /note:/);
});

test("a repeated column name is renamed, and the run says so naming the file and the column", () => {
  const l = wineLines();
  l[0] = l[0]!.replace(",ash,", ",alcohol,");
  const r = runCli([...train(write(path.join(tmp, "repeated-name", "wine.csv"), l), "--target", "cultivar")]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /note: .*repeated-name\/wine\.csv: column 3 repeats the name 'alcohol'; renamed 'alcohol_2'/,
  );
});
