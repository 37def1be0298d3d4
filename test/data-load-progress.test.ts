/**
 * Progress of long table loads: JSON Lines and JSON arrays report characters read, the file's size and rows
 * as CSV does (the numbers a LoadProgress line shows), and a CSV read on several threads reports them too.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadProgress } from "../src/data/load-progress.js";
import { readTableFile } from "../src/data/read-table-file.js";
import { rowCount } from "../src/data/table.js";

const tmp = mkdtempSync(join(tmpdir(), "nncoach-load-progress-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const ROWS = 20_000;
const objects = Array.from({ length: ROWS }, (_, i) => ({
  x: i / 4,
  y: (i * 7) % 13,
  label: i % 3 ? "a" : "b",
}));

/** The (done, total, rows) calls of a read of `file`. */
async function progressOf(file: string): Promise<[number, number, number][]> {
  const calls: [number, number, number][] = [];
  const table = await readTableFile(file, {
    onProgress: (done, total, rows) => calls.push([done, total, rows]),
  });
  assert.equal(rowCount(table), ROWS);
  return calls;
}

function assertProgress(calls: [number, number, number][], file: string): void {
  const size = statSync(file).size;
  assert.ok(calls.length >= 3, `${file}: ${calls.length} calls`);
  for (let i = 1; i < calls.length; i++) {
    assert.ok(calls[i]![0] >= calls[i - 1]![0], "characters read only grow");
    assert.ok(calls[i]![2] >= calls[i - 1]![2], "rows only grow");
  }
  for (const [, total] of calls) assert.equal(total, size);
  const [done, , rows] = calls[calls.length - 1]!;
  assert.equal(done, size, "all of an ASCII file read");
  assert.ok(rows >= ROWS - 1 && rows <= ROWS, `rows at the end: ${rows}`);
  assert.ok(calls[0]![2] < ROWS, "the first call comes before the last row");
}

test("JSON Lines and JSON arrays report their progress as CSV does", async () => {
  const jsonl = join(tmp, "rows.jsonl");
  writeFileSync(jsonl, `${objects.map((o) => JSON.stringify(o)).join("\n")}\n`);
  assertProgress(await progressOf(jsonl), jsonl);
  const array = join(tmp, "rows.json");
  writeFileSync(array, `[\n${objects.map((o) => `  ${JSON.stringify(o)}`).join(",\n")}\n]\n`);
  assertProgress(await progressOf(array), array);
  const csv = join(tmp, "rows.csv");
  writeFileSync(csv, `x,y,label\n${objects.map((o) => `${o.x},${o.y},${o.label}`).join("\n")}\n`);
  assertProgress(await progressOf(csv), csv);

  // the line a terminal shows for a JSON Lines file
  const written: string[] = [];
  const stream = { isTTY: true, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
  let t = 0;
  const p = loadProgress(jsonl, { stream, force: true, now: () => t })!;
  const calls = await progressOf(jsonl);
  for (const [i, [done, total, rows]] of calls.entries()) {
    t = 1000 * (i + 1);
    p.update(done, total, rows);
  }
  p.end();
  assert.ok(written[0]!.startsWith("\r\x1b[K"));
  assert.match(
    written[0]!.slice(4),
    /^reading rows\.jsonl: [\d,]+ rows, [\d,]+ rows\/s, \d+%, about \d+ s left$/,
  );
  assert.equal(written[written.length - 1], "\r\x1b[K");
  // quiet under --json and when stderr is not a terminal
  assert.equal(loadProgress(jsonl, { stream, json: true, force: true }), undefined);
  assert.equal(loadProgress(jsonl, { stream: { isTTY: false } as NodeJS.WriteStream }), undefined);
});

test("a CSV read on several threads reports the bytes and rows of every range, ending at the whole file", async () => {
  const csv = join(tmp, "wide.csv");
  const lines = ["a,b,c,d,label"];
  for (let i = 0; i < 60_000; i++)
    lines.push(`${i % 97},${(i / 3).toFixed(3)},${i % 5},${i * 2},${i % 2 ? "yes" : "no"}`);
  writeFileSync(csv, `${lines.join("\n")}\n`);
  process.env.NNCOACH_CSV_THREADS = "2";
  try {
    const calls: [number, number, number][] = [];
    const table = await readTableFile(csv, {
      parallelFromBytes: 0,
      onProgress: (done, total, rows) => calls.push([done, total, rows]),
    });
    assert.equal(rowCount(table), 60_000);
    const size = statSync(csv).size;
    assert.deepEqual(calls[calls.length - 1], [size, size, 60_000]);
    assert.ok(calls.length >= 2);
  } finally {
    delete process.env.NNCOACH_CSV_THREADS;
  }
});
