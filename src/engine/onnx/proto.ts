/**
 * Protocol-buffer encoding of the parts of onnx.proto nncoach writes: ModelProto, GraphProto, NodeProto,
 * AttributeProto, TensorProto, ValueInfoProto. Field numbers follow onnx/onnx.proto (IR version 8).
 * The decoder for ONNX import lives beside it in `decode.ts`.
 */

/** ONNX TensorProto.DataType codes. */
export const OnnxDataType = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  float64: 11,
} as const;

export type OnnxDTypeName = keyof typeof OnnxDataType;

export interface TensorData {
  name: string;
  dtype: OnnxDTypeName;
  dims: readonly number[];
  /** Little-endian raw bytes of the values. */
  raw: Uint8Array;
}

export type AttributeValue =
  | { kind: "float"; value: number }
  | { kind: "int"; value: number }
  | { kind: "string"; value: string }
  | { kind: "floats"; value: readonly number[] }
  | { kind: "ints"; value: readonly number[] }
  | { kind: "tensor"; value: TensorData };

export interface NodeData {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  domain?: string;
  attributes?: Record<string, AttributeValue>;
}

export interface ValueInfoData {
  name: string;
  dtype: OnnxDTypeName;
  /** number = fixed size, string = symbolic dimension name. */
  shape: readonly (number | string)[];
}

export interface GraphData {
  name: string;
  nodes: readonly NodeData[];
  initializers: readonly TensorData[];
  inputs: readonly ValueInfoData[];
  outputs: readonly ValueInfoData[];
}

export interface ModelData {
  graph: GraphData;
  opsetVersion: number;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  metadata?: Record<string, string>;
}

/** Growable byte buffer with protobuf wire-format primitives. */
class Writer {
  private buf = new Uint8Array(1024);
  private len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    this.ensure(10);
    while (x >= 0x80n) {
      this.buf[this.len++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.len++] = Number(x);
  }

  /** Small non-negative ints take the fast path. */
  uint(v: number): void {
    if (v < 0 || v > 0x7fffffff) {
      this.varint(v);
      return;
    }
    this.ensure(5);
    while (v >= 0x80) {
      this.buf[this.len++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.len++] = v;
  }

  tag(field: number, wire: number): void {
    this.uint((field << 3) | wire);
  }

  bytes(field: number, data: Uint8Array): void {
    this.tag(field, 2);
    this.uint(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  string(field: number, s: string): void {
    this.bytes(field, new TextEncoder().encode(s));
  }

  int(field: number, v: number): void {
    this.tag(field, 0);
    this.varint(v);
  }

  float(field: number, v: number): void {
    this.tag(field, 5);
    this.ensure(4);
    new DataView(this.buf.buffer).setFloat32(this.len, v, true);
    this.len += 4;
  }

  message(field: number, write: (w: Writer) => void): void {
    const inner = new Writer();
    write(inner);
    this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

function writeTensor(w: Writer, t: TensorData): void {
  for (const d of t.dims) w.int(1, d);
  w.int(2, OnnxDataType[t.dtype]);
  w.string(8, t.name);
  w.bytes(9, t.raw);
}

const attrType = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

function writeAttribute(w: Writer, name: string, a: AttributeValue): void {
  w.string(1, name);
  switch (a.kind) {
    case "float":
      w.float(2, a.value);
      break;
    case "int":
      w.int(3, a.value);
      break;
    case "string":
      w.string(4, a.value);
      break;
    case "tensor":
      w.message(5, (m) => writeTensor(m, a.value));
      break;
    case "floats":
      for (const f of a.value) w.float(7, f);
      break;
    case "ints":
      for (const i of a.value) w.int(8, i);
      break;
  }
  w.int(20, attrType[a.kind]);
}

function writeNode(w: Writer, n: NodeData): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.opType);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(5, (m) => writeAttribute(m, k, v));
  if (n.domain) w.string(7, n.domain);
}

function writeValueInfo(w: Writer, v: ValueInfoData): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, OnnxDataType[v.dtype]);
      tensor.message(2, (shape) => {
        for (const d of v.shape) {
          shape.message(1, (dim) => {
            if (typeof d === "number") dim.int(1, d);
            else dim.string(2, d);
          });
        }
      });
    }),
  );
}

/** Serializes a model to the bytes of an .onnx file. */
export function encodeModel(model: ModelData): Uint8Array {
  const w = new Writer();
  w.int(1, 8); // ir_version 8 (opset 17-18)
  w.string(2, model.producerName ?? "nncoach");
  w.string(3, model.producerVersion ?? "0.1.0");
  if (model.docString) w.string(6, model.docString);
  w.message(7, (g) => {
    const graph = model.graph;
    for (const n of graph.nodes) g.message(1, (m) => writeNode(m, n));
    g.string(2, graph.name);
    for (const t of graph.initializers) g.message(5, (m) => writeTensor(m, t));
    for (const v of graph.inputs) g.message(11, (m) => writeValueInfo(m, v));
    for (const v of graph.outputs) g.message(12, (m) => writeValueInfo(m, v));
  });
  w.message(8, (o) => {
    o.string(1, "");
    o.int(2, model.opsetVersion);
  });
  for (const [k, v] of Object.entries(model.metadata ?? {})) {
    w.message(14, (m) => {
      m.string(1, k);
      m.string(2, v);
    });
  }
  return w.finish();
}

/** Little-endian bytes of typed-array values (copies). */
export function rawBytes(values: ArrayBufferView): Uint8Array {
  return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
}
