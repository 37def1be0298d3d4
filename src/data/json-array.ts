/**
 * A file holding one JSON array of row objects (`[{"x": 1, "y": "a"}, ...]`), read as a stream: a small
 * tokenizer walks the top-level array, cuts out each element (an object: from its "{" to the matching "}",
 * strings and escapes respected) and parses it alone, so a big file never sits in memory as text or as one
 * parsed array. The rows go into the same columnar store as JSON Lines (JsonObjectRows); the values
 * become cells as readJsonLines describes.
 *
 * Errors name the file, the line and column, and the element: an element that is not an object, invalid
 * JSON inside one, a missing comma or bracket between elements, text after the closing bracket, a file
 * that ends inside the array.
 *
 * Example: `const t = await readJsonArray("rows.json");`
 */
import { UserError } from "../errors.js";
import { describeJson, JsonObjectRows, type JsonReadOptions } from "./json-lines.js";
import { chunkProgress } from "./load-progress.js";
import type { Table } from "./table.js";
import { readUtf8Chunks } from "./utf8-file.js";

const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const QUOTE = 34;
const BACKSLASH = 92;
const NEWLINE = 10;

/** Where the tokenizer is, between elements. */
type State = "start" | "first" | "after" | "next" | "end";

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

/** Reads a JSON array of objects into a Table, streaming (see the file comment). */
export async function readJsonArray(path: string, opts: JsonReadOptions = {}): Promise<Table> {
  const progress = chunkProgress(path, opts.onProgress);
  const rows = new JsonObjectRows();
  let state: State = "start";
  // the text not consumed yet, and the file position of its first character
  let text = "";
  let line = 1;
  let lineStart = 0; // offset in `text` where the current line starts (may be negative: an earlier chunk)
  let element = 0;
  // inside an element: where it starts in `text`, its line and column, and the scan state
  let elStart = -1;
  let elLine = 0;
  let elColumn = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let pos = 0;
  const where = (at: number) => `line ${line}, column ${at - lineStart + 1}`;
  const fail = (message: string, hint?: string): never => {
    throw new UserError(`${path}: ${message}`, hint);
  };
  const found = (c: number) => `'${String.fromCharCode(c)}'`;
  for await (const chunk of readUtf8Chunks(path)) {
    // keep only the unconsumed text: from the element being read, else from `pos`
    const keep = elStart >= 0 ? elStart : pos;
    text = text.slice(keep) + chunk;
    lineStart -= keep;
    pos -= keep;
    if (elStart >= 0) elStart = 0;
    const n = text.length;
    for (; pos < n; pos++) {
      const c = text.charCodeAt(pos);
      if (elStart >= 0) {
        // inside an object: find its end
        if (c === NEWLINE) {
          line++;
          lineStart = pos + 1;
        }
        if (inString) {
          if (escaped) escaped = false;
          else if (c === BACKSLASH) escaped = true;
          else if (c === QUOTE) inString = false;
          continue;
        }
        if (c === QUOTE) inString = true;
        else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
        else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
          depth--;
          if (depth === 0) {
            parseElement(text.slice(elStart, pos + 1));
            elStart = -1;
            state = "after";
          }
        }
        continue;
      }
      if (c === NEWLINE) {
        line++;
        lineStart = pos + 1;
        continue;
      }
      if (isSpace(c)) continue;
      if (state === "start") {
        if (c !== OPEN_BRACKET && !(c === 0xfeff && pos === 0))
          fail(`${where(pos)}: expected a JSON array ('[') but found ${found(c)}`);
        if (c === OPEN_BRACKET) state = "first";
      } else if (state === "first" || state === "next") {
        if (c === CLOSE_BRACKET && state === "first") state = "end";
        else if (c === OPEN_BRACE) {
          elStart = pos;
          elLine = line;
          elColumn = pos - lineStart + 1;
          depth = 1;
          inString = false;
          escaped = false;
        } else if (c === CLOSE_BRACKET)
          fail(
            `${where(pos)}: a ']' right after a ',' (a trailing comma is not JSON)`,
            "remove the last comma",
          );
        else {
          const rest = text
            .slice(pos, pos + 40)
            .split(/[,\]\n]/)[0]!
            .trim();
          let what = c === OPEN_BRACKET ? "an array" : `'${rest}'`;
          try {
            what = describeJson(JSON.parse(rest));
          } catch {
            // not a whole value: named by its text
          }
          fail(
            `${where(pos)}: element ${element + 1} of the array is ${what}, not an object`,
            'a JSON table file is an array of objects, one per row: [{"x": 1.5, "label": "a"}, ...]',
          );
        }
      } else if (state === "after") {
        if (c === COMMA) state = "next";
        else if (c === CLOSE_BRACKET) state = "end";
        else
          fail(`${where(pos)}: expected ',' or ']' after element ${element} of the array, found ${found(c)}`);
      } else fail(`${where(pos)}: unexpected ${found(c)} after the end of the array`);
    }
    progress(chunk.length, rows.length);
  }
  if (state !== "end") {
    if (elStart >= 0)
      fail(
        `the file ends inside element ${element + 1} of the array (which starts at line ${elLine}, column ${elColumn})`,
        "the file may be truncated",
      );
    fail(
      state === "start"
        ? "the file is empty (no JSON array)"
        : "the file ends before the array's closing ']'",
      "the file may be truncated",
    );
  }
  return rows.table(path, opts.columnarFromCells);

  function parseElement(s: string): void {
    element++;
    let value: unknown;
    try {
      value = JSON.parse(s);
    } catch (e) {
      const message = (e as Error).message;
      const at = /position (\d+)/.exec(message);
      let place = `line ${elLine}, column ${elColumn}`;
      if (at) {
        // the position within the element -> line and column in the file
        const offset = Number(at[1]);
        const before = s.slice(0, offset);
        const nl = before.lastIndexOf("\n");
        const l = elLine + (before.match(/\n/g)?.length ?? 0);
        const col = nl < 0 ? elColumn + offset : offset - nl;
        place = `line ${l}, column ${col}`;
      }
      // V8 names the position, or quotes the text (left out: the element may be long)
      const reason = message
        .replace(/ in JSON at position \d+.*$/s, "")
        .replace(/, ".*" is not valid JSON$/s, "");
      fail(`${place}: element ${element} of the array is not valid JSON (${reason})`);
    }
    rows.push(value as Record<string, unknown>, elLine);
  }
}
