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
