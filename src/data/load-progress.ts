/**
 * Progress of a long table load on a terminal: one line, rewritten in place at most twice a second, with
 * the rows read, the rate and the time left ("reading big.csv: 1,200,000 rows, 410,000 rows/s, 38%, about
 * 5 s left"; for an image folder "reading digits: 12,000 files, 2,400 files/s, ..."); the line is cleared
 * when the load ends. Nothing is shown for small files (small folders), when stderr is not a terminal, or
 * under --json.
 */
import { statSync } from "node:fs";
import { basename } from "node:path";

/** Files below this size load in a second or two: no progress line. */
export const PROGRESS_FROM_BYTES = 32 * 2 ** 20;
/** Folders with fewer files load in a second or two: no progress line. */
export const PROGRESS_FROM_FILES = 2000;

export interface LoadProgress {
  /** Pass as ReadTableOptions.onProgress. */
  update: (done: number, total: number, rows: number) => void;
  /** Clears the line. */
  end: () => void;
}

/** The progress line writer for `file`, or undefined when none should be shown (see the file comment). */
export function loadProgress(
  file: string,
  o: {
    json?: boolean;
    stream?: NodeJS.WriteStream;
    now?: () => number;
    force?: boolean;
    /** For a folder: how many files it holds (counted in "files" instead of rows). */
    files?: number;
  } = {},
): LoadProgress | undefined {
  const stream = o.stream ?? process.stderr;
  if (o.json || (!o.force && !stream.isTTY)) return undefined;
  const unit = o.files === undefined ? "rows" : "files";
  const big =
    o.files === undefined
      ? (statSync(file, { throwIfNoEntry: false })?.size ?? 0) >= PROGRESS_FROM_BYTES
      : o.files >= PROGRESS_FROM_FILES;
  if (!o.force && !big) return undefined;
  const now = o.now ?? (() => performance.now());
  const start = now();
  let last = start;
  let shown = false;
  const name = basename(file);
  return {
    update(done, total, rows) {
      const t = now();
      if (t - last < 500) return;
      last = t;
      const seconds = (t - start) / 1000;
      const share = total > 0 ? Math.min(0.99, done / total) : 0;
      const rate = rows / Math.max(seconds, 1e-3);
      const left = share > 0 ? (seconds * (1 - share)) / share : Number.NaN;
      const parts = [`reading ${name}: ${rows.toLocaleString("en-US")} ${unit}`];
      parts.push(`${Math.round(rate).toLocaleString("en-US")} ${unit}/s`);
      if (share > 0) parts.push(`${Math.floor(share * 100)}%`, `about ${Math.ceil(left)} s left`);
      stream.write(`\r\x1b[K${parts.join(", ")}`);
      shown = true;
    },
    end() {
      if (shown) stream.write("\r\x1b[K");
    },
  };
}

/**
 * For a reader of text chunks (CSV, JSON Lines, JSON arrays): call the function it returns after each chunk
 * with the chunk's length and the rows read so far; it calls `onProgress` (a LoadProgress's update) with the
 * characters read, the file's size and the rows. Does nothing without `onProgress`.
 */
export function chunkProgress(
  file: string,
  onProgress: ((done: number, total: number, rows: number) => void) | undefined,
): (chars: number, rows: number) => void {
  if (!onProgress) return () => {};
  const total = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  let done = 0;
  return (chars, rows) => {
    done += chars;
    onProgress(done, total, rows);
  };
}
