/**
 * Parquet input: a file that starts with the magic bytes "PAR1" is read with hyparquet (pure JavaScript),
 * one row group at a time and column by column, into the same columnar store a big CSV file goes into
 * (see columnar.ts), so that everything that takes a CSV file takes a Parquet file too. Cells are given the
 * text a CSV file would hold: numbers in their shortest form (a FLOAT column's in float32's shortest
 * form), true/false, dates as YYYY-MM-DD[ HH:MM:SS], null as an empty (missing) cell.
 */
import { open } from "node:fs/promises";
import { asyncBufferFromFile, parquetMetadataAsync, parquetScan } from "hyparquet";
import { UserError } from "../errors.js";
import { ColumnStore } from "./columnar.js";
import { tableOfStore } from "./csv.js";
import type { Table } from "./table.js";

/** True when the file starts with the Parquet magic bytes "PAR1". */
export async function isParquetFile(path: string): Promise<boolean> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await fh.read(buf, 0, 4, 0);
    return bytesRead === 4 && buf.toString("latin1") === "PAR1";
  } finally {
    await fh.close();
  }
}

/** Options for readParquet. */
export interface ReadParquetOptions {
  /** See ReadTableOptions.columnarFromCells. */
  columnarFromCells?: number;
  /** Called after each row group: rows read so far, rows in the file, rows read so far. */
  onProgress?: (done: number, total: number, rows: number) => void;
}

/**
 * Reads a Parquet file's top-level columns into a Table (see the file comment). Nested columns (lists,
 * maps, structs) are refused with a UserError naming them.
 */
export async function readParquet(path: string, opts: ReadParquetOptions = {}): Promise<Table> {
  const file = await asyncBufferFromFile(path);
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (e) {
    throw new UserError(`${path}: not a readable Parquet file (${(e as Error).message})`);
  }
  // schema[0] is the root; its children are the top-level columns
  const schema = metadata.schema;
  const columns: string[] = [];
  const types: (string | undefined)[] = [];
  const nested: string[] = [];
  for (let i = 1; i < schema.length; i++) {
    const el = schema[i]!;
    if (el.num_children) {
      nested.push(el.name);
      i += countDescendants(schema, i);
      continue;
    }
    columns.push(el.name);
    types.push(el.type);
  }
  if (nested.length > 0)
    throw new UserError(
      `${path}: nested Parquet columns (${nested.join(", ")}) cannot be read as table columns`,
      "flatten them into plain columns, or drop them, before training",
    );
  if (columns.length === 0) throw new UserError(`${path}: the Parquet file has no columns`);
  const total = Number(metadata.num_rows);
  const store = new ColumnStore(columns.length);
  const scan = await parquetScan({ file, metadata, columns });
  const row = new Array<string | number>(columns.length);
  let done = 0;
  for (const range of scan.ranges) {
    const data = [];
    for (const column of columns) data.push(await scan.readColumn({ column, ...range }));
    const n = range.rowEnd - range.rowStart;
    // DOUBLE and INT32 numbers go into the store as numbers (their text is String(value))
    const texts = types.map((t) =>
      t === "FLOAT" ? float32Text : t === "DOUBLE" || t === "INT32" ? numberOrText : cellOf,
    );
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < columns.length; c++) row[c] = texts[c]!((data[c] as ArrayLike<unknown>)[r]);
      store.push(row, 0);
    }
    done += n;
    opts.onProgress?.(done, total, done);
  }
  store.finish();
  if (store.length === 0)
    throw new UserError(`${path}: the Parquet file has no rows`, "give a file with one row per example");
  const table = tableOfStore(path, columns, store, [], opts.columnarFromCells);
  // a Parquet file has no lines; messages name the data row
  delete table.lines;
  return table;
}

function countDescendants(schema: readonly { num_children?: number }[], i: number): number {
  let pending = schema[i]!.num_children ?? 0;
  let k = i;
  while (pending > 0) {
    k++;
    pending += (schema[k]!.num_children ?? 0) - 1;
  }
  return k - i;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** The CSV text of a decoded Parquet value. */
function cellOf(v: unknown): string {
  if (v === null || v === undefined) return "";
  switch (typeof v) {
    case "string":
      return v;
    case "number":
      return Number.isNaN(v) ? "" : String(v);
    case "bigint":
    case "boolean":
      return String(v);
    default:
      break;
  }
  if (v instanceof Date) {
    const date = `${v.getUTCFullYear()}-${pad(v.getUTCMonth() + 1)}-${pad(v.getUTCDate())}`;
    const h = v.getUTCHours();
    const m = v.getUTCMinutes();
    const s = v.getUTCSeconds();
    return h === 0 && m === 0 && s === 0 ? date : `${date} ${pad(h)}:${pad(m)}:${pad(s)}`;
  }
  if (v instanceof Uint8Array) return Buffer.from(v).toString("utf8");
  return JSON.stringify(v);
}

/** A number as it is (NaN: missing), anything else as cellOf's text. */
function numberOrText(v: unknown): string | number {
  return typeof v === "number" ? v : cellOf(v);
}

/** The shortest decimal text that reads back as the same float32 (0.1f -> "0.1", not 0.10000000149...). */
function float32Text(v: unknown): string {
  if (typeof v !== "number" || !Number.isFinite(v)) return cellOf(v);
  for (let p = 1; p <= 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(v);
}
