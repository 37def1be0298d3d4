import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { loadOnnx } from "../src/nn/onnx-import.js";
import { trainImages } from "../src/train/train-images.js";
import { runCli } from "./helpers/cli.js";

const DIGITS = "/work/shared/datasets/digits_png";

/** A class folder of symbolic links to some of the digits images: `pick` chooses each class's files (sorted). */
function linkFolder(
  root: string,
  name: string,
  classes: string[],
  pick: (files: string[]) => string[],
): string {
  for (const c of classes) {
    const dir = path.join(root, name, c);
    fs.mkdirSync(dir, { recursive: true });
    const files = fs.readdirSync(path.join(DIGITS, c)).sort();
    for (const f of pick(files)) fs.symlinkSync(path.join(DIGITS, c, f), path.join(dir, f));
  }
  return path.join(root, name);
}

test("transfer on real data: digits 0-4 pretraining helps on digits 5-9 with 20 images per class; frozen weights stay bit-identical", async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-transfer-"));
  const low = ["0", "1", "2", "3", "4"];
  const high = ["5", "6", "7", "8", "9"];
  const pre = linkFolder(root, "pretrain", low, (f) => f);
  const few = linkFolder(root, "few", high, (f) => f.slice(0, 20));
  const heldOut = linkFolder(root, "held-out", high, (f) => f.slice(20));
  const widths = [64, 128, 256];
  const base = await trainImages({ data: pre, widths, epochs: 5, threads: 2, save: path.join(root, "base") });
  assert.ok(base.val.accuracy > 0.95, `pretraining accuracy ${base.val.accuracy}`);
  await base.trainer.release();
  const file = path.join(root, "base", "model.onnx");

  const target = {
    data: few,
    validationData: heldOut,
    epochs: 20,
    lr: 3e-3,
    earlyStopping: false as const,
    threads: 2,
  };
  const transferred = await trainImages({ ...target, pretrained: file, freeze: "block1,block2" });
  const scratch = await trainImages({ ...target, widths });
  t.diagnostic(
    `held-out digits 5-9 (${transferred.val.samples} images): transferred ${transferred.val.accuracy.toFixed(4)}, from scratch ${scratch.val.accuracy.toFixed(4)}`,
  );
  const highCount = high.reduce((a, c) => a + fs.readdirSync(path.join(DIGITS, c)).length, 0);
  assert.equal(transferred.val.samples, highCount - 100);
  assert.deepEqual(transferred.frozen, [
    "block1.conv",
    "block1.bn",
    "block1.pool",
    "block1.relu",
    "block2.conv",
    "block2.bn",
    "block2.pool",
    "block2.relu",
  ]);
  // frozen parameters and BatchNorm statistics are bit-identical to the pretrained file's
  const pretrained = (await loadOnnx(file)).initialValues!;
  const values = transferred.trainer.values;
  let frozenChecked = 0;
  for (const [name, v] of pretrained) {
    const got = values.get(name);
    if (name.startsWith("block1.") || name.startsWith("block2.")) {
      assert.deepEqual(got, Float32Array.from(v), `${name} changed`);
      frozenChecked++;
    } else if (got && name.startsWith("block3.conv"))
      assert.notDeepEqual(got, Float32Array.from(v), `${name} did not train`);
  }
  assert.equal(frozenChecked, 2 * 5); // conv weight, bn weight/bias/running mean/running var per block
  assert.ok(
    transferred.val.accuracy > scratch.val.accuracy,
    `transferred ${transferred.val.accuracy} vs scratch ${scratch.val.accuracy}`,
  );
  await transferred.trainer.release();
  await scratch.trainer.release();

  // the same through the CLI, with fine-tuning: head first, then all but block1 at lr / 10
  const r = runCli([
    "train",
    few,
    "--validation-data",
    heldOut,
    "--pretrained",
    file,
    "--freeze",
    "block1",
    "--fine-tune",
    "--epochs",
    "4",
    "--threads",
    "2",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.json!.frozen, ["block1.conv", "block1.bn", "block1.pool", "block1.relu"]);
  assert.equal((r.json!.history as unknown[]).length, 4);
  assert.match(r.stderr, /fine-tuning: 2 epoch\(s\) training the head alone, then 2/);
  fs.rmSync(root, { recursive: true });
});
