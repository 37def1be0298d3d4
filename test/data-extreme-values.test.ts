import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { prepareAuditData } from "../src/data/audit/audit-data.js";
import { runAudit } from "../src/data/audit/run-audit.js";
import { inferColumnType } from "../src/data/column-types.js";
import { isNonFiniteNumber, MAX_FEATURE_MAGNITUDE } from "../src/data/extreme-values.js";
import { readTableFile } from "../src/data/read-table-file.js";
import { TabularPreprocessor } from "../src/data/tabular-preprocessor.js";
import { UserError } from "../src/errors.js";

const dataPath = (name: string) => fileURLToPath(new URL(`../../test/data/audit/${name}`, import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "nncoach-extreme-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of a shared dataset with some cells of one column replaced: `edits` maps data row -> new text. */
function editedCopy(name: string, column: string, edits: Record<number, string>): string {
  const lines = readFileSync(dataPath(name), "utf8").trimEnd().split(/\r?\n/);
  const c = lines[0]!.split(",").indexOf(column);
  for (const [row, text] of Object.entries(edits)) {
    const cells = lines[Number(row) + 1]!.split(",");
    cells[c] = text;
    lines[Number(row) + 1] = cells.join(",");
  }
  const path = join(tmp, `${column.replace(/\W/g, "_")}-${Object.keys(edits).join("_")}-${name}`);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

/** The message of the UserError `fn` throws. */
function userErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof UserError, `expected a UserError, got ${e}`);
    return e.message;
  }
  assert.fail("expected a UserError");
}

test("isNonFiniteNumber reads inf, infinity and overflowing decimals, nothing else", () => {
  for (const s of ["Inf", "-inf", "+Infinity", " INF ", "1e999", "-2e308", "1.8e308"])
    assert.ok(isNonFiniteNumber(s), s);
  for (const s of ["", "1e308", "-1.5", "info", "nan", "NA", "i", "1e99x", "infinite"])
    assert.ok(!isNonFiniteNumber(s), s);
});

test("train and audit refuse an infinite cell with the same message: file, line, column, value", async () => {
  // wine with 'Inf' and '-inf' in two rows of malic_acid: rows that differ only there would otherwise
  // both read as "not a number" and look like duplicates
  const path = editedCopy("wine.csv", "malic_acid", { 4: "Inf", 9: "-inf" });
  const table = await readTableFile(path);
  const profile = inferColumnType(table, "malic_acid");
  assert.equal(profile.kind, "numeric");
  assert.equal(profile.nonFinite?.count, 2);
  assert.equal(profile.invalid, undefined);

  const audit = userErrorOf(() => prepareAuditData({ train: table }, "cultivar"));
  const all = table.rows.map((_, i) => i);
  const train = userErrorOf(() => TabularPreprocessor.fit(table, all, "cultivar"));
  assert.equal(audit, train);
  assert.match(
    audit,
    new RegExp(`^${path}: data row 4 \\(line 6\\), column 'malic_acid': 'Inf' is not a finite number`),
  );
  assert.match(audit, /2 cells of this column are infinite/);
  assert.match(audit, /hint: replace infinite values with finite numbers/);

  // an overflowing number ("1e999") is infinite too; a cell that is no number at all stays "not a number"
  const overflow = await readTableFile(editedCopy("wine.csv", "proline", { 0: "1e999" }));
  assert.match(
    userErrorOf(() => runAudit(overflow, "cultivar")),
    /data row 0 \(line 2\), column 'proline': '1e999' is not a finite number/,
  );
  const typo = await readTableFile(editedCopy("wine.csv", "proline", { 0: "1O65" }));
  assert.match(
    userErrorOf(() => TabularPreprocessor.fit(typo, all, "cultivar")),
    /'1O65' is not a number/,
  );
});

test("an infinite cell met after fitting (validation rows, prediction files) gets the same error", async () => {
  const path = editedCopy("wine.csv", "hue", { 170: "-Infinity" });
  const table = await readTableFile(path);
  const trainRows = table.rows.map((_, i) => i).filter((i) => i < 150);
  const pre = TabularPreprocessor.fit(table, trainRows, "cultivar");
  assert.match(
    userErrorOf(() => pre.transformFeatures(table)),
    /data row 170 \(line 172\), column 'hue': '-Infinity' is not a finite number/,
  );
});

test("a regression target with an infinite value is refused naming the row", async () => {
  const table = await readTableFile(editedCopy("diabetes.csv", "progression", { 7: "inf" }));
  const all = table.rows.map((_, i) => i);
  assert.match(
    userErrorOf(() => TabularPreprocessor.fit(table, all, "progression")),
    /data row 7 \(line 9\), column 'progression': 'inf' is not a finite number/,
  );
  assert.match(
    userErrorOf(() => prepareAuditData({ train: table }, "progression")),
    /'inf' is not a finite number/,
  );
});

test("features of magnitude 1e308 are refused at fit naming the column; the audit reports them", async () => {
  // diabetes with bmi in absurd units: finite, but squares overflow (training would end in a NaN loss)
  const path = editedCopy("diabetes.csv", "bmi", { 3: "1.7e308", 11: "-9e307" });
  const table = await readTableFile(path);
  const all = table.rows.map((_, i) => i);
  const message = userErrorOf(() => TabularPreprocessor.fit(table, all, "progression"));
  assert.match(message, /data row 3 \(line 5\), column 'bmi': 1\.7e308 is too large to learn from/);
  assert.match(message, /hint: rescale 'bmi' \(divide it by a power of ten\) or log-transform it/);

  const report = runAudit(table, "progression");
  const bmi = report.columns.find((c) => c.name === "bmi")!;
  assert.ok(Number.isFinite(bmi.mean) && Number.isFinite(bmi.std), `mean ${bmi.mean}, std ${bmi.std}`);
  assert.ok(bmi.std! > 1e305);
  const finding = report.findings.find((f) => f.message.includes('"bmi"') && f.severity === "high");
  assert.ok(finding, JSON.stringify(report.findings));
  assert.match(finding.message, /training refuses values beyond 1e\+150/);
  assert.equal(MAX_FEATURE_MAGNITUDE, 1e150);

  // a large but sound scale (1e100) is accepted and standardized to ordinary numbers
  const big = await readTableFile(editedCopy("diabetes.csv", "bmi", { 3: "3e100" }));
  const pre = TabularPreprocessor.fit(big, all, "progression");
  for (const v of pre.transformFeatures(big)) assert.ok(Number.isFinite(v));
});

test("a constant numeric target says there is nothing to learn", async () => {
  const lines = readFileSync(dataPath("diabetes.csv"), "utf8").trimEnd().split(/\r?\n/);
  const constant = [lines[0], ...lines.slice(1).map((l) => l.replace(/,[^,]*$/, ",151"))].join("\n");
  const path = join(tmp, "constant-target.csv");
  writeFileSync(path, `${constant}\n`);
  const table = await readTableFile(path);
  const message = userErrorOf(() => TabularPreprocessor.fit(table, [0, 1, 2, 3, 4, 5], "progression"));
  assert.match(
    message,
    /target 'progression' has the same value \(151\) in all 6 training rows: there is nothing to learn/,
  );
});
