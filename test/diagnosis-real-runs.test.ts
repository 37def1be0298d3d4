/**
 * The diagnosis on real training runs of the wine table, each with one planted pathology (see
 * bench/planted-pathologies.ts), and of a few cells of the matrix on the digit images and first names:
 * the right symptom comes first (or is found, for leakage and imbalance), with the action the recipe
 * prescribes; the same findings come without the plan; a default run is healthy.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  defaultRun,
  EXPECTED,
  type Pathology,
  plantedRun,
  plantedSpec,
  type RunSpec,
  repairSpec,
  runSpec,
  SHARED,
} from "../bench/planted-pathologies.js";
import { isTrainFlag } from "../src/coach/diagnosis/actions.js";
import { diagnose } from "../src/coach/diagnosis/diagnose.js";
import { EarlyDiagnosis } from "../src/coach/diagnosis/early-diagnosis.js";
import type { Finding } from "../src/coach/diagnosis/finding.js";
import { renderDiagnosis } from "../src/coach/diagnosis/render.js";
import { type RunRecord, withoutPlan } from "../src/coach/diagnosis/run-record.js";
import { HealthMonitor } from "../src/train/health-monitor.js";
import { trainTabular } from "../src/train/train-tabular.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-diagnosis-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const runs = new Map<Pathology, { record: RunRecord; findings: Finding[] }>();
before(async () => {
  for (const p of Object.keys(EXPECTED) as Pathology[]) {
    const record = await plantedRun(p, "wine", 0, tmp);
    runs.set(p, { record, findings: diagnose(record) });
  }
});

const symptoms = (p: Pathology) => runs.get(p)!.findings.map((f) => f.symptom);
const first = (p: Pathology) => runs.get(p)!.findings[0]!;
const find = (p: Pathology, s: string) => runs.get(p)!.findings.find((f) => f.symptom === s);

describe("planted pathologies on wine", () => {
  test("learning rate 10: diverged (or unstable) first, with a lower learning rate", () => {
    assert.ok(
      ["diverged", "unstable_training"].includes(first("diverged").symptom),
      symptoms("diverged").join(", "),
    );
    const lr = first("diverged").actions[0]!.change.lr as number;
    assert.ok(lr <= 1e-2, `proposed lr ${lr}`);
    assert.ok(symptoms("diverged").includes("lr_too_high"));
  });

  test("shuffled labels: stuck at chance (or not learning) first, checking the labels among the actions", () => {
    assert.ok(
      ["stuck_at_chance", "not_learning"].includes(first("shuffled").symptom),
      symptoms("shuffled").join(", "),
    );
    assert.ok(first("shuffled").actions.some((a) => /check the labels/.test(a.why) && !a.command));
  });

  test("a noisy copy of the target: leakage, dropping that column", () => {
    const f = find("leak", "leakage")!;
    assert.equal(f.severity, "high");
    assert.deepEqual(f.actions[0]!.change, { drop: "target_copy" });
    assert.match(f.actions[0]!.command!, /--drop target_copy$/);
    assert.equal(first("leak").symptom, "leakage");
  });

  test("features scaled by 1, 10, 100, 1000 and not standardized: unnormalized inputs first, --standardize standard", () => {
    const f = first("unnormalized");
    assert.equal(f.symptom, "unnormalized_inputs");
    assert.match(f.actions[0]!.command!, /--standardize standard$/);
    assert.ok(!/--standardize none/.test(f.actions[0]!.command!), "the changed flag replaces the old value");
  });

  test("1:30 classes monitored with accuracy: class imbalance first, with a metric change among the actions", () => {
    assert.equal(first("imbalance").symptom, "class_imbalance");
    assert.ok(first("imbalance").actions.some((a) => a.change.monitor === "val_f1_macro"));
    assert.ok(symptoms("imbalance").includes("metric_mismatch"));
  });

  test("learning rate 1e-6: lr_too_low (or underfitting) first, raising the learning rate", () => {
    assert.ok(
      ["lr_too_low", "underfitting"].includes(first("lr_low").symptom),
      symptoms("lr_low").join(", "),
    );
    assert.ok((first("lr_low").actions[0]!.change.lr as number) >= 1e-5);
  });

  test("6 sigmoid layers with SGD: vanishing gradients (or saturation) first, ReLU proposed", () => {
    assert.ok(
      ["vanishing_gradients", "saturated_activations"].includes(first("vanishing").symptom),
      symptoms("vanishing").join(", "),
    );
    assert.deepEqual(first("vanishing").actions[0]!.change, { activation: "relu" });
  });

  test("a wide model on 60 rows for 150 epochs without regularization: overfitting first, high, early stopping first", () => {
    const f = first("overfit");
    assert.equal(f.symptom, "overfitting");
    assert.equal(f.severity, "high");
    assert.ok((f.evidence.val_loss_last as number) > (f.evidence.val_loss_at_best as number));
    // the validation loss was still above its best 10+ epochs later: the run had no early stopping
    assert.deepEqual(
      f.actions.slice(0, 3).map((a) => Object.keys(a.change)[0]),
      ["early-stopping", "weight-decay", "dropout"],
    );
  });

  test("the plan only words actions: without it the findings are the same", () => {
    for (const [p, { record, findings }] of runs) {
      const blank = diagnose(withoutPlan(record));
      const strip = (fs: Finding[]) => fs.map(({ actions: _a, ...rest }) => rest);
      assert.deepEqual(strip(blank), strip(findings), p);
      assert.ok(
        blank.every((f) => f.actions.length > 0 || f.symptom === "healthy"),
        p,
      );
    }
  });

  test("every action names options of nncoach train and its command starts from the run's command", () => {
    for (const [p, { record, findings }] of runs) {
      for (const f of findings)
        for (const a of f.actions) {
          for (const k of Object.keys(a.change)) assert.ok(isTrainFlag(k), `${p}/${f.symptom}: --${k}`);
          if (a.command) assert.ok(a.command.startsWith(`nncoach train ${record.command![2]}`), a.command);
        }
    }
  });

  test("the text ends with the next command to run", () => {
    const text = renderDiagnosis(runs.get("overfit")!.findings);
    const lines = text.trim().split("\n");
    assert.match(lines[0]!, /^diagnosis: \d+ findings?$/);
    assert.match(lines[1]!, /^1\. \[high\] overfitting \(confidence 0\.\d\d\): validation loss rose/);
    assert.equal(lines[lines.length - 1], `next: ${runs.get("overfit")!.findings[0]!.actions[0]!.command}`);
  });
});

describe("planted pathologies on images and text", () => {
  // one seed each, the matrix's cells (bench/diagnosis-matrix.ts): a few seconds per run
  const other = new Map<string, { record: RunRecord; findings: Finding[]; spec: RunSpec }>();
  before(async () => {
    for (const [p, d] of [
      ["vanishing", "digits_png"],
      ["shuffled", "first_names"],
      ["imbalance", "first_names"],
    ] as const) {
      const spec = await plantedSpec(p, d, 0, tmp);
      const { record } = await runSpec(spec);
      other.set(`${p}/${d}`, { record, findings: diagnose(record), spec });
    }
  });
  const firstOf = (k: string) => other.get(k)!.findings[0]!;
  const names = (k: string) => other.get(k)!.findings.map((f) => f.symptom);

  test("digit images through a 6-layer sigmoid CNN on SGD without batch norm: vanishing gradients first, ReLU", () => {
    const f = firstOf("vanishing/digits_png");
    assert.equal(f.symptom, "vanishing_gradients", names("vanishing/digits_png").join(", "));
    assert.equal(f.evidence.first_layer, "block1.conv1");
    assert.deepEqual(f.actions[0]!.change, { activation: "relu" });
    assert.match(
      f.actions[0]!.command!,
      /digits_png --seed 0 --widths 16,16,16 --depth 2 .*--activation relu$/,
    );
  });

  test("first names with shuffled labels: stuck at chance, and checking the labels restores them", () => {
    const f = firstOf("shuffled/first_names");
    assert.equal(f.symptom, "stuck_at_chance", names("shuffled/first_names").join(", "));
    const check = f.actions.find((a) => /check the labels/.test(a.why))!;
    const r = repairSpec(other.get("shuffled/first_names")!.spec, check);
    assert.ok("spec" in r && !/shuffled/.test(r.spec.config.data));
  });

  test("first names with 1:30 genders monitored on accuracy: class imbalance first, class weights first", () => {
    const f = firstOf("imbalance/first_names");
    assert.equal(f.symptom, "class_imbalance");
    assert.equal(f.evidence.accuracy_at_majority_rate, true);
    assert.deepEqual(
      f.actions.slice(0, 2).map((a) => a.change),
      [{ "class-weights": "balanced" }, { monitor: "val_roc_auc" }],
    );
    assert.ok(names("imbalance/first_names").includes("metric_mismatch"));
  });

  test("image and text records: the plan only words actions, and every action is an option of nncoach train", () => {
    for (const [k, { record, findings }] of other) {
      const strip = (fs: Finding[]) => fs.map(({ actions: _a, ...rest }) => rest);
      assert.deepEqual(strip(diagnose(withoutPlan(record))), strip(findings), k);
      for (const f of findings)
        for (const a of f.actions)
          for (const flag of Object.keys(a.change)) assert.ok(isTrainFlag(flag), `${k}: --${flag}`);
    }
  });
});

test("a default run of wine has nothing of medium or high severity", async () => {
  const findings = diagnose(await defaultRun("wine", 0));
  assert.deepEqual(
    findings.filter((f) => f.severity === "high" || f.severity === "medium").map((f) => f.symptom),
    [],
  );
  assert.equal(findings[findings.length - 1]!.symptom, "healthy");
});

test("EarlyDiagnosis stops a run at learning rate 10 once it has diverged, and warns on the way", async () => {
  const lines: string[] = [];
  // trainTabular keeps its own HealthMonitor to itself; the early diagnosis reads one of its own
  const monitor = new HealthMonitor();
  const early = new EarlyDiagnosis({
    health: monitor,
    every: 1,
    log: (l) => lines.push(l),
    context: { monitor: "val_loss" },
  });
  const r = await trainTabular(
    { data: path.join(SHARED, "wine.csv"), target: "cultivar", lr: 10, epochs: 30, threads: 1 },
    { callbacks: [monitor, early] },
  );
  assert.match(r.stopReason!, /^early diagnosis: diverged: /);
  assert.ok(r.epochsRun < 30);
  assert.equal(early.warnings[0]!.finding.symptom, "diverged");
  assert.match(lines[0]!, /^warning \(epoch \d+\): diverged: /);
  await r.trainer.release();
});
