/**
 * `nncoach predict <model-dir> <data> --out <preds.csv>`: apply a saved model to raw inputs of the kind it
 * was trained on: a table (CSV/TSV/JSONL) for table and text models, an image or audio file or a folder of
 * them (searched recursively, in natural order) for image and audio models. Output paths are checked
 * before any work; the predictions are written atomically.
 */
import fs from "node:fs";
import path from "node:path";
import { readAudioFile } from "../data/audio/audio-folder.js";
import { readImageFile } from "../data/image/image-folder.js";
import { ImageStandardizer } from "../data/image/image-standardizer.js";
import { naturalCompare } from "../data/natural-order.js";
import { readTableFile } from "../data/read-table-file.js";
import { TabularPreprocessor } from "../data/tabular-preprocessor.js";
import { NgramBag, type NgramBagJSON } from "../data/text/ngram-bag.js";
import { ort } from "../engine/ort-backend.js";
import { UserError } from "../errors.js";
import { predictedLabels } from "../nn/metrics/metric-inputs.js";
import { checkOutputFile } from "../recipe/check-outputs.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { intOption, parseCommandArgs } from "./args.js";

export const PREDICT_HELP = `usage: nncoach predict <model-dir> <data> --out <preds.csv> [--threads N]

<data>: a table for table and text models; an image or WAV file, or a folder of them, for image and audio
models. Writes one row per input, in input order: the identifier (--id column of training, or the file),
the predicted class label and one probability column per class, or the predicted number for regression.
`;

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const EXT = { images: new Set([".png", ".jpg", ".jpeg"]), audio: new Set([".wav", ".wave"]) };

function listFiles(p: string, kind: "images" | "audio"): string[] {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  if (!st) throw new UserError(`${p} does not exist`);
  if (st.isFile()) return [p];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => naturalCompare(a.name, b.name))) {
      if (e.name.startsWith(".")) continue;
      const f = path.join(dir, e.name);
      if (e.isDirectory()) walk(f);
      else if (EXT[kind].has(path.extname(e.name).toLowerCase())) out.push(f);
    }
  };
  walk(p);
  if (out.length === 0)
    throw new UserError(`${p}: no ${kind === "images" ? "PNG or JPEG" : "WAV"} files found`);
  return out;
}

export async function predictCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseCommandArgs("predict", argv, {
    out: { type: "string" },
    threads: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (v.help) {
    process.stdout.write(PREDICT_HELP);
    return 0;
  }
  if (positionals.length !== 2 || !v.out)
    throw new UserError(
      "nncoach predict needs a model folder, a data path and --out",
      PREDICT_HELP.split("\n")[0],
    );
  const [dir, dataPath] = positionals as [string, string];
  const modelPath = path.join(dir, "model.onnx");
  const prePath = path.join(dir, "preprocess.json");
  for (const f of [modelPath, prePath])
    if (!fs.existsSync(f))
      throw new UserError(`${f} does not exist`, "give the folder written by nncoach train --save");
  checkOutputFile("out", v.out);
  const threads = intOption("threads", v.threads);
  let spec: Record<string, unknown>;
  try {
    spec = JSON.parse(fs.readFileSync(prePath, "utf8"));
  } catch (e) {
    throw new UserError(
      `${prePath} is not valid JSON (${(e as Error).message})`,
      "save the model again with nncoach train --save",
    );
  }
  const kind = (spec.kind as string | undefined) ?? "table";

  let x: Float32Array;
  let n: number;
  let width: number[];
  let ids: string[] | undefined;
  let idName = "id";
  let classes: string[];
  let task: "classification" | "regression";
  const notes: string[] = [];
  if (kind === "table" || kind === "text") {
    const table = await readTableFile(dataPath);
    n = table.rows.length;
    const target = TabularPreprocessor.fromJSON((kind === "text" ? spec.target : spec) as object);
    task = target.task;
    classes = target.classes;
    if (kind === "text") {
      const bag = NgramBag.fromJSON(spec.ngrams as NgramBagJSON);
      const col = table.columns.indexOf(spec.textColumn as string);
      if (col < 0)
        throw new UserError(
          `${dataPath} has no column '${spec.textColumn}', the text the model reads`,
          `its columns: ${table.columns.join(", ")}`,
        );
      x = bag.transform(table.rows.map((r) => r[col]!));
      width = [2 * bag.maxTokens];
    } else {
      x = target.transformFeatures(table);
      width = [target.featureCount];
      // allowed (encoded as the column's "other" category) but worth telling: the model learned nothing for them
      for (const u of target.unknownCategories(table))
        notes.push(
          `${u.rows} row(s) of ${dataPath} hold a value of '${u.column}' the model did not learn ` +
            `(e.g. ${u.examples.map((e) => `'${e}'`).join(", ")}); ` +
            "they are encoded as the column's unseen category, and their predictions rest on the other columns",
        );
    }
    const idCol = typeof spec.id === "string" ? table.columns.indexOf(spec.id) : -1;
    if (idCol >= 0) {
      ids = table.rows.map((r) => r[idCol]!);
      idName = spec.id as string;
    }
  } else if (kind === "images" || kind === "audio") {
    const files = listFiles(dataPath, kind);
    const shape = spec.imageShape as number[];
    const norm = ImageStandardizer.fromJSON(spec.standardizer as object);
    const per = shape.reduce((a, b) => a * b, 1);
    n = files.length;
    const raw = new Float32Array(n * per);
    for (const [i, f] of files.entries()) {
      const one =
        kind === "images"
          ? await readImageFile(f, { size: [shape[1]!, shape[2]!], channels: shape[0] as 1 | 3 })
          : await readAudioFile(f, spec.audio as never);
      if (one.length !== per) throw new UserError(`${f}: gives ${one.length} values, the model takes ${per}`);
      raw.set(one, i * per);
    }
    x = norm.apply(raw, [n, ...shape]);
    width = shape;
    ids = files;
    idName = "file";
    classes = spec.classes as string[];
    task = "classification";
  } else
    throw new UserError(
      `${prePath}: unknown input kind '${kind}'`,
      "save the model again with this version of nncoach",
    );

  const session = await ort.InferenceSession.create(modelPath, threads ? { intraOpNumThreads: threads } : {});
  const out = (await session.run({ input: new ort.Tensor("float32", x, [n, ...width]) })).output!;
  await session.release();
  const values = out.data as Float32Array;
  const k = n > 0 ? values.length / n : 0;
  const lines: string[] = [];
  const lead = (i: number) => (ids ? [csvCell(ids[i]!)] : []);
  if (task === "classification") {
    lines.push(
      [...(ids ? [idName] : []), "prediction", ...classes.map((c) => `p_${c}`)].map(csvCell).join(","),
    );
    const labels = predictedLabels(values, n, k);
    // a binary model tuned for F1 (nncoach improve) carries its decision threshold for class 1
    const threshold = typeof spec.decisionThreshold === "number" ? spec.decisionThreshold : undefined;
    if (threshold !== undefined && classes.length === 2)
      for (let i = 0; i < n; i++)
        labels[i] = (k === 1 ? values[i]! : values[i * k + 1]!) >= threshold ? 1 : 0;
    for (let i = 0; i < n; i++) {
      const probs = k === 1 ? [1 - values[i]!, values[i]!] : Array.from(values.subarray(i * k, (i + 1) * k));
      lines.push(
        [...lead(i), csvCell(classes[labels[i]!]!), ...probs.map((p) => p.toPrecision(6))].join(","),
      );
    }
  } else {
    lines.push([...(ids ? [idName] : []), "prediction"].map(csvCell).join(","));
    for (let i = 0; i < n; i++) lines.push([...lead(i), String(values[i * k])].join(","));
  }
  for (const note of notes) process.stdout.write(`note: ${note}\n`);
  writeFileAtomic(v.out, `${lines.join("\n")}\n`);
  process.stdout.write(`wrote ${n} predictions to ${v.out}\n`);
  return 0;
}
