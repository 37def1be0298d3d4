import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { PNG } from "pngjs";
import { prepareAuditData } from "../src/data/audit/audit-data.js";
import { findExactDuplicates } from "../src/data/audit/duplicates.js";
import { findDuplicateImages } from "../src/data/audit/image-duplicates.js";
import { runImageFolderAudit } from "../src/data/audit/image-folder-audit.js";
import { findNearDuplicates } from "../src/data/audit/near-duplicates.js";
import { runAudit } from "../src/data/audit/run-audit.js";
import { readTableFile } from "../src/data/read-table-file.js";
import { DEFAULT_FRACTIONS, stratifiedSplit } from "../src/data/split.js";
import type { Table } from "../src/data/table.js";
import { Random } from "../src/util/random.js";

const dataPath = (name: string) => fileURLToPath(new URL(`../../test/data/audit/${name}`, import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "nncoach-audit-dup-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const table = (source: string, columns: string[], rows: string[][]): Table => ({ source, columns, rows });

/** Inserts `rows` into `into` at seeded positions; returns the new rows and where each inserted row landed. */
function insertAt(into: string[][], rows: string[][], rng: Random): { rows: string[][]; at: number[] } {
  const out = [...into];
  for (const r of rows) out.splice(rng.int(out.length + 1), 0, r);
  return { rows: out, at: rows.map((r) => out.indexOf(r)) };
}

test("20 training rows copied into validation and test files are all reported with file and split", async () => {
  const all = await readTableFile(dataPath("breast_cancer.csv"));
  const rng = new Random(3);
  const trainRows = all.rows.slice(0, 400);
  const copied = rng.permutation(400).slice(0, 20);
  const val = insertAt(
    all.rows.slice(400, 485),
    copied.slice(0, 10).map((i) => trainRows[i]!),
    rng,
  );
  const tst = insertAt(
    all.rows.slice(485),
    copied.slice(10).map((i) => trainRows[i]!),
    rng,
  );
  const report = runAudit(
    {
      train: table("train.csv", all.columns, trainRows),
      validation: table("val.csv", all.columns, val.rows),
      test: table("test.csv", all.columns, tst.rows),
    },
    "diagnosis",
  );
  copied.forEach((trainRow, k) => {
    const [file, row, split] =
      k < 10 ? ["val.csv", val.at[k]!, "validation"] : ["test.csv", tst.at[k - 10]!, "test"];
    const group = report.duplicates.find((g) =>
      g.rows.some((r) => r.file === "train.csv" && r.row === trainRow),
    );
    assert.ok(group, `training row ${trainRow} is not reported`);
    assert.equal(group.kind, "exact");
    assert.ok(group.cross_split);
    assert.ok(group.same_target);
    assert.deepEqual(
      group.rows.map((r) => [r.file, r.split, r.row]),
      [
        ["train.csv", "train", trainRow],
        [file, split, row],
      ],
    );
  });
  assert.equal(report.duplicates.length, 20);
  assert.equal(report.duplicate_summary.cross_split_groups, 20);
  assert.equal(report.duplicate_summary.evaluation_rows_seen_in_training, 20);
  assert.deepEqual(
    report.files.map((f) => [f.path, f.split, f.rows]),
    [
      ["train.csv", "train", 400],
      ["val.csv", "validation", 95],
      ["test.csv", "test", 94],
    ],
  );
  const finding = report.findings[0]!;
  assert.equal(finding.severity, "high");
  assert.equal(finding.check, "duplicates");
  assert.match(finding.message, /^20 validation\/test rows repeat training rows/);
});

test("with a single file, rows are tagged with the split nncoach train would make (rows with a target)", async () => {
  const all = await readTableFile(dataPath("wine.csv"));
  const t = all.columns.length - 1;
  const unlabelled = [...all.rows[7]!];
  unlabelled[t] = "";
  const copies = [3, 50, 77, 120, 150].map((i) => all.rows[i]!);
  const rows = [...all.rows.slice(0, 100), unlabelled, ...all.rows.slice(100), ...copies];
  const seed = 5;
  const data = prepareAuditData({ train: table("wine.csv", all.columns, rows) }, "cultivar", { seed });
  // nncoach train: the rows with a target, stratified on their target cells, DEFAULT_FRACTIONS, the seed.
  const labelled = rows.map((_, i) => i).filter((i) => rows[i]![t] !== "");
  const split = stratifiedSplit(
    labelled.map((i) => rows[i]![t]!),
    DEFAULT_FRACTIONS,
    seed,
  );
  const expected = new Map<number, string>([[100, "train"]]);
  for (const k of split.train) expected.set(labelled[k]!, "train");
  for (const k of split.val) expected.set(labelled[k]!, "validation");
  for (const k of split.test) expected.set(labelled[k]!, "test");
  assert.deepEqual(
    data.refs.map((r) => r.split),
    rows.map((_, i) => expected.get(i)),
  );
  const groups = findExactDuplicates(data);
  assert.deepEqual(
    groups.map((g) => g.rows.map((r) => r.row)).sort((a, b) => a[0]! - b[0]!),
    [
      [3, 179],
      [7, 100],
      [50, 180],
      [77, 181],
      [121, 182],
      [151, 183],
    ],
  );
  for (const g of groups) assert.equal(g.cross_split, g.rows[0]!.split !== g.rows[1]!.split);
  assert.equal(groups.find((g) => g.rows[0]!.row === 7)!.same_target, false);
});

test("same inputs with different targets are flagged as conflicting; '1.0' equals '1'", () => {
  const t = table(
    "t.csv",
    ["a", "b", "y"],
    [
      ["1", "x", "p"],
      ["1.0", "x", "q"],
      ["2", "x", "p"],
      ["2", "y", "p"],
      ["", "y", "p"],
      ["", "y", "p"],
    ],
  );
  const groups = findExactDuplicates(prepareAuditData({ train: t }, "y", { task: "classification" }));
  assert.deepEqual(
    groups.map((g) => [g.rows.map((r) => r.row), g.same_target]),
    [
      [[0, 1], false],
      [[4, 5], true],
    ],
  );
});

test("near duplicates: a row nudged by a tiny amount is found, distinct rows are not", async () => {
  const all = await readTableFile(dataPath("breast_cancer.csv"));
  assert.deepEqual(findNearDuplicates(prepareAuditData({ train: all }, "diagnosis")).groups, []);
  const nudged = [...all.rows[10]!];
  nudged[0] = String(Number(nudged[0]) * 1.001); // mean_radius moved by ~0.005 std
  const other = [...all.rows[20]!];
  other[0] = String(Number(other[0]) + 3.5); // ~1 std: not a near duplicate (RMS 0.18)
  const data = prepareAuditData(
    { train: table("bc.csv", all.columns, [...all.rows, nudged, other]) },
    "diagnosis",
  );
  const { groups, truncated } = findNearDuplicates(data);
  assert.equal(truncated, false);
  assert.equal(groups.length, 1);
  assert.deepEqual(
    groups[0]!.rows.map((r) => r.row),
    [10, 569],
  );
  assert.equal(groups[0]!.kind, "near");
  assert.ok(groups[0]!.max_distance! > 0 && groups[0]!.max_distance! < 0.02);
  // A larger limit links the far copy too.
  const wide = findNearDuplicates(data, { maxDistance: 0.25 }).groups;
  assert.ok(wide.some((g) => g.rows.some((r) => r.row === 570) && g.rows.some((r) => r.row === 20)));
  // The seed only changes the projection used to search, never the answer.
  assert.deepEqual(findNearDuplicates(data, { seed: 9 }).groups, groups);
});

function writePng(path: string, size: number, pixel: (x: number, y: number) => number, gray = false): void {
  const png = new PNG({ width: size, height: size, colorType: gray ? 0 : 6, inputColorType: 6 });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++)
      png.data.set([pixel(x, y), pixel(x, y), pixel(x, y), 255], 4 * (y * size + x));
  }
  writeFileSync(path, PNG.sync.write(png, { colorType: gray ? 0 : 6, inputColorType: 6 }));
}

test("image duplicates are found by decoded pixels across folders, with splits and labels", async () => {
  const root = join(tmp, "images");
  for (const dir of ["train/cat", "train/dog", "val/cat", "val/dog", "test/dog"])
    mkdirSync(join(root, dir), { recursive: true });
  const a = (x: number, y: number) => (x * 31 + y * 7) % 256;
  const b = (x: number, y: number) => (x * y) % 256;
  const c = (x: number, y: number) => (x + y) * 9;
  writePng(join(root, "train/cat/1.png"), 8, a);
  writePng(join(root, "train/cat/2.png"), 8, c);
  writePng(join(root, "train/dog/3.png"), 8, b);
  writePng(join(root, "val/cat/4.png"), 8, a, true); // same picture as train/cat/1.png, stored as grayscale PNG
  writePng(join(root, "val/dog/5.png"), 8, (x, y) => c(x, y) + 1);
  writePng(join(root, "test/dog/6.png"), 8, c); // same as train/cat/2.png but filed as a dog

  const report = await runImageFolderAudit({
    train: join(root, "train"),
    validation: join(root, "val"),
    test: join(root, "test"),
  });
  const summary = report.duplicates.map((g) => g.rows.map((r) => `${r.split}:${r.target}:${r.row}`));
  assert.deepEqual(summary, [
    ["train:cat:1", "test:dog:0"],
    ["train:cat:0", "validation:cat:0"],
  ]);
  assert.equal(report.duplicates[0]!.same_target, false);
  assert.equal(report.duplicates[1]!.same_target, true);
  assert.equal(report.duplicate_summary.evaluation_rows_seen_in_training, 2);
  assert.equal(report.imbalance!.ratio, 1);
  assert.deepEqual(report.imbalance!.per_split, {
    train: { cat: 2, dog: 1 },
    validation: { cat: 1, dog: 1 },
    test: { cat: 0, dog: 1 },
  });

  writeFileSync(join(tmp, "x.bin"), "same bytes");
  writeFileSync(join(tmp, "y.bin"), "same bytes");
  const groups = await findDuplicateImages([
    join(tmp, "x.bin"),
    join(root, "train/cat/1.png"),
    join(tmp, "y.bin"),
  ]);
  assert.deepEqual(
    groups.map((g) => [g.by, g.files.map((f) => f.path)]),
    [["bytes", [join(tmp, "x.bin"), join(tmp, "y.bin")]]],
  );
});

test("near-duplicate search finds exactly the groups a brute-force comparison of all pairs finds", async () => {
  const data = prepareAuditData({ train: await readTableFile(dataPath("wine.csv")) }, "cultivar");
  const maxDistance = 0.45;
  const n = data.rows.length;
  const z = data.featureIndices.map((c) => {
    const v = Array.from(data.values[c]!);
    const mean = v.reduce((a, b) => a + b, 0) / n;
    const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
    return v.map((x) => (x - mean) / std);
  });
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i]!;
    return i;
  };
  for (let i = 0; i < n; i++) {
    for (let k = i + 1; k < n; k++) {
      const ss = z.reduce((sum, col) => sum + (col[i]! - col[k]!) ** 2, 0);
      if (Math.sqrt(ss / z.length) <= maxDistance) parent[find(i)] = find(k);
    }
  }
  const expected = new Map<number, number[]>();
  for (let i = 0; i < n; i++) expected.set(find(i), [...(expected.get(find(i)) ?? []), i]);
  const brute = [...expected.values()].filter((g) => g.length > 1).map((g) => g.join(","));
  for (const seed of [0, 1]) {
    const found = findNearDuplicates(data, { maxDistance, seed }).groups.map((g) =>
      g.rows.map((r) => r.row).join(","),
    );
    assert.ok(brute.length >= 5);
    assert.deepEqual(found.sort(), brute.sort());
  }
});

test("identifier columns are ignored when comparing rows: copies with new ids are still duplicates", async () => {
  const all = await readTableFile(dataPath("wine.csv"));
  const rows = [...all.rows, all.rows[10]!, all.rows[20]!, all.rows[30]!].map((r, i) => [
    String(5000 + i),
    ...r,
  ]);
  const report = runAudit(table("ids.csv", ["sample_id", ...all.columns], rows), "cultivar");
  assert.deepEqual(report.duplicate_summary.ignored_columns, ["sample_id"]);
  assert.deepEqual(
    report.duplicates.map((g) => g.rows.map((r) => r.row)).sort((a, b) => a[0]! - b[0]!),
    [
      [10, 178],
      [20, 179],
      [30, 180],
    ],
  );
  assert.equal(report.duplicate_summary.exact_extra_rows, 3);
});
