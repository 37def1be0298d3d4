/**
 * The recipe's defaults (RECIPE.md §11) measured one at a time on the shared tables: for each default, the
 * run with it against the run without it (everything else at the defaults), paired over the same
 * evaluation units improve uses (5 stratified folds below 2,000 rows, else 3 seeds), on the objective
 * improve chooses. A default earns its place when it is not worse beyond 2 standard errors anywhere and
 * better somewhere; the planner's decision records cite this table (bench/results/defaults-ablation.md).
 *
 *   node dist/bench/defaults-ablation.js [--only wine,iris] [--out bench/results/defaults-ablation.json]
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { CV_BELOW_ROWS, DEFAULT_FOLDS, DEFAULT_SEEDS } from "../src/coach/improve/improve.js";
import { compare } from "../src/coach/improve/keep-rule.js";
import { chooseObjective } from "../src/coach/improve/objective.js";
import { type EvaluationUnit, LocalTrialRunner } from "../src/coach/improve/trial.js";
import { prepareFolds } from "../src/recipe/cross-validate.js";
import { prepareData } from "../src/recipe/prepare-data.js";
import { resolveConfig } from "../src/train/config.js";
import { DATASETS, SHARED } from "./planted-pathologies.js";

/** Each default and the value that switches it off. */
export const ABLATIONS: { name: string; off: Record<string, unknown>; classification?: true }[] = [
  { name: "AdamW (vs Adam)", off: { optimizer: "adam" } },
  { name: "weight decay 1e-4", off: { weightDecay: 0 } },
  { name: "dropout 0.1", off: { dropout: 0 } },
  { name: "label smoothing 0.05", off: { labelSmoothing: 0 }, classification: true },
  { name: "cosine schedule (vs constant)", off: { schedule: "constant" } },
  { name: "3-epoch warm-up", off: { warmup: "none" } },
  { name: "early stopping (patience 10, at least 200 steps)", off: { earlyStopping: false } },
  {
    name: "at least 1,000 optimizer steps (vs 20 epochs, patience 10)",
    off: { epochs: 20, earlyStopping: 10 },
  },
];

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    threads: { type: "string", default: "2" },
    out: { type: "string", default: "bench/results/defaults-ablation.json" },
  },
});
const names = values.only ? values.only.split(",") : Object.keys(DATASETS);
const rows: Record<string, unknown>[] = [];
const lines = [
  "| default | dataset | metric | with (mean ± SE) | without | gain of the default (± SE, positive = better) | verdict |",
  "| --- | --- | --- | --- | --- | --- | --- |",
];
for (const name of names) {
  const d = DATASETS[name]!;
  const options = {
    data: path.join(SHARED, d.file),
    target: d.target,
    seed: 0,
    threads: Number(values.threads),
    ...(d.task ? { task: d.task } : {}),
  };
  const resolved = resolveConfig(null, options);
  const data = await prepareData(resolved);
  const cv = data.train.n + data.validation.n < CV_BELOW_ROWS;
  const units: EvaluationUnit[] = cv
    ? (await prepareFolds(data, [...data.rows.train, ...data.rows.val], resolved, DEFAULT_FOLDS)).map(
        (f) => ({
          data: f,
          seed: 0,
        }),
      )
    : Array.from({ length: DEFAULT_SEEDS }, (_, i) => ({ data, seed: i }));
  const { objective } = chooseObjective(data.summary);
  const runner = new LocalTrialRunner(units, objective);
  const spec = (o: Record<string, unknown>) => ({
    id: 0,
    step: "ablation",
    change: {},
    options: { ...options, ...o },
    dataHash: "",
    seeds: units.map((u) => u.seed),
    threads: Number(values.threads),
  });
  const withDefaults = await runner.run(spec({}));
  for (const a of ABLATIONS) {
    if (a.classification && data.task !== "classification") continue;
    const without = await runner.run(spec(a.off));
    // "kept" here means: the default beats its absence beyond noise
    const c = compare(without.values, withDefaults.values, objective.higherIsBetter);
    const worse = compare(withDefaults.values, without.values, objective.higherIsBetter);
    const verdict = c.kept ? "helps" : worse.kept ? "hurts" : "no clear difference";
    rows.push({
      default: a.name,
      dataset: name,
      metric: objective.metric,
      with: { mean: withDefaults.mean, se: withDefaults.se, values: withDefaults.values },
      without: { mean: without.mean, se: without.se, values: without.values },
      diff: c.diff,
      se: c.se,
      verdict,
    });
    const f = (v: number) => v.toFixed(4);
    lines.push(
      `| ${a.name} | ${name} | ${objective.metric} | ${f(withDefaults.mean)} ± ${f(withDefaults.se)} | ${f(without.mean)} ± ${f(without.se)} | ${f(c.diff)} ± ${f(c.se)} | ${verdict} |`,
    );
    process.stderr.write(`${lines[lines.length - 1]}\n`);
  }
}
fs.mkdirSync(path.dirname(values.out!), { recursive: true });
fs.writeFileSync(values.out!, `${JSON.stringify(rows, null, 1)}\n`);
fs.writeFileSync(values.out!.replace(/\.json$/, ".md"), `${lines.join("\n")}\n`);
console.log(lines.join("\n"));
