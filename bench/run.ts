/**
 * `npm run bench`: trains the same models with PyTorch, TensorFlow.js (wasm backend) and nncoach, one engine
 * at a time, each in its own child process, and prints samples/s per engine and the nncoach ratios.
 * Results go to bench/results/latest.json. See bench/README.md for what each number means.
 *
 *   node dist/bench/run.js [--only mlp-large,mlp-small,cnn] [--seconds 8] [--repeat 1] [--threads 1,2]
 *                          [--skip-tfjs] [--python /usr/bin/python3] [--nncoach dist/bench/nncoach-train.js]
 *                          [--out bench/results/latest.json]
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { closestMatch, UserError } from "../src/errors.js";
import { type EngineLine, type RunOutcome, runEngine } from "./measure.js";
import { REAL_LOOP, REAL_LOOP_TRAIN_ROWS, realLoopCsvPath } from "./real-loop.js";
import {
  ENGINES,
  formatRate,
  type Measurement,
  measurementFrom,
  measurementLine,
  type ScenarioResult,
  summarise,
  summaryTable,
} from "./report.js";
import { type EngineName, engineArgs, SCENARIOS, type Scenario } from "./scenarios.js";

/** The repository root (this file runs as dist/bench/run.js). */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** What the command line asked for. */
export interface BenchOptions {
  readonly scenarios: readonly Scenario[];
  readonly seconds: number;
  readonly repeat: number;
  /** Thread counts tried for PyTorch and nncoach (the best is kept). */
  readonly threads: readonly number[];
  readonly skipTfjs: boolean;
  readonly python: string;
  readonly nncoachScript: string;
  readonly out: string;
}

const USAGE = `usage: npm run bench -- [options]    (or: node dist/bench/run.js [options])
  --only a,b        scenarios to run, of ${SCENARIOS.map((s) => s.name).join(", ")} (default: all)
  --seconds S       timed seconds per step measurement, after each engine's warm-up (default 8;
                    the real loop always runs its 5 epochs)
  --repeat R        run every measurement R times, interleaved, and keep the best (default 1)
  --threads 1,2     thread counts tried for PyTorch and nncoach, best kept (default 1,2)
  --skip-tfjs       do not run TensorFlow.js (needs: cd bench/tfjs && npm install)
  --python PATH     Python with PyTorch (default /usr/bin/python3)
  --nncoach PATH    the nncoach training script (default dist/bench/nncoach-train.js)
  --out PATH        where the JSON results go (default bench/results/latest.json)`;

function positive(name: string, text: string, integer: boolean): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UserError(
      `--${name} must be a positive ${integer ? "integer" : "number"}, got ${JSON.stringify(text)}`,
      `for example --${name} ${name === "seconds" ? "8" : "2"}`,
    );
  }
  return n;
}

/**
 * Reads the benchmark's command line.
 *
 * @param argv the arguments after the script name
 * @returns the options, or null when --help was asked for
 * @throws UserError naming the option and the value when one is wrong
 */
export function parseBenchOptions(argv: readonly string[]): BenchOptions | null {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        only: { type: "string" },
        seconds: { type: "string", default: "8" },
        repeat: { type: "string", default: "1" },
        threads: { type: "string", default: "1,2" },
        "skip-tfjs": { type: "boolean", default: false },
        python: { type: "string", default: "/usr/bin/python3" },
        nncoach: { type: "string", default: join(ROOT, "dist", "bench", "nncoach-train.js") },
        out: { type: "string", default: join(ROOT, "bench", "results", "latest.json") },
        help: { type: "boolean", short: "h", default: false },
      },
    }).values;
  } catch (e) {
    throw new UserError(`bench: ${(e as Error).message}`, USAGE);
  }
  if (values.help) return null;
  let scenarios: Scenario[] = [...SCENARIOS];
  if (typeof values.only === "string") {
    const names = SCENARIOS.map((s) => s.name);
    scenarios = values.only.split(",").map((raw) => {
      const name = raw.trim();
      const found = SCENARIOS.find((s) => s.name === name);
      if (found) return found;
      const near = closestMatch(name, names);
      throw new UserError(
        `--only: unknown scenario ${JSON.stringify(name)}${near ? ` (did you mean "${near}"?)` : ""}`,
        `the scenarios are ${names.join(", ")}`,
      );
    });
  }
  const threads = String(values.threads)
    .split(",")
    .map((t) => positive("threads", t, true));
  return {
    scenarios,
    seconds: positive("seconds", String(values.seconds), false),
    repeat: positive("repeat", String(values.repeat), true),
    threads: [...new Set(threads)],
    skipTfjs: values["skip-tfjs"] === true,
    python: String(values.python),
    nncoachScript: resolve(String(values.nncoach)),
    out: resolve(String(values.out)),
  };
}

/** Why TensorFlow.js cannot run, or null when bench/tfjs is installed. */
function tfjsMissing(): string | null {
  const dir = join(ROOT, "bench", "tfjs");
  const wasm = join(
    dir,
    "node_modules",
    "@tensorflow",
    "tfjs-backend-wasm",
    "dist",
    "tfjs-backend-wasm-simd.wasm",
  );
  const core = join(dir, "node_modules", "@tensorflow", "tfjs", "package.json");
  if (existsSync(wasm) && existsSync(core)) return null;
  return "bench/tfjs is not installed; run: cd bench/tfjs && npm install  (or pass --skip-tfjs)";
}

/**
 * PyTorch's settings tried at a thread count besides its default: with 2 threads or more also its OpenMP
 * threads busy-waiting (OMP_WAIT_POLICY=ACTIVE; the default here is PASSIVE, see torch_train.py), which
 * measured faster on the CNN and far slower on the MLPs, so that each engine runs at its best.
 */
function pytorchSettings(threads: number): (Job["setting"] | undefined)[] {
  return threads >= 2 ? [undefined, { name: "OMP active", env: { OMP_WAIT_POLICY: "ACTIVE" } }] : [undefined];
}

/** One engine at one thread count, as a command to run (or why it cannot run). */
interface Job {
  readonly engine: EngineName;
  readonly threads: number;
  readonly command: string;
  /** The arguments, made when the job runs (the real loop's PyTorch rows come from nncoach's run). */
  readonly args: () => readonly string[];
  readonly missing: string | null;
  /** A setting besides the thread count, and the environment that makes it. */
  readonly setting?: { readonly name: string; readonly env: Readonly<Record<string, string>> };
  /** Called with each successful run's JSON line. */
  readonly onLine?: (line: EngineLine) => void;
}

/**
 * The real loop (bench/real-loop.ts): nncoach's runs first, then PyTorch's loop on as many training rows
 * as nncoach's last run trained on. TensorFlow.js has no loop script.
 */
function loopJobsFor(o: BenchOptions, nncoachMissing: string | null): Job[] {
  const csv = realLoopCsvPath();
  let rows = REAL_LOOP_TRAIN_ROWS;
  const script = join(dirname(o.nncoachScript), "nncoach-real-loop.js");
  const missing =
    nncoachMissing ?? (existsSync(script) ? null : `${relative(ROOT, script)} not found (run npm run build)`);
  const jobs: Job[] = [];
  for (const t of o.threads)
    jobs.push({
      engine: "nncoach",
      threads: t,
      command: process.execPath,
      args: () => [script, "--csv", csv, "--threads", String(t)],
      missing,
      onLine: (line) => {
        if (typeof line.rows === "number") rows = line.rows;
      },
    });
  for (const t of o.threads)
    for (const setting of pytorchSettings(t))
      jobs.push({
        engine: "pytorch",
        threads: t,
        ...(setting ? { setting } : {}),
        command: o.python,
        args: () => [
          join(ROOT, "bench", "torch_real_loop.py"),
          "--csv",
          csv,
          "--rows",
          String(rows),
          "--threads",
          String(t),
          "--batch",
          String(REAL_LOOP.batch),
          "--epochs",
          String(REAL_LOOP.epochs),
        ],
        missing: null,
      });
  return jobs;
}

function jobsFor(scenario: Scenario, o: BenchOptions, tfjsProblem: string | null): Job[] {
  const jobs: Job[] = [];
  const nncoachMissing = existsSync(o.nncoachScript)
    ? null
    : `${relative(ROOT, o.nncoachScript)} not found (bench/nncoach-train.ts not written or not built yet)`;
  if (scenario.loop) return loopJobsFor(o, nncoachMissing);
  for (const t of o.threads)
    for (const setting of pytorchSettings(t))
      jobs.push({
        engine: "pytorch",
        threads: t,
        command: o.python,
        args: () => [join(ROOT, "bench", "torch_train.py"), ...engineArgs(scenario, t, o.seconds)],
        missing: null,
        ...(setting ? { setting } : {}),
      });
  if (!o.skipTfjs) {
    // tfjs-backend-wasm runs single-threaded under Node (see bench/tfjs/train.mjs), so one thread count.
    jobs.push({
      engine: "tfjs-wasm",
      threads: 1,
      command: process.execPath,
      args: () => [join(ROOT, "bench", "tfjs", "train.mjs"), ...engineArgs(scenario, 1, o.seconds)],
      missing: tfjsProblem,
    });
  }
  for (const t of o.threads) {
    jobs.push({
      engine: "nncoach",
      threads: t,
      command: process.execPath,
      args: () => [o.nncoachScript, ...engineArgs(scenario, t, o.seconds)],
      missing: nncoachMissing,
    });
  }
  return jobs;
}

function runScenario(scenario: Scenario, o: BenchOptions, tfjsProblem: string | null): ScenarioResult {
  console.log(`\n${scenario.name}: ${scenario.title}`);
  const jobs = jobsFor(scenario, o, tfjsProblem);
  const runs: RunOutcome[][] = jobs.map(() => []);
  const timeout = o.seconds + 120;
  // Repeats are interleaved (all engines once, then again) so a burst of load from elsewhere does not hit
  // every run of one engine.
  for (let r = 0; r < o.repeat; r++) {
    jobs.forEach((job, i) => {
      if (job.missing) return;
      const outcome = runEngine(job.command, job.args(), job.engine, timeout, job.setting?.env);
      runs[i]!.push(outcome);
      if (outcome.status === "ok") job.onLine?.(outcome.line);
      const what =
        outcome.status === "ok" ? `${formatRate(outcome.line.samples_per_second)} samples/s` : outcome.status;
      const rep = o.repeat > 1 ? ` (run ${r + 1}/${o.repeat})` : "";
      process.stderr.write(
        `    ${job.engine} ${job.threads}t${job.setting ? ` ${job.setting.name}` : ""}${rep}: ${what}, load ${outcome.load1.toFixed(2)}\n`,
      );
    });
  }
  const measurements: Measurement[] = jobs.map((job, i) =>
    job.missing
      ? {
          engine: job.engine,
          threads: job.threads,
          status: "missing",
          samplesPerSecond: null,
          runs: [],
          note: job.missing,
        }
      : measurementFrom(job.engine, job.threads, runs[i]!, job.setting?.name),
  );
  // "missing" is said once per engine, not once per thread count.
  const shown = new Set<string>();
  for (const m of measurements) {
    if (m.status === "missing" && shown.has(m.engine)) continue;
    shown.add(m.engine);
    console.log(measurementLine(m));
  }
  return summarise(scenario, measurements);
}

/** The results file: settings, machine, and per scenario the best per engine, ratios and every run. */
function resultsJson(o: BenchOptions, results: readonly ScenarioResult[], loadAtStart: number[]): unknown {
  const cpu = cpus();
  return {
    created: new Date().toISOString(),
    machine: {
      cpus: cpu.length,
      cpu_model: cpu[0]?.model ?? "unknown",
      memory_gib: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      load_average_at_start: loadAtStart,
      load_average_at_end: loadavg(),
    },
    settings: { seconds: o.seconds, repeat: o.repeat, threads: o.threads, skip_tfjs: o.skipTfjs },
    scenarios: results.map((r) => ({
      name: r.scenario.name,
      title: r.scenario.title,
      model: r.scenario.model,
      ...(r.scenario.sizes ? { sizes: r.scenario.sizes } : {}),
      batch: r.scenario.batch,
      optimizer: r.scenario.optimizer,
      best: Object.fromEntries(
        ENGINES.map((e) => {
          const b = r.best[e];
          return [
            e,
            b
              ? {
                  samples_per_second: b.samplesPerSecond,
                  threads: b.threads,
                  ...(b.setting ? { setting: b.setting } : {}),
                }
              : null,
          ];
        }),
      ),
      ratios: {
        "nncoach/pytorch": r.ratios.nncoachOverPytorch,
        "nncoach/tfjs-wasm": r.ratios.nncoachOverTfjsWasm,
      },
      measurements: r.measurements.map((m) => ({
        engine: m.engine,
        threads: m.threads,
        ...(m.setting ? { setting: m.setting } : {}),
        status: m.status,
        samples_per_second: m.samplesPerSecond,
        ...(m.note ? { note: m.note } : {}),
        runs: m.runs.map((run) =>
          run.status === "ok"
            ? { status: "ok", wall_seconds: run.wallSeconds, load1: run.load1, result: run.line }
            : { status: run.status, wall_seconds: run.wallSeconds, load1: run.load1, reason: run.reason },
        ),
      })),
    })),
  };
}

/**
 * Runs the benchmark described by `argv` and returns the process exit code: 1 when a measurement failed
 * (crashed, timed out, printed no result), else 0 (engines missing or declaring a model unsupported are
 * reported, not errors).
 */
export function runBench(argv: readonly string[]): number {
  const o = parseBenchOptions(argv);
  if (o === null) {
    console.log(USAGE);
    return 0;
  }
  const tfjsProblem = o.skipTfjs ? null : tfjsMissing();
  if (tfjsProblem) console.log(`note: ${tfjsProblem}`);
  const loadAtStart = loadavg();
  const perScenario = o.threads.length * 2 + o.threads.filter((t) => t >= 2).length + (o.skipTfjs ? 0 : 1);
  const estimate = o.scenarios.length * perScenario * o.repeat * (o.seconds + 2.5);
  console.log(
    `nncoach benchmark: ${o.scenarios.length} scenario(s), ${o.seconds} s per measurement, repeat ${o.repeat}, ` +
      `threads ${o.threads.join(",")} (up to ~${Math.ceil(estimate)} s); load average ${loadAtStart
        .map((l) => l.toFixed(2))
        .join(" ")} on ${cpus().length} cores`,
  );
  const results = o.scenarios.map((s) => runScenario(s, o, tfjsProblem));
  console.log(`\nsamples/s, best over thread counts${o.repeat > 1 ? " and repeats" : ""} (Nt: threads)`);
  console.log(summaryTable(results));
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, `${JSON.stringify(resultsJson(o, results, loadAtStart), null, 2)}\n`);
  console.log(`\nresults: ${relative(process.cwd(), o.out) || o.out}`);
  const failed = results.some((r) => r.measurements.some((m) => m.status === "failed"));
  return failed ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = runBench(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    console.error(e.message);
    process.exitCode = 2;
  }
}
