import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { encodeModel } from "../src/engine/onnx/encode.js";
import { UserError } from "../src/errors.js";
import { cnn } from "../src/nn/cnn.js";
import { SparseCrossEntropy } from "../src/nn/losses/cross-entropy.js";
import { importOnnx, loadOnnx, NNCOACH_MODEL_KEY } from "../src/nn/onnx-import.js";
import { Sgd } from "../src/optim/sgd.js";
import { Trainer } from "../src/train/trainer.js";
import { Random } from "../src/util/random.js";
import { runModel } from "./helpers/run-model.js";

const fixture = (name: string) =>
  fileURLToPathCompat(new URL(`../../test/fixtures/${name}`, import.meta.url));
function fileURLToPathCompat(u: URL): string {
  return decodeURIComponent(u.pathname);
}

interface SmallFixture {
  input_shape: number[];
  input: number[];
  labels: number[];
  logits: number[];
  lr: number;
  loss: number;
  after_step: Record<string, number[]>;
}

function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  what: string,
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    assert.ok(
      d <= tol * (1 + Math.abs(expected[i]!)),
      `${what}[${i}]: ${actual[i]} vs ${expected[i]} (|diff| ${d})`,
    );
  }
}

/** PyTorch's Linear weight [out, in] as nncoach's Dense weight [in, out]. */
function transpose2d(w: number[], out: number, inp: number): number[] {
  const t = new Array<number>(w.length);
  for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) t[i * out + o] = w[o * inp + i]!;
  return t;
}

test("a PyTorch CNN loads with PyTorch's layer and parameter names and gives its outputs to 1e-4", async () => {
  const f = JSON.parse(fs.readFileSync(fixture("cnn_small.json"), "utf8")) as SmallFixture;
  const model = await loadOnnx(fixture("cnn_small.onnx"));
  assert.deepEqual(model.inputShape, [3, 12, 12]);
  assert.deepEqual(model.outputShape(), [5]);
  assert.deepEqual(
    model.layers.map((l) => l.name),
    [
      "features.0",
      "features.1",
      "features.2",
      "features.3",
      "features.4",
      "features.5",
      "features.6",
      "features.7",
      "features.8",
      "pool",
      "flatten",
      "classifier",
    ],
  );
  const n = f.input_shape[0]!;
  const logits = await runModel(model, Float32Array.from(f.input), n);
  assertClose(logits, f.logits, 1e-4, "logits");
});

test("after one SGD step on the imported CNN, parameters and BatchNorm statistics match PyTorch's", async () => {
  const f = JSON.parse(fs.readFileSync(fixture("cnn_small.json"), "utf8")) as SmallFixture;
  const model = await loadOnnx(fixture("cnn_small.onnx"));
  const trainer = new Trainer(model, new SparseCrossEntropy(), new Sgd({ momentum: 0 }), { threads: 1 });
  await trainer.compile();
  const n = f.input_shape[0]!;
  const r = await trainer.trainStep(
    { x: Float32Array.from(f.input), y: BigInt64Array.from(f.labels, BigInt), n },
    f.lr,
  );
  assert.ok(Math.abs(r.loss - f.loss) < 1e-4, `loss ${r.loss} vs ${f.loss}`);
  let checked = 0;
  for (const [name, expected] of Object.entries(f.after_step)) {
    const got = trainer.values.get(name);
    assert.ok(got, `nncoach has no value named ${name}`);
    const want = name === "classifier.weight" ? transpose2d(expected, 5, 16) : expected;
    assertClose(got, want, 1e-4, name);
    checked++;
  }
  assert.equal(checked, 12);
  await trainer.release();
});

test("ops zoo: folded BN, ReLU6, dilated and depthwise convs, concat, residual add, average pool, transpose, view, GELU (Erf), MatMul+Add, softmax", async () => {
  const f = JSON.parse(fs.readFileSync(fixture("cnn_zoo.json"), "utf8")) as {
    input_shape: number[];
    input: number[];
    output: number[];
  };
  const model = await loadOnnx(fixture("cnn_zoo.onnx"));
  const types = new Set(model.layers.map((l) => l.config().type));
  for (const t of [
    "conv2d",
    "clip",
    "concatenate",
    "merge",
    "avg_pool2d",
    "permute",
    "reshape",
    "unary",
    "dense",
    "softmax",
  ])
    assert.ok(types.has(t), `no ${t} layer`);
  const dw = model.node("dw")!.layer.config();
  assert.equal(dw.groups, 12);
  const out = await runModel(model, Float32Array.from(f.input), f.input_shape[0]!);
  assertClose(out, f.output, 1e-4, "output");
});

function tinyModel(opType: string, nodeName: string): Uint8Array {
  return encodeModel({
    opsetVersion: 13,
    graph: {
      name: "g",
      nodes: [
        { opType: "Relu", inputs: ["x"], outputs: ["h"], name: "relu" },
        { opType, inputs: ["h"], outputs: ["y"], name: nodeName },
      ],
      initializers: [],
      inputs: [{ name: "x", dtype: "float32", shape: ["N", 4] }],
      outputs: [{ name: "y", dtype: "float32", shape: ["N", 4] }],
    },
  });
}

test("an unsupported op is refused naming the op, the node and the supported ops", () => {
  assert.throws(
    () => importOnnx(tinyModel("LpNormalization", "/head/norm"), "m.onnx"),
    (e: unknown) =>
      e instanceof UserError &&
      /unsupported ONNX op 'LpNormalization'/.test(e.message) &&
      /node '\/head\/norm'/.test(e.message) &&
      /m\.onnx/.test(e.message) &&
      /Conv, Gemm, MatMul/.test(e.hint ?? ""),
  );
});

test("bytes that are not an ONNX model are refused naming the file", () => {
  assert.throws(
    () => importOnnx(new TextEncoder().encode("hello, this is not a model"), "notes.onnx"),
    (e: unknown) => e instanceof UserError && /notes\.onnx/.test(e.message),
  );
});

test("a model nncoach exported loads back with its layers and weights (metadata spec) and predicts the same", async () => {
  const model = cnn({ inputShape: [1, 6, 6], outputs: 3, widths: [4, 8] });
  const trainer = new Trainer(model, new SparseCrossEntropy(), new Sgd({ momentum: 0 }), {
    threads: 1,
    seed: 3,
  });
  await trainer.compile();
  const rng = new Random(5);
  const x = Float32Array.from({ length: 8 * 36 }, () => rng.normal());
  await trainer.trainStep({ x, y: BigInt64Array.from({ length: 8 }, (_, i) => BigInt(i % 3)), n: 8 }, 0.1);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-onnx-"));
  const file = path.join(dir, "model.onnx");
  await trainer.saveOnnx(file);
  const loaded = await loadOnnx(file);
  assert.deepEqual(
    loaded.layers.map((l) => l.name),
    model.layers.map((l) => l.name),
  );
  const probs = (await trainer.evaluate({ x, y: new BigInt64Array(8), n: 8 })).output;
  const logits = await runModel(loaded, x, 8);
  const logitsOrig = await runModel(model, x, 8, trainer.values);
  assertClose(logits, logitsOrig, 1e-6, "logits");
  assert.equal(probs.length, logits.length);
  void NNCOACH_MODEL_KEY;
  await trainer.release();
  fs.rmSync(dir, { recursive: true });
});

test("a model with dynamic height and width needs the input shape, and then computes the same outputs", async () => {
  await assert.rejects(
    loadOnnx(fixture("cnn_small_dynamic.onnx")),
    (e: unknown) =>
      e instanceof UserError &&
      /no fixed size in dimension 2/.test(e.message) &&
      /inputShape/.test(e.hint ?? ""),
  );
  await assert.rejects(
    loadOnnx(fixture("cnn_small_dynamic.onnx"), { inputShape: [1, 12, 12] }),
    (e: unknown) =>
      e instanceof UserError && /has 1 channel\(s\) but the weights \[8, 3, 3, 3\]/.test(e.message),
  );
  const f = JSON.parse(fs.readFileSync(fixture("cnn_small.json"), "utf8")) as SmallFixture;
  const model = await loadOnnx(fixture("cnn_small_dynamic.onnx"), { inputShape: [3, 12, 12] });
  assertClose(await runModel(model, Float32Array.from(f.input), f.input_shape[0]!), f.logits, 1e-4, "logits");
});
