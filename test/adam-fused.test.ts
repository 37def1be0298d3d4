/**
 * The fused Adam update (optim/adam-kernel.ts, run by the trainer after the graph) against the same update
 * as ONNX kernels inside the graph: the same losses and weights bit for bit, over the update rules the
 * graph can express (Adam, AdamW, L2 decay, loss scale, norm and value clipping, learning-rate scales,
 * frozen layers), on the digits.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { SparseCrossEntropy } from "../src/nn/losses/cross-entropy.js";
import { mlp } from "../src/nn/sequential.js";
import { Adam, type AdamOptions } from "../src/optim/adam.js";
import { AdamKernel } from "../src/optim/adam-kernel.js";
import { FUSED_UPDATE_ENV, Trainer, type TrainerOptions } from "../src/train/trainer.js";

const SHARED = process.env.NNCOACH_DATASETS ?? "/work/shared/datasets";
const lines = readFileSync(path.join(SHARED, "digits.csv"), "utf8").trim().split("\n").slice(1);
const rows = lines.slice(0, 384).map((l) => l.split(",").map(Number));
const BATCH = 64;
const batches = Array.from({ length: rows.length / BATCH }, (_, b) => {
  const part = rows.slice(b * BATCH, (b + 1) * BATCH);
  return {
    x: Float32Array.from(part.flatMap((r) => r.slice(0, 64).map((v) => v / 16))),
    y: BigInt64Array.from(part.map((r) => BigInt(r[64]!))),
    n: BATCH,
  };
});

async function train(fused: boolean, adam: AdamOptions, opts: TrainerOptions, lossScale: number) {
  const before = process.env[FUSED_UPDATE_ENV];
  process.env[FUSED_UPDATE_ENV] = fused ? "1" : "0";
  const model = mlp({ inputs: 64, outputs: 10, hidden: [32, 16], activation: "relu" });
  const trainer = new Trainer(model, new SparseCrossEntropy(), new Adam(adam), {
    threads: 1,
    seed: 3,
    ...opts,
  });
  try {
    await trainer.compile();
  } finally {
    if (before === undefined) delete process.env[FUSED_UPDATE_ENV];
    else process.env[FUSED_UPDATE_ENV] = before;
  }
  const first = trainer.paramSpecs.find((p) => trainer.isTrainable(p.name))!.name;
  const losses: number[] = [];
  let inPlace = true;
  for (let epoch = 0; epoch < 3; epoch++)
    for (const b of batches) {
      const ref = trainer.values.get(first);
      losses.push((await trainer.trainStep(b, 3e-3, lossScale)).loss);
      // (the first step moves the initial values into the step's buffers)
      if (trainer.step > 1) inPlace &&= trainer.values.get(first) === ref;
    }
  const values = new Map([...trainer.values].map(([k, v]) => [k, Array.from(v)]));
  await trainer.release();
  return { losses, values, inPlace };
}

test("the fused Adam update trains exactly as the update inside the graph, for every update rule", async () => {
  const layers = mlp({ inputs: 64, outputs: 10, hidden: [32, 16], activation: "relu" }).layers.map(
    (l) => l.name,
  );
  const cases: { adam: AdamOptions; opts: TrainerOptions; lossScale: number }[] = [
    { adam: {}, opts: {}, lossScale: 1 },
    { adam: { decoupled: true, weightDecay: 0.05 }, opts: { clipNorm: 0.5 }, lossScale: 256 },
    {
      adam: { weightDecay: 1e-3 },
      opts: { clipValue: 0.01, lrScales: { [layers[0]!]: 0.25 } },
      lossScale: 1,
    },
    { adam: { weightDecay: 1e-3 }, opts: { clipNorm: 1 }, lossScale: 64 },
    { adam: { beta1: 0.8, eps: 1e-6 }, opts: { frozen: [layers[0]!] }, lossScale: 8 },
  ];
  for (const c of cases) {
    const fused = await train(true, c.adam, c.opts, c.lossScale);
    const graph = await train(false, c.adam, c.opts, c.lossScale);
    const what = JSON.stringify(c);
    assert.ok(fused.inPlace, `fused update works in place (${what})`);
    assert.ok(!graph.inPlace, `the graph's update writes the other buffer (${what})`);
    assert.deepEqual(fused.losses, graph.losses, what);
    assert.deepEqual(fused.values, graph.values, what);
    assert.ok(fused.losses.at(-1)! < fused.losses[0]!, `it learns (${what})`);
  }
});

test("AdamKernel pads buffers to 4 values and refuses buffers it did not allocate", () => {
  const k = new AdamKernel(4 * 8);
  const [p, g, m, v] = [7, 7, 7, 7].map((n) => k.alloc(n)) as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  assert.equal(p.length, 7);
  assert.equal(g.byteOffset - p.byteOffset, 32, "7 values take 8 places");
  g.fill(1);
  k.step(p, g, m, v, 0.9, 0.999, [1, 0.1, 0.001, 1e-8, 0.01, 1, 0]);
  const f = Math.fround;
  const mv = f(f(0 * f(0.9)) + f(1 * f(0.1)));
  const vv = f(f(0 * f(0.999)) + f(f(1 * 1) * f(0.001)));
  const pv = f(0 - f(f(mv / f(f(Math.sqrt(vv)) + f(1e-8))) * f(0.01)));
  assert.deepEqual([...m], Array(7).fill(mv));
  assert.deepEqual([...v], Array(7).fill(vv));
  assert.deepEqual([...p], Array(7).fill(pv));
  assert.throws(
    () => k.step(new Float32Array(7), g, m, v, 0.9, 0.999, [1, 0, 0, 0, 0]),
    /from this kernel's alloc/,
  );
  assert.throws(() => k.alloc(1), /out of room/);
  // models too large for one 32-bit WebAssembly memory keep the update in the graph
  assert.ok(AdamKernel.fits(4 * 25_000_000));
  assert.ok(!AdamKernel.fits(4 * 250_000_000));
});
