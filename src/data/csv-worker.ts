/**
 * The worker thread of a parallel CSV read (csv-parallel.ts): reads its byte range of the file into typed
 * columns (csv-bytes.ts) and answers with them, their buffers transferred, or with why it could not.
 */
import { parentPort, workerData } from "node:worker_threads";
import { CsvBytesRefusal, parseCsvRange } from "./csv-bytes.js";
import type { CsvRangeReply, CsvRangeTask } from "./csv-parallel.js";

const task = workerData as CsvRangeTask;
const counts = new Float64Array(task.progress);
let reply: CsvRangeReply;
let transfer: ArrayBuffer[] = [];
try {
  const r = parseCsvRange(task.path, task.start, task.end, task.last, {
    delimiter: task.delimiter,
    onProgress: (bytes, rows) => {
      counts[2 * task.slot] = bytes;
      counts[2 * task.slot + 1] = rows;
    },
  });
  const t = r.store.toTransfer();
  transfer = t.transfer;
  reply = { ok: true, store: t.data, width: r.store.width, lines: r.lines, endsAtRow: r.endsAtRow };
} catch (e) {
  reply = { ok: false, refused: e instanceof CsvBytesRefusal, error: String(e) };
}
parentPort!.postMessage(reply, transfer);
