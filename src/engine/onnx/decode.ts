/**
 * Protocol-buffer decoding of ONNX files (ModelProto): the graph's nodes with their attributes, the
 * initializers with their values, graph inputs/outputs with shapes, opset imports and metadata. The
 * counterpart of the encoder in proto.ts; field numbers follow onnx/onnx.proto. Weights stored in external
 * files are refused with a UserError (nncoach reads single-file models).
 */
import { UserError } from "../../errors.js";

/** ONNX TensorProto.DataType code -> name, for the types nncoach reads. */
export const ONNX_TYPE_NAMES: Record<number, string> = {
  1: "float32",
  2: "uint8",
  3: "int8",
  4: "uint16",
  5: "int16",
  6: "int32",
  7: "int64",
  8: "string",
  9: "bool",
  10: "float16",
  11: "float64",
  12: "uint32",
  13: "uint64",
  16: "bfloat16",
};

/** A decoded TensorProto: values as numbers (float types exactly; int64 as doubles). */
export interface DecodedTensor {
  name: string;
  /** ONNX data type code (1 float32, 7 int64, 11 float64, ...). */
  dataType: number;
  dims: number[];
  /** The values in row-major order; float32 tensors keep their exact float32 values. */
  data: Float32Array | Float64Array;
}

export type DecodedAttribute =
  | { kind: "float"; value: number }
  | { kind: "int"; value: number }
  | { kind: "string"; value: string }
  | { kind: "tensor"; value: DecodedTensor }
  | { kind: "floats"; value: number[] }
  | { kind: "ints"; value: number[] }
  | { kind: "strings"; value: string[] }
  | { kind: "graph" | "graphs" | "other"; value: undefined };

export interface DecodedNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, DecodedAttribute>;
}

export interface DecodedValueInfo {
  name: string;
  /** ONNX elem type code, 0 when absent. */
  elemType: number;
  /** Fixed sizes, symbolic names, or null for an unknown dimension; undefined when the shape is absent. */
  shape?: (number | string | null)[];
}

export interface DecodedGraph {
  name: string;
  nodes: DecodedNode[];
  initializers: DecodedTensor[];
  inputs: DecodedValueInfo[];
  outputs: DecodedValueInfo[];
}

export interface DecodedModel {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  /** Opset version by domain ("" = the default ONNX domain). */
  opsets: Map<string, number>;
  graph: DecodedGraph;
  metadata: Map<string, string>;
}

const utf8 = new TextDecoder("utf-8");

class Reader {
  pos = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly source: string,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  fail(what: string): never {
    throw new UserError(
      `${this.source}: not a readable ONNX model (${what} at byte ${this.pos})`,
      "the file may be truncated, damaged, or not an .onnx file",
    );
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint as a JS number (two's-complement 64-bit values come back negative). */
  varint(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail("truncated varint");
      const b = this.buf[this.pos++]!;
      if (shift < 28) result |= (b & 0x7f) << shift;
      else result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) {
        result = shift < 28 ? result >>> 0 : result;
        // 10-byte encodings are negative 64-bit values
        return i === 9 || result >= 2 ** 63 ? result - 2 ** 64 : result;
      }
      shift += 7;
    }
    this.fail("varint too long");
  }

  bytes(): Uint8Array {
    const n = this.varint();
    if (n < 0 || this.pos + n > this.end) this.fail("length past the end");
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  sub(): Reader {
    const n = this.varint();
    if (n < 0 || this.pos + n > this.end) this.fail("message past the end");
    const r = new Reader(this.buf, this.source, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }

  string(): string {
    return utf8.decode(this.bytes());
  }

  float32(): number {
    if (this.pos + 4 > this.end) this.fail("truncated float");
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  /** Skips a field of the given wire type. */
  skip(wire: number): void {
    switch (wire) {
      case 0:
        this.varint();
        return;
      case 1:
        this.pos += 8;
        break;
      case 2: {
        const n = this.varint();
        this.pos += n;
        break;
      }
      case 5:
        this.pos += 4;
        break;
      default:
        this.fail(`unsupported wire type ${wire}`);
    }
    if (this.pos > this.end) this.fail("field past the end");
  }

  /** Iterates the fields of this message: calls `f(field, wire)`, which must consume or skip the value. */
  fields(f: (field: number, wire: number) => boolean | undefined): void {
    while (!this.done) {
      const key = this.varint();
      const field = Math.floor(key / 8);
      const wire = key & 7;
      if (!f(field, wire)) this.skip(wire);
    }
  }

  /** Repeated varints, packed (wire 2) or not (wire 0). */
  varints(wire: number, into: number[]): void {
    if (wire === 2) {
      const r = this.sub();
      while (!r.done) into.push(r.varint());
    } else into.push(this.varint());
  }

  /** Repeated float32s, packed or not. */
  floats(wire: number, into: number[]): void {
    if (wire === 2) {
      const r = this.sub();
      while (!r.done) into.push(r.float32());
    } else into.push(this.float32());
  }
}

function readTensor(r: Reader): DecodedTensor {
  const dims: number[] = [];
  let dataType = 0;
  let name = "";
  let raw: Uint8Array | undefined;
  const floatData: number[] = [];
  const intData: number[] = [];
  const doubleData: number[] = [];
  let external = false;
  r.fields((field, wire) => {
    switch (field) {
      case 1:
        r.varints(wire, dims);
        return true;
      case 2:
        dataType = r.varint();
        return true;
      case 4:
        r.floats(wire, floatData);
        return true;
      case 5: // int32_data (also float16/bool/int8... stored as int32)
      case 7: // int64_data
      case 11: // uint64_data
        r.varints(wire, intData);
        return true;
      case 8:
        name = r.string();
        return true;
      case 9:
        raw = r.bytes();
        return true;
      case 10:
        if (wire === 2) {
          const b = r.bytes();
          const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
          for (let i = 0; i + 8 <= b.byteLength; i += 8) doubleData.push(dv.getFloat64(i, true));
        } else {
          doubleData.push(new DataView(r.buf.buffer, r.buf.byteOffset + r.pos, 8).getFloat64(0, true));
          r.pos += 8;
        }
        return true;
      case 14:
        external = r.varint() === 1;
        return true;
      default:
        return false;
    }
  });
  if (external)
    throw new UserError(
      `${r.source}: tensor '${name}' is stored in an external data file, which nncoach does not read`,
      "re-export the model with its weights inside the .onnx file (e.g. onnx.save(model, path, save_as_external_data=False))",
    );
  const count = dims.reduce((a, d) => a * d, 1);
  let data: Float32Array | Float64Array;
  if (raw) data = decodeRaw(raw, dataType, name, r.source);
  else if (dataType === 1) data = Float32Array.from(floatData);
  else if (dataType === 11) data = Float64Array.from(doubleData);
  else if (dataType === 10) data = Float32Array.from(intData, halfToFloat);
  else data = Float64Array.from(intData);
  if (data.length !== count && !(dims.length === 0 && data.length === 1))
    throw new UserError(
      `${r.source}: tensor '${name}' has ${data.length} values for shape [${dims.join(", ")}]`,
      "the file may be damaged",
    );
  return { name, dataType, dims, data };
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function decodeRaw(
  raw: Uint8Array,
  dataType: number,
  name: string,
  source: string,
): Float32Array | Float64Array {
  const copy = new Uint8Array(raw); // an aligned copy (Buffer.slice would be a view)
  const b = copy.buffer;
  switch (dataType) {
    case 1:
      return new Float32Array(b, 0, copy.byteLength / 4);
    case 11:
      return new Float64Array(b, 0, copy.byteLength / 8);
    case 10:
      return Float32Array.from(new Uint16Array(b, 0, copy.byteLength / 2), halfToFloat);
    case 7:
      return Float64Array.from(new BigInt64Array(b, 0, copy.byteLength / 8), (v) => Number(v));
    case 13:
      return Float64Array.from(new BigUint64Array(b, 0, copy.byteLength / 8), (v) => Number(v));
    case 6:
      return Float64Array.from(new Int32Array(b, 0, copy.byteLength / 4));
    case 12:
      return Float64Array.from(new Uint32Array(b, 0, copy.byteLength / 4));
    case 5:
      return Float64Array.from(new Int16Array(b, 0, copy.byteLength / 2));
    case 4:
      return Float64Array.from(new Uint16Array(b, 0, copy.byteLength / 2));
    case 3:
      return Float64Array.from(new Int8Array(b));
    case 2:
    case 9:
      return Float64Array.from(copy);
    default:
      throw new UserError(
        `${source}: tensor '${name}' has data type ${ONNX_TYPE_NAMES[dataType] ?? dataType}, which nncoach does not read`,
      );
  }
}

function readAttribute(r: Reader): [string, DecodedAttribute] {
  let name = "";
  let type = 0;
  let f: number | undefined;
  let i: number | undefined;
  let s: Uint8Array | undefined;
  let t: DecodedTensor | undefined;
  const floats: number[] = [];
  const ints: number[] = [];
  const strings: string[] = [];
  r.fields((field, wire) => {
    switch (field) {
      case 1:
        name = r.string();
        return true;
      case 2:
        f = r.float32();
        return true;
      case 3:
        i = r.varint();
        return true;
      case 4:
        s = r.bytes();
        return true;
      case 5:
        t = readTensor(r.sub());
        return true;
      case 7:
        r.floats(wire, floats);
        return true;
      case 8:
        r.varints(wire, ints);
        return true;
      case 9:
        strings.push(r.string());
        return true;
      case 20:
        type = r.varint();
        return true;
      default:
        return false;
    }
  });
  // type codes: 1 FLOAT 2 INT 3 STRING 4 TENSOR 5 GRAPH 6 FLOATS 7 INTS 8 STRINGS 10 GRAPHS
  let v: DecodedAttribute;
  switch (type) {
    case 1:
      v = { kind: "float", value: f ?? 0 };
      break;
    case 2:
      v = { kind: "int", value: i ?? 0 };
      break;
    case 3:
      v = { kind: "string", value: utf8.decode(s ?? new Uint8Array()) };
      break;
    case 4:
      v = t ? { kind: "tensor", value: t } : { kind: "other", value: undefined };
      break;
    case 5:
      v = { kind: "graph", value: undefined };
      break;
    case 6:
      v = { kind: "floats", value: floats };
      break;
    case 7:
      v = { kind: "ints", value: ints };
      break;
    case 8:
      v = { kind: "strings", value: strings };
      break;
    case 10:
      v = { kind: "graphs", value: undefined };
      break;
    default:
      // old files without the type field: infer from what is present
      if (f !== undefined) v = { kind: "float", value: f };
      else if (i !== undefined) v = { kind: "int", value: i };
      else if (s !== undefined) v = { kind: "string", value: utf8.decode(s) };
      else if (t) v = { kind: "tensor", value: t };
      else if (floats.length) v = { kind: "floats", value: floats };
      else if (ints.length) v = { kind: "ints", value: ints };
      else v = { kind: "other", value: undefined };
  }
  return [name, v];
}

function readNode(r: Reader): DecodedNode {
  const n: DecodedNode = { name: "", opType: "", domain: "", inputs: [], outputs: [], attributes: new Map() };
  r.fields((field) => {
    switch (field) {
      case 1:
        n.inputs.push(r.string());
        return true;
      case 2:
        n.outputs.push(r.string());
        return true;
      case 3:
        n.name = r.string();
        return true;
      case 4:
        n.opType = r.string();
        return true;
      case 5: {
        const [k, v] = readAttribute(r.sub());
        n.attributes.set(k, v);
        return true;
      }
      case 7:
        n.domain = r.string();
        return true;
      default:
        return false;
    }
  });
  return n;
}

function readTypeProto(r: Reader, v: DecodedValueInfo): void {
  r.fields((field) => {
    if (field !== 1) return false;
    const tensor = r.sub();
    tensor.fields((tf) => {
      if (tf === 1) {
        v.elemType = tensor.varint();
        return true;
      }
      if (tf !== 2) return false;
      const shape: (number | string | null)[] = [];
      const sr = tensor.sub();
      sr.fields((sf) => {
        if (sf !== 1) return false;
        const dr = sr.sub();
        let dim: number | string | null = null;
        dr.fields((df) => {
          if (df === 1) {
            dim = dr.varint();
            return true;
          }
          if (df === 2) {
            dim = dr.string();
            return true;
          }
          return false;
        });
        shape.push(dim);
        return true;
      });
      v.shape = shape;
      return true;
    });
    return true;
  });
}

function readValueInfoFull(r: Reader): DecodedValueInfo {
  const v: DecodedValueInfo = { name: "", elemType: 0 };
  r.fields((field) => {
    if (field === 1) {
      v.name = r.string();
      return true;
    }
    if (field === 2) {
      readTypeProto(r.sub(), v);
      return true;
    }
    return false;
  });
  return v;
}

function readGraph(r: Reader): DecodedGraph {
  const g: DecodedGraph = { name: "", nodes: [], initializers: [], inputs: [], outputs: [] };
  r.fields((field) => {
    switch (field) {
      case 1:
        g.nodes.push(readNode(r.sub()));
        return true;
      case 2:
        g.name = r.string();
        return true;
      case 5:
        g.initializers.push(readTensor(r.sub()));
        return true;
      case 11:
        g.inputs.push(readValueInfoFull(r.sub()));
        return true;
      case 12:
        g.outputs.push(readValueInfoFull(r.sub()));
        return true;
      default:
        return false;
    }
  });
  return g;
}

/**
 * Decodes the bytes of an .onnx file. `source` (the file name) prefixes error messages.
 *
 * @example const model = decodeModel(fs.readFileSync("model.onnx"), "model.onnx");
 */
export function decodeModel(bytes: Uint8Array, source = "model"): DecodedModel {
  const r = new Reader(bytes, source);
  const m: DecodedModel = {
    irVersion: 0,
    producerName: "",
    producerVersion: "",
    opsets: new Map(),
    graph: { name: "", nodes: [], initializers: [], inputs: [], outputs: [] },
    metadata: new Map(),
  };
  let sawGraph = false;
  r.fields((field, wire) => {
    switch (field) {
      case 1:
        if (wire !== 0) r.fail("bad ir_version field");
        m.irVersion = r.varint();
        return true;
      case 2:
        m.producerName = r.string();
        return true;
      case 3:
        m.producerVersion = r.string();
        return true;
      case 7:
        if (wire !== 2) r.fail("bad graph field");
        m.graph = readGraph(r.sub());
        sawGraph = true;
        return true;
      case 8: {
        const o = r.sub();
        let domain = "";
        let version = 0;
        o.fields((f) => {
          if (f === 1) domain = o.string();
          else if (f === 2) version = o.varint();
          else return false;
          return true;
        });
        m.opsets.set(domain === "ai.onnx" ? "" : domain, version);
        return true;
      }
      case 14: {
        const e = r.sub();
        let k = "";
        let v = "";
        e.fields((f) => {
          if (f === 1) k = e.string();
          else if (f === 2) v = e.string();
          else return false;
          return true;
        });
        m.metadata.set(k, v);
        return true;
      }
      default:
        return false;
    }
  });
  if (!sawGraph || m.irVersion <= 0)
    throw new UserError(
      `${source}: not an ONNX model (no ${sawGraph ? "IR version" : "graph"} found)`,
      "pass a .onnx file exported by PyTorch (torch.onnx.export), tf2onnx or nncoach",
    );
  return m;
}
