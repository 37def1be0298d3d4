import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { auditCommand } from "../src/cli/audit.js";
import { prepareAuditData } from "../src/data/audit/audit-data.js";
import type { AuditReport } from "../src/data/audit/audit-report.js";
import { summarizeColumns } from "../src/data/audit/column-summary.js";
import { auditImbalance } from "../src/data/audit/imbalance.js";
import { renderAuditReport } from "../src/data/audit/render-audit.js";
import { runAudit } from "../src/data/audit/run-audit.js";
import { readTableFile } from "../src/data/read-table-file.js";
import type { Table } from "../src/data/table.js";
import { UserError } from "../src/errors.js";
import { Random } from "../src/util/random.js";

const dataPath = (name: string) => fileURLToPath(new URL(`../../test/data/audit/${name}`, import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "nncoach-audit-report-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function writeCsv(name: string, columns: string[], rows: string[][]): string {
  const path = join(tmp, name);
  writeFileSync(path, [columns, ...rows].map((r) => r.join(",")).join("\n") + "\n");
  return path;
}

/** Runs the CLI command and returns its exit code and output. */
async function cli(argv: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const code = await auditCommand(argv, { write: (s: string) => (out += s) });
  return { code, out };
}

/** 200 rows: a constant, a near-constant, a mostly-missing, a huge-scale and a tiny-scale column; 180/20 classes. */
function syntheticTable(): Table {
  const rng = new Random(7);
  const rows = Array.from({ length: 200 }, (_, i) => [
    "5",
    i === 17 ? "b" : "a",
    i % 5 < 3 ? "" : String(rng.normal()),
    String(rng.normal(0, 1000)),
    String(rng.normal(0, 0.001)),
    i < 180 ? "neg" : "pos",
  ]);
  return { source: "synthetic.csv", columns: ["const", "rare", "holes", "big", "small", "y"], rows };
}

test("column summary: types, missing, constant, near-constant, scales", () => {
  const data = prepareAuditData({ train: syntheticTable() }, "y");
  const { columns, scales } = summarizeColumns(data);
  const by = Object.fromEntries(columns.map((c) => [c.name, c]));
  assert.equal(by.const!.constant, true);
  assert.equal(by.const!.type, "constant");
  assert.equal(by.rare!.near_constant, true);
  assert.equal(by.rare!.constant, false);
  assert.equal(by.rare!.top_value, "a");
  assert.equal(by.rare!.top_fraction, 199 / 200);
  assert.equal(by.holes!.missing, 120);
  assert.equal(by.holes!.missing_fraction, 0.6);
  assert.equal(by.holes!.type, "numeric");
  assert.equal(by.big!.near_constant, false);
  assert.equal(by.y!.role, "target");
  assert.ok(scales!.flagged);
  assert.equal(scales!.largest.column, "big");
  assert.equal(scales!.smallest.column, "small");
  assert.equal(scales!.ratio, by.big!.std! / by.small!.std!);
  assert.ok(scales!.ratio > 1e5);
  assert.match(scales!.recommendation!, /standardize/);
});

test("wine: scale ratio is the largest over the smallest input std; no problem columns", async () => {
  const { columns, scales } = summarizeColumns(
    prepareAuditData({ train: await readTableFile(dataPath("wine.csv")) }, "cultivar"),
  );
  const stds = columns.filter((c) => c.role === "input").map((c) => c.std!);
  assert.equal(scales!.ratio, Math.max(...stds) / Math.min(...stds));
  assert.equal(scales!.largest.column, "proline");
  assert.ok(scales!.flagged);
  for (const c of columns) {
    assert.equal(c.missing, 0);
    assert.equal(c.constant || c.near_constant, false);
    assert.equal(c.identifier_like, undefined);
  }
});

test("imbalance: counts, ratio, balanced weights, and a recommendation only when the ratio is large", async () => {
  const table = await readTableFile(dataPath("breast_cancer.csv"));
  const balanced = auditImbalance(prepareAuditData({ train: table }, "diagnosis"))!;
  assert.deepEqual(
    balanced.classes.map((c) => [c.name, c.count]),
    [
      ["benign", 357],
      ["malignant", 212],
    ],
  );
  assert.equal(balanced.ratio, 357 / 212);
  assert.equal(balanced.severity, "balanced");
  assert.equal(balanced.recommendation, null);
  assert.equal(
    balanced.per_split.train!.benign! +
      balanced.per_split.validation!.benign! +
      balanced.per_split.test!.benign!,
    357,
  );

  const t = table.columns.indexOf("diagnosis");
  let malignant = 0;
  const rows = table.rows.filter((r) => r[t] === "benign" || malignant++ < 30);
  const skewed = auditImbalance(prepareAuditData({ train: { ...table, rows } }, "diagnosis"))!;
  assert.equal(skewed.ratio, 357 / 30);
  assert.equal(skewed.severity, "severe");
  assert.equal(skewed.majority, "benign");
  assert.equal(skewed.minority, "malignant");
  assert.ok(Math.abs(skewed.balanced_class_weights.malignant! - 387 / (2 * 30)) < 1e-12);
  for (const words of [/macro-F1/, /PR-AUC/, /class weights/, /balanced sampler/, /92\.2% accuracy/]) {
    assert.match(skewed.recommendation!, words);
  }
  const report = runAudit(syntheticTable(), "y");
  assert.equal(report.imbalance!.ratio, 9);
  assert.equal(report.imbalance!.severity, "moderate");
  const checks = report.findings.map((f) => `${f.severity}:${f.check}`);
  for (const expected of ["medium:imbalance", "medium:scales", "low:columns"])
    assert.ok(checks.includes(expected), checks.join(" "));
  assert.ok(report.findings.some((f) => /"const" is constant/.test(f.message)));
  assert.ok(report.findings.some((f) => /"rare" is near-constant/.test(f.message)));
  assert.ok(report.findings.some((f) => /"holes" is 60% missing/.test(f.message)));
});

test("regression targets are recognised; imbalance does not apply", async () => {
  const report = runAudit(await readTableFile(dataPath("diabetes.csv")), "progression");
  assert.equal(report.task, "regression");
  assert.equal(report.imbalance, null);
  assert.equal(report.label_issue_summary.skipped, "regression target");
  assert.match(report.split_source, /70\/15\/15 split/);
  const text = renderAuditReport(report);
  assert.match(text, /target "progression" \(regression\)/);
  assert.match(text, /not applicable \(regression target\)/);
});

test("a numeric target is guessed as regression, as nncoach train does; integer codes get a note", async () => {
  const wine = await readTableFile(dataPath("wine.csv"));
  const t = wine.columns.indexOf("cultivar");
  const coded = {
    ...wine,
    rows: wine.rows.map((r) => r.map((cell, j) => (j === t ? cell.slice(-1) : cell))),
  };
  const guessed = runAudit(coded, "cultivar");
  assert.equal(guessed.task, "regression");
  assert.match(
    guessed.task_note!,
    /only 3 distinct integer values: if they are classes, pass --task classification/,
  );
  assert.equal(guessed.findings[0]!.check, "target");
  assert.match(guessed.split_source, /seeded 70\/15\/15 split/);
  const told = runAudit(coded, "cultivar", { task: "classification" });
  assert.equal(told.task, "classification");
  assert.equal(told.task_note, undefined);
  assert.deepEqual(
    told.imbalance!.classes.map((c) => [c.name, c.count]),
    [
      ["0", 59],
      ["1", 71],
      ["2", 48],
    ],
  );
  assert.equal(runAudit(await readTableFile(dataPath("diabetes.csv")), "progression").task_note, undefined);
});

test("nncoach audit --json: the last line is the report with every field, rows named by file", async () => {
  const table = await readTableFile(dataPath("breast_cancer.csv"));
  const t = table.columns.indexOf("diagnosis");
  const rng = new Random(11);
  const flipped = new Set(rng.permutation(569).slice(0, 30));
  const rows = table.rows.map((r, i) => {
    const copy = [...r];
    if (flipped.has(i)) copy[t] = r[t] === "benign" ? "malignant" : "benign";
    copy.push(String((copy[t] === "benign" ? 0 : 1) + rng.normal(0, 0.05))); // leaks the recorded label
    return copy;
  });
  const columns = [...table.columns, "leak"];
  const train = writeCsv("train.csv", columns, rows.slice(0, 450));
  const test = writeCsv("test.csv", columns, [...rows.slice(450), rows[3]!, rows[9]!]);
  const { code, out } = await cli([train, "--target", "diagnosis", "--test-data", test, "--json"]);
  assert.equal(code, 0);
  const lines = out.trimEnd().split("\n");
  const report = JSON.parse(lines[lines.length - 1]!) as AuditReport;
  assert.deepEqual(
    report.files.map((f) => [f.path, f.split, f.rows]),
    [
      [train, "train", 450],
      [test, "test", 121],
    ],
  );
  assert.equal(report.leakage[0]!.column, "leak");
  assert.equal(typeof report.leakage[0]!.score, "number");
  const crossed = report.duplicates.filter((g) => g.cross_split);
  assert.deepEqual(
    crossed.map((g) => g.rows.map((r) => [r.file, r.row])),
    [
      [
        [train, 3],
        [test, 119],
      ],
      [
        [train, 9],
        [test, 120],
      ],
    ],
  );
  // The leaking column is kept out of the label model, which would otherwise agree with every label.
  assert.deepEqual(report.label_issue_summary.excluded_columns, ["leak"]);
  const found = report.label_issues.filter((i) => flipped.has(i.file === train ? i.row : 450 + i.row)).length;
  assert.ok(
    found >= 0.7 * report.label_issues.length,
    `${found} of ${report.label_issues.length} are flipped rows`,
  );
  assert.ok(found >= 15, `${found} of 30 flipped rows found`);
  for (const issue of report.label_issues) {
    assert.ok(issue.file === train || issue.file === test);
    assert.equal(typeof issue.row, "number");
    assert.notEqual(issue.given, issue.suggested);
    assert.ok(issue.confidence > 0 && issue.confidence <= 1);
  }
  assert.equal(report.imbalance!.classes.length, 2);
  assert.equal(report.columns.length, 32);
  assert.equal(report.findings[0]!.severity, "high");
});

test("nncoach audit prints a readable report; --fail-on sets the exit code", async () => {
  const path = dataPath("wine.csv");
  const { code, out } = await cli([path, "--target", "cultivar", "--seed", "3"]);
  assert.equal(code, 0);
  for (const section of ["Findings", "Columns", "Duplicates", "Leakage", "Label issues", "Class balance"]) {
    assert.match(out, new RegExp(`^${section}$`, "m"));
  }
  assert.match(out, /seed 3/);
  assert.match(out, /class_1 +71 +39\.9%/);
  assert.equal((await cli([path, "--target", "cultivar", "--fail-on", "medium"])).code, 1); // scales finding
  assert.equal((await cli([path, "--target", "cultivar", "--fail-on", "high"])).code, 0);
  assert.match((await cli(["--help"])).out, /usage: nncoach audit/);
});

test("nncoach audit refuses mistakes with UserErrors that say how to fix them", async () => {
  const path = dataPath("wine.csv");
  const refuses = async (argv: string[], pattern: RegExp) =>
    assert.rejects(cli(argv), (e: unknown) => e instanceof UserError && pattern.test(e.message));
  await refuses([path], /--target is required.*columns of .*wine\.csv: alcohol, .*cultivar/s);
  await refuses(
    [path, "--target", "cultvar"],
    /target column "cultvar" is not in .*did you mean --target cultivar/s,
  );
  await refuses(
    [path, "--target", "cultivar", "--taks", "regression"],
    /unknown option '--taks'.*did you mean '--task'/s,
  );
  await refuses(
    [path, "--target", "cultivar", "--task", "regresion"],
    /--task must be one of classification, regression, got 'regresion'/,
  );
  await refuses(
    [path, "--target", "cultivar", "--task", "regression"],
    /regression needs a numeric target, but "cultivar" has the value "class_0" \(.*wine\.csv, data row 0\)/,
  );
  await refuses([path, "--target", "cultivar", "--seed=-1"], /--seed must be a whole number >= 0, got '-1'/);
  await refuses([], /give the data to audit/);
  const other = writeCsv("other.csv", ["alcohol", "cultivar"], [["1", "a"]]);
  await refuses(
    [path, "--target", "cultivar", "--validation-data", other],
    /other\.csv has no column "malic_acid"/,
  );
});

test("equal classes read 'balanced', not an imbalance ratio of one class over itself", async () => {
  const iris = await readTableFile(fileURLToPath(new URL("../../test/data/iris.csv", import.meta.url)));
  const text = renderAuditReport(runAudit(iris, "species"));
  assert.match(text, /balanced: every class has 50 rows/);
  assert.doesNotMatch(text, /imbalance ratio 1\.00/);
});

test("a constant regression target is a high finding: nothing to learn", async () => {
  const diabetes = await readTableFile(dataPath("diabetes.csv"));
  const t = diabetes.columns.indexOf("progression");
  const constant: Table = {
    ...diabetes,
    rows: diabetes.rows.map((r) => r.map((v, c) => (c === t ? "151" : v))),
  };
  const report = runAudit(constant, "progression", { task: "regression" });
  const finding = report.findings.find((f) => f.check === "target" && f.severity === "high");
  assert.match(finding?.message ?? "", /same value \(151\) in every row: there is nothing to learn/);
});
