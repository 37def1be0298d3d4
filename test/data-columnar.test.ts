import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { inferColumnTypes } from "../src/data/column-types.js";
import { ColumnStore, numberForm } from "../src/data/columnar.js";
import { readTable } from "../src/data/csv.js";
import { readJsonLines } from "../src/data/json-lines.js";
import { loadProgress } from "../src/data/load-progress.js";
import { cellText, rowCount, type Table } from "../src/data/table.js";
import { rowsWithTarget, TabularPreprocessor } from "../src/data/tabular-preprocessor.js";
import { Random } from "../src/util/random.js";

const dataDir = fileURLToPath(new URL("../../test/data/", import.meta.url));
const sharedDir = "/work/shared/datasets";
const tmp = mkdtempSync(join(tmpdir(), "nncoach-columnar-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Every cell of `a` (plain rows) equals the columnar table `b`'s, read both ways. */
function assertSameCells(a: Table, b: Table): void {
  assert.ok(b.store, "the columnar read has a store");
  assert.deepEqual(b.columns, a.columns);
  assert.equal(rowCount(b), a.rows.length);
  assert.equal(b.rows.length, a.rows.length);
  assert.deepEqual(b.notes, a.notes);
  for (let r = 0; r < a.rows.length; r++) {
    assert.equal(b.lines?.[r], a.lines?.[r]);
    assert.deepEqual(b.rows[r], a.rows[r], `row ${r}`);
    for (let c = 0; c < a.columns.length; c++) assert.equal(cellText(b, r, c), a.rows[r]![c]);
  }
}

test("numberForm keeps exactly the text it can give back, and the store gives every cell back", () => {
  const rng = new Random(3);
  const cells: string[] = [
    "0",
    "-0",
    "0.0",
    "-0.0",
    "1.",
    ".5",
    "+1",
    "01234",
    "1e5",
    "0.000001",
    "0.0000001",
    "0.00000100",
    "123456789012345",
    "1234567890123456",
    "12.500",
    "-3.25",
    "NA",
    "",
    " 4",
    "1,5",
    "0.1234567890123456789",
  ];
  for (let i = 0; i < 3000; i++) {
    const v = (rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 10 - 3);
    const d = Math.floor(rng.next() * 10);
    cells.push(v.toFixed(d), String(v), String(Math.round(v)));
  }
  const s = new ColumnStore(1);
  for (const c of cells) s.push([c]);
  s.finish();
  for (let r = 0; r < cells.length; r++)
    assert.equal(s.cell(r, 0), cells[r], `cell ${JSON.stringify(cells[r])}`);
  assert.equal(numberForm("-0"), -1);
  assert.equal(numberForm("01234"), -1);
  assert.equal(numberForm("12.500"), 4);
  assert.equal(numberForm("0.5"), 0);
  assert.ok(s.numbers(0), "mostly numbers: kept as a number column");
  // the value is the double Number(cell) gives, to the bit
  const { values } = s.numbers(0)!;
  for (let r = 0; r < cells.length; r++)
    if (!Number.isNaN(values[r]!)) assert.equal(values[r], Number(cells[r]), `value of ${cells[r]}`);
});

test("a column of words becomes a dictionary column; a few words in a number column stay text beside it", () => {
  const s = new ColumnStore(2);
  for (let i = 0; i < 1000; i++)
    s.push([i % 3 === 0 ? "red" : i % 3 === 1 ? "green" : "blue", i === 7 ? "n/a" : String(i / 4)]);
  s.finish();
  assert.deepEqual(s.dictionary(0), ["red", "green", "blue"]);
  assert.equal(s.numbers(1)?.text.get(7), "n/a");
  assert.equal(s.cell(7, 1), "n/a");
  assert.equal(s.cell(8, 1), "2");
  assert.equal(s.cell(5, 0), "blue");
});

test("readTable gives the same cells, lines and notes columnar as in plain rows, for every test CSV", async () => {
  const files = [
    ...readdirSync(join(dataDir, "csv"))
      .filter((f) => /\.(csv|tsv|txt)$/.test(f))
      .map((f) => join(dataDir, "csv", f)),
    join(dataDir, "iris.csv"),
    join(dataDir, "house_votes84.csv"),
    ...readdirSync(join(dataDir, "audit")).map((f) => join(dataDir, "audit", f)),
  ];
  let compared = 0;
  for (const f of files) {
    let plain: Table;
    try {
      plain = await readTable(f);
    } catch (e) {
      // a file the reader refuses is refused the same way columnar
      await assert.rejects(readTable(f, { columnarFromCells: 0 }), { message: (e as Error).message });
      continue;
    }
    assert.equal(plain.store, undefined, `${f} is small: plain rows`);
    assertSameCells(plain, await readTable(f, { columnarFromCells: 0 }));
    compared++;
  }
  assert.ok(compared >= 8, `compared ${compared} files`);
});

test("decimal commas are read columnar as they are in plain rows", async () => {
  const lines = ["a;b;c;y"];
  for (let i = 0; i < 300; i++) lines.push(`${i},5;${i % 7 === 0 ? "" : `${i}.000,25`};x${i % 3};${i % 2}`);
  const f = join(tmp, "comma.csv");
  writeFileSync(f, `${lines.join("\n")}\n`);
  const plain = await readTable(f);
  const columnar = await readTable(f, { columnarFromCells: 0 });
  assertSameCells(plain, columnar);
  assert.equal(cellText(columnar, 1, 0), "1.5");
  assert.ok(columnar.notes?.some((n) => /decimal comma/.test(n)));
});

test("type inference, preprocessing and errors are the same on a columnar table", async () => {
  for (const name of ["breast_cancer.csv", "diabetes.csv", "wine.csv", "house_votes84.csv", "iris.csv"]) {
    const f = join(sharedDir, name);
    const plain = await readTable(f);
    const columnar = await readTable(f, { columnarFromCells: 0 });
    assert.deepEqual(inferColumnTypes(columnar), inferColumnTypes(plain), name);
    const target = plain.columns[plain.columns.length - 1]!;
    const rows = rowsWithTarget(plain, target).rows;
    assert.deepEqual(rowsWithTarget(columnar, target).rows, rows);
    const train = rows.filter((r) => r % 5 !== 0);
    const a = TabularPreprocessor.fit(plain, train, target);
    const b = TabularPreprocessor.fit(columnar, train, target);
    assert.deepEqual(b.featureNames, a.featureNames, name);
    assert.deepEqual(b.transformFeatures(columnar, rows), a.transformFeatures(plain, rows), name);
    assert.deepEqual(b.transformTarget(columnar, rows), a.transformTarget(plain, rows), name);
  }
  // a word in a numeric column: the same message naming file, row, line and value
  const lines = ["x,z,y"];
  for (let i = 0; i < 100; i++) lines.push(`${i / 8},${i % 4},${i % 2 ? "yes" : "no"}`);
  lines.push("abc,1,yes");
  const f = join(tmp, "bad.csv");
  writeFileSync(f, `${lines.join("\n")}\n`);
  const plain = await readTable(f);
  const columnar = await readTable(f, { columnarFromCells: 0 });
  const train = Array.from({ length: 80 }, (_, i) => i);
  const pre = TabularPreprocessor.fit(plain, train, "y");
  const msg = (() => {
    try {
      pre.transformFeatures(plain);
    } catch (e) {
      return (e as Error).message;
    }
    return "";
  })();
  assert.match(msg, /abc/);
  assert.match(msg, /line 102/);
  assert.throws(() => TabularPreprocessor.fit(columnar, train, "y").transformFeatures(columnar), {
    message: msg,
  });
});

test("a long load shows rows, rate, share and time left on one line, and clears it; nothing under --json", async () => {
  const written: string[] = [];
  const stream = { isTTY: true, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
  let t = 0;
  const f = join(tmp, "progress.csv");
  writeFileSync(f, "a,b\n1,2\n");
  assert.equal(loadProgress(f, { stream }), undefined, "a small file: no progress");
  assert.equal(loadProgress(f, { stream, json: true, force: true }), undefined, "--json: no progress");
  const p = loadProgress(f, { stream, force: true, now: () => t })!;
  t = 100;
  p.update(10, 100, 1000);
  assert.equal(written.length, 0, "at most twice a second");
  t = 2000;
  p.update(25, 100, 500_000);
  assert.match(written[0]!, /reading progress\.csv: 500,000 rows, 250,000 rows\/s, 25%, about 6 s left/);
  p.end();
  assert.equal(written[1], "\r\x1b[K");
});

test("JSON Lines stream into the same store: a key first seen late adds a column, missing before", async () => {
  const f = join(tmp, "late.jsonl");
  const lines: string[] = [];
  for (let i = 0; i < 50; i++) lines.push(JSON.stringify({ x: i / 2, label: i % 2 ? "a" : "b" }));
  lines.push("");
  lines.push(JSON.stringify({ x: 1.25, extra: [1, 2], label: null, flag: true }));
  writeFileSync(f, `${lines.join("\n")}\n`);
  for (const columnarFromCells of [0, undefined]) {
    const t = await readJsonLines(f, { columnarFromCells });
    assert.equal(t.store !== undefined, columnarFromCells === 0);
    assert.deepEqual(t.columns, ["x", "label", "extra", "flag"]);
    assert.equal(rowCount(t), 51);
    assert.deepEqual(t.rows[0], ["0", "b", "", ""]);
    assert.deepEqual(t.rows[50], ["1.25", "", "[1,2]", "true"]);
    assert.equal(t.lines?.[50], 52);
  }
});
