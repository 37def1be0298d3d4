import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { parquetWriteFile } from "hyparquet-writer";
import { readParquet } from "../src/data/parquet.js";
import { readTableFile } from "../src/data/read-table-file.js";
import { cellText, rowCount } from "../src/data/table.js";
import { ROOT, runCli } from "./helpers/cli.js";
import { csvToParquet } from "./helpers/csv-to-parquet.js";

const tmp = mkdtempSync(join(tmpdir(), "nncoach-parquet-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
const wineCsv = join(ROOT, "examples/wine.csv");
/** A CSV cell as a Parquet number column gives it back: numbers in their shortest form. */
const norm = (s: string) => (s.trim() === "" || Number.isNaN(Number(s)) ? s.trim() : String(Number(s)));

test("a Parquet file reads as the same table as the CSV it was written from, by content, in row groups", async () => {
  const pq = join(tmp, "wine.parquet");
  await csvToParquet(wineCsv, pq, 50); // 178 rows: 4 row groups
  assert.equal(readFileSync(pq).subarray(0, 4).toString("latin1"), "PAR1");
  const csv = await readTableFile(wineCsv);
  const misnamed = join(tmp, "wine-really-parquet.csv");
  copyFileSync(pq, misnamed);
  for (const t of [
    await readTableFile(pq),
    await readTableFile(misnamed),
    await readParquet(pq, { columnarFromCells: 0 }),
  ]) {
    assert.deepEqual(t.columns, csv.columns);
    assert.equal(rowCount(t), rowCount(csv));
    for (let r = 0; r < rowCount(csv); r++)
      for (let c = 0; c < csv.columns.length; c++)
        assert.equal(cellText(t, r, c), norm(cellText(csv, r, c)), `row ${r} column ${c}`);
  }
  assert.ok((await readParquet(pq, { columnarFromCells: 0 })).store);
});

test("Parquet values become the cells a CSV file would hold: nulls missing, float32 shortest, booleans, dates", async () => {
  const f = join(tmp, "types.parquet");
  parquetWriteFile({
    filename: f,
    columnData: [
      { name: "x", data: [1.5, null, -2], type: "DOUBLE" },
      { name: "f", data: [0.1, 2.5, null], type: "FLOAT" },
      { name: "n", data: [3, 4, null], type: "INT32" },
      { name: "s", data: ["a b", null, "c"], type: "STRING" },
      { name: "b", data: [true, false, null], type: "BOOLEAN" },
      {
        name: "t",
        data: [new Date("2024-03-01T00:00:00Z"), new Date("2024-03-01T12:30:05Z"), null],
        type: "TIMESTAMP",
      },
    ],
  });
  const t = await readTableFile(f);
  assert.deepEqual(t.rows, [
    ["1.5", "0.1", "3", "a b", "true", "2024-03-01"],
    ["", "2.5", "4", "", "false", "2024-03-01 12:30:05"],
    ["-2", "", "", "c", "", ""],
  ]);
  assert.equal(t.lines, undefined);
});

test("training and predicting on a Parquet file give the same result as on the CSV", async () => {
  const pq = join(tmp, "wine-train.parquet");
  await csvToParquet(wineCsv, pq, 64);
  const args = (data: string) => [
    "train",
    data,
    "--target",
    "cultivar",
    "--json",
    "--epochs",
    "5",
    "--threads",
    "2",
    "--seed",
    "3",
  ];
  const a = runCli(args(wineCsv));
  const b = runCli(args(pq));
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const losses = (r: typeof a) =>
    (r.json!.history as { train_loss: number; val_loss: number }[]).map((h) => [h.train_loss, h.val_loss]);
  assert.ok(losses(a).length > 0);
  assert.deepEqual(losses(b), losses(a));
  // a model trained on the CSV predicts the Parquet file's rows as it predicts the CSV's
  const dir = join(tmp, "model");
  assert.equal(runCli(["train", wineCsv, "--target", "cultivar", "--epochs", "5", "--save", dir]).code, 0);
  const outA = join(tmp, "a.csv");
  const outB = join(tmp, "b.csv");
  const pa = runCli(["predict", dir, wineCsv, "--out", outA]);
  const pb = runCli(["predict", dir, pq, "--out", outB]);
  assert.equal(pa.code, 0, pa.stderr);
  assert.equal(pb.code, 0, pb.stderr);
  assert.equal(readFileSync(outB, "utf8"), readFileSync(outA, "utf8"));
});

test("Parquet as DuckDB writes it (dictionary pages, data pages v2, Snappy, nulls in every type, row groups) reads as DuckDB's own CSV of it (numbers in shortest form)", async () => {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  const select = `SELECT i::INTEGER AS a, CASE WHEN i % 7 = 0 THEN NULL ELSE (i * 0.25)::DOUBLE END AS b,
    (i % 3)::VARCHAR || 'x' AS s, CASE WHEN i % 5 = 0 THEN NULL ELSE 'cat' || (i % 4) END AS c,
    CASE WHEN i % 13 = 0 THEN NULL ELSE i % 2 = 0 END AS flag, DATE '2020-01-01' + (i % 1000)::INTEGER AS d,
    TIMESTAMP '2020-01-01 10:00:00' + INTERVAL (i) SECOND AS ts, i::BIGINT * 1000 AS big,
    CASE WHEN i % 11 = 0 THEN NULL ELSE i END::INTEGER AS ni FROM range(0, 3000) t(i)`;
  const csv = join(tmp, "duck.csv");
  await conn.run(`COPY (${select}) TO '${csv}' (HEADER)`);
  const want = await readTableFile(csv);
  for (const [name, options] of [
    ["v1", "ROW_GROUP_SIZE 1000"],
    ["v2", "PARQUET_VERSION V2, ROW_GROUP_SIZE 700"],
    ["plain", "COMPRESSION uncompressed"],
  ]) {
    const pq = join(tmp, `duck-${name}.parquet`);
    await conn.run(`COPY (${select}) TO '${pq}' (FORMAT parquet, ${options})`);
    const t = await readTableFile(pq);
    assert.deepEqual(t.columns, want.columns);
    assert.equal(rowCount(t), 3000);
    for (let c = 0; c < t.columns.length; c++)
      for (let r = 0; r < 3000; r++)
        assert.equal(
          cellText(t, r, c),
          norm(cellText(want, r, c)),
          `${name}: row ${r} column ${t.columns[c]}`,
        );
    // the numbers of DOUBLE and INT32 columns are stored as numbers, missing as NaN
    const store = (await readParquet(pq, { columnarFromCells: 0 })).store!;
    const b = store.numbers(t.columns.indexOf("b"))!;
    assert.ok(Number.isNaN(b.values[0]!) && b.values[1] === 0.25 && b.text.size === 0, name);
  }
  conn.closeSync();
});

test("a Parquet file compressed with a codec the reader lacks: a clear error", async () => {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const conn = await (await DuckDBInstance.create(":memory:")).connect();
  const pq = join(tmp, "zstd.parquet");
  await conn.run(`COPY (SELECT range AS x FROM range(10)) TO '${pq}' (FORMAT parquet, COMPRESSION zstd)`);
  await assert.rejects(
    readTableFile(pq),
    /zstd\.parquet: cannot decode Parquet column 'x' \(.*ZSTD\)[\s\S]*hint: .*Snappy/,
  );
  conn.closeSync();
});
