/**
 * JSON array files (one array of row objects) are read as a stream (src/data/json-array.ts): the same table
 * as the JSON Lines and the CSV of the same rows, whatever the layout and wherever the read chunks cut the
 * text; errors name the line and column.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { readJsonArray } from "../src/data/json-array.js";
import { readJsonLines } from "../src/data/json-lines.js";
import { readTableFile } from "../src/data/read-table-file.js";
import { cellText, rowCount, type Table } from "../src/data/table.js";
import { UserError } from "../src/errors.js";
import { runCli } from "./helpers/cli.js";

const SHARED = process.env.NNCOACH_DATASETS ?? "/work/shared/datasets";
const tmp = mkdtempSync(join(tmpdir(), "nncoach-json-array-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function cells(t: Table): string[][] {
  const out: string[][] = [];
  for (let r = 0; r < rowCount(t); r++) out.push(t.columns.map((_, c) => cellText(t, r, c)));
  return out;
}

test("a JSON array of the wine rows reads as the CSV, compact, pretty-printed or one object per line", async () => {
  const csv = await readTableFile(join(SHARED, "wine.csv"));
  // numbers as JSON numbers, other cells as strings, empty cells as null
  const value = (v: string) => (v === "" ? null : Number.isNaN(Number(v)) ? v : Number(v));
  const objects = cells(csv).map((row) =>
    Object.fromEntries(csv.columns.map((name, c) => [name, value(row[c]!)])),
  );
  const canonical = cells(csv).map((row) => row.map((v) => String(value(v) ?? "")));
  const layouts = {
    compact: JSON.stringify(objects),
    pretty: JSON.stringify(objects, null, 2),
    lines: `[\n${objects.map((o) => JSON.stringify(o)).join(",\n")}\n]\n`,
  };
  for (const [name, text] of Object.entries(layouts)) {
    const file = join(tmp, `wine-${name}.json`);
    writeFileSync(file, text);
    const t = await readTableFile(file);
    assert.deepEqual(t.columns, csv.columns, name);
    assert.deepEqual(cells(t), canonical, name);
  }
  // the line of each row is where its object starts
  const t = await readJsonArray(join(tmp, "wine-lines.json"));
  assert.equal(t.lines?.[0], 2);
  assert.equal(t.lines?.[177], 179);
});

test("objects cut anywhere by the read chunks: strings with braces, escapes, nested values, late keys", async () => {
  const objects: Record<string, unknown>[] = [];
  for (let i = 0; i < 6000; i++) {
    const o: Record<string, unknown> = {
      id: i,
      text: `brace } and [ bracket ] and "quote" and \\ back\\slash ${"é€😀".repeat(i % 3)}`,
      nested: { a: [i, { b: "}" }], c: null },
      flag: i % 2 === 0,
    };
    if (i > 5000) o.late = `k${i % 4}`;
    objects.push(o);
  }
  const arr = join(tmp, "tricky.json");
  writeFileSync(arr, ` \n${JSON.stringify(objects, null, 3)}  \n`);
  const jl = join(tmp, "tricky.jsonl");
  writeFileSync(jl, objects.map((o) => JSON.stringify(o)).join("\n"));
  const a = await readJsonArray(arr);
  const b = await readJsonLines(jl);
  assert.ok(JSON.stringify(objects).length > 4 * 65536, "the file spans several 64 KiB chunks");
  assert.deepEqual(a.columns, ["id", "text", "nested", "flag", "late"]);
  assert.deepEqual(cells(a), cells(b));
  assert.equal(cellText(a, 3, 2), '{"a":[3,{"b":"}"}],"c":null}');
  assert.equal(cellText(a, 10, 4), "", "a key first seen late is missing before");
});

test("errors name the line and column, and the element", async () => {
  const cases: [string, string, RegExp][] = [
    [
      "not-object",
      '[{"a": 1},\n  2, {"a": 3}]',
      /line 2, column 3: element 2 of the array is a number, not an object/,
    ],
    ["string-element", '[\n"x"]', /line 2, column 1: element 1 of the array is a string, not an object/],
    [
      "nested-array",
      '[{"a": 1}, [1]]',
      /line 1, column 12: element 2 of the array is an array, not an object/,
    ],
    [
      "bad-json",
      '[{"a": 1},\n {"a": 1,\n  }]',
      /line 3, column 3: element 2 of the array is not valid JSON \(Expected double-quoted property name\)/,
    ],
    ["bad-token", '[{"a": 1},\n   {"a": tru}]', /line 2, column 4: element 2 of the array is not valid JSON/],
    [
      "missing-comma",
      '[{"a": 1} {"a": 2}]',
      /line 1, column 11: expected ',' or ']' after element 1 of the array, found '\{'/,
    ],
    ["trailing-comma", '[{"a": 1},\n]', /line 2, column 1: a '\]' right after a ','/],
    [
      "truncated",
      '[{"a": 1},\n  {"a": "b',
      /the file ends inside element 2 of the array \(which starts at line 2, column 3\)/,
    ],
    ["unclosed", '[{"a": 1}, ', /the file ends before the array's closing '\]'/],
    ["after-end", '[{"a": 1}]\n x', /line 2, column 2: unexpected 'x' after the end of the array/],
    ["empty-array", "[ ]", /the file is empty \(no JSON objects\)/],
  ];
  for (const [name, text, message] of cases) {
    const file = join(tmp, `${name}.json`);
    writeFileSync(file, text);
    await assert.rejects(
      readTableFile(file),
      (e: unknown) => e instanceof UserError && e.message.includes(file) && message.test(e.message),
      name,
    );
  }
  // on the command line: exit code 2, the message, no stack trace
  const r = runCli(["train", join(tmp, "not-object.json"), "--epochs", "1"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /line 2, column 3: element 2 of the array is a number/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});
