/**
 * What a worker accepts and what is printed: the trial-job schema (known train options with valid values
 * only, no option that writes files, no path but the data reference's, no unknown keys), the data found by
 * content inside the data roots or refused, Redis URLs with credentials masked, and the trials × threads
 * choice for the benchmark's model shapes.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { dataHash } from "../src/coach/improve/data-hash.js";
import type { RunPlan } from "../src/recipe/run-plan.js";
import { dataRefOf } from "../src/scale/data-ref.js";
import { localizeData } from "../src/scale/data-source.js";
import { chooseParallelism, modelSize } from "../src/scale/parallelism.js";
import { maskUrl, parseRedisUrl } from "../src/scale/redis-url.js";
import { InvalidTrialJob, type TrialJob, trialJob, validateTrialJob } from "../src/scale/trial-job.js";

const SHARED = process.env.NNCOACH_DATASETS ?? "/work/shared/datasets";
const WINE = path.join(SHARED, "wine.csv");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-scale-job-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const hash = dataHash([WINE, undefined, undefined], 0);
const ref = dataRefOf({ data: WINE, target: "cultivar", seed: 0 }, { mode: "cv", k: 5 }, hash);
const good = trialJob(
  {
    id: 3,
    step: "learning_rate",
    change: { lr: 0.003 },
    options: { data: "wine.csv", target: "cultivar", seed: 0, lr: 0.003 },
    dataHash: hash,
    seeds: [0, 0, 0, 0, 0],
    threads: 1,
  },
  ref,
  "accuracy",
  undefined,
);
/** A deep copy of the good job changed by `f`. */
// biome-ignore lint/suspicious/noExplicitAny: a tampered job is plain JSON reached into at any depth
type Json = Record<string, any>;
const tamper = (f: (j: Json) => void): unknown => {
  const j = structuredClone(good) as Json;
  f(j);
  return j;
};

describe("trial jobs", () => {
  test("the job of a trial is valid, its input paths written as the data reference's absolute ones", () => {
    assert.equal(good.spec.options.data, WINE);
    assert.deepEqual(validateTrialJob(JSON.parse(JSON.stringify(good))), good);
  });

  test("tampered jobs are refused, naming what is wrong", () => {
    const cases: [string, unknown, RegExp][] = [
      [
        "unknown option",
        tamper((j) => (j.spec.options.shell = "rm -rf /")),
        /"shell" is not an option of nncoach train/,
      ],
      ["bad value", tamper((j) => (j.spec.change.lr = "fast")), /spec.change: --lr must be a number/],
      ["writes files", tamper((j) => (j.spec.options.logDir = "/tmp/x")), /may not set log-dir/],
      ["checkpoint", tamper((j) => (j.spec.change.checkpoint = "/tmp/x.ckpt")), /may not set checkpoint/],
      [
        "another path",
        tamper((j) => (j.spec.options.data = "/etc/passwd")),
        /must be the data reference's own path/,
      ],
      ["relative path", tamper((j) => (j.data.options.data = "wine.csv")), /must be an absolute path/],
      ["file entry", tamper((j) => (j.data.files[0].path = "/etc/passwd")), /must be data.options.data/],
      ["unknown key", tamper((j) => (j.run = "process.exit()")), /unknown key "run"/],
      ["spec key", tamper((j) => (j.spec.code = "1")), /spec: unknown key "code"/],
      ["metric", tamper((j) => (j.metric = "evil")), /unknown metric/],
      ["threads", tamper((j) => (j.spec.threads = 1e9)), /spec.threads/],
      ["hash", tamper((j) => (j.spec.dataHash = "0000000000000000")), /must be data.hash/],
      ["prune", tamper((j) => (j.prune = [["x"]])), /prune\[0\]/],
      ["not an object", "{}", /must be an object/],
    ];
    for (const [what, job, re] of cases)
      assert.throws(
        () => validateTrialJob(job),
        (e: Error) => e instanceof InvalidTrialJob && re.test(e.message),
        what,
      );
  });

  test("data is found by content: inside the data roots, from bytes, or refused", async () => {
    const local = await localizeData(good.data, { dataRoots: [SHARED] });
    assert.equal(local.options.data, WINE);
    await assert.rejects(localizeData(good.data, { dataRoots: [tmp] }), /outside this worker's data roots/);
    // from bytes (the queue's copy) into the cache, verified by SHA-256 and the study hash
    const bytes = fs.readFileSync(WINE);
    const cached = await localizeData(good.data, {
      dataRoots: [tmp],
      cacheDir: tmp,
      fetchBytes: async (sha) => (sha === ref.files[0]!.sha256 ? bytes : null),
    });
    assert.equal(cached.options.data, path.join(tmp, ref.files[0]!.sha256!, "wine.csv"));
    await assert.rejects(
      localizeData(good.data, {
        dataRoots: [],
        cacheDir: path.join(tmp, "other"),
        fetchBytes: async () => Buffer.from("not the data"),
      }),
      /do not have sha256/,
    );
    // the same file under another seed: the study hash differs
    const moved = { ...good.data, hash: dataHash([WINE, undefined, undefined], 1) } as TrialJob["data"];
    await assert.rejects(localizeData(moved, { dataRoots: [SHARED] }), /hashes to/);
  });
});

describe("Redis URLs", () => {
  test("credentials are masked, the connection keeps them", () => {
    assert.equal(maskUrl("redis://app:s3cret@cache:6380/2"), "redis://***@cache:6380/2");
    assert.equal(maskUrl("redis://:s3cret@cache"), "redis://***@cache");
    assert.equal(maskUrl("redis://cache:6379"), "redis://cache:6379");
    assert.ok(!maskUrl("redis:/x:s3cret@h").includes("s3cret"));
    const t = parseRedisUrl("redis://app:s%40cret@cache:6380/2");
    assert.deepEqual(t.connection, { host: "cache", port: 6380, username: "app", password: "s@cret", db: 2 });
    assert.equal(t.masked, "redis://***@cache:6380/2");
    assert.throws(
      () => parseRedisUrl("http://u:s3cret@h"),
      (e: Error) => !e.message.includes("s3cret"),
    );
  });
});

describe("trials x threads", () => {
  const plan = (model: RunPlan["model"], batchSize: number) => ({ model, batchSize }) as RunPlan;
  const mlp = (hidden: number[]) =>
    ({ type: "mlp", hidden, activation: "relu", norm: "none", dropout: 0 }) as RunPlan["model"];
  const cnn = {
    type: "cnn",
    architecture: "cnn",
    widths: [16, 32, 64],
    depth: 1,
    hidden: [],
    activation: "relu",
    norm: "none",
    dropout: 0,
  } as RunPlan["model"];

  test("the benchmark's shapes: small models run one-thread trials side by side; the choice is recorded", () => {
    const small = modelSize(plan(mlp([64, 64]), 32), [16], 2);
    assert.equal(small.params, 16 * 64 + 64 + 64 * 64 + 64 + 64 * 2 + 2);
    const large = modelSize(plan(mlp([256, 256]), 128), [784], 10);
    const conv = modelSize(plan(cnn, 64), [1, 28, 28], 10);
    for (const size of [small, large, conv]) {
      const p = chooseParallelism(size, { cores: 2 });
      assert.equal(`${p.trials}x${p.threads}`, "2x1");
      assert.equal(p.decision.key, "parallelism");
      assert.match(p.decision.reason, /MFLOP per training step/);
    }
    const huge = chooseParallelism(
      modelSize(plan({ ...cnn, widths: [64, 128, 256] } as never, 256), [3, 224, 224], 1000),
      { cores: 8 },
    );
    assert.equal(`${huge.trials}x${huge.threads}`, "1x8");
    assert.equal(chooseParallelism(small, { cores: 4, threads: 2 }).trials, 2);
    assert.equal(chooseParallelism(small, { cores: 4, workers: 1 }).threads, 4);
  });
});
