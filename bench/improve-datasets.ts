/**
 * `nncoach improve` on every shared table, over several split seeds, next to scikit-learn on the same
 * splits (the issue's acceptance table). Not part of npm test.
 *
 * For each dataset and split seed: runs improve (a fixed trial plan, --trials, so that the ledger does
 * not depend on the machine's load; the wall time is reported; --trials 0 uses --budget as a user's run
 * does), and writes the same split's model
 * inputs (training + validation rows, and the test rows, preprocessed as nncoach's lock step does) for
 * scripts/gold/improve_peers.py, which fits MLPClassifier/MLPRegressor (defaults) and
 * HistGradientBoosting on them and scores the test rows with the same metric. Then prints the table:
 * dataset, non-neural reference, baseline, final (test, mean ± SE over seeds), sklearn MLP, HGB, steps
 * kept/rejected/pruned, wall time.
 *
 *   node dist/bench/improve-datasets.js [--seeds 3 | --seed-list 3,4] [--trials 16] [--only wine,iris] [--out bench/results/improve-datasets.json]
 *   node dist/bench/improve-datasets.js --report a.json,b.json --out merged.json   (one table from several runs' rows,
 *     e.g. two processes of one thread each, each given part of the datasets and seeds)
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { type ImproveSummary, improve } from "../src/coach/improve/improve.js";
import { meanSe } from "../src/recipe/cross-validate.js";
import { prepareData, prepareFold } from "../src/recipe/prepare-data.js";
import { resolveConfig } from "../src/train/config.js";
import { DATASETS, SHARED } from "./planted-pathologies.js";

const { values } = parseArgs({
  options: {
    seeds: { type: "string", default: "3" },
    "seed-list": { type: "string" },
    report: { type: "string" },
    "cv-repeats": { type: "string" },
    trials: { type: "string", default: "16" },
    budget: { type: "string", default: "3600" },
    only: { type: "string" },
    threads: { type: "string", default: "2" },
    out: { type: "string", default: "bench/results/improve-datasets.json" },
    python: { type: "string", default: "/usr/bin/python3" },
  },
});
const seeds = values["seed-list"]
  ? values["seed-list"].split(",").map(Number)
  : Array.from({ length: Number(values.seeds) }, (_, i) => i);
const names = values.only ? values.only.split(",") : Object.keys(DATASETS);
const work = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-improve-bench-"));

interface Row {
  dataset: string;
  seed: number;
  metric: string;
  higherIsBetter: boolean;
  reference: number | null;
  baseline: number;
  final: number;
  kept: number;
  rejected: number;
  pruned: number;
  seconds: number;
  /** Rounds of cross-validation folds (1 when compared over seeds). */
  rounds?: number;
  steps: string[];
  sklearn?: { mlp: number; hgb: number };
}

const rows: Row[] = [];
if (values.report)
  for (const f of values.report.split(","))
    rows.push(...(JSON.parse(fs.readFileSync(f, "utf8")) as { rows: Row[] }).rows);
for (const name of values.report ? [] : names) {
  const d = DATASETS[name]!;
  for (const seed of seeds) {
    const data = path.join(SHARED, d.file);
    const t0 = performance.now();
    const s: ImproveSummary = await improve({
      data,
      target: d.target,
      seed,
      budget: Number(values.budget),
      // --trials 0: the plan comes from --budget and the baseline's measured time, as a user's run
      ...(values.trials === "0" ? {} : { trials: Number(values.trials) }),
      threads: Number(values.threads),
      cvRepeats: values["cv-repeats"] ? Number(values["cv-repeats"]) : undefined,
      train: d.task ? { task: d.task } : {},
      log: (l) => process.stderr.write(`  ${name}/${seed} ${l}\n`),
    });
    const seconds = (performance.now() - t0) / 1000;
    const ran = s.steps.filter((st) => !st.skipped);
    rows.push({
      dataset: name,
      seed,
      metric: s.metric.name,
      higherIsBetter: s.metric.higherIsBetter,
      reference: s.reference.name !== null ? s.reference.test : null,
      baseline: s.baseline.test!.value,
      final: s.final.test!.value,
      kept: ran.filter((st) => st.kept).length,
      rejected: ran.filter((st) => !st.kept && st.candidates.every((c) => c.status !== "pruned")).length,
      pruned: s.trials.pruned,
      seconds,
      rounds: Number(s.decisions.find((x) => x.key === "cvRepeats")?.value ?? values["cv-repeats"] ?? 1),
      steps: s.steps.filter((st) => st.kept).map((st) => `${st.name} ${JSON.stringify(st.change)}`),
    });
    // the same split's model inputs for scikit-learn (train + validation rows, test rows)
    const resolved = resolveConfig(null, {
      data,
      target: d.target,
      seed,
      ...(d.task ? { task: d.task } : {}),
      // the same evaluation rows as improve's: duplicates across splits dropped when it dropped them
      ...(s.final.options.dropSplitDuplicates ? { dropSplitDuplicates: true } : {}),
    });
    const prepared = await prepareData(resolved);
    const lock = await prepareFold(
      prepared.loaded,
      {
        train: [...prepared.rows.train, ...prepared.rows.val],
        val: prepared.rows.val,
        test: prepared.test!.rows,
      },
      resolved,
    );
    const test = lock.test!.unseal("bench: scikit-learn peers on the same split");
    const f = lock.inputShape.reduce((a, b) => a * b, 1);
    const rowsOf = (x: ArrayLike<number>, n: number) =>
      Array.from({ length: n }, (_, i) => Array.from((x as Float32Array).subarray(i * f, (i + 1) * f)));
    const scale = lock.targetScale ?? { mean: 0, std: 1 };
    const ys = (y: ArrayLike<number>) =>
      Array.from(y, (v) => (lock.task === "regression" ? v * scale.std + scale.mean : v));
    const file = path.join(work, `${name}-${seed}.json`);
    fs.writeFileSync(
      file,
      JSON.stringify({
        task: lock.task,
        metric: s.metric.name,
        seed,
        x_train: rowsOf(lock.train.x, lock.train.n),
        y_train: ys(lock.train.y),
        x_test: rowsOf(test.x, test.n),
        y_test: ys(test.y),
      }),
    );
    const py = spawnSync(values.python!, [path.join("scripts", "gold", "improve_peers.py"), file], {
      encoding: "utf8",
    });
    if (py.status === 0) rows[rows.length - 1]!.sklearn = JSON.parse(py.stdout);
    else process.stderr.write(`sklearn peers failed: ${py.stderr}\n`);
    process.stderr.write(`${name}/${seed}: ${JSON.stringify(rows[rows.length - 1])}\n`);
  }
}

const fmt = (xs: number[]) => {
  const s = meanSe(xs);
  return `${s.mean.toFixed(4)} ± ${s.se.toFixed(4)}`;
};
const lines = [
  "| dataset | metric | reference | baseline | final | sklearn MLP | sklearn HGB | kept / rejected / pruned | CV rounds | wall s |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
];
for (const name of names) {
  const r = rows.filter((x) => x.dataset === name);
  if (r.length === 0) continue;
  const refs = r.map((x) => x.reference).filter((v): v is number => v !== null);
  lines.push(
    `| ${name} | ${r[0]!.metric} | ${refs.length ? fmt(refs) : "–"} | ${fmt(r.map((x) => x.baseline))} | ${fmt(r.map((x) => x.final))} | ` +
      `${r.every((x) => x.sklearn) ? fmt(r.map((x) => x.sklearn!.mlp)) : "–"} | ${r.every((x) => x.sklearn) ? fmt(r.map((x) => x.sklearn!.hgb)) : "–"} | ` +
      `${r.reduce((a, x) => a + x.kept, 0)} / ${r.reduce((a, x) => a + x.rejected, 0)} / ${r.reduce((a, x) => a + x.pruned, 0)} | ${r.map((x) => x.rounds ?? "–").join(",")} | ${fmt(r.map((x) => x.seconds))} |`,
  );
}
fs.mkdirSync(path.dirname(values.out!), { recursive: true });
const seedsRun = [...new Set(rows.map((r) => r.seed))].sort((a, b) => a - b);
fs.writeFileSync(
  values.out!,
  `${JSON.stringify({ seeds: seedsRun, trials: Number(values.trials), budget: Number(values.budget), cvRepeats: values["cv-repeats"] ? Number(values["cv-repeats"]) : "auto", rows }, null, 1)}\n`,
);
fs.writeFileSync(values.out!.replace(/\.json$/, ".md"), `${lines.join("\n")}\n`);
console.log(lines.join("\n"));
fs.rmSync(work, { recursive: true, force: true });
