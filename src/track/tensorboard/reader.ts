/**
 * Reads TensorBoard event files back: TFRecord frames (both checksums checked) holding Event
 * protobufs, decoded into plain objects. Written from the format (event.proto, summary.proto), so it
 * doubles as an independent check of {@link TensorBoardWriter}'s output.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Histogram } from "./event.js";
import { int64ToNumber, type ProtoField, readPackedDoubles, readProtoFields } from "./protobuf-reader.js";
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

const text = new TextDecoder("utf-8", { fatal: true });

function f64(f: ProtoField): number {
  if (f.wireType !== 1) throw new Error(`field ${f.field}: expected a double, got wire type ${f.wireType}`);
  return f.fixed64.getFloat64(0, true);
}

function decodeHistogram(bytes: Uint8Array): Histogram {
  const h: Histogram = { min: 0, max: 0, num: 0, sum: 0, sumSquares: 0, bucketLimit: [], bucket: [] };
  for (const f of readProtoFields(bytes)) {
    if (f.field === 1) h.min = f64(f);
    else if (f.field === 2) h.max = f64(f);
    else if (f.field === 3) h.num = f64(f);
    else if (f.field === 4) h.sum = f64(f);
    else if (f.field === 5) h.sumSquares = f64(f);
    else if (f.field === 6) h.bucketLimit.push(...readPackedDoubles(f));
    else if (f.field === 7) h.bucket.push(...readPackedDoubles(f));
  }
  return h;
}

function decodeSummaryValue(bytes: Uint8Array): DecodedSummaryValue {
  const v: DecodedSummaryValue = { tag: "" };
  for (const f of readProtoFields(bytes)) {
    if (f.field === 1 && f.wireType === 2) v.tag = text.decode(f.bytes);
    else if (f.field === 2 && f.wireType === 5) v.simpleValue = f.fixed32.getFloat32(0, true);
    else if (f.field === 5 && f.wireType === 2) v.histogram = decodeHistogram(f.bytes);
  }
  return v;
}

/** Decodes one serialized Event message. */
export function decodeEvent(bytes: Uint8Array): DecodedEvent {
  const e: DecodedEvent = { wallTime: 0, step: 0 };
  for (const f of readProtoFields(bytes)) {
    if (f.field === 1) e.wallTime = f64(f);
    else if (f.field === 2 && f.wireType === 0) e.step = int64ToNumber(f.varint);
    else if (f.field === 3 && f.wireType === 2) e.fileVersion = text.decode(f.bytes);
    else if (f.field === 5 && f.wireType === 2) {
      e.values = [];
      for (const s of readProtoFields(f.bytes)) {
        if (s.field === 1 && s.wireType === 2) e.values.push(decodeSummaryValue(s.bytes));
      }
    }
  }
  return e;
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
