/**
 * TensorBoard's `Event` (tensorflow/core/util/event.proto) and the parts of `Summary`
 * (tensorflow/core/framework/summary.proto) nncoach writes and reads, as a {@link ProtoSchema} table
 * (package `tensorboard`, proto3): scalar `simple_value`s and `HistogramProto`s. Other event kinds
 * (graphs, images, run metadata) are skipped when a file has them.
 */
import { ProtoSchema } from "../../util/protobuf.js";

export const eventSchema = new ProtoSchema("tensorboard", "proto3", {
  HistogramProto: {
    min: { id: 1, type: "double" },
    max: { id: 2, type: "double" },
    num: { id: 3, type: "double" },
    sum: { id: 4, type: "double" },
    sum_squares: { id: 5, type: "double" },
    bucket_limit: { id: 6, type: "double", repeated: true },
    bucket: { id: 7, type: "double", repeated: true },
  },
  Summary: {
    value: { id: 1, type: "Summary.Value", repeated: true },
  },
  "Summary.Value": {
    tag: { id: 1, type: "string" },
    simple_value: { id: 2, type: "float", oneof: "value" },
    histo: { id: 5, type: "HistogramProto", oneof: "value" },
  },
  Event: {
    wall_time: { id: 1, type: "double" },
    step: { id: 2, type: "int64" },
    file_version: { id: 3, type: "string", oneof: "what" },
    summary: { id: 5, type: "Summary", oneof: "what" },
  },
} as const);
