/**
 * `nncoach sweep --queue` with two `nncoach worker` processes on a real redis-server, one worker SIGKILLed
 * while it trains a trial (issue 12's acceptance case): the sweep still ends with all 12 trials, each
 * recorded once (in the sweep's JSON, its state file and the store's study), each finished by exactly one
 * worker, the killed worker's trial taken over by the other (BullMQ's stalled-job detection).
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { SqliteRunStore } from "../src/store/sqlite-store.js";
import type { SweepSummary } from "../src/sweep/sweep.js";
import type { SweepState } from "../src/sweep/sweep-state.js";
import { runCliAsync } from "./helpers/cli-async.js";
import {
  type RedisServer,
  startRedis,
  startWorker,
  takeoverWorkerArgs,
  type WorkerProcess,
} from "./helpers/redis.js";

const SHARED = process.env.NNCOACH_DATASETS ?? "/work/shared/datasets";
const WINE = path.join(SHARED, "wine.csv");
const TRIALS = 12;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-sweep-queue-"));
const SPACE = path.join(tmp, "space.yaml");
fs.writeFileSync(
  SPACE,
  ["lr: {log_uniform: [1.0e-4, 3.0e-2]}", 'hidden: {choice: ["128,128", "256,256"]}', "epochs: 400"].join(
    "\n",
  ),
);
const WORKER_ARGS = takeoverWorkerArgs(SHARED);

const started = (log: string) =>
  [...log.matchAll(/trial (\d+) \(sweep\) of \S+ started/g)].map((m) => Number(m[1]));
const finished = (log: string) => [...log.matchAll(/trial (\d+) of \S+ finished/g)].map((m) => Number(m[1]));
const ids = (n: number) => Array.from({ length: n }, (_, i) => i);

let redis: RedisServer;
const workers: WorkerProcess[] = [];
before(async () => {
  redis = await startRedis("sweep-pa55");
});
after(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await redis?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("nncoach sweep --queue on two workers (BullMQ on a real redis-server)", () => {
  test("12 trials, one worker SIGKILLed mid-trial: all 12 recorded once, none duplicated", async () => {
    const w1 = startWorker(redis.url, WORKER_ARGS);
    const w2 = startWorker(redis.url, WORKER_ARGS);
    workers.push(w1, w2);
    await Promise.all([w1.waitFor(/waiting for trials/), w2.waitFor(/waiting for trials/)]);
    const out = path.join(tmp, "sweep");
    const store = path.join(tmp, "runs.db");
    const coordinator = runCliAsync([
      "sweep",
      WINE,
      "--target",
      "cultivar",
      "--space",
      SPACE,
      "--trials",
      String(TRIALS),
      "--pruner",
      "none",
      "--budget",
      "15m",
      "--threads",
      "1",
      "--queue",
      redis.url,
      "--out",
      out,
      "--store",
      store,
      "--json",
    ]);
    // the second trial this worker starts is killed while it trains (up to 400 epochs: about a second)
    await w1.waitFor(/started[\s\S]*trial \d+ \(sweep\) of \S+ started/, 300_000);
    w1.child.kill("SIGKILL");
    const r = await coordinator;
    assert.equal(r.code, 0, r.stderr);
    const s = r.json as unknown as SweepSummary;
    assert.deepEqual(
      s.trials.map((t) => t.id),
      ids(TRIALS),
      "all 12 trials in the sweep's result, once each",
    );
    assert.ok(
      s.trials.every((t) => t.status === "completed"),
      `no pruner, no failure: ${s.trials.map((t) => t.status)}`,
    );
    assert.ok(s.best !== null && s.trials.some((t) => t.id === s.best!.id));
    const state = JSON.parse(fs.readFileSync(path.join(out, "sweep-state.json"), "utf8")) as SweepState;
    assert.deepEqual(
      state.finished.map((t) => t.id).sort((a, b) => a - b),
      ids(TRIALS),
      "each trial finished once in the sweep state",
    );
    const done = [...finished(w1.log()), ...finished(w2.log())].sort((a, b) => a - b);
    assert.deepEqual(done, ids(TRIALS), "each trial finished once, on one worker");
    // the trial the killed worker had started and not finished went to the other worker
    const unfinished = started(w1.log()).filter((id) => !finished(w1.log()).includes(id));
    assert.equal(unfinished.length, 1, `one trial in flight when the worker was killed:\n${w1.log()}`);
    assert.ok(finished(w2.log()).includes(unfinished[0]!), "the other worker took it over");
    const db = await SqliteRunStore.open(store);
    try {
      const studies = db.listStudies();
      assert.equal(studies.length, 1, "one study");
      const runs = db.listRuns({ studyId: studies[0]!.id, sort: "id" });
      const names = runs.map((run) => run.name.split(" ").slice(0, 2).join(" "));
      assert.equal(names.length, TRIALS, `one run per trial in the store: ${names}`);
      assert.equal(new Set(names).size, TRIALS, "no trial recorded twice");
    } finally {
      db.close();
    }
  });
});
