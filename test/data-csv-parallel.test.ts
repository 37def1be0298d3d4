import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { inferColumnTypes } from "../src/data/column-types.js";
import { ColumnStore } from "../src/data/columnar.js";
import { readTable } from "../src/data/csv.js";
import { csvReadCounts } from "../src/data/csv-parallel.js";
import { cellText, rowCount, type Table } from "../src/data/table.js";
import { rowsWithTarget, TabularPreprocessor } from "../src/data/tabular-preprocessor.js";
import { Random } from "../src/util/random.js";

const dataDir = fileURLToPath(new URL("../../test/data/", import.meta.url));
const sharedDir = "/work/shared/datasets";
const tmp = mkdtempSync(join(tmpdir(), "nncoach-csv-parallel-"));
after(() => {
  rmSync(tmp, { recursive: true, force: true });
  delete process.env.NNCOACH_CSV_THREADS;
});

/** The file read by one thread (the text parser) and from bytes on `threads` threads, columnar both ways. */
async function bothWays(file: string, threads: number): Promise<{ serial: Table; parallel: Table }> {
  const serial = await readTable(file, { columnarFromCells: 0, parallelFromBytes: Number.POSITIVE_INFINITY });
  process.env.NNCOACH_CSV_THREADS = String(threads);
  try {
    const parallel = await readTable(file, { columnarFromCells: 0, parallelFromBytes: 0 });
    return { serial, parallel };
  } finally {
    delete process.env.NNCOACH_CSV_THREADS;
  }
}

/** Same cells, lines, notes, column kinds and dictionaries (in the same order), and the same inferred types. */
function assertSameTable(a: Table, b: Table, what: string): void {
  assert.deepEqual(b.columns, a.columns, what);
  assert.deepEqual(b.notes, a.notes, what);
  assert.equal(rowCount(b), rowCount(a), what);
  const sa = a.store!;
  const sb = b.store!;
  for (let r = 0; r < rowCount(a); r++) {
    assert.equal(b.lines?.[r], a.lines?.[r], `${what}: line of row ${r}`);
    for (let c = 0; c < a.columns.length; c++)
      assert.equal(cellText(b, r, c), cellText(a, r, c), `${what}: row ${r}, column ${c}`);
  }
  for (let c = 0; c < a.columns.length; c++) {
    assert.equal(sb.isNumberColumn(c), sa.isNumberColumn(c), `${what}: kind of column ${c}`);
    assert.deepEqual(sb.dictionary(c), sa.dictionary(c), `${what}: dictionary of column ${c}`);
  }
  assert.deepEqual(inferColumnTypes(b), inferColumnTypes(a), what);
}

test("read on 2-4 threads from bytes, the shared datasets and test CSVs give the one-thread table", async () => {
  const files = [
    join(sharedDir, "digits.csv"),
    join(sharedDir, "breast_cancer.csv"),
    join(sharedDir, "boston_housing.csv"),
    join(sharedDir, "house_votes84.csv"),
    join(sharedDir, "iris.csv"),
    ...readdirSync(join(dataDir, "csv"))
      .filter((f) => /\.(csv|tsv|txt)$/.test(f))
      .map((f) => join(dataDir, "csv", f)),
  ];
  const before = csvReadCounts.parallel;
  let compared = 0;
  for (const f of files) {
    for (const threads of [2, 3, 4]) {
      let pair: { serial: Table; parallel: Table };
      try {
        pair = await bothWays(f, threads);
      } catch (e) {
        // a file the reader refuses is refused with the same message
        process.env.NNCOACH_CSV_THREADS = String(threads);
        await assert.rejects(readTable(f, { parallelFromBytes: 0 }), { message: (e as Error).message });
        delete process.env.NNCOACH_CSV_THREADS;
        continue;
      }
      assertSameTable(pair.serial, pair.parallel, `${f} on ${threads} threads`);
      compared++;
    }
  }
  assert.ok(compared >= 15, `compared ${compared} reads`);
  // digits (1,797 rows) and breast_cancer (569) hold the 256 header-deciding rows in the first range
  assert.ok(csvReadCounts.parallel - before >= 4, `${csvReadCounts.parallel - before} reads in parallel`);
});

/** A CSV with quoted fields (delimiters, doubled quotes, line breaks inside), missing cells, CRLF and LF
 * line ends, blank lines, decimals written with trailing zeros, long numbers, non-ASCII text, and a
 * number column that turns into words late in the file. */
function trickyCsv(rows: number, seed: number): string {
  const rng = new Random(seed);
  const out = ["id,x,price,name,late,note,y"];
  for (let r = 0; r < rows; r++) {
    const x = rng.next() < 0.05 ? "" : (rng.next() * 100 - 50).toFixed(3);
    const price = rng.next() < 0.02 ? "NA" : rng.next() < 0.1 ? "0.1234567890123456" : (r * 0.5).toFixed(2);
    const name = ["ann", "bob", "\u00e9mile", "zo\u00eb"][r % 4]!;
    const late = r > rows * 0.8 && rng.next() < 0.5 ? "n/a" : String(r % 17);
    let note = "";
    const k = rng.next();
    if (k < 0.03) note = `"line one\nline two, with a comma"`;
    else if (k < 0.06) note = `"she said ""hi"""`;
    else if (k < 0.08) note = `"crlf\r\ninside"`;
    else if (k < 0.5) note = `w${Math.floor(rng.next() * 40)}`;
    const y = rng.next() < 0.5 ? "yes" : "no";
    out.push(`${r},${x},${price},${name},${late},${note},${y}`);
    if (rng.next() < 0.01) out.push("");
  }
  return out.map((l, i) => l + (i % 3 === 0 ? "\r\n" : "\n")).join("");
}

test("a generated file with quotes, line breaks in quotes, missing cells and a late type surprise reads the same", async () => {
  const f = join(tmp, "tricky.csv");
  writeFileSync(f, trickyCsv(4000, 7));
  const before = { ...csvReadCounts };
  for (const threads of [2, 3, 5, 8]) {
    const { serial, parallel } = await bothWays(f, threads);
    assertSameTable(serial, parallel, `tricky.csv on ${threads} threads`);
  }
  assert.ok(csvReadCounts.parallel > before.parallel, "some reads cut the file between rows");

  // a quoted field spanning the middle of the file: the cut falls inside quotes; the read is given up and
  // the file read by one thread
  const lines = ["a,b,c"];
  for (let i = 0; i < 600; i++) lines.push(`${i},${i % 3},x${i % 5}`);
  const quoted = Array.from({ length: 3000 }, (_, i) => `inside ${i}`).join("\n");
  lines.push(`600,0,"${quoted}"`);
  for (let i = 601; i < 700; i++) lines.push(`${i},${i % 3},x${i % 5}`);
  const g = join(tmp, "quoted-middle.csv");
  writeFileSync(g, `${lines.join("\n")}\n`);
  const givenUp = csvReadCounts.givenUp;
  const { serial, parallel } = await bothWays(g, 2);
  assertSameTable(serial, parallel, "quoted-middle.csv");
  assert.equal(csvReadCounts.givenUp, givenUp + 1);
  assert.equal(cellText(parallel, 600, 2), quoted);
  assert.equal(parallel.lines?.[601], 603 + 2999);
});

test("an error in a later byte range names the file's line, as the one-thread read does", async () => {
  const good = (i: number) => `${i},${(i / 7).toFixed(4)},${i % 2 ? "yes" : "no"}`;
  const cases: { name: string; bad: string | Buffer; message: RegExp }[] = [
    { name: "width", bad: "1700,0.5", message: /line 1702: expected 3 cells \(as on line 1\) but found 2/ },
    {
      name: "utf8",
      bad: Buffer.from([0x31, 0x2c, 0xff, 0xfe, 0x2c, 0x79]),
      message: /line 1702: .*not valid UTF-8/,
    },
    { name: "quote", bad: '1700,"open,yes', message: /line 1702: a quoted field is never closed/ },
  ];
  for (const c of cases) {
    const head = Array.from({ length: 1700 }, (_, i) => good(i));
    const tail = Array.from({ length: 300 }, (_, i) => good(1701 + i));
    const parts = [
      Buffer.from(`x,z,y\n${head.join("\n")}\n`),
      Buffer.isBuffer(c.bad) ? c.bad : Buffer.from(c.bad),
      Buffer.from(c.name === "quote" ? "\n" : `\n${tail.join("\n")}\n`),
    ];
    const f = join(tmp, `bad-${c.name}.csv`);
    writeFileSync(f, Buffer.concat(parts));
    const serialMessage = await readTable(f, { parallelFromBytes: Number.POSITIVE_INFINITY }).then(
      () => "",
      (e: Error) => e.message,
    );
    assert.match(serialMessage, c.message, c.name);
    for (const threads of [2, 3]) {
      process.env.NNCOACH_CSV_THREADS = String(threads);
      await assert.rejects(readTable(f, { parallelFromBytes: 0 }), { message: serialMessage }, c.name);
      delete process.env.NNCOACH_CSV_THREADS;
    }
  }
});

test("appending stores builds the store that pushing every row builds (a column turning into words late)", () => {
  const rng = new Random(5);
  const rows: string[][] = [];
  for (let r = 0; r < 3000; r++) {
    const late = r > 1800 ? `w${r % 9}` : String(r % 11);
    const few = r % 500 === 0 ? "NA" : (rng.next() * 10).toFixed(2);
    const words = r < 100 ? String(r) : `c${r % 4}`;
    rows.push([late, few, words, r % 3 === 0 ? "1.50" : "2"]);
  }
  const whole = new ColumnStore(4);
  for (const [r, row] of rows.entries()) whole.push(row, r + 2);
  for (const cuts of [[1000, 2000], [50, 1850], [1801], [10, 20, 2999]]) {
    const bounds = [0, ...cuts, rows.length];
    const first = new ColumnStore(4);
    for (let r = 0; r < bounds[1]!; r++) first.push(rows[r]!, r + 2);
    const parts: ColumnStore[] = [];
    const offsets: number[] = [];
    for (let k = 1; k + 1 < bounds.length; k++) {
      const part = new ColumnStore(4);
      for (let r = bounds[k]!; r < bounds[k + 1]!; r++) part.push(rows[r]!, r - bounds[k]! + 1);
      parts.push(ColumnStore.fromTransfer(part.toTransfer().data));
      offsets.push(bounds[k]! + 1);
    }
    first.appendStores(parts, offsets);
    first.finish();
    assert.equal(first.length, whole.length);
    assert.deepEqual(Array.from(first.lines), Array.from(whole.lines.subarray(0, whole.length)));
    for (let c = 0; c < 4; c++) {
      assert.equal(first.isNumberColumn(c), whole.isNumberColumn(c), `column ${c}, cuts ${cuts}`);
      assert.deepEqual(first.dictionary(c), whole.dictionary(c));
      for (let r = 0; r < rows.length; r++) assert.equal(first.cell(r, c), rows[r]![c]);
    }
  }
});

test("a columnar table with missing numbers gives the features of plain rows (missing indicators in place)", async () => {
  const rng = new Random(11);
  const lines = ["a,b,c,y"];
  for (let i = 0; i < 500; i++) {
    const cell = () => (rng.next() < 0.1 ? "" : (rng.next() * 4 - 2).toFixed(3));
    lines.push(`${cell()},${cell()},${i % 5},${rng.next() < 0.5 ? "yes" : "no"}`);
  }
  const f = join(tmp, "missing.csv");
  writeFileSync(f, `${lines.join("\n")}\n`);
  const plain = await readTable(f);
  const columnar = await readTable(f, { columnarFromCells: 0 });
  assert.ok(columnar.store && !plain.store);
  const rows = rowsWithTarget(plain, "y").rows;
  const train = rows.filter((r) => r % 4 !== 0);
  const a = TabularPreprocessor.fit(plain, train, "y");
  const b = TabularPreprocessor.fit(columnar, train, "y");
  assert.ok(a.featureNames.includes("a:missing"));
  assert.deepEqual(b.transformFeatures(columnar, rows), a.transformFeatures(plain, rows));
});

test("a delimiter the parser refuses is refused on the parallel path too", async () => {
  const f = join(sharedDir, "digits.csv");
  for (const delimiter of ['"', "ab", "\n"]) {
    const serial = await readTable(f, { delimiter, parallelFromBytes: Number.POSITIVE_INFINITY }).then(
      () => "",
      (e: Error) => e.message,
    );
    assert.match(serial, /delimiter must be one character/);
    await assert.rejects(readTable(f, { delimiter, parallelFromBytes: 0 }), { message: serial });
  }
});
