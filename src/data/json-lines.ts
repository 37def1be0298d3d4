import { UserError } from "../errors.js";
import { ColumnStore } from "./columnar.js";
import { tableOfStore } from "./csv.js";
import type { Table } from "./table.js";
import { readUtf8Chunks } from "./utf8-file.js";

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
export async function readJsonLines(path: string, opts: { columnarFromCells?: number } = {}): Promise<Table> {
  // rows go into a columnar store as they are read; a key first seen late adds a column
  const store = new ColumnStore(0);
  const index = new Map<string, number>();
  let row: string[] = [];
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
        `${path}: line ${lineNo}: expected a JSON object ({...}) but found ${describe(value)}`,
      );
    }
    const o = value as Record<string, unknown>;
    for (const k in o) {
      if (!Object.hasOwn(o, k) || index.has(k)) continue;
      index.set(k, index.size);
      store.addColumn();
    }
    if (row.length !== store.width) row = new Array<string>(store.width);
    row.fill("");
    for (const k in o) if (Object.hasOwn(o, k)) row[index.get(k)!] = cellText(o[k]);
    store.push(row, lineNo);
  };
  for await (const chunk of readUtf8Chunks(path)) {
    pending += chunk;
    let nl = pending.indexOf("\n");
    while (nl >= 0) {
      handle(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
      nl = pending.indexOf("\n");
    }
  }
  if (pending.length > 0) handle(pending);
  store.finish();
  if (store.length === 0)
    throw new UserError(
      `${path}: the file is empty (no JSON objects)`,
      'give one JSON object per line, e.g. {"x": 1.5, "label": "a"}',
    );
  return tableOfStore(path, [...index.keys()], store, [], opts.columnarFromCells);
}

/**
 * A Table from parsed JSON objects (the rows of a JSON Lines file or of a JSON array), converting values
 * as readJsonLines describes. Throws a UserError when there are no objects.
 */
export function jsonObjectsToTable(
  objects: readonly Record<string, unknown>[],
  source: string,
  lines?: number[],
): Table {
  if (objects.length === 0)
    throw new UserError(
      `${source}: the file is empty (no JSON objects)`,
      'give one JSON object per line, e.g. {"x": 1.5, "label": "a"}',
    );
  const index = new Map<string, number>();
  for (const o of objects) for (const k of Object.keys(o)) if (!index.has(k)) index.set(k, index.size);
  const columns = [...index.keys()];
  const rows = objects.map((o) => columns.map((k) => cellText(o[k])));
  return lines ? { source, columns, rows, lines } : { source, columns, rows };
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return `a ${typeof v}`;
}
