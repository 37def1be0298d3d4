/**
 * Reading a big CSV file on several threads: the file is cut into byte ranges at line breaks, one per core
 * (at most 8); this thread reads the first range (and decides the header from its first rows), worker
 * threads (csv-worker.ts) read the others, each straight from bytes into typed columns (csv-bytes.ts) that
 * come back as transferred buffers, and the parts are appended in order (ColumnStore.appendStores). The
 * result is the store a one-thread read builds: the same cells, column kinds, dictionaries and lines.
 *
 * A line break inside a quoted field can fall where a range is cut; then the range before it does not end
 * at a row, and the read is given up. It is also given up on anything CsvParser would refuse (a row of
 * another width, an open quote, bytes that are not UTF-8), so that the one-thread read, given the whole file
 * again, says what is wrong with the global line: `readCsvInParallel` returns undefined in those cases, and
 * when a worker thread cannot run.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { ColumnStore, type StoreTransfer } from "./columnar.js";
import { CsvBytesRefusal, type CsvRangeResult, parseCsvRange } from "./csv-bytes.js";

/** Files from this size are read in parallel (see readTable's parallelFromBytes). */
export const PARALLEL_FROM_BYTES = 8 * 2 ** 20;

/** How many reads went each way (read by tests, to know which path a file took). */
export const csvReadCounts = { parallel: 0, givenUp: 0 };

/** What a worker is given (as workerData). */
export interface CsvRangeTask {
  path: string;
  start: number;
  end: number;
  last: boolean;
  delimiter: number;
  /** Shared [bytes, rows] per range, for progress. */
  progress: SharedArrayBuffer;
  slot: number;
}

/** A worker's answer. */
export type CsvRangeReply =
  | { ok: true; store: StoreTransfer; width: number; lines: number; endsAtRow: boolean }
  | { ok: false; refused: boolean; error: string };

/** Threads for a file: one per core, at most 8 (NNCOACH_CSV_THREADS overrides, for tests). */
export function csvThreads(): number {
  const env = Number(process.env.NNCOACH_CSV_THREADS);
  if (Number.isInteger(env) && env >= 1) return env;
  return Math.min(8, Math.max(1, availableParallelism()));
}

/**
 * The rows of `path` (a CSV file of `size` bytes with an ASCII `delimiter`) read on `threads` threads into a
 * ColumnStore, or undefined when the file must be read by one thread instead (see the file comment).
 * `head` gets the first `headRows` rows as text and returns the store for the rest (see CsvRangeOptions).
 */
export async function readCsvInParallel(
  path: string,
  size: number,
  delimiter: string,
  o: {
    threads: number;
    headRows: number;
    head: (rows: string[][], lines: number[]) => ColumnStore;
    onProgress?: (done: number, total: number, rows: number) => void;
  },
): Promise<ColumnStore | undefined> {
  const delim = delimiter.charCodeAt(0);
  const bounds = rangeBounds(path, size, o.threads);
  const k = bounds.length - 1;
  const progress = new SharedArrayBuffer(16 * k);
  const counts = new Float64Array(progress);
  const workers: Worker[] = [];
  const replies: Promise<CsvRangeReply>[] = [];
  for (let i = 1; i < k; i++) {
    const task: CsvRangeTask = {
      path,
      start: bounds[i]!,
      end: bounds[i + 1]!,
      last: i === k - 1,
      delimiter: delim,
      progress,
      slot: i,
    };
    const worker = new Worker(new URL("./csv-worker.js", import.meta.url), { workerData: task });
    workers.push(worker);
    replies.push(
      new Promise<CsvRangeReply>((resolve) => {
        worker.once("message", resolve);
        worker.once("error", (e) => resolve({ ok: false, refused: false, error: String(e) }));
        worker.once("exit", (code) =>
          resolve({ ok: false, refused: false, error: `the worker stopped (exit code ${code})` }),
        );
      }),
    );
  }
  const store = await readRanges();
  if (store) csvReadCounts.parallel++;
  else csvReadCounts.givenUp++;
  return store;

  async function readRanges(): Promise<ColumnStore | undefined> {
    try {
      let first: CsvRangeResult;
      let headCount = 0;
      try {
        first = parseCsvRange(path, 0, bounds[1]!, k === 1, {
          delimiter: delim,
          headRows: o.headRows,
          head: (rows, lines) => {
            headCount = rows.length;
            return o.head(rows, lines);
          },
          onProgress: (bytes, rows) => {
            counts[0] = bytes;
            counts[1] = rows;
            if (o.onProgress) {
              let done = 0;
              let n = 0;
              for (let i = 0; i < k; i++) {
                done += counts[2 * i]!;
                n += counts[2 * i + 1]!;
              }
              o.onProgress(done, size, n);
            }
          },
        });
      } catch (e) {
        if (e instanceof CsvBytesRefusal) return undefined;
        throw e;
      }
      // the header is decided on the first rows of the file, as a one-thread read does
      if (k > 1 && (headCount < o.headRows || !first.endsAtRow)) return undefined;
      const parts: ColumnStore[] = [];
      const offsets: number[] = [];
      let lines = first.lines;
      for (const [i, reply] of (await Promise.all(replies)).entries()) {
        // refused, or a worker that could not run: the file is read by one thread
        if (!reply.ok) return undefined;
        if (i + 1 < k - 1 && !reply.endsAtRow) return undefined;
        if (reply.store.n > 0) {
          if (reply.width !== first.store.width) return undefined;
          parts.push(ColumnStore.fromTransfer(reply.store));
          offsets.push(lines);
        }
        lines += reply.lines;
      }
      first.store.appendStores(parts, offsets);
      o.onProgress?.(size, size, first.store.length);
      return first.store;
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  }
}

/**
 * Byte offsets cutting the file into up to `threads` ranges of about equal size, each after a line feed:
 * [0, b1, .., size].
 */
function rangeBounds(path: string, size: number, threads: number): number[] {
  const bounds = [0];
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 16);
    for (let i = 1; i < threads; i++) {
      let at = Math.max(Math.floor((size * i) / threads), bounds[bounds.length - 1]!);
      let cut = -1;
      while (cut < 0 && at < size) {
        const got = readSync(fd, buf, 0, buf.length, at);
        if (got <= 0) break;
        const lf = buf.subarray(0, got).indexOf(10);
        if (lf >= 0) cut = at + lf + 1;
        at += got;
      }
      if (cut < 0 || cut >= size) break;
      if (cut > bounds[bounds.length - 1]!) bounds.push(cut);
    }
  } finally {
    closeSync(fd);
  }
  bounds.push(size);
  return bounds;
}
