import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { measureLabelCheck } from "../bench/label-issues.js";
import { prepareAuditData } from "../src/data/audit/audit-data.js";
import { confidentJoint, findLabelIssues, roundKeepingTotal } from "../src/data/audit/confident-learning.js";
import { standardizedFeatureMatrix } from "../src/data/audit/feature-matrix.js";
import { labelErrorProbabilities } from "../src/data/audit/label-error-probability.js";
import {
  auditLabelIssues,
  LIKELY_MISLABELED,
  MIN_ACCURACY_GAIN,
  MIN_KAPPA,
} from "../src/data/audit/label-issues.js";
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

test("confident learning finds flipped labels of breast_cancer: precision >= 0.75, recall >= 0.7", async () => {
  const clean = await readTableFile(dataPath("breast_cancer.csv"));
  const { table, flipped } = flipLabels(clean, "diagnosis", 0.1, 0);
  const data = prepareAuditData({ train: table }, "diagnosis");
  const { issues, summary } = auditLabelIssues(data, 0);
  const likely = issues.filter((i) => i.verdict === "likely mislabeled");
  const hits = likely.filter((i) => flipped.has(i.row)).length;
  const precision = hits / likely.length;
  const recall = hits / flipped.size;
  assert.equal(flipped.size, 57);
  assert.ok(precision >= 0.75, `precision ${precision} (${hits} of ${likely.length})`);
  assert.ok(recall >= 0.7, `recall ${recall} (${hits} of ${flipped.size})`);
  for (const issue of issues) {
    assert.notEqual(issue.given, issue.suggested);
    assert.equal(issue.given, table.rows[issue.row]![table.columns.indexOf("diagnosis")]);
    assert.ok(issue.confidence >= 0 && issue.confidence <= 1);
    assert.equal(issue.verdict, issue.confidence >= LIKELY_MISLABELED ? "likely mislabeled" : "uncertain");
    assert.ok(issue.given_probability < issue.suggested_probability);
  }
  // likely ones first, each group by confidence
  const verdicts = issues.map((i) => i.verdict);
  assert.deepEqual(verdicts, [...verdicts].sort());
  for (let i = 1; i < likely.length; i++) assert.ok(likely[i - 1]!.confidence >= likely[i]!.confidence);
  // The suggested label of a correctly found flip is its original label.
  const t = clean.columns.indexOf("diagnosis");
  for (const issue of likely.filter((i) => flipped.has(i.row)))
    assert.equal(issue.suggested, clean.rows[issue.row]![t]);
  assert.equal(summary.rows_checked, 569);
  assert.equal(summary.issues_found, likely.length);
  assert.equal(summary.uncertain_found, issues.length - likely.length);
  assert.ok(summary.cohen_kappa >= MIN_KAPPA, `kappa ${summary.cohen_kappa}`);
  const joint = summary.confident_joint.counts;
  assert.equal(joint[0]![0]! + joint[0]![1]!, data.labels.filter((k) => k === 0).length);
  // The same seed gives the same list.
  assert.deepEqual(auditLabelIssues(data, 0).issues, issues);
});

test("confident learning on 3-class wine with 10% flipped labels finds most of them", async () => {
  const { table, flipped } = flipLabels(await readTableFile(dataPath("wine.csv")), "cultivar", 0.1, 1);
  const { issues } = auditLabelIssues(prepareAuditData({ train: table }, "cultivar"), 0);
  const likely = issues.filter((i) => i.verdict === "likely mislabeled");
  const hits = likely.filter((i) => flipped.has(i.row)).length;
  assert.ok(hits / likely.length >= 0.75, `precision ${hits}/${likely.length}`);
  assert.ok(hits / flipped.size >= 0.7, `recall ${hits}/${flipped.size}`);
});

test("label check targets on 2 datasets x 2 seeds: precision >= 0.75 at recall >= 0.7, <= 2% flagged clean", async () => {
  for (const [path, target] of [
    [dataPath("breast_cancer.csv"), "diagnosis"],
    [fileURLToPath(new URL("../../test/data/house_votes84.csv", import.meta.url)), "Class"],
  ] as const) {
    const r = await measureLabelCheck(path, target, 2);
    assert.ok(r.precision >= 0.75, `${target}: precision ${r.precision}`);
    assert.ok(r.recall >= 0.7, `${target}: recall ${r.recall}`);
    assert.ok(
      r.cleanFlagged <= 0.02,
      `${target}: ${(100 * r.cleanFlagged).toFixed(1)}% of clean rows flagged`,
    );
  }
});

test("a model too weak to judge flags nothing and says why (sex from the diabetes measurements)", async () => {
  // clean labels, but the measurements predict sex poorly: before the kappa gate 21% of rows were flagged
  const data = prepareAuditData({ train: await readTableFile(dataPath("diabetes.csv")) }, "sex", {
    task: "classification",
  });
  const { issues, summary } = auditLabelIssues(data, 0);
  assert.deepEqual(issues, []);
  assert.ok(summary.out_of_fold_accuracy > summary.majority_rate + MIN_ACCURACY_GAIN);
  assert.ok(summary.cohen_kappa < MIN_KAPPA, `kappa ${summary.cohen_kappa}`);
  assert.match(
    summary.skipped!,
    /agrees with the labels only weakly .*Cohen's kappa 0\.\d\d < 0\.5.*no row is flagged/,
  );
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

test("labelErrorProbabilities: a doubt weighs more where the data shows more label noise", () => {
  // two rows labeled 0 that the model puts in class 1 with probability 0.9
  const labels = [0, 0];
  const p = new Float64Array([0.1, 0.9, 0.1, 0.9]);
  // no estimated noise: the label is believed; 20% of class 1 given label 0: the label is likely wrong
  const clean = labelErrorProbabilities(labels, p, 2, [
    [50, 0],
    [0, 50],
  ]);
  const noisy = labelErrorProbabilities(labels, p, 2, [
    [40, 10],
    [10, 40],
  ]);
  assert.ok(clean[0]! < 0.01, `${clean[0]}`);
  assert.ok(noisy[0]! > 0.9, `${noisy[0]}`);
  // a row the model agrees with is not doubted
  assert.ok(
    labelErrorProbabilities([1], new Float64Array([0.1, 0.9]), 2, [
      [40, 10],
      [10, 40],
    ])[0]! < 0.05,
  );
});
