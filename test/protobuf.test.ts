import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeModel } from "../src/engine/onnx/decode.js";
import { encodeModel } from "../src/engine/onnx/encode.js";
import { UserError } from "../src/errors.js";
import { has, int64ToNumber, ProtoDecodeError, ProtoSchema } from "../src/util/protobuf.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

const fields = {
  Inner: { label: { id: 1, type: "string" } },
  Outer: {
    count: { id: 1, type: "int64" },
    ratio: { id: 2, type: "double" },
    name: { id: 3, type: "string" },
    sizes: { id: 4, type: "int64", repeated: true },
    weights: { id: 5, type: "float", repeated: true, packed: true },
    inner: { id: 6, type: "Inner" },
    small: { id: 8, type: "float", oneof: "choice" },
    word: { id: 9, type: "string", oneof: "choice" },
  },
} as const;
const proto2 = new ProtoSchema("demo", "proto2", fields);
const proto3 = new ProtoSchema("demo", "proto3", fields);

describe("ProtoSchema", () => {
  test("proto2 writes every field that is set, defaults included, in field order", () => {
    const bytes = proto2.encode("Outer", { name: "", count: 0, sizes: [1, 300] });
    // 08 00: count=0; 1a 00: name=""; 20 01 20 ac 02: sizes unpacked
    assert.equal(hex(bytes), "08001a00200120ac02");
  });

  test("proto3 leaves defaults out but writes a oneof member set to 0", () => {
    assert.equal(hex(proto3.encode("Outer", { name: "", count: 0, ratio: 0 })), "");
    // 45 00000000: small=0.0 (field 8, 32-bit) written because it is in a oneof
    assert.equal(hex(proto3.encode("Outer", { count: 0, small: 0 })), "4500000000");
  });

  test("repeated numbers are packed when declared so (proto2) and always in proto3", () => {
    assert.equal(hex(proto2.encode("Outer", { weights: [1] })), "2a040000803f");
    assert.equal(hex(proto3.encode("Outer", { sizes: [1, 2] })), "22020102");
  });

  test("decoding round-trips values, nested messages and negative int64s, and reports presence", () => {
    const bytes = proto2.encode("Outer", {
      count: -5,
      ratio: 0.1,
      sizes: [2 ** 53 - 1, 0],
      inner: { label: "é" },
      word: "w",
    });
    const m = proto2.decode("Outer", bytes);
    assert.equal(int64ToNumber(m.count), -5);
    assert.equal(m.ratio, 0.1);
    assert.deepEqual(m.sizes.map(int64ToNumber), [2 ** 53 - 1, 0]);
    assert.equal(m.inner?.label, "é");
    assert.equal(m.word, "w");
    assert.ok(has(m, "word"));
    assert.ok(!has(m, "small"));
    assert.equal(m.name, "", "a missing string reads as its default");
    assert.ok(!has(m, "name"));
    assert.deepEqual(m.weights, []);
  });

  test("packed and unpacked repeated fields both decode, and unknown fields are skipped", () => {
    // sizes (field 4) packed [7, 8], then an unknown field 15 (varint 1), then sizes unpacked 9
    const bytes = Buffer.from("22020708780120" + "09", "hex");
    assert.deepEqual(proto2.decode("Outer", bytes).sizes.map(int64ToNumber), [7, 8, 9]);
  });

  test("truncated bytes throw ProtoDecodeError naming the message", () => {
    const bytes = proto2.encode("Outer", { name: "hello" });
    assert.throws(
      () => proto2.decode("Outer", bytes.subarray(0, 4)),
      (e: unknown) => e instanceof ProtoDecodeError && /demo\.Outer/.test(e.message),
    );
  });

  test("int64ToNumber reads protobuf.js's {low, high} pairs, signed and unsigned", () => {
    assert.equal(int64ToNumber({ low: -3, high: -1, unsigned: false }), -3);
    assert.equal(int64ToNumber({ low: 0, high: 1, unsigned: false }), 4294967296);
    assert.equal(int64ToNumber({ low: -1, high: -1, unsigned: true }), 2 ** 64 - 1);
    assert.equal(int64ToNumber(42), 42);
  });
});

describe("ONNX through the schema", () => {
  const model = encodeModel({
    opsetVersion: 17,
    metadata: { k: "v" },
    graph: {
      name: "g",
      nodes: [{ opType: "Relu", inputs: ["x"], outputs: ["y"] }],
      initializers: [],
      inputs: [{ name: "x", dtype: "float32", shape: ["N", 4] }],
      outputs: [{ name: "y", dtype: "float32", shape: ["N", 4] }],
    },
  });

  test("the default opset domain is written as an explicit empty string (proto2 presence)", () => {
    // field 8 (opset_import), 4 bytes: domain "" (0a 00), version 17 (10 11)
    assert.ok(hex(model).includes("42040a001011"), hex(model));
  });

  test("a truncated file is refused as unreadable, naming the file", () => {
    assert.throws(
      () => decodeModel(model.subarray(0, model.length - 3), "cut.onnx"),
      (e: unknown) =>
        e instanceof UserError &&
        /cut\.onnx: not a readable ONNX model/.test(e.message) &&
        /truncated/.test(e.message),
    );
  });

  test("symbolic and fixed dimensions, metadata and opsets decode back", () => {
    const m = decodeModel(model, "m.onnx");
    assert.deepEqual(m.graph.inputs, [{ name: "x", elemType: 1, shape: ["N", 4] }]);
    assert.deepEqual([...m.opsets], [["", 17]]);
    assert.deepEqual([...m.metadata], [["k", "v"]]);
    assert.equal(m.irVersion, 8);
    assert.equal(m.graph.nodes[0]!.opType, "Relu");
  });
});
