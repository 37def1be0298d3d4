/**
 * The messages of onnx.proto (package `onnx`, proto2) that nncoach writes and reads, as a
 * {@link ProtoSchema} table: names and numbers as in the ONNX specification. Fields left out here
 * (subgraph attributes, sparse tensors, training info, functions) are skipped when a file has them.
 * The TensorProto.DataType codes are here too.
 */
import { ProtoSchema } from "../../util/protobuf.js";

/** TensorProto.DataType: the element type codes of ONNX tensors. */
export const OnnxDataType = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
  bfloat16: 16,
} as const;

export type OnnxDTypeName = keyof typeof OnnxDataType;

/** Data type code -> name, e.g. 7 -> "int64". */
export const ONNX_TYPE_NAMES: Readonly<Record<number, OnnxDTypeName>> = Object.fromEntries(
  Object.entries(OnnxDataType).map(([name, code]) => [code, name as OnnxDTypeName]),
);

/** AttributeProto.AttributeType codes. */
export const OnnxAttributeType = {
  float: 1,
  int: 2,
  string: 3,
  tensor: 4,
  graph: 5,
  floats: 6,
  ints: 7,
  strings: 8,
  graphs: 10,
} as const;

/** TensorProto.DataLocation.EXTERNAL: the values live in another file. */
export const ONNX_DATA_LOCATION_EXTERNAL = 1;

/** ONNX IR version nncoach writes (IR 8 goes with opsets 17 and 18). */
export const ONNX_IR_VERSION = 8;

export const onnxSchema = new ProtoSchema("onnx", "proto2", {
  StringStringEntryProto: {
    key: { id: 1, type: "string" },
    value: { id: 2, type: "string" },
  },
  OperatorSetIdProto: {
    domain: { id: 1, type: "string" },
    version: { id: 2, type: "int64" },
  },
  TensorProto: {
    dims: { id: 1, type: "int64", repeated: true },
    data_type: { id: 2, type: "int32" },
    float_data: { id: 4, type: "float", repeated: true, packed: true },
    int32_data: { id: 5, type: "int32", repeated: true, packed: true },
    int64_data: { id: 7, type: "int64", repeated: true, packed: true },
    name: { id: 8, type: "string" },
    raw_data: { id: 9, type: "bytes" },
    double_data: { id: 10, type: "double", repeated: true, packed: true },
    uint64_data: { id: 11, type: "uint64", repeated: true, packed: true },
    data_location: { id: 14, type: "int32" },
  },
  AttributeProto: {
    name: { id: 1, type: "string" },
    f: { id: 2, type: "float" },
    i: { id: 3, type: "int64" },
    s: { id: 4, type: "bytes" },
    t: { id: 5, type: "TensorProto" },
    floats: { id: 7, type: "float", repeated: true },
    ints: { id: 8, type: "int64", repeated: true },
    strings: { id: 9, type: "bytes", repeated: true },
    type: { id: 20, type: "int32" },
  },
  NodeProto: {
    input: { id: 1, type: "string", repeated: true },
    output: { id: 2, type: "string", repeated: true },
    name: { id: 3, type: "string" },
    op_type: { id: 4, type: "string" },
    attribute: { id: 5, type: "AttributeProto", repeated: true },
    domain: { id: 7, type: "string" },
  },
  TensorShapeProto: {
    dim: { id: 1, type: "TensorShapeProto.Dimension", repeated: true },
  },
  "TensorShapeProto.Dimension": {
    dim_value: { id: 1, type: "int64", oneof: "value" },
    dim_param: { id: 2, type: "string", oneof: "value" },
  },
  TypeProto: {
    tensor_type: { id: 1, type: "TypeProto.Tensor", oneof: "value" },
  },
  "TypeProto.Tensor": {
    elem_type: { id: 1, type: "int32" },
    shape: { id: 2, type: "TensorShapeProto" },
  },
  ValueInfoProto: {
    name: { id: 1, type: "string" },
    type: { id: 2, type: "TypeProto" },
  },
  GraphProto: {
    node: { id: 1, type: "NodeProto", repeated: true },
    name: { id: 2, type: "string" },
    initializer: { id: 5, type: "TensorProto", repeated: true },
    doc_string: { id: 10, type: "string" },
    input: { id: 11, type: "ValueInfoProto", repeated: true },
    output: { id: 12, type: "ValueInfoProto", repeated: true },
  },
  ModelProto: {
    ir_version: { id: 1, type: "int64" },
    producer_name: { id: 2, type: "string" },
    producer_version: { id: 3, type: "string" },
    doc_string: { id: 6, type: "string" },
    graph: { id: 7, type: "GraphProto" },
    opset_import: { id: 8, type: "OperatorSetIdProto", repeated: true },
    metadata_props: { id: 14, type: "StringStringEntryProto", repeated: true },
  },
} as const);
