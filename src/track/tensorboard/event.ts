/**
 * Encoding of TensorBoard events (schema in event-schema.ts): an Event holding a Summary of scalar
 * `simple_value`s and histograms, and the file_version Event that opens every event file. Also
 * {@link computeHistogram}, which summarises values the way TensorBoard's HistogramProto stores them.
 */
import { eventSchema } from "./event-schema.js";

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

/** Encodes an Event holding a Summary with the given values. */
export function encodeSummaryEvent(
  wallTime: number,
  step: number,
  values: readonly SummaryValue[],
): Uint8Array {
  const value = values.map((v) => {
    if ("simpleValue" in v) return { tag: v.tag, simple_value: v.simpleValue };
    const h = v.histogram;
    return {
      tag: v.tag,
      histo: {
        min: h.min,
        max: h.max,
        num: h.num,
        sum: h.sum,
        sum_squares: h.sumSquares,
        bucket_limit: h.bucketLimit,
        bucket: h.bucket,
      },
    };
  });
  return eventSchema.encode("Event", { wall_time: wallTime, step, summary: { value } });
}

/** Encodes the first Event of a file: `file_version: "brain.Event:2"`. */
export function encodeFileVersionEvent(wallTime: number): Uint8Array {
  return eventSchema.encode("Event", { wall_time: wallTime, file_version: EVENT_FILE_VERSION });
}
