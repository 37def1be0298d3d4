/**
 * `nncoach train` diagnoses the run it trained, through the real CLI on real data: the fast audit runs
 * before training and its findings reach the diagnosis; the diagnosis block follows the results and is the
 * block `nncoach diagnose <dir>` prints for the saved run; a run that stops on a NaN/Inf loss is still
 * diagnosed, ends stdout with its JSON, exits 3 and saves no model; --diagnose-every stops a diverging run
 * in its first epochs. Planted defects are real rows changed (a noisy copy of the target, repeated rows).
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { SHARED, writeCsv } from "../bench/planted-pathologies.js";
import type { Finding } from "../src/coach/diagnosis/finding.js";
import { readTableFile } from "../src/data/read-table-file.js";
import { Random } from "../src/util/random.js";
import { runCli } from "./helpers/cli.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-train-diagnosis-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const WINE = path.join(SHARED, "wine.csv");

/** The diagnosis block of `nncoach train` output: from "diagnosis:" through "next: ...". */
function block(text: string): string {
  const lines = text.split("\n");
  const i = lines.findIndex((l) => l.startsWith("diagnosis: "));
  const j = lines.findIndex((l, k) => k > i && l.startsWith("next: "));
  assert.ok(i >= 0 && j > i, `no diagnosis block in:\n${text}`);
  return `${lines.slice(i, j + 1).join("\n")}\n`;
}

const symptoms = (j: Record<string, unknown>) => (j.diagnosis as Finding[]).map((f) => f.symptom);

describe("nncoach train diagnoses its run; nncoach diagnose of the saved run says the same", () => {
  const dir = path.join(tmp, "wine-run");

  test("the diagnosis follows the results and ends with the next command; diagnose prints the same block", () => {
    const argv = ["train", WINE, "--target", "cultivar", "--epochs", "4", "--save", dir];
    const r = runCli(argv);
    assert.equal(r.code, 0, r.stderr);
    const at = (re: RegExp) => {
      const i = r.stdout.search(re);
      assert.ok(i >= 0, `${re} in:\n${r.stdout}`);
      return i;
    };
    assert.ok(at(/^audit: /m) < at(/^training 3-class classifier/m), "the audit runs before training");
    assert.ok(at(/^validation \(27\): /m) < at(/^diagnosis: /m), "results, then the diagnosis");
    assert.ok(
      at(/^next: nncoach train /m) < at(/^saved model\.onnx, preprocess\.json, config\.json, run\.json to /m),
      "printed before anything is written",
    );
    // 4 epochs of 4 steps: too short to time honestly
    assert.match(
      r.stdout,
      /^training speed: not measured \(run too short: fewer than 20 optimizer steps\)$/m,
    );
    assert.doesNotMatch(r.stdout, /0 samples\/s/);

    const d = runCli(["diagnose", dir]);
    assert.equal(d.code, 0, d.stderr);
    assert.equal(d.stdout, block(r.stdout));
    const record = JSON.parse(fs.readFileSync(path.join(dir, "run.json"), "utf8"));
    assert.deepEqual(record.command, ["nncoach", ...argv], "the command that ran, the base of the actions");
    assert.ok(record.audit, "the fast audit is part of the run record");
    assert.equal(record.audit.label_issues, null, "the slow label check is left to nncoach audit");
    assert.equal(record.audit.duplicates.evaluation_rows_seen_in_training, 0);
    assert.deepEqual(record.audit.leakage, []);
  });

  test("a NaN/Inf loss: diagnosed, JSON last on stdout, exit 3, run.json saved and the earlier model removed", () => {
    const r = runCli([
      "train",
      WINE,
      "--target",
      "cultivar",
      "--optimizer",
      "sgd",
      "--lr",
      "10",
      "--save",
      dir,
      "--json",
    ]);
    assert.equal(r.code, 3, r.stderr);
    assert.ok(r.stdout.trimEnd().endsWith("}") && r.json, "stdout ends with the JSON object");
    const j = r.json!;
    assert.match(
      j.stop_reason as string,
      /^non-finite (loss|gradient norm) at step \d+ \(epoch \d+, batch \d+\): the (loss|gradient norm) became/,
    );
    assert.ok((j.epochs_run as number) < 20);
    assert.equal(symptoms(j)[0], "diverged");
    assert.match(j.next_command as string, / --lr 0\.\d+$/, "the next command lowers the learning rate");
    assert.equal(j.model_saved, false);
    assert.deepEqual(j.saved_files, ["config.json", "run.json"]);
    assert.deepEqual(fs.readdirSync(dir).sort(), ["config.json", "run.json"]);
    assert.match(
      r.stderr,
      /no model saved: .*removed the model\.onnx and preprocess\.json of an earlier run/,
    );
    assert.match(r.stderr, /^nncoach: training diverged: non-finite /m);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, "no stack trace");

    // the human block went to stderr; the saved run gives the same diagnosis, as text and as JSON
    const d = runCli(["diagnose", dir]);
    assert.equal(d.stdout, block(r.stderr));
    const dj = runCli(["diagnose", dir, "--json"]).json!;
    assert.deepEqual(dj.findings, j.diagnosis);
    assert.equal(dj.next_command, j.next_command);
    // and nothing pretends to be a model
    const p = runCli(["predict", dir, WINE, "--out", path.join(tmp, "preds.csv")]);
    assert.equal(p.code, 2);
    assert.match(p.stderr, /model\.onnx does not exist/);
  });
});

describe("--diagnose-every", () => {
  test("stops wine at learning rate 10 in its first epochs, warning right after the epoch that showed it", () => {
    const r = runCli([
      "train",
      WINE,
      "--target",
      "cultivar",
      "--lr",
      "10",
      "--epochs",
      "30",
      "--diagnose-every",
      "1",
      "--json",
    ]);
    assert.equal(r.code, 3, r.stderr);
    const j = r.json!;
    assert.ok((j.epochs_run as number) <= 3, `stopped after ${j.epochs_run} of 30 epochs`);
    assert.match(j.stop_reason as string, /^early diagnosis: diverged: /);
    const w = (j.early_warnings as { epoch: number; symptom: string }[])[0]!;
    assert.equal(w.symptom, "diverged");
    const lines = r.stderr.split("\n");
    const warning = lines.findIndex((l) => /^warning \(epoch \d+\): diverged: /.test(l));
    assert.ok(warning > 0, r.stderr);
    assert.match(lines[warning - 1]!, new RegExp(`^epoch +${w.epoch}/30 `), "printed as soon as it showed");
    assert.match(r.stderr, /^stopped: early diagnosis: diverged: /m);
    assert.equal(symptoms(j)[0], "diverged");
  });

  test("a healthy run trains on without warnings", () => {
    const r = runCli([
      "train",
      WINE,
      "--target",
      "cultivar",
      "--epochs",
      "8",
      "--diagnose-every",
      "1",
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json!.epochs_run, 8);
    assert.deepEqual(r.json!.early_warnings, []);
    assert.doesNotMatch(r.stderr, /^warning/m);
  });

  test("0 is refused, naming the option", () => {
    const r = runCli(["train", WINE, "--target", "cultivar", "--diagnose-every", "0"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--diagnose-every must be a whole number >= 1/);
  });
});

describe("the fast audit before training reads the run's rows, split and inputs", () => {
  const planted = path.join(tmp, "wine-leak-repeats.csv");
  before(async () => {
    // wine with a noisy copy of the class index as an extra column, and its first 30 rows repeated
    const table = await readTableFile(WINE);
    const t = table.columns.indexOf("cultivar");
    const classes = [...new Set(table.rows.map((r) => r[t]!))].sort();
    const rng = Random.derive(0, "train-diagnosis-leak");
    const rows = table.rows.map((r) => [...r, (classes.indexOf(r[t]!) + rng.normal(0, 0.1)).toFixed(4)]);
    writeCsv(planted, [...table.columns, "target_copy"], [...rows, ...rows.slice(0, 30)]);
  });

  test("a leaking column and repeated rows are printed before training and diagnosed after it", () => {
    const r = runCli(["train", planted, "--target", "cultivar", "--epochs", "3", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const before = r.stderr.slice(0, r.stderr.search(/^training /m));
    assert.match(before, /^ {2}\[high\] leakage: column "target_copy"/m);
    assert.match(before, /^ {2}\[high\] duplicates: \d+ validation\/test rows? repeats? training rows/m);
    const audit = r.json!.audit as {
      leakage: { column: string }[];
      duplicates: { evaluation_rows_seen_in_training: number };
    };
    assert.deepEqual(
      audit.leakage.map((s) => s.column),
      ["target_copy"],
    );
    assert.ok(audit.duplicates.evaluation_rows_seen_in_training > 0);
    assert.ok(audit.duplicates.evaluation_rows_seen_in_training <= 30);
    const s = symptoms(r.json!);
    assert.ok(s.includes("leakage") && s.includes("duplicates_across_splits"), s.join(", "));
    const leak = (r.json!.diagnosis as Finding[]).find((f) => f.symptom === "leakage")!;
    assert.match(leak.actions[0]!.command!, / --drop target_copy$/);
  });

  test("with --drop target_copy the audit no longer sees the column", () => {
    const r = runCli([
      "train",
      planted,
      "--target",
      "cultivar",
      "--epochs",
      "3",
      "--drop",
      "target_copy",
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((r.json!.audit as { leakage: unknown[] }).leakage, []);
    assert.ok(!symptoms(r.json!).includes("leakage"));
  });
});
