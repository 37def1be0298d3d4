/**
 * TensorBoard's `Event` protobuf (tensorflow/core/util/event.proto) and the parts of `Summary`
 * (tensorflow/core/framework/summary.proto) nncoach writes: scalar `simple_value`s and
 * `HistogramProto`s. Field numbers:
 *
 *     Event          wall_time=1 (double)  step=2 (int64)  file_version=3 (string)  summary=5 (Summary)
 *     Summary        value=1 (repeated Summary.Value)
 *     Summary.Value  tag=1 (string)  simple_value=2 (float)  histo=5 (HistogramProto)
 *     HistogramProto min=1 max=2 num=3 sum=4 sum_squares=5 (double)
 *                    bucket_limit=6 bucket=7 (packed repeated double)
 */
import { ProtoWriter } from "./protobuf-writer.js";

/** The file_version string of the first record of every event file TensorBoard reads. */
export const EVENT_FILE_VERSION = "brain.Event:2";

/**
 * A histogram in TensorBoard's HistogramProto form: `bucket[i]` counts the values from
 * bucketLimit[i-1] (or `min`, for the first bucket) up to bucketLimit[i]; TensorBoard draws the
 * buckets between `min` and `max`.
 */
export interface Histogram {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  bucketLimit: number[];
  bucket: number[];
}

/** One value of a Summary: a scalar or a histogram under a tag. */
export type SummaryValue = { tag: string; simpleValue: number } | { tag: string; histogram: Histogram };

/**
 * Summarises `values` as a histogram of `bucketCount` equal-width buckets between the smallest and
 * largest finite value (non-finite values are left out). All-equal values give one bucket; no finite
 * values give no buckets and num 0.
 *
 * @example computeHistogram(new Float32Array([0, 1, 1, 2]), 2) // bucket [1, 3], bucketLimit [1, 2], min 0
 */
export function computeHistogram(values: ArrayLike<number>, bucketCount = 30): Histogram {
  if (!Number.isInteger(bucketCount) || bucketCount < 1) {
    throw new RangeError(`bucketCount must be a whole number >= 1, got ${bucketCount}`);
  }
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let num = 0;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    num++;
    sum += v;
    sumSquares += v * v;
  }
  if (num === 0) return { min: 0, max: 0, num: 0, sum: 0, sumSquares: 0, bucketLimit: [], bucket: [] };
  if (min === max) return { min, max, num, sum, sumSquares, bucketLimit: [max], bucket: [num] };
  const width = (max - min) / bucketCount;
  const bucket = new Array<number>(bucketCount).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    // Buckets [lo, hi), the last one also holding max itself (as numpy.histogram counts).
    const b = Math.min(Math.floor((v - min) / width), bucketCount - 1);
    bucket[b]!++;
  }
  const bucketLimit = Array.from({ length: bucketCount }, (_, i) =>
    i === bucketCount - 1 ? max : min + (i + 1) * width,
  );
  return { min, max, num, sum, sumSquares, bucketLimit, bucket };
}

function histogramProto(h: Histogram): ProtoWriter {
  return new ProtoWriter()
    .double(1, h.min)
    .double(2, h.max)
    .double(3, h.num)
    .double(4, h.sum)
    .double(5, h.sumSquares)
    .packedDoubles(6, h.bucketLimit)
    .packedDoubles(7, h.bucket);
}

/** Encodes an Event holding a Summary with the given values. */
export function encodeSummaryEvent(
  wallTime: number,
  step: number,
  values: readonly SummaryValue[],
): Uint8Array {
  const summary = new ProtoWriter();
  for (const v of values) {
    const value = new ProtoWriter().string(1, v.tag);
    if ("simpleValue" in v) value.float(2, v.simpleValue);
    else value.message(5, histogramProto(v.histogram));
    summary.message(1, value);
  }
  return eventHeader(wallTime, step).message(5, summary).finish();
}

/** Encodes the first Event of a file: `file_version: "brain.Event:2"`. */
export function encodeFileVersionEvent(wallTime: number): Uint8Array {
  return eventHeader(wallTime, 0).string(3, EVENT_FILE_VERSION).finish();
}

/** wall_time and step, the step left out when 0 as proto3 serializers do (so bytes match theirs). */
function eventHeader(wallTime: number, step: number): ProtoWriter {
  const w = new ProtoWriter().double(1, wallTime);
  return step === 0 ? w : w.varint(2, step);
}
