/**
 * Batch normalization and a last batch of one row: the rows of an epoch that leave one row over are
 * trained in full batches only (stepsPerEpochOf), so the running variance never divides by n - 1 = 0.
 * Before, the lone row turned the running statistics into NaN and the trained model into a constant
 * (seen as a test accuracy of 1/3 on iris after `nncoach improve` kept --norm batch).
 */
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { evaluateDataset, fit, stepsPerEpochOf } from "../src/train/fit.js";
import { prepareTabular } from "../src/train/prepare-tabular.js";
import { ROOT } from "./helpers/cli.js";

test("stepsPerEpochOf: a lone last row is left out only for models with batch statistics", () => {
  assert.equal(stepsPerEpochOf(129, 32, true), 4);
  assert.equal(stepsPerEpochOf(129, 32, false), 5);
  assert.equal(stepsPerEpochOf(130, 32, true), 5);
  assert.equal(stepsPerEpochOf(128, 32, true), 4);
  // one batch holding every row, and a single row, are trained as they are
  assert.equal(stepsPerEpochOf(20, 32, true), 1);
  assert.equal(stepsPerEpochOf(1, 1, true), 1);
});

test("batch norm on iris with a batch size that leaves one row over: finite statistics, a real classifier", async () => {
  const p = await prepareTabular({
    data: path.join(ROOT, "test/data/iris.csv"),
    target: "species",
    hidden: [32],
    norm: "batch",
    threads: 1,
  });
  const bs = 26;
  assert.equal(p.train.n % bs, 1, `${p.train.n} training rows leave one row over in batches of ${bs}`);
  const r = await fit(p.trainer, p.train, { epochs: 30, batchSize: bs, lr: 3e-3, seed: 0 });
  assert.equal(r.history.length, 30);
  for (const [name, v] of p.trainer.values)
    if (name.includes("running_"))
      assert.ok(Array.from(v as ArrayLike<number>).every(Number.isFinite), `${name} is finite`);
  const ev = await evaluateDataset(p.trainer, p.validation!);
  const out = ev.output as Float32Array;
  const k = p.classes.length;
  let correct = 0;
  const predicted = new Set<number>();
  for (let i = 0; i < p.validation!.n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (out[i * k + c]! > out[i * k + best]!) best = c;
    predicted.add(best);
    if (best === Number((p.validation!.y as ArrayLike<number | bigint>)[i])) correct++;
  }
  assert.equal(predicted.size, 3, "predicts all three species");
  assert.ok(correct / p.validation!.n > 0.8, `validation accuracy ${correct / p.validation!.n}`);
});
