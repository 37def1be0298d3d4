/**
 * Writes .onnx files: nncoach's graph data (nodes, initializers with their raw bytes, typed inputs and
 * outputs, opset, metadata) as an onnx.proto ModelProto through the schema in onnx-schema.ts. The
 * reader is `decode.ts`.
 */
import type { MessageInput } from "../../util/protobuf.js";
import {
  ONNX_IR_VERSION,
  OnnxAttributeType,
  OnnxDataType,
  type OnnxDTypeName,
  onnxSchema,
} from "./onnx-schema.js";

export { OnnxDataType, type OnnxDTypeName } from "./onnx-schema.js";

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

type Message<M extends keyof typeof onnxSchema.messages> = MessageInput<typeof onnxSchema.messages, M>;

const utf8 = new TextEncoder();

function tensorProto(t: TensorData): Message<"TensorProto"> {
  return { dims: t.dims, data_type: OnnxDataType[t.dtype], name: t.name, raw_data: t.raw };
}

function attributeProto(name: string, a: AttributeValue): Message<"AttributeProto"> {
  const type = OnnxAttributeType[a.kind];
  switch (a.kind) {
    case "float":
      return { name, f: a.value, type };
    case "int":
      return { name, i: a.value, type };
    case "string":
      return { name, s: utf8.encode(a.value), type };
    case "tensor":
      return { name, t: tensorProto(a.value), type };
    case "floats":
      return { name, floats: a.value, type };
    case "ints":
      return { name, ints: a.value, type };
  }
}

function nodeProto(n: NodeData): Message<"NodeProto"> {
  return {
    input: n.inputs,
    output: n.outputs,
    ...(n.name ? { name: n.name } : {}),
    op_type: n.opType,
    attribute: Object.entries(n.attributes ?? {}).map(([k, v]) => attributeProto(k, v)),
    ...(n.domain ? { domain: n.domain } : {}),
  };
}

function valueInfoProto(v: ValueInfoData): Message<"ValueInfoProto"> {
  const dim = v.shape.map((d) => (typeof d === "number" ? { dim_value: d } : { dim_param: d }));
  return { name: v.name, type: { tensor_type: { elem_type: OnnxDataType[v.dtype], shape: { dim } } } };
}

/** Serializes a model to the bytes of an .onnx file. */
export function encodeModel(model: ModelData): Uint8Array {
  const g = model.graph;
  return onnxSchema.encode("ModelProto", {
    ir_version: ONNX_IR_VERSION,
    producer_name: model.producerName ?? "nncoach",
    producer_version: model.producerVersion ?? "0.1.0",
    ...(model.docString ? { doc_string: model.docString } : {}),
    graph: {
      node: g.nodes.map(nodeProto),
      name: g.name,
      initializer: g.initializers.map(tensorProto),
      input: g.inputs.map(valueInfoProto),
      output: g.outputs.map(valueInfoProto),
    },
    opset_import: [{ domain: "", version: model.opsetVersion }],
    metadata_props: Object.entries(model.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
}
