import assert from "node:assert/strict";
import { test } from "node:test";
import { UserError } from "../src/errors.js";
import { cnn, residualCnn } from "../src/nn/cnn.js";
import { GraphModel, MODEL_INPUT } from "../src/nn/graph-model.js";
import { Activation } from "../src/nn/layers/activation.js";
import { Conv2D } from "../src/nn/layers/conv2d.js";
import { Dense } from "../src/nn/layers/dense.js";
import { Merge } from "../src/nn/layers/merge.js";
import { GlobalAvgPool2D, MaxPool2D } from "../src/nn/layers/pool2d.js";
import { SparseCrossEntropy } from "../src/nn/losses/cross-entropy.js";
import { Sequential } from "../src/nn/sequential.js";
import { Adam } from "../src/optim/adam.js";
import { Trainer } from "../src/train/trainer.js";
import { Random } from "../src/util/random.js";

const userError = (re: RegExp) => (e: unknown) => e instanceof UserError && re.test(e.message);

test("Conv2D output shapes: same (ceil(in/stride)), valid, explicit padding, dilation", () => {
  assert.deepEqual(
    new Conv2D("c", { filters: 8, kernel: 3, padding: "same", strides: 2 }).outputShape([3, 7, 8]),
    [8, 4, 4],
  );
  assert.deepEqual(new Conv2D("c", { filters: 8, kernel: 3 }).outputShape([3, 7, 8]), [8, 5, 6]);
  assert.deepEqual(
    new Conv2D("c", { filters: 2, kernel: [3, 1], padding: [1, 0] }).outputShape([1, 5, 5]),
    [2, 5, 5],
  );
  assert.deepEqual(
    new Conv2D("c", { filters: 2, kernel: 3, dilation: 2, padding: "same" }).outputShape([1, 9, 9]),
    [2, 9, 9],
  );
  assert.deepEqual(
    new MaxPool2D("p", { kernel: 3, strides: 2, ceil: true }).outputShape([4, 6, 6]),
    [4, 3, 3],
  );
});

test("bad conv arguments are refused naming the layer and the value", () => {
  assert.throws(
    () => new Conv2D("conv_a", { filters: 0, kernel: 3 }),
    userError(/layer 'conv_a'.*filters.*0/),
  );
  assert.throws(
    () => new Conv2D("conv_b", { filters: 4, kernel: [3] as never }),
    userError(/conv_b.*kernel.*\[3\]/),
  );
  assert.throws(
    () => new Conv2D("conv_c", { filters: 4, kernel: 3, padding: "full" as never }),
    userError(/conv_c.*padding.*full/),
  );
  assert.throws(
    () => new Conv2D("conv_d", { filters: 6, kernel: 3, groups: 4 }),
    userError(/conv_d.*multiple of groups/),
  );
});

test("a conv whose input does not fit names the layer and both shapes", () => {
  assert.throws(
    () => new Sequential([3, 4, 4], [new Conv2D("big", { filters: 2, kernel: 5 })]),
    userError(/layer 'big'.*\[N, 3, 4, 4\].*5x5/),
  );
  assert.throws(
    () => new Sequential([10], [new Conv2D("on_table", { filters: 2, kernel: 3 })]),
    userError(/layer 'on_table'.*\[N, 10\].*channels, height, width/),
  );
  assert.throws(
    () => new Sequential([3, 8, 8], [new Conv2D("g", { filters: 4, kernel: 3, groups: 2 })]),
    userError(/layer 'g'.*divisible by groups/),
  );
});

test("the CNN family: depth and width parameters, blocks named for transfer, pooling before a monotone activation, spec round trip", () => {
  const m = cnn({ inputShape: [1, 8, 8], outputs: 10, widths: [8, 16], convsPerStage: 2 });
  assert.deepEqual(
    m.layers.map((l) => l.name),
    [
      "block1.conv1",
      "block1.bn1",
      "block1.relu1",
      "block1.conv2",
      "block1.bn2",
      "block1.pool",
      "block1.relu2",
      "block2.conv1",
      "block2.bn1",
      "block2.relu1",
      "block2.conv2",
      "block2.bn2",
      "block2.relu2",
      "gap",
      "output",
    ],
  );
  assert.deepEqual(m.outputShape(), [10]);
  // GELU is not monotone: pooling stays after it
  const g = cnn({ inputShape: [1, 8, 8], outputs: 2, widths: [4, 4], activation: "gelu", norm: "none" });
  assert.deepEqual(g.layers.map((l) => l.name).slice(0, 3), ["block1.conv", "block1.gelu", "block1.pool"]);
  assert.deepEqual(Sequential.fromSpec(JSON.parse(JSON.stringify(m.spec()))).spec(), m.spec());
  assert.throws(
    () => cnn({ inputShape: [8, 8], outputs: 2 }),
    userError(/\[channels, height, width\].*\[8,8\]/),
  );
  assert.throws(
    () => cnn({ inputShape: [1, 8, 8], outputs: 2, widths: [8, 0] }),
    userError(/widths.*\[8,0\]/),
  );
});

test("the residual CNN is a graph with projection shortcuts; it rebuilds from its spec and trains", async () => {
  const m = residualCnn({ inputShape: [1, 8, 8], outputs: 3, widths: [4, 8] });
  assert.ok(m.node("stage2.block1.shortcut.conv"), "projection shortcut where the shape changes");
  assert.equal(m.node("stage1.block1.shortcut.conv"), undefined, "identity shortcut where it does not");
  assert.deepEqual(m.node("stage2.block1.add")!.inputs, ["stage2.block1.b.bn", "stage2.block1.shortcut.bn"]);
  assert.deepEqual(m.outputShape(), [3]);
  const back = GraphModel.fromSpec(JSON.parse(JSON.stringify(m.spec())));
  assert.deepEqual(back.spec(), m.spec());
  const trainer = new Trainer(m, new SparseCrossEntropy(), new Adam(), { threads: 1, seed: 1 });
  await trainer.compile();
  const rng = new Random(2);
  const x = Float32Array.from({ length: 6 * 64 }, () => rng.normal());
  const y = BigInt64Array.from({ length: 6 }, (_, i) => BigInt(i % 3));
  const first = await trainer.trainStep({ x, y, n: 6 }, 1e-2);
  let last = first;
  for (let i = 0; i < 15; i++) last = await trainer.trainStep({ x, y, n: 6 }, 1e-2);
  assert.ok(Number.isFinite(first.loss) && last.loss < first.loss, `loss ${first.loss} -> ${last.loss}`);
  await trainer.release();
});

test("graph models refuse duplicate names, unknown inputs and branches that do not fit", () => {
  const conv = (name: string, filters = 4) => new Conv2D(name, { filters, kernel: 3, padding: "same" });
  assert.throws(
    () =>
      new GraphModel(
        [2, 4, 4],
        [
          { layer: conv("a"), inputs: [MODEL_INPUT] },
          { layer: conv("a"), inputs: ["a"] },
        ],
      ),
    userError(/two layers are named 'a'/),
  );
  assert.throws(
    () => new GraphModel([2, 4, 4], [{ layer: conv("a"), inputs: ["nope"] }]),
    userError(/layer 'a' takes 'nope'/),
  );
  assert.throws(
    () =>
      new GraphModel(
        [2, 4, 4],
        [
          { layer: conv("a", 4), inputs: [MODEL_INPUT] },
          { layer: conv("b", 6), inputs: [MODEL_INPUT] },
          { layer: new Merge("sum", "add"), inputs: ["a", "b"] },
        ],
      ),
    userError(/layer 'sum'.*\[N, 4, 4, 4\] and \[N, 6, 4, 4\]/),
  );
  const ok = new GraphModel(
    [2, 4, 4],
    [
      { layer: conv("a"), inputs: [MODEL_INPUT] },
      { layer: new Activation("r", "relu"), inputs: ["a"] },
      { layer: new GlobalAvgPool2D("gap"), inputs: ["r"] },
      { layer: new Dense("out", { units: 2 }), inputs: ["gap"] },
    ],
  );
  assert.deepEqual(ok.outputShape(), [2]);
});
