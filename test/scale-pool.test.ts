/**
 * The local worker pool on real data (iris): trials run in child processes (whole, or split by unit over
 * the processes) give exactly the results of the in-process runner, pruning included; results come back
 * ordered by trial id with each id run once; a trial whose process is SIGKILLed is recorded as failed
 * while the pool goes on; a trial can be cancelled.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { dataHash } from "../src/coach/improve/data-hash.js";
import { MedianPruner } from "../src/coach/improve/median-pruner.js";
import { objectiveFor } from "../src/coach/improve/objective.js";
import { type EvaluationUnit, LocalTrialRunner, type TrialSpec } from "../src/coach/improve/trial.js";
import { prepareData } from "../src/recipe/prepare-data.js";
import { type DataRef, dataRefOf } from "../src/scale/data-ref.js";
import { PoolTrialRunner } from "../src/scale/pool-trial-runner.js";
import { runTrials } from "../src/scale/run-trials.js";
import { trialRunnerFor } from "../src/scale/trial-runner-for.js";
import { POOL_NODE_FLAGS, WorkerPool } from "../src/scale/worker-pool.js";
import { resolveConfig } from "../src/train/config.js";

const SHARED = process.env.NNCOACH_DATASETS ?? "/work/shared/datasets";
const IRIS = path.join(SHARED, "iris.csv");
const objective = objectiveFor("accuracy");
const options = { data: IRIS, target: "species", seed: 0 };
let ref: DataRef;
let units: EvaluationUnit[];

const spec = (id: number, change: Record<string, unknown>): TrialSpec => ({
  id,
  step: "test",
  change,
  options: { ...options, epochs: 6, ...change },
  dataHash: ref.hash,
  seeds: [0, 1],
  threads: 1,
});

before(async () => {
  const data = await prepareData(resolveConfig(null, options));
  units = [0, 1].map((seed) => ({ data, seed }));
  ref = dataRefOf(options, { mode: "seeds" }, dataHash([IRIS, undefined, undefined], 0));
});

describe("local worker pool", () => {
  const pools: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const p of pools) await p.close();
  });

  test("two processes give the in-process results, ordered by trial id, each id once", async () => {
    const { runner, threads, decision } = await trialRunnerFor(
      { workers: 2, threads: 1 },
      { studyId: "t", ref, units, objective, size: null },
    );
    pools.push(runner);
    assert.equal(runner.concurrency, 2);
    assert.equal(threads, 1);
    assert.equal(decision.value, "2 trial(s) x 1 thread(s)");
    const specs = [spec(2, { lr: 0.003 }), spec(0, {}), spec(1, { lr: 0.0003 }), spec(2, { lr: 0.003 })];
    const epochs = new Map<number, number>();
    const seen: number[] = [];
    const pooled = await runTrials(runner, specs, {
      events: (s) => ({ onEpoch: () => epochs.set(s.id, (epochs.get(s.id) ?? 0) + 1) }),
      onResult: (r) => seen.push(r.id),
    });
    assert.deepEqual(
      pooled.map((r) => r.id),
      [0, 1, 2],
    );
    assert.deepEqual([...seen].sort(), [0, 1, 2], "trial 2 was given twice and ran once");
    const here = new LocalTrialRunner(units, objective);
    for (const r of pooled) {
      const s = specs.find((x) => x.id === r.id)!;
      const local = await here.run(s);
      assert.equal(r.status, "done");
      assert.deepEqual(r.values, local.values, `trial ${r.id}: the same values as in this process`);
      assert.deepEqual(
        r.units.map((u) => u.curve),
        local.units.map((u) => u.curve),
      );
      assert.ok(r.record && r.record.history.length === r.units[0]!.epochsRun, "the first unit's run record");
      assert.equal(
        epochs.get(r.id),
        r.units.reduce((a, u) => a + u.epochsRun, 0),
        "one event per epoch",
      );
    }
  });

  test("worker threads instead of processes (the mode the benchmark compares) give the same results", async () => {
    const pool = new WorkerPool({ size: 1, threads: 1, mode: "thread" });
    pools.push(pool);
    const s = spec(0, { lr: 0.003 });
    const threaded = await new PoolTrialRunner(pool, ref, objective).run(s);
    const local = await new LocalTrialRunner(units, objective).run(s);
    assert.equal(threaded.status, "done");
    assert.deepEqual(threaded.values, local.values);
  });

  test("the pruner's curves travel with the job: a pooled trial prunes as an in-process one", async () => {
    const pruner = new MedianPruner(objective);
    const here = new LocalTrialRunner(units, objective, pruner);
    for (const [i, lr] of [0.01, 0.02, 0.005].entries()) pruner.record(await here.run(spec(i, { lr })));
    // two processes: the trial's two units run as two parts; the first is pruned, the other is cancelled
    const pool = new WorkerPool({ size: 2, threads: 1 });
    pools.push(pool);
    const runner = new PoolTrialRunner(pool, ref, objective, pruner);
    const slow = spec(3, { lr: 0.00001, epochs: 12 });
    const pooled = await runner.run(slow);
    const local = await here.run(slow);
    assert.equal(local.status, "pruned", "a learning rate far too small is pruned");
    assert.equal(pooled.status, local.status);
    assert.deepEqual(pooled.values, local.values);
    assert.deepEqual(
      pooled.units.map((u) => u.unit),
      [0],
      "pruned at its first unit, as one after another",
    );
    const kept = await runner.run(spec(4, { lr: 0.01 }));
    assert.equal(kept.status, "done");
    assert.deepEqual(
      kept.values,
      (await here.run(spec(4, { lr: 0.01 }))).values,
      "parts merged in unit order",
    );
  });

  test("a SIGKILLed process fails its trial only; a cancelled trial stops; the pool goes on", async () => {
    const pool = new WorkerPool({ size: 1, threads: 1 });
    pools.push(pool);
    const runner = new PoolTrialRunner(pool, ref, objective);
    const killed = await runner.run(spec(0, { epochs: 50 }), {
      onEpoch: () => {
        for (const pid of pool.pids()) process.kill(pid, "SIGKILL");
      },
    });
    assert.equal(killed.status, "failed");
    assert.match(killed.note!, /exited \(SIGKILL\)/);
    const ac = new AbortController();
    await assert.rejects(
      runner.run(spec(1, { epochs: 50 }), { onEpoch: () => ac.abort(new Error("stop it")) }, ac.signal),
      /stop it|cancelled/,
    );
    const after = await runner.run(spec(2, {}));
    assert.equal(after.status, "done");
    assert.equal(after.values.length, 2);
  });

  test("a pool process collects garbage on its own thread and has the allocator settings of bin/nncoach", async () => {
    const pool = new WorkerPool({ size: 1, threads: 1 });
    pools.push(pool);
    const runner = new PoolTrialRunner(pool, ref, objective);
    let seen: { cmdline: string[]; environ: string[] } | undefined;
    const r = await runner.run(spec(0, {}), {
      onEpoch: () => {
        const pid = pool.pids()[0]!;
        seen ??= {
          cmdline: fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0"),
          environ: fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0"),
        };
      },
    });
    assert.equal(r.status, "done");
    assert.deepEqual(POOL_NODE_FLAGS, ["--single-threaded-gc"]);
    assert.ok(seen!.cmdline.includes("--single-threaded-gc"), seen!.cmdline.join(" "));
    assert.ok(seen!.environ.includes("NNCOACH_POOL_THREADS=1"));
    assert.ok(seen!.environ.some((e) => /^MALLOC_MMAP_THRESHOLD_=\d+$/.test(e)));
  });
});
