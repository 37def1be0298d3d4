/**
 * `nncoach sweep` end to end on the wine table: the --json object (trials with id, config, status, val,
 * epochs_run; the best), ASHA stopping trials at its rung epochs, the same seed giving the same sweep, the
 * best trial's `nncoach train` command giving the same validation score, the study and its trial runs in
 * the store, and clear refusals (exit 2) for bad input.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { objectiveFor } from "../src/coach/improve/objective.js";
import { LocalTrialRunner, type TrialRunner } from "../src/coach/improve/trial.js";
import { sweep } from "../src/index.js";
import { prepareData } from "../src/recipe/prepare-data.js";
import { SqliteRunStore } from "../src/store/sqlite-store.js";
import type { SweepSummary } from "../src/sweep/sweep.js";
import { resolveConfig } from "../src/train/config.js";
import { runCli } from "./helpers/cli.js";

const SHARED = process.env.NNCOACH_DATASETS ?? "/work/shared/datasets";
const WINE = path.join(SHARED, "wine.csv");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-sweep-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const SPACE = path.join(tmp, "space.yaml");
fs.writeFileSync(
  SPACE,
  [
    "lr: {log_uniform: [1.0e-4, 3.0e-2]}",
    'hidden: {choice: ["16", "64,64", "128,128"]}',
    "dropout: {uniform: [0.0, 0.3]}",
    "batch-size: {choice: [16, 32, 64]}",
    "epochs: 12",
  ].join("\n"),
);

/** The sweep without its times (what the same seed must repeat). */
const outcome = (s: SweepSummary) => s.trials.map(({ seconds: _s, ...t }) => t);

function sweepCli(extra: string[], store: string) {
  return runCli([
    "sweep",
    WINE,
    "--target",
    "cultivar",
    "--space",
    SPACE,
    "--trials",
    "14",
    "--budget",
    "10m",
    "--threads",
    "1",
    "--json",
    "--store",
    store,
    ...extra,
  ]);
}

describe("nncoach sweep", () => {
  const store = path.join(tmp, "runs.db");
  const out = path.join(tmp, "out");
  let s: SweepSummary;

  test("wine, TPE + ASHA, 14 trials: the JSON object, pruned trials at rung epochs, the best", () => {
    const r = sweepCli(["--out", out], store);
    assert.equal(r.code, 0, r.stderr);
    s = r.json as unknown as SweepSummary;
    assert.equal(s.trials.length, 14);
    assert.equal(s.sampler, "tpe");
    assert.equal(s.pruner, "asha");
    assert.equal(s.metric.name, "accuracy");
    for (const [i, t] of s.trials.entries()) {
      assert.equal(t.id, i);
      assert.deepEqual(Object.keys(t.config).sort(), ["batchSize", "dropout", "hidden", "lr"]);
      assert.ok(["completed", "pruned", "failed"].includes(t.status));
      assert.ok(t.val === null || (t.val >= 0 && t.val <= 1));
      assert.ok(t.epochs_run >= 1 && t.epochs_run <= 12, `trial ${t.id} ran ${t.epochs_run} epochs`);
      assert.ok((t.config.lr as number) >= 1e-4 && (t.config.lr as number) <= 3e-2);
      assert.ok([16, 32, 64].includes(t.config.batchSize as number));
    }
    const pruned = s.trials.filter((t) => t.status === "pruned");
    assert.ok(pruned.length >= 3, `ASHA stopped ${pruned.length} of 14`);
    for (const t of pruned)
      assert.ok([1, 3, 9].includes(t.epochs_run), `pruned at a rung epoch, got ${t.epochs_run}`);
    assert.equal(s.trials[0]!.status, "completed", "the first trial is never stopped");
    const completed = s.trials.filter((t) => t.status === "completed");
    assert.equal(s.best!.val, Math.max(...completed.map((t) => t.val!)));
    assert.match(
      s.best!.command,
      /^nncoach train .*wine\.csv --target cultivar --seed 0 --epochs 12 --lr \S+ --hidden \S+ --dropout \S+ --batch-size \d+$/,
    );
    // human lines go to stderr with --json: one per trial, then the best and its command
    assert.equal(r.stderr.split("\n").filter((l) => /^trial \d+: lr=/.test(l)).length, 14);
    assert.match(r.stderr, /best: trial \d+, accuracy/);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(out, "sweep.json"), "utf8")).trials.length, 14);
  });

  test("the same seed gives the same sweep; another seed another", () => {
    const again = sweepCli([], path.join(tmp, "runs2.db"));
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(outcome(again.json as unknown as SweepSummary), outcome(s));
    const other = sweepCli(["--seed", "1", "--trials", "3"], path.join(tmp, "runs2.db"));
    assert.notDeepEqual(outcome(other.json as unknown as SweepSummary), outcome(s).slice(0, 3));
  });

  test("the best trial's nncoach train command reproduces its validation score", () => {
    const args = s.best!.command.replace(/^nncoach /, "").split(" ");
    const r = runCli([...args, "--threads", "1", "--json", "--no-track"]);
    assert.equal(r.code, 0, r.stderr);
    const val = (r.json as { val: Record<string, number> }).val;
    assert.equal(val.accuracy, s.best!.val);
  });

  test("the store holds the sweep as a study, each trial a run with its status", async () => {
    const db = await SqliteRunStore.open(store);
    try {
      const studies = db.listStudies();
      assert.equal(studies.length, 1);
      const study = db.getStudy(studies[0]!.id)!;
      assert.match(study.name, /^sweep wine\.csv → cultivar$/);
      assert.equal(study.status, "completed");
      assert.equal(study.metric, "accuracy");
      assert.equal(study.runs, 14);
      assert.deepEqual((study.summary as SweepSummary).best?.id, s.best!.id);
      // the trials as the study's ledger (the dashboard's table), the best one marked kept
      assert.equal(study.ledger.length, 14);
      assert.deepEqual(
        study.ledger.filter((l) => l.kept).map((l) => l.name),
        [`trial ${s.best!.id}`],
      );
      const runs = db.listRuns({ studyId: study.id, sort: "id" });
      assert.deepEqual(
        runs.map((r) => [r.kind, r.status]),
        s.trials.map((t) => ["trial", t.status]),
      );
      for (const [i, r] of runs.entries()) {
        if (s.trials[i]!.val !== null) assert.equal(r.metrics.val_accuracy, s.trials[i]!.val);
        assert.deepEqual(study.ledger[i]!.trials, [r.id]);
      }
      // per-epoch curves, for the dashboard
      const first = db.getRun(runs[0]!.id)!;
      assert.equal(first.epochs.length, s.trials[0]!.epochs_run);
      // the sweep never read the sealed test rows
      assert.ok(first.fingerprints?.test, "the split has test rows");
      assert.equal(first.testEvaluations, 0);
    } finally {
      db.close();
    }
  });

  test("--pruner none runs every trial to the end; --sampler sobol and random run", () => {
    const r = sweepCli(["--pruner", "none", "--sampler", "sobol", "--trials", "4", "--no-track"], store);
    assert.equal(r.code, 0, r.stderr);
    const n = r.json as unknown as SweepSummary;
    assert.deepEqual(
      n.trials.map((t) => t.status),
      ["completed", "completed", "completed", "completed"],
    );
    const q = sweepCli(["--sampler", "random", "--trials", "2", "--no-track"], store);
    assert.equal(q.code, 0, q.stderr);
  });

  test("--workers 2: trials run on the local pool, two at a time; ASHA's stops are recorded as pruned, not failed", () => {
    const r = sweepCli(["--workers", "2", "--threads", "1", "--trials", "6", "--no-track"], store);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /parallelism: 2 x 1 thread|parallelism: .*2/);
    const s = r.json as unknown as SweepSummary;
    assert.deepEqual(
      s.trials.map((t) => t.id),
      [0, 1, 2, 3, 4, 5],
    );
    assert.ok(
      s.trials.every((t) => t.status === "completed" || t.status === "pruned"),
      JSON.stringify(s.trials),
    );
    assert.ok(s.best !== null && s.best.val !== null);
  });

  test("bad input: exit 2, a clear message, no stack trace", () => {
    const cases: [string[], RegExp][] = [
      [
        ["--queue", "redis://127.0.0.1:6379", "--workers", "2"],
        /--workers and --queue both say where trials run/,
      ],
      [
        ["--queue", "redis://someone:s3cret@127.0.0.1:1"],
        /redis:\/\/someone:\*+@127\.0\.0\.1:1|127\.0\.0\.1:1/,
      ],
      [["--sampler", "tp"], /--sampler must be one of random, sobol, tpe, got 'tp'\n.*did you mean 'tpe'/],
      [["--lr", "0.01"], /lr is set on the command line and in the search space/],
      [["--metric", "rmse"], /--metric rmse is a regression metric/],
    ];
    for (const [extra, pattern] of cases) {
      const r = sweepCli([...extra, "--no-track"], store);
      assert.equal(r.code, 2, `${extra.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
    const bad = path.join(tmp, "bad.yaml");
    fs.writeFileSync(bad, "lr: {log_uniform: [1.0e-4, 1.0e-2]}\ndropot: {uniform: [0, 0.3]}\n");
    const r = runCli([
      "sweep",
      WINE,
      "--target",
      "cultivar",
      "--space",
      bad,
      "--trials",
      "2",
      "--budget",
      "60",
      "--no-track",
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option "dropot" in .*bad\.yaml, line 2; did you mean "dropout"\?/);
    const none = runCli(["sweep", WINE, "--target", "cultivar", "--trials", "2", "--budget", "60"]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /needs --space/);
  });

  test("library (the package entry's sweep): a runner that takes 3 trials at once gets 3 in flight; every trial is recorded once", async () => {
    const data = await prepareData(resolveConfig(null, { data: WINE, target: "cultivar", seed: 0 }));
    const local = new LocalTrialRunner([{ data, seed: 0 }], objectiveFor("accuracy"));
    let inFlight = 0;
    let most = 0;
    const runner: TrialRunner = {
      async run(spec, events, signal) {
        most = Math.max(most, ++inFlight);
        try {
          // another machine's trial: it starts later
          await new Promise((r) => setTimeout(r, 20 * (spec.id % 3)));
          return await local.run(spec, events, signal);
        } finally {
          inFlight--;
        }
      },
    };
    const r = await sweep({
      data: WINE,
      target: "cultivar",
      space: SPACE,
      trials: 7,
      budget: 600,
      sampler: "random",
      threads: 1,
      runner: { runner, concurrency: 3 },
    });
    assert.equal(most, 3);
    assert.deepEqual(
      r.trials.map((t) => t.id),
      [0, 1, 2, 3, 4, 5, 6],
    );
  });
});
