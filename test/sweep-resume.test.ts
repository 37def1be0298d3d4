/**
 * `nncoach sweep --resume` on the wine table: a sweep whose coordinator is SIGKILLed mid-trial and started
 * again with --resume ends with exactly the trials (configs, statuses, values, epochs) and best of the
 * same sweep run uninterrupted (TPE and ASHA rebuilt from the recorded trials), every trial recorded once
 * in the sweep state and once in the store's study; through a Redis queue (a real redis-server and
 * a worker process), the resumed coordinator re-attaches to its queue: the same trials, none run twice; and clear refusals for --resume without a sweep, a sweep folder
 * reused without --resume, and a resume with another space.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { SqliteRunStore } from "../src/store/sqlite-store.js";
import type { SweepSummary } from "../src/sweep/sweep.js";
import type { SweepState } from "../src/sweep/sweep-state.js";
import { CLI, type CliResult, ROOT, runCli } from "./helpers/cli.js";
import { runCliAsync } from "./helpers/cli-async.js";
import { type RedisServer, startRedis, startWorker, type WorkerProcess } from "./helpers/redis.js";

const SHARED = process.env.NNCOACH_DATASETS ?? "/work/shared/datasets";
const WINE = path.join(SHARED, "wine.csv");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-sweep-resume-"));
const SPACE = path.join(tmp, "space.yaml");
fs.writeFileSync(
  SPACE,
  [
    "lr: {log_uniform: [1.0e-4, 3.0e-2]}",
    'hidden: {choice: ["16", "64,64"]}',
    "batch-size: {choice: [16, 32]}",
    "epochs: 9",
  ].join("\n"),
);
const TRIALS = 14;
const sweepArgs = (out: string, store: string, extra: string[] = []) => [
  "sweep",
  WINE,
  "--target",
  "cultivar",
  "--space",
  SPACE,
  "--trials",
  String(TRIALS),
  "--budget",
  "10m",
  "--threads",
  "1",
  "--json",
  "--out",
  out,
  "--store",
  store,
  ...extra,
];

/** The sweep without its times (what an interrupted and resumed sweep must repeat). */
const outcome = (s: SweepSummary) => ({
  trials: s.trials.map(({ seconds: _s, ...t }) => t),
  best: s.best ? { id: s.best.id, val: s.best.val, command: s.best.command } : null,
  counts: s.counts,
});

/** Starts the CLI and SIGKILLs it as soon as it reports that trial `afterTrial` has finished. */
function killedMidway(args: string[], afterTrial: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT });
    let seen = "";
    let armed = false;
    child.stderr.on("data", (d: Buffer) => {
      seen += d.toString();
      if (!armed && new RegExp(`^trial ${afterTrial}: `, "m").test(seen)) {
        armed = true;
        // the next trial is being launched or trains: kill the coordinator now (on an idle machine a whole
        // sweep of these trials takes under a second, so a delay here let it finish before the kill)
        child.kill("SIGKILL");
      }
    });
    child.on("exit", (_c, signal) =>
      signal === "SIGKILL" ? resolve(seen) : reject(new Error(`not killed:\n${seen}`)),
    );
  });
}

function state(out: string): SweepState {
  return JSON.parse(fs.readFileSync(path.join(out, "sweep-state.json"), "utf8")) as SweepState;
}

async function studyRuns(store: string): Promise<{ names: string[]; ledger: number; status: string }> {
  const db = await SqliteRunStore.open(store);
  try {
    const studies = db.listStudies();
    assert.equal(studies.length, 1, "one study");
    const study = db.getStudy(studies[0]!.id)!;
    const runs = db.listRuns({ studyId: study.id, sort: "id" });
    return {
      names: runs.map((r) => r.name.split(" ").slice(0, 2).join(" ")),
      ledger: study.ledger.length,
      status: study.status,
    };
  } finally {
    db.close();
  }
}

const started = (log: string) =>
  [...log.matchAll(/trial (\d+) \(sweep\) of \S+ started/g)].map((m) => Number(m[1]));

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("nncoach sweep --resume", () => {
  let whole: SweepSummary;

  test("uninterrupted, then SIGKILLed mid-trial and resumed: the same trials and best, each recorded once", async () => {
    const r = runCli(sweepArgs(path.join(tmp, "whole"), path.join(tmp, "whole.db")));
    assert.equal(r.code, 0, r.stderr);
    whole = r.json as unknown as SweepSummary;
    assert.equal(whole.trials.length, TRIALS);
    assert.ok(whole.counts.pruned > 0, "ASHA stopped some trials (its state is part of what resumes)");

    const out = path.join(tmp, "killed");
    const store = path.join(tmp, "killed.db");
    await killedMidway(sweepArgs(out, store), 5);
    const before = state(out);
    assert.ok(
      before.finished.length >= 6 && before.finished.length < TRIALS,
      `${before.finished.length} finished`,
    );
    // a trial was running when killed, or (rarely: trials last a few hundred ms) the kill fell between
    // one trial's end and the next one's launch
    const running = before.launched.length - before.finished.length;
    assert.ok(running === 0 || running === 1, `${running} trials running at the kill`);

    const resumed = await runCliAsync([...sweepArgs(out, store), "--resume"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, new RegExp(`resume: \\d+ trial\\(s\\) recorded, ${running} to run again`));
    assert.deepEqual(outcome(resumed.json as unknown as SweepSummary), outcome(whole));
    const after = state(out);
    assert.deepEqual(
      after.finished.map((t) => t.id).sort((a, b) => a - b),
      Array.from({ length: TRIALS }, (_, i) => i),
      "every trial finished once",
    );
    const runs = await studyRuns(store);
    assert.deepEqual(
      [...runs.names].sort(),
      Array.from({ length: TRIALS }, (_, i) => `trial ${i}`).sort(),
      "the store's study holds each trial once",
    );
    assert.equal(runs.ledger, TRIALS);
    assert.equal(runs.status, "completed");
  });

  test("bad use: --resume without a sweep, a sweep folder without --resume, another space, a finished sweep; exit 2", () => {
    const none = runCli([...sweepArgs(path.join(tmp, "nothing"), path.join(tmp, "x.db")), "--resume"]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--resume: .*nothing holds no sweep to continue/);
    assert.doesNotMatch(none.stderr, /\n\s+at /);
    const again = runCli(sweepArgs(path.join(tmp, "whole"), path.join(tmp, "x.db")));
    assert.equal(again.code, 2);
    assert.match(again.stderr, /holds a sweep already .*\n.*add --resume/);
    const other = path.join(tmp, "other.yaml");
    fs.writeFileSync(other, fs.readFileSync(SPACE, "utf8").replace("3.0e-2", "1.0e-1"));
    const changed = runCli([
      ...sweepArgs(path.join(tmp, "whole"), path.join(tmp, "x.db")).map((a) => (a === SPACE ? other : a)),
      "--resume",
    ]);
    assert.equal(changed.code, 2);
    assert.match(changed.stderr, /started with other space than given now/);
    // a finished sweep has nothing to continue (resuming it would record its ledger twice)
    const finished = runCli([...sweepArgs(path.join(tmp, "whole"), path.join(tmp, "x.db")), "--resume"]);
    assert.equal(finished.code, 2);
    assert.match(finished.stderr, new RegExp(`is finished: all ${TRIALS} trials are recorded`));
    assert.doesNotMatch(finished.stderr, /\n\s+at /);
  });

  describe("through a Redis queue", () => {
    let redis: RedisServer | undefined;
    const workers: WorkerProcess[] = [];
    after(async () => {
      await Promise.all(workers.map((w) => w.stop()));
      await redis?.stop();
    });

    test("the coordinator SIGKILLed and resumed re-attaches to its queue: the same sweep, each trial run once", async () => {
      redis = await startRedis();
      const w = startWorker(redis.url, ["--concurrency", "1", "--threads", "1", "--data-root", SHARED]);
      workers.push(w);
      await w.waitFor(/waiting for trials/);
      // through a queue every trial is proposed at once (the queue holds them until a worker is free):
      // the uninterrupted sweep to compare with runs through the queue too
      const queued = (name: string) =>
        sweepArgs(path.join(tmp, name), path.join(tmp, `${name}.db`), ["--queue", redis!.url]);
      const r = await runCliAsync(queued("queued-whole"));
      assert.equal(r.code, 0, r.stderr);
      const ran = started(w.log()).length;
      assert.equal(ran, TRIALS);
      await killedMidway(queued("queued"), 4);
      const resumed = await runCliAsync([...queued("queued"), "--resume"]);
      assert.equal(resumed.code, 0, resumed.stderr);
      // the same trials proposed (ASHA's stops through a queue depend on when progress events arrive, so
      // statuses may differ from run to run, interrupted or not)
      const configs = (x: CliResult) =>
        (x.json as unknown as SweepSummary).trials.map((t) => [t.id, t.config]);
      assert.deepEqual(configs(resumed), configs(r));
      assert.deepEqual(
        state(path.join(tmp, "queued"))
          .finished.map((t) => t.id)
          .sort((a, b) => a - b),
        Array.from({ length: TRIALS }, (_, i) => i),
      );
      // the worker went on with the queued trials while no coordinator listened: none ran twice
      assert.deepEqual(
        started(w.log())
          .slice(ran)
          .sort((a, b) => a - b),
        Array.from({ length: TRIALS }, (_, i) => i),
        "each trial ran once on the worker",
      );
      const runs = await studyRuns(path.join(tmp, "queued.db"));
      assert.equal(new Set(runs.names).size, TRIALS);
      assert.equal(runs.names.length, TRIALS);
    });
  });
});
