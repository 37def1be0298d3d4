/**
 * Speed of the ONNX protobuf codec: emitting (exportOnnx: graph walk + encoding), encoding alone and
 * decoding the models of the 784-256-256-10 MLP and the benchmark CNN (weights baked in), their
 * train-step graphs, and the PyTorch CNN fixture. Prints one JSON line per case with median
 * milliseconds over the repeats.
 *
 * @example node dist/bench/onnx-codec.js --repeats 30
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type DecodedModel, decodeModel } from "../src/engine/onnx/decode.js";
import {
  type AttributeValue,
  encodeModel,
  type ModelData,
  type OnnxDTypeName,
} from "../src/engine/onnx/encode.js";
import { benchCnn } from "../src/nn/cnn.js";
import { SparseCrossEntropy } from "../src/nn/losses/cross-entropy.js";
import { mlp } from "../src/nn/sequential.js";
import { Adam } from "../src/optim/adam.js";
import { Trainer } from "../src/train/trainer.js";

const { values } = parseArgs({ options: { repeats: { type: "string", default: "20" } } });
const repeats = Number(values.repeats);

function medianMs(f: () => unknown): number {
  f(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = process.hrtime.bigint();
    f();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const typeNames: Record<number, OnnxDTypeName> = {
  1: "float32",
  7: "int64",
  9: "bool",
  10: "float16",
  11: "float64",
};

/** A decoded model back in the encoder's input form (raw little-endian bytes per tensor). */
function toModelData(m: DecodedModel): ModelData {
  const tensor = (t: DecodedModel["graph"]["initializers"][number]) => {
    const dtype = typeNames[t.dataType]!;
    const raw =
      dtype === "int64"
        ? new Uint8Array(BigInt64Array.from(t.data, (v) => BigInt(v)).buffer)
        : dtype === "bool"
          ? Uint8Array.from(t.data)
          : new Uint8Array(
              (dtype === "float64" ? Float64Array.from(t.data) : Float32Array.from(t.data)).buffer,
            );
    return { name: t.name, dtype, dims: t.dims, raw };
  };
  const io = (v: DecodedModel["graph"]["inputs"][number]) => ({
    name: v.name,
    dtype: typeNames[v.elemType]!,
    shape: (v.shape ?? []).map((d) => d ?? "N"),
  });
  return {
    opsetVersion: m.opsets.get("") ?? 17,
    metadata: Object.fromEntries(m.metadata),
    graph: {
      name: m.graph.name,
      nodes: m.graph.nodes.map((n) => {
        const attributes: Record<string, AttributeValue> = {};
        for (const [k, a] of n.attributes) {
          if (a.kind === "tensor") attributes[k] = { kind: "tensor", value: tensor(a.value) };
          else if (a.kind === "float" || a.kind === "int" || a.kind === "string") attributes[k] = a;
          else if (a.kind === "floats" || a.kind === "ints") attributes[k] = a;
        }
        return { ...n, attributes };
      }),
      initializers: m.graph.initializers.map(tensor),
      inputs: m.graph.inputs.map(io),
      outputs: m.graph.outputs.map(io),
    },
  };
}

const dump = mkdtempSync(join(tmpdir(), "nncoach-codec-"));
process.env.NNCOACH_DUMP_GRAPHS = dump;
const cases: [string, () => ReturnType<typeof mlp>][] = [
  ["mlp 784-256-256-10", () => mlp({ inputs: 784, outputs: 10, hidden: [256, 256], activation: "relu" })],
  ["bench cnn", () => benchCnn()],
];
const report = (what: string, bytes: Uint8Array, extra: Record<string, number>) =>
  console.log(JSON.stringify({ what, bytes: bytes.length, ...extra }));
for (const [name, make] of cases) {
  const trainer = new Trainer(make(), new SparseCrossEntropy(), new Adam(), { threads: 1, seed: 0 });
  await trainer.compile();
  const exported = trainer.exportOnnx();
  const exportedData = toModelData(decodeModel(exported));
  report(`${name} model`, exported, {
    emit_ms: medianMs(() => trainer.exportOnnx()),
    encode_ms: medianMs(() => encodeModel(exportedData)),
    decode_ms: medianMs(() => decodeModel(exported)),
  });
  const train = new Uint8Array(readFileSync(join(dump, "train.onnx")));
  const trainData = toModelData(decodeModel(train));
  report(`${name} train step`, train, {
    encode_ms: medianMs(() => encodeModel(trainData)),
    decode_ms: medianMs(() => decodeModel(train)),
  });
  await trainer.release();
}
const fixture = new Uint8Array(readFileSync(new URL("../../test/fixtures/cnn_zoo.onnx", import.meta.url)));
report("fixture cnn_zoo.onnx", fixture, { decode_ms: medianMs(() => decodeModel(fixture)) });
rmSync(dump, { recursive: true, force: true });
