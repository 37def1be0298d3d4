/**
 * TPE against random search and against Optuna's own TPE (the issue's acceptance figure): on 2 shared
 * tables × 10 sweep seeds, the same number of trials on the same space, no pruning, the validation log
 * loss as the objective (lower is better; accuracy on these small validation sets ties at 1.0 too often to
 * tell samplers apart). nncoach's TPE and random search run here; Optuna 3.1's TPESampler ran through
 * scripts/gold/optuna_tpe.py on nncoach's training (bench/results/optuna-tpe.json, committed). Reports
 * each sampler's median best and spread over seeds; TPE's median best should be at least as good as
 * random's and within the spread of Optuna's. Not part of npm test.
 *
 *   node dist/bench/sweep-tpe.js [--seeds 10] [--trials 20] [--epochs 20] [--optuna bench/results/optuna-tpe.json]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { parseSpace } from "../src/sweep/space.js";
import { type SamplerName, sweep } from "../src/sweep/sweep.js";
import { writeJsonAtomic } from "../src/util/atomic-write.js";
import { DATASETS, SHARED } from "./planted-pathologies.js";
import { BENCH_SPACE } from "./sweep-bench-space.js";

const { values } = parseArgs({
  options: {
    seeds: { type: "string", default: "10" },
    trials: { type: "string", default: "20" },
    epochs: { type: "string", default: "20" },
    metric: { type: "string", default: "log_loss" },
    only: { type: "string", default: "wine,breast_cancer" },
    optuna: { type: "string", default: "bench/results/optuna-tpe.json" },
    out: { type: "string", default: "bench/results/sweep-tpe.json" },
  },
});

const quantile = (v: number[], q: number) => {
  const s = [...v].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (pos - lo);
};

async function main() {
  const space = parseSpace(BENCH_SPACE(Number(values.epochs)), "bench-space.yaml");
  const optuna = fs.existsSync(values.optuna!)
    ? (JSON.parse(fs.readFileSync(values.optuna!, "utf8")) as {
        trials: number;
        epochs: number;
        results: { dataset: string; seed: number; best: number }[];
      })
    : null;
  if (optuna && (optuna.trials !== Number(values.trials) || optuna.epochs !== Number(values.epochs)))
    console.error(`note: ${values.optuna} ran ${optuna.trials} trials of ${optuna.epochs} epochs`);
  const load0 = os.loadavg()[0]!;
  const rows: { dataset: string; seed: number; sampler: SamplerName; best: number; seconds: number }[] = [];
  for (const name of values.only!.split(",")) {
    const d = DATASETS[name]!;
    for (let seed = 0; seed < Number(values.seeds); seed++) {
      for (const sampler of ["tpe", "random"] as const) {
        const s = await sweep({
          data: path.join(SHARED, d.file),
          target: d.target,
          space,
          trials: Number(values.trials),
          budget: 3600,
          sampler,
          pruner: "none",
          metric: values.metric,
          seed,
          threads: 1,
        });
        rows.push({ dataset: name, seed, sampler, best: s.best!.val!, seconds: s.wall_seconds });
        console.log(JSON.stringify(rows[rows.length - 1]));
      }
    }
  }
  const f = (v: number) => v.toPrecision(4);
  const spread = (v: number[]) =>
    `${f(quantile(v, 0.5))} (IQR ${f(quantile(v, 0.25))}–${f(quantile(v, 0.75))}, range ${f(Math.min(...v))}–${f(Math.max(...v))})`;
  const lines = [
    `# TPE vs random vs Optuna TPE: ${values.trials} trials, ${values.epochs} epochs, ${values.seeds} seeds, validation ${values.metric} (lower is better), no pruning`,
    "",
    `load average (1 min) at start ${load0.toFixed(2)}, at end ${os.loadavg()[0]!.toFixed(2)}; ${os.cpus().length} cores`,
    "",
    "| dataset | nncoach TPE best: median (IQR, range) | random | Optuna 3.1 TPE | TPE <= random | TPE within Optuna's range |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  const summary: Record<string, unknown>[] = [];
  for (const name of values.only!.split(",")) {
    const tpe = rows.filter((r) => r.dataset === name && r.sampler === "tpe").map((r) => r.best);
    const rnd = rows.filter((r) => r.dataset === name && r.sampler === "random").map((r) => r.best);
    const opt = optuna?.results.filter((r) => r.dataset === name).map((r) => r.best) ?? [];
    const beats = quantile(tpe, 0.5) <= quantile(rnd, 0.5);
    const within = opt.length
      ? quantile(tpe, 0.5) >= Math.min(...opt) && quantile(tpe, 0.5) <= Math.max(...opt)
      : null;
    lines.push(
      `| ${name} | ${spread(tpe)} | ${spread(rnd)} | ${opt.length ? spread(opt) : "not run"} | ${beats ? "yes" : "no"} | ${within === null ? "–" : within ? "yes" : "no"} |`,
    );
    summary.push({
      dataset: name,
      tpe,
      random: rnd,
      optuna: opt,
      tpe_beats_random: beats,
      within_optuna: within,
    });
  }
  console.log(lines.join("\n"));
  fs.mkdirSync(path.dirname(values.out!), { recursive: true });
  writeJsonAtomic(values.out!, { rows, summary, load: [load0, os.loadavg()[0]] });
  fs.writeFileSync(values.out!.replace(/\.json$/, ".md"), `${lines.join("\n")}\n`);
}

await main();
