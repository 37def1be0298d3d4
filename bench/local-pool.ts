/**
 * Local worker pool benchmark (issue 12): trials per minute on this machine's cores for the model shapes
 * of bench/scenarios.ts (mlp-small, mlp-large, cnn), trained as improve's trials are (real TrialSpecs on
 * the worker pool, each trial its own data preparation cached per process), with
 *   A: 1 trial x 1 thread, B: 2 trials x 1 thread, C: 1 trial x 2 threads,
 * measured interleaved (A, B, C, A, B, C, ...) because the machine is shared; the median of the repeats is
 * kept. It reports B/A (the pool's speed-up, target >= 1.7x on 2 cores), which setting the automatic choice
 * (src/scale/parallelism.ts) picks for each shape and how close that is to the best of B and C (target:
 * within 10%), the CPU seconds per trial of A, B and G (load-insensitive: what a trial costs), and the load
 * average next to the figures. It also times starting a pool member as a
 * process (child_process.fork, what the pool uses) and as a worker thread.
 *
 *   npm run build && node dist/bench/local-pool.js [--repeat 3] [--trials 4] [--lengths short,long] [--only mlp-small,...]
 *     [--out bench/results/local-pool.json]
 */
import { fork } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { PNG } from "pngjs";
import { dataHash } from "../src/coach/improve/data-hash.js";
import { objectiveFor } from "../src/coach/improve/objective.js";
import type { TrialSpec } from "../src/coach/improve/trial.js";
import { planRun } from "../src/recipe/plan-run.js";
import { prepareData } from "../src/recipe/prepare-data.js";
import { dataRefOf } from "../src/scale/data-ref.js";
import { chooseParallelism, modelSize } from "../src/scale/parallelism.js";
import { PoolTrialRunner } from "../src/scale/pool-trial-runner.js";
import { runTrials } from "../src/scale/run-trials.js";
import { WorkerPool } from "../src/scale/worker-pool.js";
import { resolveConfig } from "../src/train/config.js";
import { Random } from "../src/util/random.js";
import { writeCsv } from "./planted-pathologies.js";
import { SCENARIOS } from "./scenarios.js";

const { values: args } = parseArgs({
  options: {
    repeat: { type: "string", default: "3" },
    trials: { type: "string", default: "4" },
    only: { type: "string" },
    lengths: { type: "string", default: "short,long" },
    out: { type: "string", default: "bench/results/local-pool.json" },
  },
});
const REPEAT = Number(args.repeat);
const TRIALS = Number(args.trials);
/**
 * Epochs per trial. "short": about half a second per MLP trial at 1 thread on an idle core, so that the
 * per-trial costs (session creation, weight initialization, result transfer) weigh as much as they can;
 * "long": several seconds, as an improve or sweep trial on a real table lasts.
 */
const EPOCHS: Record<string, Record<string, number>> = {
  short: { "mlp-small": 15, "mlp-large": 8, cnn: 5 },
  long: { "mlp-small": 120, "mlp-large": 64, cnn: 20 },
};
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-bench-pool-"));

/** Random data of a scenario's shape, and the train options that give its model. */
function scenarioData(name: string): { options: Record<string, unknown> } {
  const s = SCENARIOS.find((x) => x.name === name)!;
  const rnd = new Random(1);
  if (s.model === "mlp") {
    const sizes = s.sizes!;
    const [inputs, classes] = [sizes[0]!, sizes[sizes.length - 1]!];
    const rows: string[][] = [];
    const n = inputs > 100 ? 2000 : 6000;
    for (let i = 0; i < n; i++) {
      const y = i % classes;
      const x = Array.from({ length: inputs }, (_, j) =>
        (rnd.next() + (j % classes === y ? 0.5 : 0)).toFixed(3),
      );
      rows.push([...x, `c${y}`]);
    }
    const file = path.join(tmp, `${name}.csv`);
    writeCsv(file, [...Array.from({ length: inputs }, (_, j) => `x${j}`), "y"], rows);
    return {
      options: { data: file, target: "y", hidden: sizes.slice(1, -1), batchSize: s.batch, optimizer: "adam" },
    };
  }
  const dir = path.join(tmp, name);
  for (let c = 0; c < 10; c++)
    for (let i = 0; i < 60; i++) {
      const png = new PNG({ width: 28, height: 28, colorType: 0, inputColorType: 6 });
      for (let y = 0; y < 28; y++)
        for (let x = 0; x < 28; x++) {
          const v = Math.min(255, Math.floor(rnd.next() * 120 + ((x + y * 3) % 10 === c ? 120 : 0)));
          png.data.set([v, v, v, 255], (y * 28 + x) * 4);
        }
      fs.mkdirSync(path.join(dir, `c${c}`), { recursive: true });
      fs.writeFileSync(
        path.join(dir, `c${c}`, `${i}.png`),
        PNG.sync.write(png, { colorType: 0, inputColorType: 6 }),
      );
    }
  return {
    options: {
      data: dir,
      architecture: "cnn",
      widths: [16, 32, 64],
      depth: 1,
      batchSize: s.batch,
      optimizer: "adam",
    },
  };
}

interface Setting {
  name: "A" | "B" | "C" | "T" | "G";
  trials: number;
  threads: number;
  mode: "process" | "thread";
  nodeFlags?: string[];
}
/**
 * T is B on worker threads instead of processes (which the pool should use); G is B with Node's default
 * flags in the processes (V8's parallel garbage collector on helper threads: the pool before
 * POOL_NODE_FLAGS).
 */
const SETTINGS: Setting[] = [
  { name: "A", trials: 1, threads: 1, mode: "process" },
  { name: "B", trials: 2, threads: 1, mode: "process" },
  { name: "C", trials: 1, threads: 2, mode: "process" },
  { name: "T", trials: 2, threads: 1, mode: "thread" },
  { name: "G", trials: 2, threads: 1, mode: "process", nodeFlags: [] },
];

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * CPU seconds (user + system, every thread) the pool's processes have used: per trial, a figure that
 * the machine's load barely moves, unlike trials per minute.
 */
function poolCpuSeconds(pool: WorkerPool): number {
  let ticks = 0;
  for (const pid of pool.pids()) {
    const st = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
    ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / 100;
}

async function startupTimes(): Promise<{ process_ms: number; thread_ms: number }> {
  const mod = new URL("../src/scale/execute-trial.js", import.meta.url).href;
  const t0 = performance.now();
  // a process is ready when it has loaded the trial code and ONNX Runtime (its first message)
  await new Promise<void>((resolve, reject) => {
    const child = fork(fileURLToPath(new URL("../src/scale/pool-child.js", import.meta.url)), [], {
      serialization: "advanced",
      execArgv: [],
    });
    child.once("message", () => {
      child.kill();
      resolve();
    });
    child.once("error", reject);
  });
  const processMs = performance.now() - t0;
  const t1 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const w = new Worker(
      `import(${JSON.stringify(mod)}).then(() => require("node:worker_threads").parentPort.postMessage("ready"))`,
      { eval: true },
    );
    w.once("message", () => void w.terminate().then(() => resolve()));
    w.once("error", reject);
  });
  return { process_ms: processMs, thread_ms: performance.now() - t1 };
}

async function main(): Promise<void> {
  const objective = objectiveFor("accuracy");
  const results: Record<string, unknown>[] = [];
  const loads: number[][] = [os.loadavg()];
  const names = args.only ? args.only.split(",") : ["mlp-small", "mlp-large", "cnn"];
  const lengths = args.lengths!.split(",");
  for (const name of names) {
    const { options } = scenarioData(name);
    for (const length of lengths) {
      const base = { ...options, seed: 0, epochs: EPOCHS[length]?.[name] ?? 4, earlyStopping: false };
      const resolved = resolveConfig(null, base);
      const data = await prepareData(resolved);
      const { plan } = planRun(data.summary, resolved);
      const size = modelSize(plan, data.inputShape, data.classes.length);
      const auto = chooseParallelism(size, { cores: os.availableParallelism() });
      const ref = dataRefOf(
        base,
        { mode: "seeds" },
        dataHash([options.data as string, undefined, undefined], 0),
      );
      const perSetting: Record<string, number[]> = { A: [], B: [], C: [], T: [], G: [] };
      const cpuPerTrial: Record<string, number[]> = { A: [], B: [], C: [], T: [], G: [] };
      const pools = SETTINGS.map(
        (s) => new WorkerPool({ size: s.trials, threads: s.threads, mode: s.mode, nodeFlags: s.nodeFlags }),
      );
      let id = 0;
      const specs = (threads: number, n: number): TrialSpec[] =>
        Array.from({ length: n }, () => ({
          id: id++,
          step: "bench",
          change: {},
          options: base,
          dataHash: ref.hash,
          seeds: [id % 7],
          threads,
        }));
      // warm-up: every process started and its data prepared
      for (const [i, s] of SETTINGS.entries())
        await runTrials(new PoolTrialRunner(pools[i]!, ref, objective), specs(s.threads, s.trials));
      for (let r = 0; r < REPEAT; r++)
        for (const [i, s] of SETTINGS.entries()) {
          const c0 = poolCpuSeconds(pools[i]!);
          const t0 = performance.now();
          const out = await runTrials(
            new PoolTrialRunner(pools[i]!, ref, objective),
            specs(s.threads, TRIALS),
          );
          const minutes = (performance.now() - t0) / 60000;
          if (out.some((x) => x.status !== "done"))
            throw new Error(`${name} ${s.name}: a trial failed: ${out[0]?.note}`);
          perSetting[s.name]!.push(TRIALS / minutes);
          if (s.mode === "process") cpuPerTrial[s.name]!.push((poolCpuSeconds(pools[i]!) - c0) / TRIALS);
          loads.push(os.loadavg());
          process.stderr.write(
            `${name} ${length} ${s.name} (${s.trials}x${s.threads}): ${(TRIALS / minutes).toFixed(1)} trials/min, load ${os.loadavg()[0]!.toFixed(2)}\n`,
          );
        }
      for (const p of pools) await p.close();
      const m = Object.fromEntries(Object.entries(perSetting).map(([k, v]) => [k, median(v)])) as Record<
        string,
        number
      >;
      const autoName = auto.trials === 1 ? (auto.threads === 1 ? "A" : "C") : "B";
      const bestBC = Math.max(m.B!, m.C!);
      results.push({
        scenario: name,
        length,
        epochs: base.epochs,
        seconds_per_trial_A: 60 / m.A!,
        params: size.params,
        mflop_per_step: (3 * size.flopsPerSample * size.batch) / 1e6,
        trials_per_min: m,
        runs: perSetting,
        speedup_B_over_A: m.B! / m.A!,
        threads_vs_processes: m.T! / m.B!,
        auto: { setting: autoName, value: auto.decision.value },
        auto_vs_best_of_B_C: m[autoName]! / bestBC,
        gain_over_default_gc: m.B! / m.G!,
        cpu_seconds_per_trial: Object.fromEntries(
          Object.entries(cpuPerTrial)
            .filter(([, v]) => v.length)
            .map(([k, v]) => [k, median(v)]),
        ),
      });
    }
  }
  const startup = await startupTimes();
  const report = {
    date: new Date().toISOString(),
    cores: os.availableParallelism(),
    loadavg_1m: loads.map((l) => Number(l[0]!.toFixed(2))),
    trials_per_measurement: TRIALS,
    repeat: REPEAT,
    startup,
    results,
  };
  fs.mkdirSync(path.dirname(args.out!), { recursive: true });
  fs.writeFileSync(args.out!, `${JSON.stringify(report, null, 2)}\n`);
  const f = (v: number) => v.toFixed(1);
  console.log(
    `cores ${report.cores}; load average (1 min) during the run: ${Math.min(...report.loadavg_1m)}–${Math.max(...report.loadavg_1m)}`,
  );
  console.log(
    "| scenario | epochs | s/trial (A) | MFLOP/step | A 1x1 | B 2x1 | C 1x2 | B/A | auto | auto / best(B,C) | T 2x1 threads | T/B | G 2x1 default GC | B/G | CPU s/trial A, B, G |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const r of results as {
    scenario: string;
    length: string;
    epochs: number;
    seconds_per_trial_A: number;
    gain_over_default_gc: number;
    cpu_seconds_per_trial: Record<string, number>;
    mflop_per_step: number;
    trials_per_min: Record<string, number>;
    speedup_B_over_A: number;
    auto: { setting: string };
    auto_vs_best_of_B_C: number;
    threads_vs_processes: number;
  }[])
    console.log(
      `| ${r.scenario} | ${r.epochs} | ${r.seconds_per_trial_A.toFixed(2)} | ${f(r.mflop_per_step)} | ${f(r.trials_per_min.A!)} | ${f(r.trials_per_min.B!)} | ${f(r.trials_per_min.C!)} | ${r.speedup_B_over_A.toFixed(2)}x | ${r.auto.setting} | ${(r.auto_vs_best_of_B_C * 100).toFixed(0)}% | ${f(r.trials_per_min.T!)} | ${r.threads_vs_processes.toFixed(2)} | ${f(r.trials_per_min.G!)} | ${r.gain_over_default_gc.toFixed(2)} | ${["A", "B", "G"].map((k) => r.cpu_seconds_per_trial[k]?.toFixed(2) ?? "–").join(", ")} |`,
    );
  console.log(
    `pool member start: process ${startup.process_ms.toFixed(0)} ms, worker thread ${startup.thread_ms.toFixed(0)} ms`,
  );
  fs.rmSync(tmp, { recursive: true, force: true });
}

await main();
