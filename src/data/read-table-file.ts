import { open } from "node:fs/promises";
import { extname } from "node:path";
import { UserError } from "../errors.js";
import { type ReadTableOptions, readTable } from "./csv.js";
import { readJsonArray } from "./json-array.js";
import { readJsonLines } from "./json-lines.js";
import { isParquetFile, readParquet } from "./parquet.js";
import type { Table } from "./table.js";
import { assertReadableFile } from "./utf8-file.js";

/**
 * Reads a tabular file of any supported format into a Table. A file that starts with "PAR1" is Parquet
 * (see readParquet), whatever its name; otherwise the reader is chosen by extension:
 * `.jsonl`/`.ndjson` -> JSON Lines; `.json` -> a JSON array of objects (or JSON Lines when the file does
 * not start with `[`); `.csv`, `.tsv`, `.txt`, `.psv`, `.dat` -> readTable (delimiter sniffed). Any other
 * extension is sniffed: a file starting with `{` is JSON Lines, otherwise delimited text.
 *
 * Example: `const table = await readTableFile(args.data);`
 */
export async function readTableFile(path: string, opts: ReadTableOptions = {}): Promise<Table> {
  await assertReadableFile(path);
  if (await isParquetFile(path))
    return readParquet(path, { columnarFromCells: opts.columnarFromCells, onProgress: opts.onProgress });
  const ext = extname(path).toLowerCase();
  if (ext === ".jsonl" || ext === ".ndjson") return readJsonLines(path, opts);
  if ([".csv", ".tsv", ".txt", ".psv", ".dat"].includes(ext)) return readTable(path, opts);
  const first = await firstNonSpaceChar(path);
  if (first === "[") return readJsonArray(path, opts);
  if (first === "{") return readJsonLines(path, opts);
  if (ext === ".json") throw new UserError(`${path}: expected a JSON array of objects or JSON Lines`);
  return readTable(path, opts);
}

async function firstNonSpaceChar(path: string): Promise<string | undefined> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf
      .subarray(0, bytesRead)
      .toString("latin1")
      .replace(/^\u00ef\u00bb\u00bf/, "");
    const m = /\S/.exec(text);
    return m?.[0];
  } finally {
    await fh.close();
  }
}
