/**
 * Reads .onnx files (ModelProto, through the schema in onnx-schema.ts): the graph's nodes with their
 * attributes, the initializers with their values, graph inputs/outputs with shapes, opset imports and
 * metadata. The counterpart of the writer in encode.ts. Weights stored in external files are refused
 * with a UserError (nncoach reads single-file models).
 */
import { UserError } from "../../errors.js";
import { type DecodedMessage, has, int64ToNumber, ProtoDecodeError } from "../../util/protobuf.js";
import {
  ONNX_DATA_LOCATION_EXTERNAL,
  ONNX_TYPE_NAMES,
  OnnxAttributeType,
  OnnxDataType,
  onnxSchema,
} from "./onnx-schema.js";

export { ONNX_TYPE_NAMES } from "./onnx-schema.js";

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

type Proto<M extends keyof typeof onnxSchema.messages> = DecodedMessage<typeof onnxSchema.messages, M>;

const utf8 = new TextDecoder("utf-8");

function readTensor(t: Proto<"TensorProto">, source: string): DecodedTensor {
  const { name, data_type: dataType } = t;
  if (t.data_location === ONNX_DATA_LOCATION_EXTERNAL)
    throw new UserError(
      `${source}: tensor '${name}' is stored in an external data file, which nncoach does not read`,
      "re-export the model with its weights inside the .onnx file (e.g. onnx.save(model, path, save_as_external_data=False))",
    );
  const dims = t.dims.map(int64ToNumber);
  const count = dims.reduce((a, d) => a * d, 1);
  let data: Float32Array | Float64Array;
  if (has(t, "raw_data")) data = decodeRaw(t.raw_data, dataType, name, source);
  else if (dataType === OnnxDataType.float32) data = Float32Array.from(t.float_data);
  else if (dataType === OnnxDataType.float64) data = Float64Array.from(t.double_data);
  else if (dataType === OnnxDataType.float16) data = Float32Array.from(t.int32_data, halfToFloat);
  else if (t.int64_data.length) data = Float64Array.from(t.int64_data, int64ToNumber);
  else if (t.uint64_data.length) data = Float64Array.from(t.uint64_data, int64ToNumber);
  else data = Float64Array.from(t.int32_data);
  if (data.length !== count && !(dims.length === 0 && data.length === 1))
    throw new UserError(
      `${source}: tensor '${name}' has ${data.length} values for shape [${dims.join(", ")}]`,
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
  const D = OnnxDataType;
  switch (dataType) {
    case D.float32:
      return new Float32Array(b, 0, copy.byteLength / 4);
    case D.float64:
      return new Float64Array(b, 0, copy.byteLength / 8);
    case D.float16:
      return Float32Array.from(new Uint16Array(b, 0, copy.byteLength / 2), halfToFloat);
    case D.int64:
      return Float64Array.from(new BigInt64Array(b, 0, copy.byteLength / 8), (v) => Number(v));
    case D.uint64:
      return Float64Array.from(new BigUint64Array(b, 0, copy.byteLength / 8), (v) => Number(v));
    case D.int32:
      return Float64Array.from(new Int32Array(b, 0, copy.byteLength / 4));
    case D.uint32:
      return Float64Array.from(new Uint32Array(b, 0, copy.byteLength / 4));
    case D.int16:
      return Float64Array.from(new Int16Array(b, 0, copy.byteLength / 2));
    case D.uint16:
      return Float64Array.from(new Uint16Array(b, 0, copy.byteLength / 2));
    case D.int8:
      return Float64Array.from(new Int8Array(b));
    case D.uint8:
    case D.bool:
      return Float64Array.from(copy);
    default:
      throw new UserError(
        `${source}: tensor '${name}' has data type ${ONNX_TYPE_NAMES[dataType] ?? dataType}, which nncoach does not read`,
      );
  }
}

function readAttribute(a: Proto<"AttributeProto">, source: string): DecodedAttribute {
  const T = OnnxAttributeType;
  switch (a.type) {
    case T.float:
      return { kind: "float", value: a.f };
    case T.int:
      return { kind: "int", value: int64ToNumber(a.i) };
    case T.string:
      return { kind: "string", value: utf8.decode(a.s) };
    case T.tensor:
      return a.t ? { kind: "tensor", value: readTensor(a.t, source) } : { kind: "other", value: undefined };
    case T.graph:
      return { kind: "graph", value: undefined };
    case T.floats:
      return { kind: "floats", value: [...a.floats] };
    case T.ints:
      return { kind: "ints", value: a.ints.map(int64ToNumber) };
    case T.strings:
      return { kind: "strings", value: a.strings.map((s) => utf8.decode(s)) };
    case T.graphs:
      return { kind: "graphs", value: undefined };
  }
  // old files without the type field: infer from what is present
  if (has(a, "f")) return { kind: "float", value: a.f };
  if (has(a, "i")) return { kind: "int", value: int64ToNumber(a.i) };
  if (has(a, "s")) return { kind: "string", value: utf8.decode(a.s) };
  if (a.t) return { kind: "tensor", value: readTensor(a.t, source) };
  if (a.floats.length) return { kind: "floats", value: [...a.floats] };
  if (a.ints.length) return { kind: "ints", value: a.ints.map(int64ToNumber) };
  return { kind: "other", value: undefined };
}

function readNode(n: Proto<"NodeProto">, source: string): DecodedNode {
  return {
    name: n.name,
    opType: n.op_type,
    domain: n.domain,
    inputs: [...n.input],
    outputs: [...n.output],
    attributes: new Map(n.attribute.map((a) => [a.name, readAttribute(a, source)])),
  };
}

function readValueInfo(v: Proto<"ValueInfoProto">): DecodedValueInfo {
  const tensor = v.type?.tensor_type;
  const info: DecodedValueInfo = { name: v.name, elemType: tensor?.elem_type ?? 0 };
  if (tensor?.shape) {
    info.shape = tensor.shape.dim.map((d) =>
      has(d, "dim_value") ? int64ToNumber(d.dim_value) : has(d, "dim_param") ? d.dim_param : null,
    );
  }
  return info;
}

function readGraph(g: Proto<"GraphProto">, source: string): DecodedGraph {
  return {
    name: g.name,
    nodes: g.node.map((n) => readNode(n, source)),
    initializers: g.initializer.map((t) => readTensor(t, source)),
    inputs: g.input.map(readValueInfo),
    outputs: g.output.map(readValueInfo),
  };
}

/**
 * Decodes the bytes of an .onnx file. `source` (the file name) prefixes error messages.
 *
 * @example const model = decodeModel(fs.readFileSync("model.onnx"), "model.onnx");
 */
export function decodeModel(bytes: Uint8Array, source = "model"): DecodedModel {
  let m: Proto<"ModelProto">;
  try {
    m = onnxSchema.decode("ModelProto", bytes);
  } catch (e) {
    if (!(e instanceof ProtoDecodeError)) throw e;
    throw new UserError(
      `${source}: not a readable ONNX model (${e.message})`,
      "the file may be truncated, damaged, or not an .onnx file",
    );
  }
  const irVersion = int64ToNumber(m.ir_version);
  if (!m.graph || irVersion <= 0)
    throw new UserError(
      `${source}: not an ONNX model (no ${m.graph ? "IR version" : "graph"} found)`,
      "pass a .onnx file exported by PyTorch (torch.onnx.export), tf2onnx or nncoach",
    );
  return {
    irVersion,
    producerName: m.producer_name,
    producerVersion: m.producer_version,
    opsets: new Map(
      m.opset_import.map((o) => [o.domain === "ai.onnx" ? "" : o.domain, int64ToNumber(o.version)]),
    ),
    graph: readGraph(m.graph, source),
    metadata: new Map(m.metadata_props.map((e) => [e.key, e.value])),
  };
}
