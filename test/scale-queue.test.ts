/**
 * Trials across processes on BullMQ + Redis, for real: a `redis-server` on 127.0.0.1 at a free port (with a
 * password, which must never be printed), `nncoach worker` processes, and `nncoach improve --queue`.
 * A 12-trial study on two workers, one of them SIGKILLed mid-trial, records every trial once and gives
 * the same ledger as improve on this machine; a coordinator killed and restarted with --resume re-attaches;
 * a tampered job is refused; an unreachable Redis is a clear error; a lost connection is retried.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { Queue, QueueEvents } from "bullmq";
import { dataHash } from "../src/coach/improve/data-hash.js";
import type { StudyState } from "../src/coach/improve/improve.js";
import { type ImproveSummary, improve } from "../src/coach/improve/improve.js";
import { dataRefOf } from "../src/scale/data-ref.js";
import { aliveKey, STUDIES_KEY } from "../src/scale/study-queue.js";
import { type TrialJob, trialJob } from "../src/scale/trial-job.js";
import { CLI, ROOT, runCli } from "./helpers/cli.js";
import { runCliAsync } from "./helpers/cli-async.js";
import { ledger } from "./helpers/improve-ledger.js";
import {
  freePort,
  type RedisServer,
  startRedis,
  startWorker,
  takeoverWorkerArgs,
  type WorkerProcess,
} from "./helpers/redis.js";

const SHARED = process.env.NNCOACH_DATASETS ?? "/work/shared/datasets";
const WINE = path.join(SHARED, "wine.csv");
const SECRET = "s3cret-Pa55";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-scale-queue-"));
const WORKER_ARGS = takeoverWorkerArgs(SHARED);
const STUDY = [
  "--target",
  "cultivar",
  "--budget",
  "900",
  "--trials",
  "12",
  "--epochs",
  "8",
  "--threads",
  "1",
  "--no-track",
  "--json",
];

let redis: RedisServer;
const started: WorkerProcess[] = [];
const worker = (args = WORKER_ARGS) => {
  const w = startWorker(redis.url, args);
  started.push(w);
  return w;
};

before(async () => {
  redis = await startRedis(SECRET);
});
after(async () => {
  await Promise.all(started.map((w) => w.stop()));
  await redis?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const finished = (log: string) => [...log.matchAll(/trial (\d+) of \S+ finished/g)].map((m) => Number(m[1]));

let local: ImproveSummary;

describe("nncoach improve --queue and nncoach worker (BullMQ on a real redis-server)", () => {
  test("a study queue whose coordinator gave no sign of life leaves the workers' watch list", async () => {
    const w = worker();
    await w.waitFor(/waiting for trials/);
    const connection = { host: "127.0.0.1", port: redis.port, password: SECRET };
    const name = "nncoach-study-abandoned";
    const q = new Queue(name, { connection });
    const client = await q.client;
    try {
      // what a killed coordinator leaves once its sign of life has expired: the queue in the set, no key
      await client.runCommand("sadd", [STUDIES_KEY, name]);
      await w.waitFor(
        /study queue nncoach-study-abandoned has had no coordinator for \d+ s; no longer watched/,
      );
      assert.ok(!(await client.smembers(STUDIES_KEY)).includes(name), "out of the studies set");
      assert.doesNotMatch(w.log(), /serving study queue nncoach-study-abandoned/);
    } finally {
      await client.runCommand("srem", [STUDIES_KEY, name]);
      await q.close();
      await started.pop()!.stop();
    }
  });

  test("a tampered job is refused: unknown option, a path outside the data roots, an option that writes files", async () => {
    worker();
    const connection = { host: "127.0.0.1", port: redis.port, password: SECRET };
    const name = "nncoach-study-tampered";
    const q = new Queue(name, { connection });
    const events = new QueueEvents(name, { connection });
    await events.waitUntilReady();
    const client = await q.client;
    // a coordinator's sign of life: without it workers leave the queue alone
    await client.set(aliveKey(name), "1", { EX: 600 });
    await client.runCommand("sadd", [STUDIES_KEY, name]);
    try {
      const hash = dataHash([WINE, undefined, undefined], 0);
      const ref = dataRefOf({ data: WINE, target: "cultivar", seed: 0 }, { mode: "seeds" }, hash);
      const spec = {
        id: 0,
        step: "baseline",
        change: {},
        options: { data: WINE, target: "cultivar", epochs: 2 },
        dataHash: hash,
        seeds: [0],
        threads: 1,
      };
      const good = trialJob(spec, ref, "accuracy", undefined);
      const tampered: [string, TrialJob, RegExp][] = [
        [
          "unknown option",
          { ...good, spec: { ...spec, options: { ...spec.options, exec: "rm -rf /" } } },
          /"exec" is not an option of nncoach train/,
        ],
        ["output path", { ...good, spec: { ...spec, change: { save: "/tmp/evil" } } }, /may not set save/],
        [
          "outside the data roots",
          {
            ...good,
            data: {
              ...ref,
              options: { ...ref.options, data: "/etc/hostname" },
              files: [{ ...ref.files[0]!, path: "/etc/hostname" }],
            },
            spec: { ...spec, options: { ...spec.options, data: "/etc/hostname" } },
          },
          /\/etc\/hostname is outside this worker's data roots/,
        ],
        [
          "not a trial",
          { format: "nncoach-trial", version: 1, code: "process.exit()" } as never,
          /unknown key "code"/,
        ],
      ];
      const ok = await (await q.add("trial", good, { jobId: "good" })).waitUntilFinished(events, 120_000);
      assert.equal(ok.status, "done", "the untampered job trains");
      for (const [what, job, re] of tampered) {
        const j = await q.add("trial", job, { jobId: what.replace(/\W/g, "-") });
        await assert.rejects(j.waitUntilFinished(events, 60_000), re, what);
      }
    } finally {
      await client.runCommand("srem", [STUDIES_KEY, name]);
      await q.obliterate({ force: true });
      await events.close();
      await q.close();
      await started.pop()!.stop();
    }
  });

  test("12 trials on two workers, one SIGKILLed mid-trial: every trial recorded once, the same ledger as improve here", async () => {
    local = await improve({
      data: WINE,
      target: "cultivar",
      budget: 900,
      trials: 12,
      threads: 1,
      train: { epochs: 8 },
    });
    const w1 = worker();
    const w2 = worker();
    await Promise.all([w1.waitFor(/waiting for trials/), w2.waitFor(/waiting for trials/)]);
    const out = path.join(tmp, "queued");
    const coordinator = runCliAsync(["improve", WINE, ...STUDY, "--queue", redis.url, "--out", out]);
    // the second trial this worker starts is killed while it trains
    const m = await w1.waitFor(/started[\s\S]*trial (\d+) \(\w+\) of \S+ started/, 300_000);
    const killed = Number(m[1]);
    await new Promise((r) => setTimeout(r, 150));
    w1.child.kill("SIGKILL");
    const r = await coordinator;
    assert.equal(r.code, 0, r.stderr);
    const s = r.json as unknown as ImproveSummary;
    assert.equal(s.trials.run, 12);
    assert.equal(s.trials.planned, 12);
    // every trial once in the study, each finished by exactly one worker
    const state = JSON.parse(fs.readFileSync(path.join(out, "study.json"), "utf8")) as StudyState;
    assert.deepEqual(
      state.trials.map((t) => t.spec.id).sort((a, b) => a - b),
      Array.from({ length: 13 }, (_, i) => i),
    );
    const done = [...finished(w1.log()), ...finished(w2.log())].sort((a, b) => a - b);
    assert.deepEqual(
      done,
      Array.from({ length: 13 }, (_, i) => i),
      "each trial finished once, on one worker",
    );
    assert.ok(!finished(w1.log()).includes(killed), "the killed worker did not finish its trial");
    assert.ok(finished(w2.log()).includes(killed), "the other worker took it over");
    assert.deepEqual(ledger(s), ledger(local), "the same ledger as improve on this machine");
    for (const text of [r.stdout, r.stderr, w1.log(), w2.log()])
      assert.ok(!text.includes(SECRET), "no password printed");
    assert.match(r.stderr, new RegExp(`redis://\\*\\*\\*@127\\.0\\.0\\.1:${redis.port}`));
  });

  test("the coordinator SIGKILLed and restarted with --resume re-attaches to its queue: the same ledger", async () => {
    const w = worker();
    await w.waitFor(/waiting for trials/);
    const out = path.join(tmp, "resumed");
    const args = [CLI, "improve", WINE, ...STUDY, "--queue", redis.url, "--out", out];
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd: ROOT });
      let seen = "";
      child.stderr.on("data", (d: Buffer) => {
        seen += d.toString();
        if (/trial 3 /.test(seen)) child.kill("SIGKILL");
      });
      child.on("exit", (_c, signal) => (signal === "SIGKILL" ? resolve() : reject(new Error(seen))));
    });
    const r = await runCliAsync([...args.slice(1), "--resume"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(ledger(r.json as unknown as ImproveSummary), ledger(local));
    const state = JSON.parse(fs.readFileSync(path.join(out, "study.json"), "utf8")) as StudyState;
    assert.equal(new Set(state.trials.map((t) => t.spec.id)).size, state.trials.length, "no trial twice");
    assert.equal(state.trials.length, 13);
  });

  test("Redis unreachable or refusing the password: a clear error naming the URL, credentials masked, exit 2", async () => {
    const closed = await freePort();
    const cases = [
      [
        "improve",
        WINE,
        "--target",
        "cultivar",
        "--budget",
        "60",
        "--no-track",
        "--queue",
        `redis://app:${SECRET}@127.0.0.1:${closed}`,
      ],
      ["worker", "--queue", `redis://app:${SECRET}@127.0.0.1:${closed}`],
      ["worker", "--queue", `redis://:wrong-${SECRET}@127.0.0.1:${redis.port}`],
    ];
    for (const args of cases) {
      const r = runCli(args);
      assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
      assert.match(r.stderr, /cannot reach Redis at redis:\/\/\*\*\*@127\.0\.0\.1:\d+/);
      assert.ok(!r.stderr.includes(SECRET) && !r.stdout.includes(SECRET), "no password printed");
      assert.ok(!/\n\s+at /.test(r.stderr), "no stack trace");
    }
    const bad = runCli(["worker", "--queue", "http://127.0.0.1:6379"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /redis:\/\//);
  });

  test("a lost connection is retried with backoff, and the worker says so", async () => {
    const own = await startRedis();
    const w = startWorker(own.url, WORKER_ARGS);
    started.push(w);
    await w.waitFor(/waiting for trials/);
    await own.stop();
    await w.waitFor(/connection lost, retrying in \d+ ms \(attempt \d+\)/, 20_000);
    const again = await startRedis(undefined, own.port);
    try {
      await new Promise((r) => setTimeout(r, 3000));
      assert.equal(w.child.exitCode, null, "the worker is still running");
    } finally {
      await w.stop();
      await again.stop();
    }
  });
});
