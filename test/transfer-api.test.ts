import assert from "node:assert/strict";
import { test } from "node:test";
import { UserError } from "../src/errors.js";
import { cnn } from "../src/nn/cnn.js";
import { SparseCrossEntropy } from "../src/nn/losses/cross-entropy.js";
import { attachHead, cutModel, parseHeadSpec, selectLayers, transfer } from "../src/nn/transfer.js";
import { Sgd } from "../src/optim/sgd.js";
import { retrain } from "../src/train/retrain.js";
import { Trainer } from "../src/train/trainer.js";
import { Random } from "../src/util/random.js";

const userError = (re: RegExp) => (e: unknown) => e instanceof UserError && re.test(e.message);
const small = () => cnn({ inputShape: [1, 6, 6], outputs: 4, widths: [4, 8] });
// block1.conv block1.bn block1.pool block1.relu block2.conv block2.bn block2.relu gap output

test("cut at a named layer or before the last n layers; unknown names get a suggestion", () => {
  const m = small();
  assert.equal(cutModel(m, "block2.relu").output, "block2.relu");
  assert.deepEqual(cutModel(m, "block2.relu").outputShape(), [8, 3, 3]);
  const two = cutModel(m, 2);
  assert.equal(two.output, "block2.relu");
  assert.equal(two.layers.length, 7);
  assert.throws(
    () => cutModel(m, "block2.rleu"),
    (e: unknown) =>
      e instanceof UserError && /no layer 'block2.rleu'/.test(e.message) && /block2.relu/.test(e.hint ?? ""),
  );
  assert.throws(() => cutModel(m, 9), userError(/from 1 to 8, got 9/));
});

test("a new head pools image features, adds hidden layers and an output layer", () => {
  const h = attachHead(cutModel(small(), "block2.relu"), { outputs: 3, hidden: [5], dropout: 0.2 });
  assert.deepEqual(
    h.layers.slice(7).map((l) => l.name),
    ["head.gap", "head.dropout1", "head.dense1", "head.relu1", "head.dropout", "head.output"],
  );
  assert.deepEqual(h.outputShape(), [3]);
  assert.throws(() => attachHead(small(), { outputs: 0 }), userError(/outputs.*0/));
});

test("freeze specs: names (with the layers under them), prefixes, index ranges, all/none", () => {
  const m = small();
  assert.deepEqual(selectLayers(m, "block1"), ["block1.conv", "block1.bn", "block1.pool", "block1.relu"]);
  assert.deepEqual(
    selectLayers(m, "block*"),
    m.layers.slice(0, 7).map((l) => l.name),
  );
  assert.deepEqual(selectLayers(m, "0:2, output"), ["block1.conv", "block1.bn", "output"]);
  assert.deepEqual(
    selectLayers(m, ":-2"),
    m.layers.slice(0, 7).map((l) => l.name),
  );
  assert.deepEqual(selectLayers(m, "-2:"), ["gap", "output"]);
  assert.equal(selectLayers(m, "all").length, 9);
  assert.deepEqual(selectLayers(m, "none"), []);
  assert.throws(
    () => selectLayers(m, "blok1"),
    (e: unknown) =>
      e instanceof UserError && /'blok1' selects no layer/.test(e.message) && /block1/.test(e.hint ?? ""),
  );
});

test("--head specs: auto, keep, -n, a layer name, with hidden sizes", () => {
  assert.deepEqual(parseHeadSpec("auto"), { cut: "auto", hidden: [] });
  assert.deepEqual(parseHeadSpec("-2:128"), { cut: 2, hidden: [128] });
  assert.deepEqual(parseHeadSpec("features.8:256,64"), { cut: "features.8", hidden: [256, 64] });
  assert.deepEqual(parseHeadSpec("keep"), { cut: "keep", hidden: [] });
  assert.throws(() => parseHeadSpec("keep:10"), userError(/keep cannot add hidden/));
  assert.throws(() => parseHeadSpec("auto:0"), userError(/hidden sizes/));
});

test("transfer(): default cut drops the old classifier, the kept layers are frozen", () => {
  const plan = transfer(small(), { head: { outputs: 2 } });
  assert.deepEqual(
    plan.pretrainedLayers,
    small()
      .layers.slice(0, 8)
      .map((l) => l.name),
  );
  assert.deepEqual(plan.headLayers, ["head.output"]);
  assert.deepEqual(plan.frozen, plan.pretrainedLayers);
  assert.deepEqual(plan.model.outputShape(), [2]);
  const partial = transfer(small(), { head: { outputs: 2 }, freeze: "block1" });
  assert.deepEqual(partial.frozen, ["block1.conv", "block1.bn", "block1.pool", "block1.relu"]);
});

test("frozen layers stay bit-identical (BatchNorm statistics too); lrScales scale updates; retrain unfreezes", async () => {
  const base = small();
  const plan = transfer(base, { head: { outputs: 3 }, freeze: "block1" });
  const trainer = new Trainer(plan.model, new SparseCrossEntropy(), new Sgd({ momentum: 0 }), {
    threads: 1,
    seed: 4,
    frozen: plan.frozen,
    lrScales: { "block2.conv": 0.5 },
  });
  await trainer.compile();
  const before = new Map([...trainer.values].map(([k, v]) => [k, v.slice()]));
  const rng = new Random(9);
  const x = Float32Array.from({ length: 8 * 36 }, () => rng.normal());
  const y = BigInt64Array.from({ length: 8 }, (_, i) => BigInt(i % 3));
  await trainer.trainStep({ x, y, n: 8 }, 0.1);
  for (const name of [
    "block1.conv.weight",
    "block1.conv.bias",
    "block1.bn.weight",
    "block1.bn.running_mean",
    "block1.bn.running_var",
  ].filter((n) => before.has(n)))
    assert.deepEqual(trainer.values.get(name), before.get(name), `${name} changed`);
  assert.ok(before.has("block1.bn.running_var"));
  assert.notDeepEqual(trainer.values.get("block2.conv.weight"), before.get("block2.conv.weight"));
  assert.notDeepEqual(trainer.values.get("block2.bn.running_mean"), before.get("block2.bn.running_mean"));

  const unfrozen = await retrain(trainer, { frozen: [] });
  for (const [k, v] of trainer.values) if (!k.includes("#")) assert.deepEqual(unfrozen.values.get(k), v, k);
  await unfrozen.trainStep({ x, y, n: 8 }, 0.1);
  assert.notDeepEqual(unfrozen.values.get("block1.conv.weight"), before.get("block1.conv.weight"));
  await trainer.release();
  await unfrozen.release();
});

test("a learning-rate scale of 0.5 halves a layer's SGD update", async () => {
  const run = async (scale?: number) => {
    const t = new Trainer(small(), new SparseCrossEntropy(), new Sgd({ momentum: 0 }), {
      threads: 1,
      seed: 2,
      lrScales: scale ? { "block2.conv": scale } : undefined,
    });
    await t.compile();
    const w0 = t.values.get("block2.conv.weight")!.slice();
    const rng = new Random(3);
    const x = Float32Array.from({ length: 4 * 36 }, () => rng.normal());
    await t.trainStep({ x, y: BigInt64Array.from([0n, 1n, 2n, 3n]), n: 4 }, 0.05);
    const d = Array.from(t.values.get("block2.conv.weight")!, (v, i) => v - w0[i]!);
    await t.release();
    return d;
  };
  const full = await run();
  const half = await run(0.5);
  full.forEach((d, i) => {
    assert.ok(Math.abs(half[i]! - d / 2) < 1e-6, `element ${i}: ${half[i]} vs ${d / 2}`);
  });
});
