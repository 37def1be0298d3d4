import { closeSync, openSync, readSync } from "node:fs";
import { ColumnStore, numberFormBytes, numberValue } from "./columnar.js";

/**
 * CSV parsing straight from the file's bytes into a ColumnStore, for big files (see csv-parallel.ts): a
 * number cell becomes a double without ever being a string. It reads the same rows as CsvParser fed the
 * decoded text (quoting, doubled quotes, line breaks inside quotes, CRLF/LF/CR line ends, blank lines
 * skipped, lenient quotes, the same line numbers) and stores them as ColumnStore.push would.
 *
 * It does not word errors: on anything CsvParser would refuse (a row of another width, a quote never
 * closed, bytes that are not UTF-8) it throws a CsvBytesRefusal, and the caller reads the file with
 * CsvParser instead, which says what is wrong, where and how to fix it.
 */
export class CsvBytesRefusal extends Error {}

const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Where one range of a file is read into (see parseCsvRange). */
export interface CsvRangeOptions {
  /** The delimiter's byte (an ASCII character). */
  delimiter: number;
  /** Cells per row; undefined: the first row's count. */
  width?: number;
  /** The line the range starts on (1 for a file's start; ranges after the first: 1, and the caller adds). */
  firstLine?: number;
  /** Rows given to `head` as text before the others go to the store (0: none). */
  headRows?: number;
  /**
   * Called once with the first `headRows` rows as text (all of the range's rows when it has fewer) and the
   * line each starts on; returns the store the following rows go to.
   */
  head?: (rows: string[][], lines: number[]) => ColumnStore;
  /** Called as the range is read: bytes read so far, rows so far. */
  onProgress?: (bytes: number, rows: number) => void;
}

/** What a range held. */
export interface CsvRangeResult {
  store: ColumnStore;
  /** Lines the range spans (the line after its last row, less the first line). */
  lines: number;
  /** Whether the range ends where a row ends, outside quotes (so that the next range starts at a row). */
  endsAtRow: boolean;
}

const CHUNK = 1 << 22;

/**
 * Reads bytes [start, end) of `path` (a range that starts at a row) as CSV rows into a ColumnStore. `last`:
 * the range ends at the end of the file (a last row without a line break is read; an open quote is refused).
 * Throws CsvBytesRefusal where CsvParser would throw (see the file comment).
 */
export function parseCsvRange(
  path: string,
  start: number,
  end: number,
  last: boolean,
  o: CsvRangeOptions,
): CsvRangeResult {
  const parser = new CsvBytesParser(o);
  const fd = openSync(path, "r");
  try {
    let buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, end - start)) + 4);
    let have = 0; // bytes of buf holding data not yet parsed
    let at = start;
    let first = start === 0;
    let reserved = false;
    while (at < end || have > 0) {
      if (have === buf.length) {
        // a row longer than the buffer: a bigger buffer
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
      }
      const want = Math.min(buf.length - have, end - at);
      const got = want > 0 ? readSync(fd, buf, have, want, at) : 0;
      at += got;
      const filled = have + got;
      const final = at >= end;
      let from = 0;
      if (first) {
        first = false;
        if (filled >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) from = 3; // byte-order mark
      }
      const used = parser.parse(buf, from, filled, final && last);
      if (!reserved && parser.rows > 0 && !final) {
        reserved = true;
        // after the first chunk: room for the rows the range will hold at this chunk's bytes per row
        parser.reserve(Math.ceil(((end - start) / Math.max(1, used - from)) * parser.rows * 1.02) + 1024);
      }
      if (final) {
        if (used < filled) {
          if (last) throw new CsvBytesRefusal("unfinished row at the end of the file");
          return { store: parser.finish(), lines: parser.line - parser.firstLine, endsAtRow: false };
        }
        break;
      }
      buf.copy(buf, 0, used, filled);
      have = filled - used;
      o.onProgress?.(at - start - have, parser.rows);
    }
    o.onProgress?.(end - start, parser.rows);
    return { store: parser.finish(), lines: parser.line - parser.firstLine, endsAtRow: true };
  } finally {
    closeSync(fd);
  }
}

const fieldDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The row-by-row parser behind parseCsvRange. */
class CsvBytesParser {
  line: number;
  readonly firstLine: number;
  rows = 0;
  private width: number;
  private readonly delim: number;
  private starts: Int32Array = new Int32Array(64);
  private ends: Int32Array = new Int32Array(64);
  /** Per field: 0 plain, 1 quoted (decoded by quotedText). */
  private quoted: Uint8Array = new Uint8Array(64);
  private store: ColumnStore | undefined;
  private headLeft: number;
  private readonly headRows: string[][] = [];
  private readonly headLines: number[] = [];

  constructor(private readonly o: CsvRangeOptions) {
    this.delim = o.delimiter;
    this.width = o.width ?? -1;
    this.line = o.firstLine ?? 1;
    this.firstLine = this.line;
    this.headLeft = o.headRows ?? 0;
    if (this.headLeft === 0 && this.width >= 0) this.store = new ColumnStore(this.width);
  }

  /**
   * Parses the complete rows of buf[from..to) and returns where the first incomplete one starts (`final`:
   * the bytes end the input, so the last row is complete without a line break).
   */
  parse(buf: Buffer, from: number, to: number, final: boolean): number {
    const d = this.delim;
    let pos = from;
    let starts = this.starts;
    let ends = this.ends;
    let quoted = this.quoted;
    while (pos < to) {
      const rowStart = pos;
      let breaks = 0; // line feeds inside quoted fields
      let k = 0; // fields
      let p = pos;
      for (;;) {
        if (k === starts.length) {
          starts = this.starts = growInt(starts);
          ends = this.ends = growInt(ends);
          const q = new Uint8Array(quoted.length * 2);
          q.set(quoted);
          quoted = this.quoted = q;
        }
        starts[k] = p;
        if (p < to && buf[p] === QUOTE) {
          // a quoted field: to the closing quote (doubled quotes are text), then plain text to the delimiter
          let q = p + 1;
          for (;;) {
            while (q < to && buf[q] !== QUOTE) {
              if (buf[q] === LF) breaks++;
              q++;
            }
            if (q >= to) {
              if (final) throw new CsvBytesRefusal("a quoted field is never closed");
              return rowStart;
            }
            if (q + 1 < to && buf[q + 1] === QUOTE) {
              q += 2;
              continue;
            }
            if (q + 1 >= to && !final) return rowStart; // a doubled quote or the closing one: decide later
            break;
          }
          p = q + 1;
          quoted[k] = 1;
        } else quoted[k] = 0;
        while (p < to) {
          const c = buf[p]!;
          if (c === d || c === LF || c === CR) break;
          p++;
        }
        ends[k] = p;
        k++;
        if (p >= to) {
          if (!final) return rowStart;
          pos = p;
          break;
        }
        const c = buf[p]!;
        if (c === d) {
          p++;
          continue;
        }
        if (c === LF) pos = p + 1;
        else if (p + 1 < to) pos = buf[p + 1] === LF ? p + 2 : p + 1;
        else if (final) pos = p + 1;
        else return rowStart; // a CR as the last byte: a CRLF may be cut
        break;
      }
      const line = this.line;
      this.line += 1 + breaks;
      if (k === 1 && quoted[0] === 0 && ends[0] === starts[0]) continue; // a blank line
      this.row(buf, k, line);
    }
    return pos;
  }

  private row(buf: Buffer, k: number, line: number): void {
    if (this.width < 0) this.width = k;
    if (k !== this.width) throw new CsvBytesRefusal(`line ${line}: ${k} cells instead of ${this.width}`);
    this.rows++;
    if (this.headLeft > 0) {
      const cells: string[] = [];
      for (let c = 0; c < k; c++) cells.push(this.text(buf, c));
      this.headRows.push(cells);
      this.headLines.push(line);
      if (--this.headLeft === 0) this.store = this.o.head!(this.headRows, this.headLines);
      return;
    }
    if (!this.store) this.store = new ColumnStore(k);
    const store = this.store;
    const r = store.addRow(line);
    const starts = this.starts;
    const ends = this.ends;
    const quoted = this.quoted;
    for (let c = 0; c < k; c++) {
      if (quoted[c] === 0 && store.isNumberColumn(c)) {
        const s = starts[c]!;
        const e = ends[c]!;
        if (s === e) {
          store.setNumber(c, r, Number.NaN, 0);
          continue;
        }
        const form = numberFormBytes(buf, s, e);
        if (form >= 0) {
          store.setNumber(c, r, numberValue, form);
          continue;
        }
      }
      store.setCell(c, r, this.text(buf, c));
    }
  }

  /** Field c of the current row as text. */
  private text(buf: Buffer, c: number): string {
    const s = this.starts[c]!;
    const e = this.ends[c]!;
    if (this.quoted[c] === 0) return decode(buf, s, e);
    // "..." with "" for a quote, then any text after the closing quote as it is
    let out = "";
    let p = s + 1;
    for (;;) {
      let q = p;
      while (buf[q] !== QUOTE) q++;
      out += decode(buf, p, q);
      if (buf[q + 1] === QUOTE && q + 1 < e) {
        out += '"';
        p = q + 2;
        continue;
      }
      return out + decode(buf, q + 1, e);
    }
  }

  /** Makes room in the store for `rows` rows in all (see ColumnStore.reserve). */
  reserve(rows: number): void {
    this.store?.reserve(rows);
  }

  /** The store of the rows read (the head rows go to `head` when the range had no more). */
  finish(): ColumnStore {
    if (!this.store && this.headRows.length > 0) this.store = this.o.head!(this.headRows, this.headLines);
    return this.store ?? new ColumnStore(Math.max(0, this.width));
  }
}

function decode(buf: Buffer, s: number, e: number): string {
  let ascii = true;
  for (let i = s; i < e; i++) {
    if (buf[i]! > 127) {
      ascii = false;
      break;
    }
  }
  if (ascii) return buf.toString("latin1", s, e);
  try {
    return fieldDecoder.decode(buf.subarray(s, e));
  } catch {
    throw new CsvBytesRefusal("bytes that are not UTF-8");
  }
}

function growInt(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
