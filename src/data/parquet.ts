/**
 * Parquet input: a file that starts with the magic bytes "PAR1" is read with hyparquet's decoders (pure
 * JavaScript), one row group at a time and column by column, into the same columnar store a big CSV file goes into
 * (see columnar.ts), so that everything that takes a CSV file takes a Parquet file too. Cells are given the
 * text a CSV file would hold: numbers in their shortest form (a FLOAT column's in float32's shortest
 * form), true/false, dates as YYYY-MM-DD[ HH:MM:SS], null as an empty (missing) cell.
 *
 * The page decoders are hyparquet's own modules (`hyparquet/src/*.js`, which its exports allow but which are
 * not its documented API), so package.json pins hyparquet to patch releases (~1.33); a minor release must be
 * checked against test/data-parquet.test.ts before the range moves.
 */
import { open } from "node:fs/promises";
import {
  asyncBufferFromFile,
  type DataReader,
  type DecodedArray,
  type FileMetaData,
  parquetMetadataAsync,
  parquetSchema,
} from "hyparquet";
import { parquetHeader } from "hyparquet/src/column.js";
import { convert, convertWithDictionary, DEFAULT_PARSERS } from "hyparquet/src/convert.js";
import { decompressPage, readDataPage, readDataPageV2 } from "hyparquet/src/datapage.js";
import { readPlain } from "hyparquet/src/plain.js";
import { getTreePath } from "hyparquet/src/schema.js";
import type { ColumnDecoder } from "hyparquet/src/types.js";
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
 *
 * Each row group is read from disk in one piece and each column chunk decoded page by page with hyparquet's
 * page decoders; a page's values go straight into a column array of the row group (nulls placed by the
 * definition levels), a Float64Array for DOUBLE and INT32 numbers, which the store takes as it is: no
 * object or array per row, and no list assembly (which hyparquet's general reader does for every nullable
 * column).
 */
export async function readParquet(path: string, opts: ReadParquetOptions = {}): Promise<Table> {
  const file = await asyncBufferFromFile(path);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (e) {
    throw new UserError(`${path}: not a readable Parquet file (${(e as Error).message})`);
  }
  // schema[0] is the root; its children are the top-level columns
  const schema = metadata.schema;
  const columns: string[] = [];
  const nested: string[] = [];
  for (let i = 1; i < schema.length; i++) {
    const el = schema[i]!;
    if (el.num_children || el.repetition_type === "REPEATED") {
      nested.push(el.name);
      i += countDescendants(schema, i);
      continue;
    }
    columns.push(el.name);
  }
  if (nested.length > 0)
    throw new UserError(
      `${path}: nested Parquet columns (${nested.join(", ")}) cannot be read as table columns`,
      "flatten them into plain columns, or drop them, before training",
    );
  if (columns.length === 0) throw new UserError(`${path}: the Parquet file has no columns`);
  const tree = parquetSchema(metadata);
  const decoders = columns.map((name): ColumnDecoder => {
    const schemaPath = getTreePath(tree, [name]);
    const element = schemaPath[schemaPath.length - 1]!.element;
    return {
      pathInSchema: [name],
      type: element.type!,
      element,
      schemaPath,
      codec: "UNCOMPRESSED",
      parsers: DEFAULT_PARSERS,
    };
  });
  // DOUBLE and INT32 numbers go into the store as numbers (their text is String(value))
  const texts = decoders.map((d) =>
    d.type === "FLOAT" ? float32Text : d.type === "DOUBLE" || d.type === "INT32" ? numberOrText : cellOf,
  );
  const total = Number(metadata.num_rows);
  const store = new ColumnStore(columns.length);
  store.reserve(total);
  const fh = await open(path, "r");
  let done = 0;
  try {
    for (const group of metadata.row_groups) {
      const n = Number(group.num_rows);
      if (n === 0) continue;
      const chunks = columns.map((name) => {
        const chunk = group.columns.find((ch) => ch.meta_data?.path_in_schema[0] === name);
        if (!chunk?.meta_data || chunk.file_path)
          throw new UserError(
            `${path}: column '${name}' has no data in a row group (or lies in another file)`,
          );
        const meta = chunk.meta_data;
        const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
        return { meta, start, end: start + Number(meta.total_compressed_size) };
      });
      // the row group's bytes in one read
      const first = Math.min(...chunks.map((ch) => ch.start));
      const last = Math.max(...chunks.map((ch) => ch.end));
      const bytes = Buffer.allocUnsafe(last - first);
      let got = 0;
      while (got < bytes.length) {
        const { bytesRead } = await fh.read(bytes, got, bytes.length - got, first + got);
        if (bytesRead === 0) throw new UserError(`${path}: the Parquet file is truncated`);
        got += bytesRead;
      }
      const data = chunks.map((ch, c) => {
        const decoder = { ...decoders[c]!, codec: ch.meta.codec };
        const view = bytes.subarray(ch.start - first, ch.end - first);
        try {
          return readColumnChunk(view, decoder, n, texts[c]!);
        } catch (e) {
          if (e instanceof UserError) throw e;
          const message = (e as Error).message;
          throw new UserError(
            `${path}: cannot decode Parquet column '${columns[c]}' (${message})`,
            /compression codec/.test(message)
              ? "nncoach reads uncompressed and Snappy-compressed Parquet; write the file with Snappy (e.g. DuckDB: COPY ... TO 'f.parquet' (FORMAT parquet, COMPRESSION snappy))"
              : "the file may be damaged; check that another tool reads it",
          );
        }
      });
      store.pushColumns(data, n);
      done += n;
      opts.onProgress?.(done, total, done);
    }
  } finally {
    await fh.close();
  }
  store.finish();
  if (store.length === 0)
    throw new UserError(`${path}: the Parquet file has no rows`, "give a file with one row per example");
  const table = tableOfStore(path, columns, store, [], opts.columnarFromCells);
  // a Parquet file has no lines; messages name the data row
  delete table.lines;
  return table;
}

/**
 * The `rows` values of one flat column chunk (its dictionary page, if any, and data pages): a Float64Array
 * (NaN for null) when the pages decode to numbers of a DOUBLE or INT32 column, else each value as `text`
 * gives it ("" for null).
 */
function readColumnChunk(
  bytes: Uint8Array,
  decoder: ColumnDecoder,
  rows: number,
  text: (v: unknown) => string | number,
): ArrayLike<string | number> {
  const reader: DataReader = {
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    offset: 0,
  };
  const maxDefinition = decoder.element.repetition_type === "REQUIRED" ? 0 : 1;
  const numeric = decoder.type === "DOUBLE" || decoder.type === "INT32";
  let out: Float64Array | (string | number)[] | undefined;
  let dictionary: DecodedArray | undefined;
  let row = 0;
  while (row < rows && reader.offset < bytes.length) {
    const header = parquetHeader(reader);
    const page = bytes.subarray(reader.offset, reader.offset + header.compressed_page_size);
    reader.offset += header.compressed_page_size;
    let values: DecodedArray;
    let levels: number[] | undefined;
    let count: number;
    if (header.type === "DICTIONARY_PAGE") {
      const raw = decompressPage(page, header.uncompressed_page_size, decoder.codec, undefined);
      const r: DataReader = { view: new DataView(raw.buffer, raw.byteOffset, raw.byteLength), offset: 0 };
      const plain = readPlain(
        r,
        decoder.type,
        header.dictionary_page_header!.num_values,
        decoder.element.type_length,
      );
      dictionary = convert(plain, decoder);
      continue;
    }
    if (header.type === "DATA_PAGE") {
      const daph = header.data_page_header!;
      const raw = decompressPage(page, header.uncompressed_page_size, decoder.codec, undefined);
      const p = readDataPage(raw, daph, decoder);
      values = convertWithDictionary(p.dataPage, dictionary, daph.encoding, decoder);
      levels = p.definitionLevels;
      count = daph.num_values;
    } else if (header.type === "DATA_PAGE_V2") {
      const daph2 = header.data_page_header_v2!;
      const p = readDataPageV2(page, header, decoder);
      values = convertWithDictionary(p.dataPage, dictionary, daph2.encoding, decoder);
      levels = p.definitionLevels;
      count = daph2.num_values;
    } else continue; // index pages
    count = Math.min(count, rows - row);
    out ??=
      numeric && ArrayBuffer.isView(values) && !(values instanceof BigInt64Array)
        ? new Float64Array(rows)
        : new Array<string | number>(rows);
    if (out instanceof Float64Array && !(ArrayBuffer.isView(values) && !(values instanceof BigInt64Array))) {
      // numbers so far, something else now: go on as text
      out = Array.from(out.subarray(0, row), (v) => text(Number.isNaN(v) ? null : v));
      out.length = rows;
    }
    if (out instanceof Float64Array) {
      const nums = values as Float64Array | Int32Array;
      if (levels?.length) {
        for (let i = 0, j = 0; i < count; i++)
          out[row + i] = levels[i] === maxDefinition ? nums[j++]! : Number.NaN;
      } else out.set(count === nums.length ? nums : nums.subarray(0, count), row);
    } else {
      if (levels?.length) {
        for (let i = 0, j = 0; i < count; i++)
          out[row + i] = levels[i] === maxDefinition ? text(values[j++]) : "";
      } else for (let i = 0; i < count; i++) out[row + i] = text(values[i]);
    }
    row += count;
  }
  if (row < rows) throw new Error(`${rows - row} of ${rows} values missing in the column chunk`);
  return out ?? [];
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
