import { extname } from "node:path";
import { UserError } from "../errors.js";
import { CsvParser } from "./csv-parser.js";
import { decimalCommaNote, readDecimalCommas } from "./decimal-comma.js";
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
}

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
  const parser = new CsvParser(delimiter, path);
  parser.push(head);
  if (!done) for await (const text of chunks) parser.push(text);
  parser.end();
  const { rows, lines } = parser;
  if (rows.length === 0) throw new UserError(`${path}: the file is empty`, EMPTY_HINT);
  // before header detection, so that a column of decimal-comma numbers votes as numbers
  const decimalColumns =
    delimiter !== "," && opts.decimalComma !== false ? readDecimalCommas(rows, isMissing) : [];

  const hasHeader = opts.header ?? detectHeader(rows);
  let columns: string[];
  if (hasHeader) {
    columns = uniqueColumnNames(rows[0]!, notes);
    rows.shift();
    lines.shift();
    if (opts.header === undefined) notes.push("first line read as the header");
    if (rows.length === 0) {
      throw new UserError(
        `${path}: the file has a header line but no data rows`,
        "add the data rows under the header (was the file cut, or saved before the data was pasted in?)",
      );
    }
  } else {
    columns = rows[0]!.map((_, i) => `column_${i + 1}`);
    notes.push(
      `no header line detected; columns named column_1..column_${columns.length}` +
        " (pass header: true if the first line is a header)",
    );
  }
  if (decimalColumns.length > 0) notes.push(decimalCommaNote(decimalColumns.map((c) => columns[c]!)));
  return { source: path, columns, rows, lines, notes };
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
