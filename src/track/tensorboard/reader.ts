/**
 * Reads TensorBoard event files back: TFRecord frames (both checksums checked) holding Event
 * protobufs (schema in event-schema.ts), decoded into plain objects. Tests check it against files
 * written by Google's protobuf library, so it also checks {@link TensorBoardWriter}'s output.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { has, int64ToNumber } from "../../util/protobuf.js";
import type { Histogram } from "./event.js";
import { eventSchema } from "./event-schema.js";
import { readRecords } from "./tfrecord.js";

/** One decoded Summary.Value: a scalar (`simpleValue`, float32 precision) or a histogram. */
export interface DecodedSummaryValue {
  tag: string;
  simpleValue?: number;
  histogram?: Histogram;
}

/** One decoded Event. */
export interface DecodedEvent {
  wallTime: number;
  step: number;
  /** Set on the first event of a file ("brain.Event:2"). */
  fileVersion?: string;
  /** The summary values, when the event holds a Summary. */
  values?: DecodedSummaryValue[];
}

/** What one event file holds. */
export interface EventFileContents {
  events: DecodedEvent[];
  /** True when the file ends inside a record (a crash mid-write); the events before it are complete. */
  truncatedTail: boolean;
}

/** Decodes one serialized Event message. */
export function decodeEvent(bytes: Uint8Array): DecodedEvent {
  const e = eventSchema.decode("Event", bytes);
  const event: DecodedEvent = { wallTime: e.wall_time, step: int64ToNumber(e.step) };
  if (has(e, "file_version")) event.fileVersion = e.file_version;
  if (e.summary) {
    event.values = e.summary.value.map((v) => {
      const value: DecodedSummaryValue = { tag: v.tag };
      if (has(v, "simple_value")) value.simpleValue = v.simple_value;
      if (v.histo) {
        const h = v.histo;
        value.histogram = {
          min: h.min,
          max: h.max,
          num: h.num,
          sum: h.sum,
          sumSquares: h.sum_squares,
          bucketLimit: [...h.bucket_limit],
          bucket: [...h.bucket],
        };
      }
      return value;
    });
  }
  return event;
}

/** Decodes the bytes of an event file. Throws on a checksum mismatch or a malformed Event. */
export function decodeEventFile(bytes: Uint8Array): EventFileContents {
  const { records, truncatedTail } = readRecords(bytes);
  return { events: records.map(decodeEvent), truncatedTail };
}

/** Reads and decodes one event file. */
export function readEventFile(path: string): EventFileContents {
  return decodeEventFile(readFileSync(path));
}

/** The event files directly inside `logDir` (names containing "tfevents"), sorted by name. */
export function listEventFiles(logDir: string): string[] {
  return readdirSync(logDir)
    .filter((name) => name.includes("tfevents"))
    .sort()
    .map((name) => join(logDir, name));
}
