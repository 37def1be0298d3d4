/**
 * `nncoach runs` over a store that real commands filled: `train` (wine and iris), `lr-find` and an
 * `improve` study all appear in `runs list` with the metrics their own --json output reported; `runs
 * compare` shows exactly the configuration keys that differ; `runs show`, `export` and `rm` work on them;
 * and the test-set discipline counts the iris test rows once for `train --evaluate-test` and once for
 * the study's final evaluation (the study says so in its output, summary and report).
 */
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { ImproveSummary } from "../src/coach/improve/improve.js";
import type { RunComparison } from "../src/store/compare.js";
import type { RunDetail, RunSummary } from "../src/store/types.js";
import { type CliResult, runCli } from "./helpers/cli.js";

const SHARED = process.env.NNCOACH_DATASETS ?? "/work/shared/datasets";
const WINE = path.join(SHARED, "wine.csv");
const IRIS = path.join(SHARED, "iris.csv");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-runs-cli-"));
after(() => {
  if (process.env.NNCOACH_KEEP_TMP !== "1") fs.rmSync(tmp, { recursive: true, force: true });
});
const store = path.join(tmp, "store", "runs.db");

function cli(args: string[], env: Record<string, string | undefined> = {}): CliResult {
  return runCli(args, { cwd: tmp, env: { NNCOACH_STORE: undefined, ...env } });
}

function ok(r: CliResult): CliResult {
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  return r;
}

/** The lines of a `runs compare` text output between "config:" and the next section. */
function configLines(out: string): string[] {
  const lines = out.split("\n");
  const start = lines.findIndex((l) => l.startsWith("config:"));
  const end = lines.findIndex((l, i) => i > start && !l.startsWith("  "));
  return lines.slice(start + 2, end < 0 ? undefined : end).map((l) => l.trim().split(/\s+/)[0]!);
}

describe("runs recorded by train, lr-find and improve", { timeout: 240_000 }, () => {
  const base = ["--target", "cultivar", "--epochs", "3", "--threads", "1", "--json", "--store", store];
  let a: CliResult;
  let b: CliResult;
  let c: CliResult;
  let lr: CliResult;
  let irisTrain: CliResult;
  let improve: CliResult;
  let summary: ImproveSummary;
  let list: RunSummary[];

  before(() => {
    a = ok(cli(["train", WINE, ...base, "--lr", "0.001"]));
    b = ok(cli(["train", WINE, ...base, "--lr", "0.003"]));
    c = ok(
      cli([
        "train",
        WINE,
        ...base,
        "--epochs",
        "4",
        "--save",
        path.join(tmp, "saved"),
        "--run-name",
        "saved run",
      ]),
    );
    lr = ok(cli(["lr-find", WINE, "--target", "cultivar", "--threads", "1", "--json", "--store", store]));
    const iris = ["--target", "species", "--epochs", "3", "--threads", "1"];
    irisTrain = ok(cli(["train", IRIS, ...iris, "--evaluate-test", "--json", "--store", store]));
    improve = ok(
      cli([
        "improve",
        IRIS,
        ...iris,
        "--budget",
        "600",
        "--trials",
        "2",
        "--out",
        path.join(tmp, "study"),
        "--json",
        "--store",
        store,
      ]),
    );
    summary = improve.json as unknown as ImproveSummary;
    list = JSON.parse(ok(cli(["runs", "list", "--json", "--store", store])).stdout) as RunSummary[];
  });

  test("every command's run is listed, with the metrics the command reported", () => {
    const byId = new Map(list.map((r) => [r.id, r]));
    for (const r of [a, b, c, irisTrain]) {
      const run = byId.get(r.json!.run_id as number)!;
      const val = r.json!.val as Record<string, number>;
      assert.equal(run.kind, "train");
      assert.equal(run.status, "completed");
      assert.equal(run.metrics.val_accuracy, val.accuracy);
      assert.equal(run.metrics.val_loss, val.loss);
      assert.equal(run.epochsRun, (r.json!.history as unknown[]).length);
    }
    const test = irisTrain.json!.test as Record<string, number>;
    assert.equal(byId.get(irisTrain.json!.run_id as number)!.metrics.test_accuracy, test.accuracy);
    const finder = byId.get(lr.json!.run_id as number)!;
    assert.equal(finder.kind, "lr-find");
    assert.equal(finder.metrics.suggested_lr, lr.json!.suggestion);
    assert.deepEqual(new Set(list.map((r) => r.kind)), new Set(["train", "lr-find", "trial", "final"]));
  });

  test("the improve study: its trials, LR finder and final model, with the summary's numbers", () => {
    const studyId = list.find((r) => r.kind === "final")!.studyId!;
    const study = JSON.parse(
      ok(cli(["runs", "list", "--study", String(studyId), "--json", "--store", store])).stdout,
    ) as RunSummary[];
    assert.equal(study.length, list.filter((r) => r.studyId === studyId).length);
    const trials = study.filter((r) => r.kind === "trial");
    assert.equal(trials.length, summary.trials.run + 1, "the baseline and every trial run");
    const m = summary.metric.name;
    const baseline = trials.find((r) => /^trial 0 baseline/.test(r.name))!;
    assert.equal(baseline.metrics[`val_${m}`], summary.baseline.val.mean);
    assert.equal(baseline.metrics[`val_${m}_se`], summary.baseline.val.se);
    const final = study.find((r) => r.kind === "final")!;
    assert.equal(final.metrics[`test_${m}`], summary.final.test!.metrics[m]);
    assert.equal(study.filter((r) => r.kind === "lr-find").length, 1);
  });

  test("the iris test rows: evaluated by train, then by the study: counted twice, and the study says so", () => {
    assert.equal(irisTrain.json!.test_evaluations, 1);
    assert.equal(summary.test_evaluations, 2);
    assert.match(
      improve.stderr,
      /this test split has been evaluated 2 times; its score is no longer an unbiased estimate/,
    );
    const report = fs.readFileSync(path.join(tmp, "study", "report.md"), "utf8");
    assert.match(report, /Test evaluations: 2\. This test split has been evaluated 2 times/);
    const html = fs.readFileSync(path.join(tmp, "study", "report.html"), "utf8");
    assert.match(html, /<p class="test-evaluations">Test evaluations: 2\./);
    // a third look, from train: it warns
    const again = ok(
      cli([
        "train",
        IRIS,
        "--target",
        "species",
        "--epochs",
        "2",
        "--threads",
        "1",
        "--evaluate-test",
        "--store",
        store,
      ]),
    );
    assert.match(
      again.stdout,
      /^warning: this test split has been evaluated 3 times; its score is no longer an unbiased estimate$/m,
    );
  });

  test("runs compare: exactly the differing config keys, metrics and curves side by side", () => {
    const [ia, ib, ic] = [a, b, c].map((r) => String(r.json!.run_id));
    const two = JSON.parse(
      ok(cli(["runs", "compare", ia!, ib!, "--json", "--store", store])).stdout,
    ) as RunComparison;
    assert.deepEqual(Object.keys(two.config), ["lr"]);
    assert.deepEqual(two.config.lr, [0.001, 0.003]);
    assert.deepEqual(two.metrics.val_loss, [
      (a.json!.val as { loss: number }).loss,
      (b.json!.val as { loss: number }).loss,
    ]);
    assert.equal(two.curves.val_loss!.length, 2);
    const three = JSON.parse(
      ok(cli(["runs", "compare", ia!, ib!, ic!, "--json", "--store", store])).stdout,
    ) as RunComparison;
    assert.deepEqual(Object.keys(three.config), ["epochs", "lr", "save"]);
    const text = ok(cli(["runs", "compare", ia!, ib!, ic!, "--store", store])).stdout;
    assert.match(text, /^config: 3 keys differ/m);
    assert.deepEqual(configLines(text), ["epochs", "lr", "save"]);
    assert.match(text, /^val_loss \(one scale: /m);
    assert.match(text, /^ {2}run \d+ +[▁▂▃▄▅▆▇█]{3}$/m);
  });

  test("runs show and runs export", () => {
    const id = String(c.json!.run_id);
    const d = JSON.parse(ok(cli(["runs", "show", id, "--json", "--store", store])).stdout) as RunDetail;
    assert.equal(d.name, "saved run");
    assert.equal(d.epochs.length, 4);
    assert.deepEqual(
      d.epochs.map((e) => e.metrics.val_loss),
      (c.json!.history as { val_loss: number }[]).map((h) => h.val_loss),
    );
    assert.ok(d.findings.length > 0, "the diagnosis is stored");
    assert.equal(d.config?.lr, 0.001);
    const text = ok(cli(["runs", "show", id, "--store", store])).stdout;
    assert.match(text, new RegExp(`^run ${id}: saved run$`, "m"));
    assert.match(text, /^epochs \(4\):$/m);

    const out = path.join(tmp, "export");
    ok(cli(["runs", "export", id, "--out", out, "--store", store]));
    const model = fs.readFileSync(path.join(out, "model.onnx"));
    const recorded = d.artifacts.find((x) => path.basename(x.path) === "model.onnx")!;
    assert.equal(crypto.createHash("sha256").update(model).digest("hex"), recorded.sha256);
    const csv = fs.readFileSync(path.join(out, "history.csv"), "utf8").trim().split("\n");
    assert.equal(csv.length, 5);
    assert.match(csv[0]!, /^epoch,train_loss,val_loss,/);
    assert.equal(JSON.parse(fs.readFileSync(path.join(out, "resolved-config.json"), "utf8")).epochs, 4);
  });

  test("runs rm deletes, and a missing run or store is a clear error", () => {
    const id = String(b.json!.run_id);
    assert.match(ok(cli(["runs", "rm", id, "--store", store])).stdout, /^removed 1 run/);
    const gone = cli(["runs", "show", id, "--store", store]);
    assert.equal(gone.code, 2);
    assert.match(gone.stderr, new RegExp(`no run ${id} in `));
    const none = cli(["runs", "list"]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no experiment store at .*\.nncoach\/runs\.db/);
    const filtered = JSON.parse(
      ok(cli(["runs", "list", "--status", "completed", "--limit", "2", "--json"], { NNCOACH_STORE: store }))
        .stdout,
    );
    assert.equal(filtered.length, 2);
  });

  test("by default runs go to .nncoach/runs.db in the working directory; --no-track records nothing", () => {
    ok(cli(["train", WINE, "--target", "cultivar", "--epochs", "1", "--threads", "1", "--no-track"]));
    assert.equal(fs.existsSync(path.join(tmp, ".nncoach")), false);
    const r = ok(cli(["train", WINE, "--target", "cultivar", "--epochs", "1", "--threads", "1"]));
    assert.match(r.stdout, /^store: run 1 recorded in .*\.nncoach\/runs\.db \(nncoach runs show 1\)$/m);
    assert.equal(JSON.parse(ok(cli(["runs", "list", "--json"])).stdout).length, 1);
  });
});
