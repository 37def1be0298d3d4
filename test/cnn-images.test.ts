import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { PNG } from "pngjs";
import { UserError } from "../src/errors.js";
import { SparseCrossEntropy } from "../src/nn/losses/cross-entropy.js";
import { mlp } from "../src/nn/sequential.js";
import { Adam } from "../src/optim/adam.js";
import { trainImages } from "../src/train/train-images.js";
import { Trainer } from "../src/train/trainer.js";
import { runCli } from "./helpers/cli.js";

const DIGITS = "/work/shared/datasets/digits_png";
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-images-"));

/** Writes a w x h PNG: grayscale (color type 0) or RGB (color type 2), pixel values from f. */
function writePng(
  file: string,
  w: number,
  h: number,
  rgb: boolean,
  f: (x: number, y: number) => number,
): void {
  const png = new PNG({ width: w, height: h, colorType: rgb ? 2 : 0, inputColorType: 6 });
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const v = f(x, y);
      png.data.set([v, v, v, 255], (y * w + x) * 4);
    }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, PNG.sync.write(png, { colorType: rgb ? 2 : 0, inputColorType: 6 }));
}

/** A two-class folder of 6x6 grayscale images: bright left half vs bright right half. */
function twoClassFolder(dir: string, perClass = 6): void {
  for (let i = 0; i < perClass; i++) {
    writePng(path.join(dir, "left", `${i}.png`), 6, 6, false, (x) => (x < 3 ? 200 + i : 20));
    writePng(path.join(dir, "right", `${i}.png`), 6, 6, false, (x) => (x >= 3 ? 200 + i : 20));
  }
}

test("nncoach train <digits folder>: a CNN from scratch reaches validation accuracy >= 0.97", () => {
  const r = runCli(["train", DIGITS, "--json", "--threads", "2", "--epochs", "20", "--evaluate-test"]);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json!;
  assert.equal(j.kind, "images");
  assert.deepEqual(j.input_shape, [1, 8, 8]);
  assert.deepEqual(j.classes, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
  const val = j.val as { accuracy: number; samples: number };
  const test_ = j.test as { accuracy: number; samples: number };
  assert.ok(val.accuracy >= 0.97, `validation accuracy ${val.accuracy}`);
  assert.ok(test_.accuracy >= 0.95, `test accuracy ${test_.accuracy}`);
  assert.ok(
    val.samples > 200 && test_.samples > 200,
    `${val.samples} validation and ${test_.samples} test images`,
  );
});

test("an image with the wrong channel count, and an unreadable file, are named in the error", () => {
  const dir = tmp();
  twoClassFolder(dir);
  const rgb = path.join(dir, "right", "odd.png");
  writePng(rgb, 6, 6, true, () => 100);
  const r = runCli(["train", dir, "--epochs", "1"]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /odd\.png: has 3 channel\(s\) but earlier images have 1/);
  fs.rmSync(rgb);
  const broken = path.join(dir, "left", "broken.png");
  fs.writeFileSync(
    broken,
    Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(20, 7)]),
  );
  const r2 = runCli(["train", dir, "--epochs", "1"]);
  assert.equal(r2.code, 2, r2.stderr);
  assert.match(r2.stderr, /broken\.png: cannot decode PNG/);
  fs.rmSync(dir, { recursive: true });
});

test("a pretrained model whose input does not fit the images says both shapes", async () => {
  const dir = tmp();
  twoClassFolder(dir);
  // a tabular model: input [N, 64]
  const t = new Trainer(mlp({ inputs: 64, outputs: 2, hidden: [4] }), new SparseCrossEntropy(), new Adam(), {
    threads: 1,
  });
  await t.compile();
  const file = path.join(dir, "mlp.onnx");
  await t.saveOnnx(file);
  await t.release();
  const r = runCli(["train", dir, "--pretrained", file, "--epochs", "1"]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /takes inputs \[N, 64\], not images/);
  // an image size set explicitly that differs from the model's input
  const cnnDir = path.join(dir, "cnn");
  const first = await trainImages({
    data: dir,
    epochs: 1,
    threads: 1,
    save: cnnDir,
    widths: [4],
    earlyStopping: false,
  });
  await first.trainer.release();
  await assert.rejects(
    trainImages({ data: dir, pretrained: path.join(cnnDir, "model.onnx"), imageSize: [8, 8], epochs: 1 }),
    (e: unknown) =>
      e instanceof UserError &&
      /takes inputs \[N, 1, 6, 6\], but the images are set to \[N, 1, 8, 8\]/.test(e.message),
  );
  fs.rmSync(dir, { recursive: true });
});

test("a saved image model exports to model.onnx that stock ONNX Runtime runs, with its preprocessing", async () => {
  const dir = tmp();
  twoClassFolder(dir, 8);
  const save = path.join(dir, "out");
  const r = runCli(["train", dir, "--epochs", "3", "--save", save, "--json", "--threads", "1"]);
  assert.equal(r.code, 0, r.stderr);
  const pre = JSON.parse(fs.readFileSync(path.join(save, "preprocess.json"), "utf8"));
  assert.deepEqual(pre.classes, ["left", "right"]);
  assert.deepEqual(pre.imageShape, [1, 6, 6]);
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(path.join(save, "model.onnx"));
  const x = new Float32Array(2 * 36);
  const out = await session.run({ input: new ort.Tensor("float32", x, [2, 1, 6, 6]) });
  // two classes: one sigmoid output per image, P(right), as for tables (RECIPE.md §3)
  const probs = out.output!.data as Float32Array;
  assert.equal(probs.length, 2);
  assert.ok(probs.every((p) => p > 0 && p < 1));
  fs.rmSync(dir, { recursive: true });
});
