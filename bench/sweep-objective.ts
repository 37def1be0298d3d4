/**
 * An objective server for scripts/gold/optuna_tpe.py: Optuna's own TPE proposes configurations, nncoach
 * trains them exactly as a sweep's trial does (the data prepared once on the seeded split, the trial
 * through LocalTrialRunner, scored on the validation rows). Reads one JSON object of `nncoach train`
 * options per line on stdin, writes one line `{"val": <objective>, "status": ..., "epochs_run": n}`.
 *
 *   node dist/bench/sweep-objective.js --data wine.csv --target cultivar --seed 0 --metric log_loss [--epochs 20]
 */
import readline from "node:readline";
import { parseArgs } from "node:util";
import { chooseObjective } from "../src/coach/improve/objective.js";
import { LocalTrialRunner } from "../src/coach/improve/trial.js";
import { prepareData } from "../src/recipe/prepare-data.js";
import { resolveConfig } from "../src/train/config.js";

const { values } = parseArgs({
  options: {
    data: { type: "string" },
    target: { type: "string" },
    seed: { type: "string", default: "0" },
    metric: { type: "string" },
    epochs: { type: "string", default: "20" },
    threads: { type: "string", default: "1" },
  },
});
const seed = Number(values.seed);
const fixed = { data: values.data, target: values.target, seed, epochs: Number(values.epochs) };
const data = await prepareData(resolveConfig(null, fixed));
const { objective } = chooseObjective(data.summary, values.metric);
const runner = new LocalTrialRunner([{ data, seed }], objective);
let id = 0;
for await (const line of readline.createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const config = JSON.parse(line) as Record<string, unknown>;
  const r = await runner.run({
    id: id++,
    step: "sweep",
    change: config,
    options: { ...fixed, ...config },
    dataHash: "",
    seeds: [seed],
    threads: Number(values.threads),
  });
  process.stdout.write(
    `${JSON.stringify({ val: r.status === "failed" ? null : r.mean, status: r.status, epochs_run: r.units[0]?.epochsRun ?? 0 })}\n`,
  );
}
