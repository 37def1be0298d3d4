import { stat } from "node:fs/promises";
import { extname } from "node:path";
import { UserError } from "../errors.js";
import { ColumnStore, rowsView } from "./columnar.js";
import { csvThreads, PARALLEL_FROM_BYTES, readCsvInParallel } from "./csv-parallel.js";
import { CsvParser } from "./csv-parser.js";
import {
  decimalCommaNote,
  isDecimalCommaNumber,
  readDecimalCommas,
  toDecimalPoint,
} from "./decimal-comma.js";
import { chunkProgress } from "./load-progress.js";
import { isMissing, parseNumber } from "./missing.js";
import type { Table } from "./table.js";
import { readUtf8Chunks } from "./utf8-file.js";

/** Options for readTable. */
export interface ReadTableOptions {
  /** Cell delimiter; sniffed from the first lines when left out (comma, tab, semicolon or pipe). */
  delimiter?: string;
  /** Whether the first line is a header; detected when left out (see detectHeader). */
  header?: boolean;
  /**
   * Whether numbers may be written with decimal commas (0,715). Left out: detected per column when the
   * delimiter is not a comma (see readDecimalCommas); false: never.
   */
  decimalComma?: boolean;
  /**
   * Tables with more cells than this keep them in a columnar store and offer `rows` as a view of it
   * (see Table.store); smaller ones get plain row arrays. Default COLUMNAR_FROM_CELLS.
   */
  columnarFromCells?: number;
  /** Called as the file is read (see LoadProgress): how far (characters read), of how much (file bytes), rows so far. */
  onProgress?: (done: number, total: number, rows: number) => void;
  /**
   * Files from this many bytes are read from bytes on several threads (see csv-parallel.ts; the same Table).
   * Default PARALLEL_FROM_BYTES, or the NNCOACH_CSV_PARALLEL_FROM_BYTES environment variable (for tests).
   */
  parallelFromBytes?: number;
}

/** Cells above which readTable keeps a columnar store (see ReadTableOptions.columnarFromCells). */
export const COLUMNAR_FROM_CELLS = 2_000_000;

/** Rows kept as text at the start of a file to decide its header. */
const HEAD_ROWS = 256;

/** Delimiters that sniffing considers, in order of preference on ties. */
export const SNIFFED_DELIMITERS = [",", "\t", ";", "|"] as const;

const SNIFF_BYTES = 1 << 16;

const EMPTY_HINT = "give a CSV or TSV file with a header line and one row per example";

/**
 * Reads a CSV or TSV file into a Table, streaming it from disk. Handles RFC 4180 quoting (delimiters,
 * doubled quotes and line breaks inside quotes), CRLF/LF/CR line ends and a UTF-8 byte-order mark;
 * sniffs the delimiter and detects a header line unless told. Blank lines are skipped. In a file whose
 * delimiter is not a comma, columns of numbers written with decimal commas (0,715) are read as numbers
 * (their cells rewritten 0.715, with a note; see readDecimalCommas).
 *
 * Refuses, with a UserError naming the file and line: an empty file, a header without data rows, a row
 * whose cell count differs from the first row's, an unclosed quote, bytes that are not UTF-8.
 *
 * Example: `const t = await readTable("data/iris.csv"); t.columns; t.rows[0]`.
 */
export async function readTable(path: string, opts: ReadTableOptions = {}): Promise<Table> {
  const chunks = readUtf8Chunks(path);
  // Buffer the start of the file to sniff the delimiter, then stream the rest through the parser.
  let head = "";
  let done = false;
  while (head.length < SNIFF_BYTES) {
    const next = await chunks.next();
    if (next.done) {
      done = true;
      break;
    }
    head += next.value;
  }
  if (head.trim().length === 0 && done) throw new UserError(`${path}: the file is empty`, EMPTY_HINT);
  const notes: string[] = [];
  let delimiter = opts.delimiter;
  if (delimiter === undefined) {
    delimiter = sniffDelimiter(head, done, extname(path).toLowerCase() === ".tsv" ? "\t" : ",");
    notes.push(`delimiter ${describeDelimiter(delimiter)} (sniffed)`);
  }
  // The first rows are kept as text to decide the header (and to vote with decimal commas read);
  // every row after them goes straight into a columnar store (see columnar.ts).
  const headRows: string[][] = [];
  const headLines: number[] = [];
  let store: ColumnStore | undefined;
  let columns: string[] = [];
  let hasHeader = false;
  const decide = () => {
    const sample = headRows.map((r) => r.slice());
    if (delimiter !== "," && opts.decimalComma !== false) readDecimalCommas(sample, isMissing);
    hasHeader = opts.header ?? detectHeader(sample);
    const width = headRows[0]!.length;
    if (hasHeader) {
      columns = uniqueColumnNames(headRows[0]!, notes);
      if (opts.header === undefined) notes.push("first line read as the header");
    } else {
      columns = headRows[0]!.map((_, i) => `column_${i + 1}`);
      notes.push(
        `no header line detected; columns named column_1..column_${columns.length}` +
          " (pass header: true if the first line is a header)",
      );
    }
    store = new ColumnStore(width);
    for (let i = hasHeader ? 1 : 0; i < headRows.length; i++) store.push(headRows[i]!, headLines[i]);
    headRows.length = 0;
  };
  const size = (await stat(path)).size;
  const parallelFrom =
    opts.parallelFromBytes ?? envBytes("NNCOACH_CSV_PARALLEL_FROM_BYTES") ?? PARALLEL_FROM_BYTES;
  // an ASCII delimiter the parser accepts (any other: the one-thread read, which refuses a bad one)
  const byteDelimiter = delimiter.length === 1 && delimiter.charCodeAt(0) < 128 && !/["\r\n]/.test(delimiter);
  if (size >= parallelFrom && byteDelimiter) {
    const notesBefore = notes.length;
    const parallel = await readCsvInParallel(path, size, delimiter, {
      threads: csvThreads(),
      headRows: HEAD_ROWS,
      head: (rows, lines) => {
        headRows.push(...rows);
        headLines.push(...lines);
        decide();
        return store!;
      },
      onProgress: opts.onProgress,
    });
    await chunks.return(undefined);
    if (parallel) return finishTable(path, columns, parallel, hasHeader, delimiter, notes, opts);
    // read by one thread, which says what is wrong where
    notes.length = notesBefore;
    headRows.length = 0;
    headLines.length = 0;
    store = undefined;
    return readTable(path, { ...opts, parallelFromBytes: Number.POSITIVE_INFINITY });
  }
  const parser = new CsvParser(delimiter, path, (row, line) => {
    if (store) {
      store.push(row, line);
      return;
    }
    headRows.push(row);
    headLines.push(line);
    if (headRows.length >= HEAD_ROWS) decide();
  });
  const progress = chunkProgress(path, opts.onProgress);
  const feed = (text: string) => {
    parser.push(text);
    progress(text.length, store?.length ?? headRows.length);
  };
  feed(head);
  if (!done) for await (const text of chunks) feed(text);
  parser.end();
  if (!store) {
    if (headRows.length === 0) throw new UserError(`${path}: the file is empty`, EMPTY_HINT);
    decide();
  }
  return finishTable(path, columns, store as unknown as ColumnStore, hasHeader, delimiter, notes, opts);
}

/** The Table of a read's finished store: refuses a header without rows, reads decimal commas. */
function finishTable(
  path: string,
  columns: string[],
  s: ColumnStore,
  hasHeader: boolean,
  delimiter: string,
  notes: string[],
  opts: ReadTableOptions,
): Table {
  s.finish();
  if (hasHeader && s.length === 0) {
    throw new UserError(
      `${path}: the file has a header line but no data rows`,
      "add the data rows under the header (was the file cut, or saved before the data was pasted in?)",
    );
  }
  const decimalColumns = delimiter !== "," && opts.decimalComma !== false ? storeDecimalCommas(s) : [];
  if (decimalColumns.length > 0) notes.push(decimalCommaNote(decimalColumns.map((c) => columns[c]!)));
  return tableOfStore(path, columns, s, notes, opts.columnarFromCells);
}

/** A byte count from the environment variable `name`, when it holds one. */
function envBytes(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v.trim() === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * The Table of a finished store: columnar (rows a view of the store) above `columnarFromCells` cells
 * (default COLUMNAR_FROM_CELLS), else with plain row arrays and no store, as small tables always had.
 */
export function tableOfStore(
  source: string,
  columns: string[],
  s: ColumnStore,
  notes: string[],
  columnarFromCells = COLUMNAR_FROM_CELLS,
): Table {
  if (s.length * s.width > columnarFromCells) {
    return { source, columns, rows: rowsView(s), lines: s.lines, notes, store: s };
  }
  const rows = new Array<string[]>(s.length);
  for (let r = 0; r < s.length; r++) {
    const row = new Array<string>(s.width);
    for (let c = 0; c < s.width; c++) row[c] = s.cell(r, c);
    rows[r] = row;
  }
  return { source, columns, rows, lines: Array.from(s.lines), notes };
}

/**
 * readDecimalCommas for a store: finds the columns whose every non-missing cell is a decimal-comma number,
 * at least one with a comma, and rewrites them with decimal points. Returns their indices.
 */
function storeDecimalCommas(s: ColumnStore): number[] {
  const out: number[] = [];
  const ok = (cell: string) => isMissing(cell) || isDecimalCommaNumber(cell);
  for (let c = 0; c < s.width; c++) {
    const dict = s.dictionary(c);
    let candidates: Iterable<string>;
    if (dict) candidates = dict;
    else {
      const num = s.numbers(c)!;
      if (num.text.size === 0) continue; // plain numbers: no comma anywhere
      candidates = num.text.values();
    }
    let comma = false;
    let good = true;
    for (const cell of candidates) {
      if (!ok(cell)) {
        good = false;
        break;
      }
      if (!comma && !isMissing(cell) && cell.includes(",")) comma = true;
    }
    if (!good || !comma) continue;
    if (!dict) {
      // the numbers read as such must be decimal-comma numbers too ("1.5" is not; "12" is)
      const { values } = s.numbers(c)!;
      let all = true;
      for (let r = 0; r < s.length && all; r++) {
        const v = values[r]!;
        if (!Number.isNaN(v) && !isDecimalCommaNumber(String(v))) all = false;
      }
      if (!all) continue;
    }
    s.rewrite(c, (cell) => (isMissing(cell) || !isDecimalCommaNumber(cell) ? cell : toDecimalPoint(cell)));
    out.push(c);
  }
  return out;
}

function describeDelimiter(d: string): string {
  return d === "\t"
    ? "tab"
    : d === ","
      ? "comma"
      : d === ";"
        ? "semicolon"
        : d === "|"
          ? "pipe"
          : JSON.stringify(d);
}

/**
 * The delimiter of a delimited text sample: the candidate (comma, tab, semicolon, pipe) that appears,
 * outside quotes, the same number of times on the most records; ties go to the larger count, then to
 * `prefer`, then to the order of SNIFFED_DELIMITERS. `complete` says the sample is the whole file (else its
 * last, possibly cut, record is ignored). A sample where none appears gives `prefer` (one column).
 */
export function sniffDelimiter(sample: string, complete = true, prefer = ","): string {
  const records: number[][] = []; // per record, counts per candidate
  let counts = SNIFFED_DELIMITERS.map(() => 0);
  let inQuotes = false;
  let nonEmpty = false;
  for (let i = 0; i < sample.length && records.length < 100; i++) {
    const c = sample[i]!;
    if (c === '"') {
      inQuotes = !inQuotes;
      nonEmpty = true;
    } else if (!inQuotes && (c === "\n" || c === "\r")) {
      if (nonEmpty) records.push(counts);
      counts = SNIFFED_DELIMITERS.map(() => 0);
      nonEmpty = false;
    } else if (!inQuotes) {
      const k = (SNIFFED_DELIMITERS as readonly string[]).indexOf(c);
      if (k >= 0) counts[k]!++;
      nonEmpty = true;
    }
  }
  if (complete && nonEmpty && !inQuotes) records.push(counts);
  let best = prefer;
  let bestConsistency = 0;
  let bestMode = 0;
  const order = [prefer, ...SNIFFED_DELIMITERS.filter((d) => d !== prefer)];
  for (const d of order) {
    const k = (SNIFFED_DELIMITERS as readonly string[]).indexOf(d);
    if (k < 0) continue;
    const freq = new Map<number, number>();
    for (const r of records) freq.set(r[k]!, (freq.get(r[k]!) ?? 0) + 1);
    let mode = 0;
    let modeFreq = 0;
    for (const [count, f] of freq) {
      if (count > 0 && (f > modeFreq || (f === modeFreq && count > mode))) {
        mode = count;
        modeFreq = f;
      }
    }
    if (mode === 0) continue;
    const consistency = modeFreq / records.length;
    if (consistency > bestConsistency || (consistency === bestConsistency && mode > bestMode)) {
      best = d;
      bestConsistency = consistency;
      bestMode = mode;
    }
  }
  return best;
}

/**
 * Whether the first row is a header, decided by votes over columns (on up to 200 following rows):
 * a column whose later cells are mostly numbers votes "header" when its first cell is not a number and
 * "data" when it is; a text column votes "data" when its first cell also appears further down (a
 * value, not a name) and "header" otherwise. A first row of counting integers (0,1,2.. or 1,2,3..) is a
 * header. Ties, and files with a single row, count as a header.
 */
export function detectHeader(rows: readonly string[][]): boolean {
  if (rows.length < 2) return true;
  const first = rows[0]!;
  const firstNums = first.map(parseNumber);
  const counting = (start: number) => firstNums.every((v, i) => v === i + start);
  if (first.length > 1 && (counting(0) || counting(1))) return true;
  const sample = rows.slice(1, 201);
  let header = 0;
  let data = 0;
  for (let c = 0; c < first.length; c++) {
    const cell = first[c]!.trim();
    const values = sample.map((r) => r[c]!.trim()).filter((v) => v !== "");
    if (values.length === 0) continue;
    const numeric = values.filter((v) => !Number.isNaN(parseNumber(v))).length;
    if (numeric >= 0.9 * values.length) {
      if (cell === "") continue;
      if (Number.isNaN(parseNumber(cell))) header++;
      else data++;
    } else if (cell !== "") {
      if (values.includes(cell)) data++;
      else header++;
    }
  }
  return header >= data;
}

function uniqueColumnNames(cells: readonly string[], notes: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  cells.forEach((raw, i) => {
    let name = raw.trim();
    if (name === "") {
      name = `column_${i + 1}`;
      notes.push(`column ${i + 1} has no name in the header; named '${name}'`);
    }
    if (seen.has(name)) {
      let k = 2;
      while (seen.has(`${name}_${k}`)) k++;
      notes.push(`column ${i + 1} repeats the name '${name}'; renamed '${name}_${k}'`);
      name = `${name}_${k}`;
    }
    seen.add(name);
    out.push(name);
  });
  return out;
}
