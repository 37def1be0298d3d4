/**
 * ASHA against no pruning (the issue's acceptance figure): on 3 shared tables × 5 sweep seeds, the same
 * number of trials with `--pruner asha` and `--pruner none` (TPE, the same space), interleaved per seed so
 * that the machine's load falls on both alike. Reports the wall-time ratio asha / none (target <= 0.5) and
 * the best validation metric of each, with its spread over seeds (asha's median best should fall within
 * the seeds' spread of none's). Not part of npm test.
 *
 *   node dist/bench/sweep-asha.js [--seeds 5] [--trials 20] [--epochs 20] [--only wine,iris] [--out bench/results/sweep-asha.json]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { parseSpace } from "../src/sweep/space.js";
import { type PrunerName, type SweepSummary, sweep } from "../src/sweep/sweep.js";
import { writeJsonAtomic } from "../src/util/atomic-write.js";
import { DATASETS, SHARED } from "./planted-pathologies.js";
import { BENCH_SPACE } from "./sweep-bench-space.js";

const { values } = parseArgs({
  options: {
    seeds: { type: "string", default: "5" },
    trials: { type: "string", default: "20" },
    epochs: { type: "string", default: "20" },
    only: { type: "string", default: "wine,breast_cancer,diabetes" },
    out: { type: "string", default: "bench/results/sweep-asha.json" },
  },
});

interface Row {
  dataset: string;
  seed: number;
  pruner: PrunerName;
  seconds: number;
  /** Of `seconds`, the data preparation (the same for both pruners). */
  prepare: number;
  best: number | null;
  completed: number;
  pruned: number;
  epochs: number;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main() {
  const space = parseSpace(BENCH_SPACE(Number(values.epochs)), "bench-space.yaml");
  const rows: Row[] = [];
  const load0 = os.loadavg()[0]!;
  const metrics: Record<string, { name: string; higherIsBetter: boolean }> = {};
  for (const name of values.only!.split(",")) {
    const d = DATASETS[name]!;
    for (let seed = 0; seed < Number(values.seeds); seed++) {
      const order: PrunerName[] = seed % 2 ? ["none", "asha"] : ["asha", "none"];
      for (const pruner of order) {
        const s: SweepSummary = await sweep({
          data: path.join(SHARED, d.file),
          target: d.target,
          space,
          trials: Number(values.trials),
          budget: 3600,
          pruner,
          seed,
          threads: 1,
        });
        metrics[name] = s.metric;
        const row: Row = {
          dataset: name,
          seed,
          pruner,
          seconds: s.wall_seconds,
          prepare: s.prepare_seconds,
          best: s.best?.val ?? null,
          completed: s.counts.completed,
          pruned: s.counts.pruned,
          epochs: s.trials.reduce((a, t) => a + t.epochs_run, 0),
        };
        rows.push(row);
        console.log(JSON.stringify(row));
      }
    }
  }
  const lines = [
    `# ASHA vs no pruning: ${values.trials} TPE trials, ${values.epochs} epochs, ${values.seeds} seeds`,
    "",
    `load average (1 min) at start ${load0.toFixed(2)}, at end ${os.loadavg()[0]!.toFixed(2)}; ${os.cpus().length} cores; threads 1`,
    "",
    "| dataset | metric | time asha / none | trials only | epochs asha / none | best asha (median, min–max) | best none (median, min–max) | within spread |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  const summary: Record<string, unknown>[] = [];
  let tA = 0;
  let tN = 0;
  for (const name of values.only!.split(",")) {
    const a = rows.filter((r) => r.dataset === name && r.pruner === "asha");
    const n = rows.filter((r) => r.dataset === name && r.pruner === "none");
    const sa = a.reduce((x, r) => x + r.seconds, 0);
    const sn = n.reduce((x, r) => x + r.seconds, 0);
    tA += sa;
    tN += sn;
    const ba = a.map((r) => r.best!).filter(Number.isFinite);
    const bn = n.map((r) => r.best!).filter(Number.isFinite);
    const within = median(ba) >= Math.min(...bn) && median(ba) <= Math.max(...bn);
    const pa = sa - a.reduce((x, r) => x + r.prepare, 0);
    const pn = sn - n.reduce((x, r) => x + r.prepare, 0);
    const ea = a.reduce((x, r) => x + r.epochs, 0);
    const en = n.reduce((x, r) => x + r.epochs, 0);
    const f = (v: number) => v.toPrecision(4);
    lines.push(
      `| ${name} | ${metrics[name]!.name} | ${(sa / sn).toFixed(2)} (${sa.toFixed(1)} s / ${sn.toFixed(1)} s) | ${(pa / pn).toFixed(2)} | ${(ea / en).toFixed(2)} | ${f(median(ba))} (${f(Math.min(...ba))}–${f(Math.max(...ba))}) | ${f(median(bn))} (${f(Math.min(...bn))}–${f(Math.max(...bn))}) | ${within ? "yes" : "no"} |`,
    );
    summary.push({
      dataset: name,
      metric: metrics[name],
      ratio: sa / sn,
      trials_ratio: pa / pn,
      asha_seconds: sa,
      none_seconds: sn,
      epochs_ratio: ea / en,
      best_asha: ba,
      best_none: bn,
      within,
    });
  }
  lines.push(
    "",
    `overall wall-time ratio asha / none: ${(tA / tN).toFixed(2)} (${tA.toFixed(1)} s / ${tN.toFixed(1)} s)`,
  );
  console.log(lines.join("\n"));
  fs.mkdirSync(path.dirname(values.out!), { recursive: true });
  writeJsonAtomic(values.out!, { rows, summary, ratio: tA / tN, load: [load0, os.loadavg()[0]] });
  fs.writeFileSync(values.out!.replace(/\.json$/, ".md"), `${lines.join("\n")}\n`);
}

await main();
