/** `nncoach predict <model-dir> <data.csv> --out <preds.csv>`: apply a saved model to raw rows. */
import fs from "node:fs";
import path from "node:path";
import { readTableFile } from "../data/read-table-file.js";
import { TabularPreprocessor } from "../data/tabular-preprocessor.js";
import { ort } from "../engine/ort-backend.js";
import { UserError } from "../errors.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { intOption, parseCommandArgs } from "./args.js";

export const PREDICT_HELP = `usage: nncoach predict <model-dir> <data.csv> --out <preds.csv> [--threads N]

Writes one row per input row, in input order: the predicted class label (as in the training file) and
one probability column per class, or the predicted number for regression.
`;

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
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
      "nncoach predict needs a model folder, a data file and --out",
      PREDICT_HELP.split("\n")[0],
    );
  const [dir, dataPath] = positionals as [string, string];
  const modelPath = path.join(dir, "model.onnx");
  const prePath = path.join(dir, "preprocess.json");
  for (const f of [modelPath, prePath])
    if (!fs.existsSync(f))
      throw new UserError(`${f} does not exist`, "give the folder written by nncoach train --save");
  const pre = TabularPreprocessor.fromJSON(JSON.parse(fs.readFileSync(prePath, "utf8")));
  const table = await readTableFile(dataPath);
  const x = pre.transformFeatures(table);
  const n = table.rows.length;
  const threads = intOption("threads", v.threads);
  const session = await ort.InferenceSession.create(
    fs.readFileSync(modelPath),
    threads ? { intraOpNumThreads: threads } : {},
  );
  const out = (await session.run({ input: new ort.Tensor("float32", x, [n, pre.featureCount]) })).output!;
  const values = out.data as Float32Array;
  const k = n > 0 ? values.length / n : 0;
  const lines: string[] = [];
  if (pre.task === "classification") {
    const classes = pre.classes;
    lines.push(["prediction", ...classes.map((c) => `p_${c}`)].map(csvCell).join(","));
    for (let i = 0; i < n; i++) {
      const probs = k === 1 ? [1 - values[i]!, values[i]!] : Array.from(values.subarray(i * k, (i + 1) * k));
      let best = 0;
      for (let j = 1; j < probs.length; j++) if (probs[j]! > probs[best]!) best = j;
      lines.push([csvCell(classes[best]!), ...probs.map((p) => p.toPrecision(6))].join(","));
    }
  } else {
    lines.push(csvCell("prediction"));
    for (let i = 0; i < n; i++) lines.push(String(values[i * k]));
  }
  writeFileAtomic(v.out, `${lines.join("\n")}\n`);
  process.stdout.write(`wrote ${n} predictions to ${v.out}\n`);
  await session.release();
  return 0;
}
