import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { prepareAuditData } from "../src/data/audit/audit-data.js";
import { confidentJoint, findLabelIssues, roundKeepingTotal } from "../src/data/audit/confident-learning.js";
import { standardizedFeatureMatrix } from "../src/data/audit/feature-matrix.js";
import { auditLabelIssues } from "../src/data/audit/label-issues.js";
import { fitLogisticRegression, predictProbabilities } from "../src/data/audit/logistic-regression.js";
import { readTableFile } from "../src/data/read-table-file.js";
import type { Table } from "../src/data/table.js";
import { UserError } from "../src/errors.js";
import { Random } from "../src/util/random.js";

const dataPath = (name: string) => fileURLToPath(new URL(`../../test/data/audit/${name}`, import.meta.url));
const fixture = JSON.parse(
  readFileSync(new URL("../../test/fixtures/audit_logistic_regression.json", import.meta.url), "utf8"),
) as Record<string, { file: string; target: string; classes: string[]; probabilities: number[][] }>;

/** `table` with the target of `fraction` of its rows changed to another class, chosen with `seed`. */
function flipLabels(table: Table, target: string, fraction: number, seed: number) {
  const t = table.columns.indexOf(target);
  const classes = [...new Set(table.rows.map((r) => r[t]!))].sort();
  const rng = new Random(seed);
  const flipped = new Set(
    rng.permutation(table.rows.length).slice(0, Math.round(fraction * table.rows.length)),
  );
  const rows = table.rows.map((r, i) => {
    if (!flipped.has(i)) return r;
    const others = classes.filter((c) => c !== r[t]);
    const copy = [...r];
    copy[t] = others[rng.int(others.length)]!;
    return copy;
  });
  return { table: { ...table, rows }, flipped };
}

for (const name of ["wine", "breast_cancer"]) {
  test(`logistic regression matches scikit-learn LogisticRegression(C=1) on standardized ${name}`, async () => {
    const ref = fixture[name]!;
    const data = prepareAuditData({ train: await readTableFile(dataPath(ref.file)) }, ref.target);
    assert.deepEqual(data.classes, ref.classes);
    const rows = data.rows.map((_, i) => i);
    const m = standardizedFeatureMatrix(data, rows);
    const model = fitLogisticRegression(m.x, m.rows, m.cols, data.labels, data.classes.length, {
      maxIterations: 2000,
      gradientTolerance: 1e-10,
    });
    const p = predictProbabilities(model, m.x, m.rows);
    let worst = 0;
    ref.probabilities.forEach((row, i) => {
      row.forEach((v, k) => {
        worst = Math.max(worst, Math.abs(v - p[i * row.length + k]!));
      });
    });
    assert.ok(worst < 1e-6, `largest probability difference ${worst}`);
  });
}

test("logistic regression refuses bad arguments with the received value", () => {
  const x = new Float64Array([0, 1, 2, 3]);
  assert.throws(
    () => fitLogisticRegression(x, 4, 1, [0, 1, 0, 1], 1),
    (e: unknown) => e instanceof UserError && /got 1/.test(e.message),
  );
  assert.throws(() => fitLogisticRegression(x, 4, 1, [0, 1, 0, 2], 2), /y\[3\].*got 2/);
  assert.throws(() => fitLogisticRegression(x, 3, 1, [0, 1, 0], 2), /rows \* features/);
  assert.throws(() => fitLogisticRegression(x, 4, 1, [0, 1, 0, 1], 2, { c: 0 }), /c must be > 0, got 0/);
});

test("roundKeepingTotal rounds to integers with the same total, largest remainders first", () => {
  assert.deepEqual(roundKeepingTotal([1.5, 1.5, 2]), [2, 1, 2]);
  assert.deepEqual(roundKeepingTotal([0.4, 0.4, 0.2, 3]), [1, 0, 0, 3]);
  assert.deepEqual(roundKeepingTotal([2.7, 0.3]), [3, 0]);
});

test("confident joint counts rows confident in a class, calibrated to the given-label counts", () => {
  // 6 rows, 2 classes. Thresholds: class 0 mean of p0 over rows labeled 0 = (0.9+0.8+0.2)/3 = 0.6333;
  // class 1 mean of p1 over rows labeled 1 = (0.9+0.7+0.1)/3 = 0.5667.
  const labels = [0, 0, 0, 1, 1, 1];
  const p = new Float64Array([0.9, 0.1, 0.8, 0.2, 0.2, 0.8, 0.1, 0.9, 0.3, 0.7, 0.9, 0.1]);
  // Row 2 (given 0) is confident in class 1 only; row 5 (given 1) is confident in class 0 only.
  assert.deepEqual(confidentJoint(labels, p, 2), [
    [2, 1],
    [1, 2],
  ]);
  const result = findLabelIssues(labels, p, 2);
  assert.deepEqual(
    result.issues.map((i) => [i.index, i.given, i.suggested]),
    [
      [5, 1, 0],
      [2, 0, 1],
    ],
  );
  assert.ok(Math.abs(result.thresholds[0]! - 1.9 / 3) < 1e-12);
  assert.ok(Math.abs(result.issues[0]!.givenProbability - 0.1) < 1e-12);
});

test("confident learning finds flipped labels of breast_cancer: precision >= 0.7, recall >= 0.5", async () => {
  const clean = await readTableFile(dataPath("breast_cancer.csv"));
  const { table, flipped } = flipLabels(clean, "diagnosis", 0.1, 0);
  const data = prepareAuditData({ train: table }, "diagnosis");
  const { issues, summary } = auditLabelIssues(data, 0);
  const hits = issues.filter((i) => flipped.has(i.row)).length;
  const precision = hits / issues.length;
  const recall = hits / flipped.size;
  assert.equal(flipped.size, 57);
  assert.ok(precision >= 0.7, `precision ${precision} (${hits} of ${issues.length})`);
  assert.ok(recall >= 0.5, `recall ${recall} (${hits} of ${flipped.size})`);
  for (const issue of issues) {
    assert.notEqual(issue.given, issue.suggested);
    assert.equal(issue.given, table.rows[issue.row]![table.columns.indexOf("diagnosis")]);
    assert.ok(issue.confidence > 0.5 && issue.confidence <= 1);
  }
  for (let i = 1; i < issues.length; i++) assert.ok(issues[i - 1]!.confidence >= issues[i]!.confidence);
  // The suggested label of a correctly found flip is its original label.
  const t = clean.columns.indexOf("diagnosis");
  for (const issue of issues.filter((i) => flipped.has(i.row)))
    assert.equal(issue.suggested, clean.rows[issue.row]![t]);
  assert.equal(summary.rows_checked, 569);
  assert.equal(summary.issues_found, issues.length);
  const joint = summary.confident_joint.counts;
  assert.equal(joint[0]![0]! + joint[0]![1]!, data.labels.filter((k) => k === 0).length);
  // The same seed gives the same list.
  assert.deepEqual(auditLabelIssues(data, 0).issues, issues);
});

test("confident learning on 3-class wine with 10% flipped labels finds most of them", async () => {
  const { table, flipped } = flipLabels(await readTableFile(dataPath("wine.csv")), "cultivar", 0.1, 1);
  const { issues } = auditLabelIssues(prepareAuditData({ train: table }, "cultivar"), 0);
  const hits = issues.filter((i) => flipped.has(i.row)).length;
  assert.ok(hits / issues.length >= 0.7, `precision ${hits}/${issues.length}`);
  assert.ok(hits / flipped.size >= 0.5, `recall ${hits}/${flipped.size}`);
});

test("label check is skipped for regression targets", async () => {
  const data = prepareAuditData({ train: await readTableFile(dataPath("diabetes.csv")) }, "progression");
  const { issues, summary } = auditLabelIssues(data, 0);
  assert.equal(data.task, "regression");
  assert.deepEqual(issues, []);
  assert.equal(summary.skipped, "regression target");
});

test("label check is skipped, saying why, when the model cannot beat the majority class or has no inputs", () => {
  const rng = new Random(12);
  const rows = Array.from({ length: 200 }, (_, i) => [
    String(rng.normal()),
    String(rng.normal()),
    i < 150 ? "a" : "b",
  ]);
  const noise = prepareAuditData({ train: { source: "noise.csv", columns: ["u", "v", "y"], rows } }, "y");
  const weak = auditLabelIssues(noise, 0);
  assert.deepEqual(weak.issues, []);
  assert.equal(weak.summary.majority_rate, 0.75);
  assert.ok(weak.summary.out_of_fold_accuracy < 0.77);
  assert.match(weak.summary.skipped!, /no better than always predicting the most frequent class \(0\.750\)/);
  const none = auditLabelIssues(noise, 0, ["u", "v"]);
  assert.equal(none.summary.skipped, "no input columns to learn from");
});
