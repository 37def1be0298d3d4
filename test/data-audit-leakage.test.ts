import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { prepareAuditData } from "../src/data/audit/audit-data.js";
import { auditLeakage, LEAKAGE_SCORE } from "../src/data/audit/leakage.js";
import { spearman } from "../src/data/audit/rank-correlation.js";
import { runAudit } from "../src/data/audit/run-audit.js";
import { readTableFile } from "../src/data/read-table-file.js";
import type { Table } from "../src/data/table.js";
import { Random } from "../src/util/random.js";

const load = (name: string) =>
  readTableFile(fileURLToPath(new URL(`../../test/data/audit/${name}`, import.meta.url)));

/** `table` with a column `name` inserted at `position`, its cells given by `cell(row)`. */
function withColumn(
  table: Table,
  name: string,
  position: number,
  cell: (row: string[], i: number) => string,
): Table {
  const columns = [...table.columns];
  columns.splice(position, 0, name);
  const rows = table.rows.map((r, i) => {
    const copy = [...r];
    copy.splice(position, 0, cell(r, i));
    return copy;
  });
  return { source: table.source, columns, rows };
}

/** Class index of each row (classes in sorted order) plus Gaussian noise of standard deviation `noise`. */
function noisyClassIndex(table: Table, target: string, noise: number, seed: number) {
  const t = table.columns.indexOf(target);
  const classes = [...new Set(table.rows.map((r) => r[t]!))].sort();
  const rng = new Random(seed);
  return (r: string[]) => String(classes.indexOf(r[t]!) + rng.normal(0, noise));
}

for (const [file, target] of [
  ["breast_cancer.csv", "diagnosis"],
  ["wine.csv", "cultivar"],
] as const) {
  test(`${file}: a column equal to the class index plus small noise is the top leakage suspect`, async () => {
    const clean = await load(file);
    const leaky = withColumn(clean, "leak", 4, noisyClassIndex(clean, target, 0.1, 1));
    const report = runAudit(leaky, target);
    assert.equal(report.leakage.length, 1, JSON.stringify(report.leakage));
    const top = report.leakage[0]!;
    assert.equal(top.column, "leak");
    assert.ok(top.score >= LEAKAGE_SCORE, `score ${top.score}`);
    assert.match(top.reasons[0]!, /predicts the target almost perfectly/);
    assert.equal(report.single_column_scores[0]!.column, "leak");
    assert.ok(report.single_column_scores[1]!.score < 0.9);
    assert.equal(report.findings[0]!.check, "leakage");
    assert.equal(report.findings[0]!.severity, "high");
  });
}

test("diabetes: the target plus small noise ranks first, with its rank correlation; a monotone transform is caught", async () => {
  const clean = await load("diabetes.csv");
  const t = clean.columns.indexOf("progression");
  const rng = new Random(2);
  let leaky = withColumn(clean, "leak", 2, (r) => String(Number(r[t]) + rng.normal(0, 2))); // std of target ~77
  const shifted = leaky.columns.indexOf("progression");
  leaky = withColumn(leaky, "exp_of_target", 0, (r) => String(Math.exp(Number(r[shifted]) / 40)));
  const report = runAudit(leaky, "progression");
  assert.equal(report.task, "regression");
  assert.deepEqual(report.leakage.map((s) => s.column).sort(), ["exp_of_target", "leak"]);
  assert.equal(report.leakage[0]!.column, "leak");
  assert.equal(report.single_column_scores[0]!.column, "leak");
  assert.ok(report.leakage[0]!.score > 0.99, `R^2 ${report.leakage[0]!.score}`);
  assert.ok(report.leakage[0]!.spearman! > 0.99);
  const exp = report.leakage.find((s) => s.column === "exp_of_target")!;
  assert.ok(Math.abs(exp.spearman! - 1) < 1e-12);
  assert.ok(exp.reasons.some((r) => /monotone transform of the target/.test(r)));
});

test("clean datasets have no leakage suspects", async () => {
  for (const [file, target] of [
    ["breast_cancer.csv", "diagnosis"],
    ["wine.csv", "cultivar"],
    ["diabetes.csv", "progression"],
  ]) {
    const data = prepareAuditData({ train: await load(file!) }, target!);
    const { suspects, scores } = auditLeakage(data, 0);
    assert.deepEqual(suspects, [], file);
    assert.equal(scores.length, data.featureIndices.length);
    for (const s of scores) assert.ok(s.score >= 0 && s.score <= 1);
  }
});

test("an identifier-like column is suspected when rows are ordered by target, not when shuffled", async () => {
  const clean = await load("breast_cancer.csv");
  const t = clean.columns.indexOf("diagnosis");
  const sorted = {
    ...clean,
    rows: [...clean.rows].sort((a, b) => (a[t]! < b[t]! ? -1 : a[t]! > b[t]! ? 1 : 0)),
  };
  const ordered = withColumn(sorted, "patient_id", 0, (_, i) => String(1000 + i));
  const suspects = auditLeakage(prepareAuditData({ train: ordered }, "diagnosis"), 0).suspects;
  assert.equal(suspects.length, 1);
  assert.equal(suspects[0]!.column, "patient_id");
  assert.ok(suspects[0]!.reasons.some((r) => /identifier-like/.test(r)));

  const order = new Random(4).permutation(clean.rows.length);
  const shuffled = withColumn({ ...clean, rows: order.map((i) => clean.rows[i]!) }, "patient_id", 0, (_, i) =>
    String(1000 + i),
  );
  const report = runAudit(shuffled, "diagnosis");
  assert.deepEqual(report.leakage, []);
  assert.match(report.columns.find((c) => c.name === "patient_id")!.identifier_like!, /counting up|distinct/);
  assert.ok(
    report.findings.some(
      (f) => f.check === "columns" && /"patient_id" looks like an identifier/.test(f.message),
    ),
  );
});

test("a text column whose values map one-to-one to the classes is suspected", async () => {
  const clean = await load("wine.csv");
  const t = clean.columns.indexOf("cultivar");
  const codes: Record<string, string> = { class_0: "barolo", class_1: "grignolino", class_2: "barbera" };
  const leaky = withColumn(clean, "grape", 1, (r) => codes[r[t]!]!);
  const suspects = auditLeakage(prepareAuditData({ train: leaky }, "cultivar"), 0).suspects;
  assert.equal(suspects[0]!.column, "grape");
  assert.equal(suspects[0]!.score, 1);
  assert.ok(suspects[0]!.reasons.some((r) => /3 values map one-to-one to the 3 classes/.test(r)));
});

test("spearman handles ties with average ranks", () => {
  assert.equal(spearman([1, 2, 3, 4], [10, 20, 25, 100]), 1);
  assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  assert.ok(Math.abs(spearman([1, 1, 2, 3], [1, 2, 3, 4]) - 0.9486832980505138) < 1e-12); // scipy.stats.spearmanr
  assert.ok(Number.isNaN(spearman([1, 1, 1], [1, 2, 3])));
});
