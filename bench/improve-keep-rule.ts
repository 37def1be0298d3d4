/**
 * The keep rule is honest: a change that does nothing must be rejected. The "change" here trains the
 * same configuration with a different but equivalent seed stream (seeds + 1000), on the same
 * cross-validation folds of a shared table; the keep rule compares it with the original, paired by fold.
 * Over 20 split seeds it should be rejected at least 19 times (the rule's one-sided level is 2.5%).
 *
 *   node dist/bench/improve-keep-rule.js [--dataset wine] [--seeds 20]
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { compare } from "../src/coach/improve/keep-rule.js";
import { chooseObjective } from "../src/coach/improve/objective.js";
import { LocalTrialRunner } from "../src/coach/improve/trial.js";
import { prepareFolds } from "../src/recipe/cross-validate.js";
import { prepareData } from "../src/recipe/prepare-data.js";
import { resolveConfig } from "../src/train/config.js";
import { DATASETS, SHARED } from "./planted-pathologies.js";

const { values } = parseArgs({
  options: { dataset: { type: "string", default: "wine" }, seeds: { type: "string", default: "20" } },
});
const d = DATASETS[values.dataset!]!;
let rejected = 0;
const n = Number(values.seeds);
for (let seed = 0; seed < n; seed++) {
  const options = {
    data: path.join(SHARED, d.file),
    target: d.target,
    seed,
    threads: 1,
    ...(d.task ? { task: d.task } : {}),
  };
  const resolved = resolveConfig(null, options);
  const data = await prepareData(resolved);
  const folds = await prepareFolds(data, [...data.rows.train, ...data.rows.val], resolved, 5);
  const { objective } = chooseObjective(data.summary);
  const runner = new LocalTrialRunner(
    folds.map((f) => ({ data: f, seed })),
    objective,
  );
  const spec = (seeds: number[]) => ({
    id: 0,
    step: "noop",
    change: {},
    options,
    dataHash: "",
    seeds,
    threads: 1,
  });
  const a = await runner.run(spec(folds.map(() => seed)));
  const b = await runner.run(spec(folds.map(() => seed + 1000)));
  const c = compare(a.values, b.values, objective.higherIsBetter);
  if (!c.kept) rejected++;
  console.log(
    `seed ${seed}: ${objective.metric} ${a.mean.toFixed(4)} vs ${b.mean.toFixed(4)}, diff ${c.diff.toFixed(4)} ± ${c.se.toFixed(4)} -> ${c.kept ? "KEPT" : "rejected"}`,
  );
}
console.log(`${values.dataset}: the do-nothing change was rejected in ${rejected} of ${n} split seeds`);
