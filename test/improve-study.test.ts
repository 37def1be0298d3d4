/**
 * `nncoach improve` end to end on real tables: the ledger, the sealed test rows read once in step 9, the
 * outputs (model, config, summary, report), resume after SIGKILL giving the same ledger, the keep rule on
 * permuted labels, and a budget too small for the baseline.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { writeCsv } from "../bench/planted-pathologies.js";
import { improve, MAX_AUTO_REPEATS, roundsForBudget, STEP_TRIALS } from "../src/coach/improve/improve.js";
import { STEPS } from "../src/coach/improve/steps.js";
import { readTableFile } from "../src/data/read-table-file.js";
import { prepareFolds, prepareRepeatedFolds } from "../src/recipe/cross-validate.js";
import { prepareData } from "../src/recipe/prepare-data.js";
import { loadConfigFile, resolveConfig } from "../src/train/config.js";
import { Random } from "../src/util/random.js";
import { CLI, ROOT, runCli } from "./helpers/cli.js";
import { ledger } from "./helpers/improve-ledger.js";

const SHARED = process.env.NNCOACH_DATASETS ?? "/work/shared/datasets";
const WINE = path.join(SHARED, "wine.csv");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-improve-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("nncoach improve", () => {
  test("wine: every step runs or says why not, the test rows are read once after the last trial, outputs reproduce", async () => {
    const out = path.join(tmp, "wine");
    const lines: { at: number; line: string }[] = [];
    const s = await improve({
      data: WINE,
      target: "cultivar",
      budget: 600,
      trials: 6,
      out,
      threads: 1,
      train: { epochs: 12 },
      log: (line) => lines.push({ at: Date.now(), line }),
    });
    assert.equal(s.evaluation.mode, "cv");
    assert.equal(s.baseline.val.values.length, 5);
    assert.equal(s.metric.name, "accuracy");
    // every recipe step appears: run with candidates, or skipped with a reason
    for (const step of STEPS) {
      const entries = s.steps.filter((st) => st.name === step.name || st.name.startsWith(`${step.name} (`));
      assert.ok(entries.length > 0, `${step.name} is in the ledger`);
      for (const e of entries) assert.ok(e.skipped ? e.reason.length > 10 : e.candidates.length > 0, e.name);
    }
    assert.ok(
      s.steps.some((st) => st.skipped && /budget/.test(st.reason)),
      "--trials 6 leaves steps to the budget",
    );
    assert.equal(s.trials.run, 6);
    // the sealed test rows: unsealed once, in step 9, after every trial
    assert.ok(s.test_unsealed && /step 9/.test(s.test_unsealed.reason));
    const unsealedAt = Date.parse(s.test_unsealed.at);
    const lastTrial = lines.filter((l) => /^trial \d+/.test(l.line)).at(-1)!;
    const lock = lines.find((l) => /^lock:/.test(l.line))!;
    assert.ok(lastTrial.at <= unsealedAt && lock.at <= unsealedAt + 1000, "test read after the last trial");
    // test metric with a bootstrap interval around it
    const t = s.final.test!;
    assert.ok(t.ci[0] <= t.value && t.value <= t.ci[1] && t.ci[1] - t.ci[0] > 0);
    assert.equal(s.reference.name, "logistic regression (L2, C=1)");
    // outputs
    const saved = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8"));
    assert.deepEqual(ledger(saved), ledger(s));
    const cfg = resolveConfig(loadConfigFile(path.join(out, "config.yaml")));
    assert.equal(cfg.values.epochs, s.final.epochs);
    assert.equal(cfg.values.target, "cultivar");
    const html = fs.readFileSync(path.join(out, "report.html"), "utf8");
    assert.equal((html.match(/<tr class="(kept|rejected|skipped)">/g) ?? []).length, s.steps.length);
    assert.ok(!/(src|href)="https?:/.test(html) && !/<script/.test(html), "self-contained, no script");
    const md = fs.readFileSync(path.join(out, "report.md"), "utf8");
    assert.match(md, /## Ledger/);
    const pred = runCli(["predict", path.join(out, "model"), WINE, "--out", path.join(tmp, "p.csv")]);
    assert.equal(pred.code, 0, pred.stderr);
    assert.equal(fs.readFileSync(path.join(tmp, "p.csv"), "utf8").trim().split("\n").length, 179);
  });

  test("--cv-repeats 2: the folds dealt twice (10 units, in pool processes too), each round with its own seed", async () => {
    const lines: string[] = [];
    const s = await improve({
      data: WINE,
      target: "cultivar",
      budget: 600,
      trials: 1,
      cvRepeats: 2,
      out: path.join(tmp, "wine-repeats"),
      threads: 1,
      workers: 2,
      train: { epochs: 4 },
      log: (line) => lines.push(line),
    });
    assert.equal(s.evaluation.mode, "cv");
    assert.equal(s.evaluation.units, 10);
    assert.equal(s.baseline.val.values.length, 10);
    assert.ok(
      lines.some((l) => /5 stratified folds dealt 2 times \(10 units\)/.test(l)),
      "says so",
    );
    // round 0 is the plain 5-fold of the split seed; round 1 deals the same rows into other folds
    const resolved = resolveConfig(null, { data: WINE, target: "cultivar", seed: 0 });
    const data = await prepareData(resolved);
    const rows = [...data.rows.train, ...data.rows.val];
    const folds = await prepareRepeatedFolds(data, rows, resolved, 5, 2);
    const plain = await prepareFolds(data, rows, resolved, 5);
    assert.equal(folds.length, 10);
    for (let i = 0; i < 5; i++) assert.deepEqual(folds[i]!.rows.val, plain[i]!.rows.val, `round 0 fold ${i}`);
    for (const round of [folds.slice(0, 5), folds.slice(5)])
      assert.deepEqual(
        round.flatMap((f) => f.rows.val).sort((a, b) => a - b),
        [...rows].sort((a, b) => a - b),
        "each round validates every row once",
      );
    assert.notDeepEqual(folds[5]!.rows.val, folds[0]!.rows.val);
  });

  test("rounds of folds from the budget: more only while every round keeps room for the steps", () => {
    assert.equal(roundsForBudget(0), 1);
    assert.equal(roundsForBudget(2 * (STEP_TRIALS + 1) - 1), 1);
    assert.equal(roundsForBudget(2 * (STEP_TRIALS + 1)), 2);
    assert.equal(roundsForBudget(3 * (STEP_TRIALS + 1) - 1), 2);
    assert.equal(roundsForBudget(10_000), MAX_AUTO_REPEATS);
  });

  test("without --cv-repeats, a budget with room deals the folds more times; the baseline runs again on them", async () => {
    const lines: string[] = [];
    const s = await improve({
      data: path.join(SHARED, "iris.csv"),
      target: "species",
      // room for far more trials than the steps take, whatever the machine's speed
      budget: 1_000_000,
      threads: 1,
      workers: 2,
      train: { epochs: 2 },
      log: (line) => lines.push(line),
    });
    assert.equal(s.evaluation.mode, "cv");
    assert.equal(s.evaluation.units, 5 * MAX_AUTO_REPEATS);
    assert.equal(s.baseline.val.values.length, 5 * MAX_AUTO_REPEATS);
    assert.equal(s.reference.name !== null && s.reference.val!.values.length, 5 * MAX_AUTO_REPEATS);
    const d = s.decisions.find((x) => x.key === "cvRepeats")!;
    assert.equal(d.value, MAX_AUTO_REPEATS);
    assert.match(d.reason, /the budget pays for about \d+ trials of one round of 5 folds/);
    assert.deepEqual(
      lines.filter((l) => /^trial \d+ baseline/.test(l)).map((l) => l.split(":")[0]),
      ["trial 0 baseline", "trial 1 baseline"],
      "a baseline of one round measures a trial's cost, then the baseline of all rounds",
    );
    assert.match(s.decisions.find((x) => x.key === "evaluation")!.reason, /dealt 3 times \(15 units\)/);
    // every step ran or was skipped for a reason other than the budget
    assert.ok(s.steps.every((st) => !/budget/.test(st.reason)));
  });

  test("SIGKILL during the capacity step, then --resume: the same ledger as an uninterrupted study", async () => {
    const args = (out: string) => [
      CLI,
      "improve",
      WINE,
      "--target",
      "cultivar",
      "--budget",
      "600",
      "--trials",
      "9",
      "--out",
      out,
      "--epochs",
      "10",
      "--threads",
      "1",
      "--json",
    ];
    const whole = runCli(args(path.join(tmp, "whole")).slice(1));
    assert.equal(whole.code, 0, whole.stderr);
    const killedOut = path.join(tmp, "killed");
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, args(killedOut), { cwd: ROOT });
      let seen = "";
      child.stderr.on("data", (d: Buffer) => {
        seen += d.toString();
        if (/trial \d+ capacity/.test(seen)) child.kill("SIGKILL");
      });
      child.on("exit", (_code, signal) =>
        signal === "SIGKILL" ? resolve() : reject(new Error(`not killed: ${seen}`)),
      );
    });
    assert.ok(!fs.existsSync(path.join(killedOut, "summary.json")));
    const again = runCli([...args(killedOut).slice(1)]);
    assert.notEqual(again.code, 0, "a second start without --resume is refused");
    assert.match(again.stderr, /--resume/);
    const resumed = runCli([...args(killedOut).slice(1), "--resume"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(ledger(resumed.json as never), ledger(whole.json as never));
  });

  test("permuted labels: the keep rule keeps nothing", async () => {
    const table = await readTableFile(WINE);
    const t = table.columns.indexOf("cultivar");
    const labels = new Random(7).shuffle(table.rows.map((r) => r[t]!));
    const file = path.join(tmp, "wine-permuted.csv");
    writeCsv(
      file,
      table.columns,
      table.rows.map((r, i) => r.map((c, j) => (j === t ? labels[i]! : c))),
    );
    const s = await improve({
      data: file,
      target: "cultivar",
      budget: 600,
      trials: 8,
      threads: 1,
      train: { epochs: 10 },
    });
    assert.deepEqual(
      s.steps.filter((st) => st.kept).map((st) => st.name),
      [],
    );
    assert.deepEqual(s.final.options, s.baseline.options);
  });

  test("a budget too small for the baseline says how long the baseline needs", () => {
    const r = runCli(["improve", WINE, "--target", "cultivar", "--budget", "0.5", "--threads", "1"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--budget 0\.5 s is too small: the baseline network alone took [\d.]+ s/);
    assert.match(r.stderr, /give --budget \d+/);
    assert.ok(!/at .*\.js:\d+/.test(r.stderr), "no stack trace");
  });
  test("binary task judged by F1: the threshold is tuned on validation and predict applies it", async () => {
    const out = path.join(tmp, "bc-f1");
    const data = path.join(SHARED, "breast_cancer.csv");
    const s = await improve({
      data,
      target: "diagnosis",
      metric: "f1",
      budget: 600,
      trials: 0,
      out,
      threads: 1,
      train: { epochs: 8 },
    });
    assert.equal(s.metric.name, "f1");
    const t = s.final.threshold!;
    assert.ok(t > 0 && t < 1, `threshold ${t}`);
    assert.ok(s.decisions.some((d) => d.key === "threshold" && d.value === t));
    assert.ok(typeof s.final.test!.metrics.f1_at_0_5 === "number");
    const pred = runCli(["predict", path.join(out, "model"), data, "--out", path.join(tmp, "bc.csv")]);
    assert.equal(pred.code, 0, pred.stderr);
    const [head, ...rows] = fs.readFileSync(path.join(tmp, "bc.csv"), "utf8").trim().split("\n");
    const cols = head!.split(",");
    const classes = cols.slice(1).map((c) => c.replace(/^p_/, ""));
    for (const r of rows) {
      const cells = r.split(",");
      const p1 = Number(cells[2]);
      assert.equal(cells[0], p1 >= t ? classes[1] : classes[0], r);
    }
  });
});
