import { UserError } from "../errors.js";
import { ColumnStore } from "./columnar.js";
import { tableOfStore } from "./csv.js";
import { chunkProgress } from "./load-progress.js";
import type { Table } from "./table.js";
import { readUtf8Chunks } from "./utf8-file.js";

/** Options of readJsonLines and readJsonArray. */
export interface JsonReadOptions {
  /** See ReadTableOptions.columnarFromCells. */
  columnarFromCells?: number;
  /** Called as the file is read (see LoadProgress): characters read, file bytes, rows so far. */
  onProgress?: (done: number, total: number, rows: number) => void;
}

/**
 * Reads a JSON Lines file (one JSON object per line) into a Table, streaming it from disk. Columns are the
 * union of the objects' keys in order of first appearance; a key an object lacks, and null, become a
 * missing cell (""). Strings are kept as they are, numbers and booleans as their JSON text, arrays and
 * objects as compact JSON. Blank lines are skipped.
 *
 * Refuses with a UserError naming the file and line: invalid JSON, a line that is not an object, an
 * empty file, bytes that are not UTF-8.
 *
 * Example: `const t = await readJsonLines("events.jsonl");`
 */
export async function readJsonLines(path: string, opts: JsonReadOptions = {}): Promise<Table> {
  const progress = chunkProgress(path, opts.onProgress);
  const rows = new JsonObjectRows();
  let pending = "";
  let lineNo = 0;
  const handle = (text: string) => {
    lineNo++;
    const s = text.trim();
    if (s === "") return;
    let value: unknown;
    try {
      value = JSON.parse(s);
    } catch (e) {
      throw new UserError(
        `${path}: line ${lineNo}: not valid JSON (${(e as Error).message})`,
        "JSON Lines files hold one complete JSON object per line",
      );
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new UserError(
        `${path}: line ${lineNo}: expected a JSON object ({...}) but found ${describeJson(value)}`,
      );
    }
    rows.push(value as Record<string, unknown>, lineNo);
  };
  for await (const chunk of readUtf8Chunks(path)) {
    pending += chunk;
    let nl = pending.indexOf("\n");
    while (nl >= 0) {
      handle(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
      nl = pending.indexOf("\n");
    }
    progress(chunk.length, rows.length);
  }
  if (pending.length > 0) handle(pending);
  return rows.table(path, opts.columnarFromCells);
}

/**
 * JSON objects going into a columnar store one by one (the rows of a JSON Lines file or a JSON array):
 * columns are the union of the objects' keys in order of first appearance; a key first seen late adds a
 * column, missing in the rows before.
 */
export class JsonObjectRows {
  private store = new ColumnStore(0);
  private index = new Map<string, number>();
  private row: string[] = [];

  /** Objects pushed so far. */
  get length(): number {
    return this.store.length;
  }

  /** Adds an object that starts on `line` of the file. */
  push(o: Record<string, unknown>, line: number): void {
    for (const k in o) {
      if (!Object.hasOwn(o, k) || this.index.has(k)) continue;
      this.index.set(k, this.index.size);
      this.store.addColumn();
    }
    if (this.row.length !== this.store.width) this.row = new Array<string>(this.store.width);
    const row = this.row;
    row.fill("");
    for (const k in o) if (Object.hasOwn(o, k)) row[this.index.get(k)!] = cellText(o[k]);
    this.store.push(row, line);
  }

  /** The Table of the objects pushed; a UserError when there were none. */
  table(source: string, columnarFromCells?: number): Table {
    this.store.finish();
    if (this.store.length === 0)
      throw new UserError(
        `${source}: the file is empty (no JSON objects)`,
        'give one JSON object per line, e.g. {"x": 1.5, "label": "a"}',
      );
    return tableOfStore(source, [...this.index.keys()], this.store, [], columnarFromCells);
  }
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

/** "null", "an array", "a number"...: what a JSON value is, for messages. */
export function describeJson(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return `a ${typeof v}`;
}
