/**
 * TFRecord framing, the container of TensorBoard event files. Each record is
 *
 *     uint64 length (little-endian) | uint32 masked CRC-32C of those 8 bytes | data | uint32 masked CRC-32C of data
 *
 * A reader that meets a record cut short at the end of the file (a crash mid-write) can stop there:
 * every record before it is intact.
 */
import { maskedCrc32c } from "./crc32c.js";

/** Frames `data` as one TFRecord (16 bytes of header and footer around it). */
export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + 16);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

/** A damaged TFRecord stream: a checksum that does not match, naming the record and its byte offset. */
export class TFRecordCorruptError extends Error {
  override readonly name = "TFRecordCorruptError";
}

/** The records of a TFRecord stream, and whether the stream ended inside a record. */
export interface TFRecordContents {
  /** The data of every complete record, in order (views into the input). */
  records: Uint8Array[];
  /** True when the bytes end partway through a record (what a crash mid-write leaves). */
  truncatedTail: boolean;
}

/**
 * Splits a TFRecord stream into records, checking both checksums of every record.
 * Throws TFRecordCorruptError on a checksum mismatch; a partial last record is reported, not thrown.
 */
export function readRecords(bytes: Uint8Array): TFRecordContents {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (pos + 12 > bytes.length) return { records, truncatedTail: true };
    const lengthCrc = view.getUint32(pos + 8, true);
    if (maskedCrc32c(bytes.subarray(pos, pos + 8)) !== lengthCrc) {
      throw new TFRecordCorruptError(`record ${records.length} at byte ${pos}: length checksum mismatch`);
    }
    const length = view.getBigUint64(pos, true);
    if (BigInt(pos) + 16n + length > BigInt(bytes.length)) return { records, truncatedTail: true };
    const n = Number(length);
    const data = bytes.subarray(pos + 12, pos + 12 + n);
    if (maskedCrc32c(data) !== view.getUint32(pos + 12 + n, true)) {
      throw new TFRecordCorruptError(`record ${records.length} at byte ${pos}: data checksum mismatch`);
    }
    records.push(data);
    pos += 16 + n;
  }
  return { records, truncatedTail: false };
}
