/** TensorBoard event files: {@link TensorBoardWriter} writes them, {@link readEventFile} reads them back. */
export { crc32c, maskCrc, maskedCrc32c, unmaskCrc } from "./crc32c.js";
export { computeHistogram, EVENT_FILE_VERSION, type Histogram } from "./event.js";
export {
  type DecodedEvent,
  type DecodedSummaryValue,
  decodeEventFile,
  type EventFileContents,
  listEventFiles,
  readEventFile,
} from "./reader.js";
export { frameRecord, readRecords, TFRecordCorruptError } from "./tfrecord.js";
export { TensorBoardWriter, type TensorBoardWriterOptions } from "./writer.js";
