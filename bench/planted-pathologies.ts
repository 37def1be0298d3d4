/**
 * Training runs with one planted pathology each, on real tables, for the diagnosis tests and the
 * diagnosis matrix (bench/diagnosis-matrix.ts). Each builder changes the data or the settings in one way,
 * trains (fast: small tables, few epochs), and returns the run record the diagnosis reads:
 *
 * | pathology     | what is planted                                                                 |
 * | ------------- | ------------------------------------------------------------------------------- |
 * | diverged      | learning rate 10 (Adam)                                                         |
 * | shuffled      | the target column permuted (labels carry no information)                        |
 * | leak          | a column "target_copy" = class index + Gaussian noise (sd 0.1)                  |
 * | unnormalized  | features multiplied by 1, 10, 100, 1000 (cycling) and fed without scaling       |
 * | imbalance     | minority classes cut to 1/30 of the largest, accuracy monitored                 |
 * | lr_low        | learning rate 1e-6                                                              |
 * | vanishing     | 6 sigmoid layers of 64 units, plain SGD                                         |
 * | overfit       | 60 training rows (the rest validate), 3 hidden layers of 512, 150 epochs, no regularization (no dropout, weight decay, label smoothing or decaying schedule) |
 *
 * The unnormalized run cannot go through trainTabular (it always standardizes; `--standardize none` is
 * coming with the planner), so it is built here from the library: Trainer + fit + HealthMonitor.
 *
 * @example
 * const record = await plantedRun("overfit", "wine", 0, workDir);
 * diagnose(record)[0].symptom; // "overfitting"
 */
import fs from "node:fs";
import path from "node:path";
import type { Symptom } from "../src/coach/diagnosis/finding.js";
import { runRecordFromTabular } from "../src/coach/diagnosis/from-tabular.js";
import { auditSummary, type FeatureScale, type RunRecord } from "../src/coach/diagnosis/run-record.js";
import { runAudit } from "../src/data/audit/run-audit.js";
import { parseNumber } from "../src/data/missing.js";
import { naturalCompare } from "../src/data/natural-order.js";
import { readTableFile } from "../src/data/read-table-file.js";
import { stratifiedSplit } from "../src/data/split.js";
import type { Table } from "../src/data/table.js";
import { makeLoss, outputUnits } from "../src/nn/losses/index.js";
import { mlp } from "../src/nn/sequential.js";
import { makeOptimizer } from "../src/optim/index.js";
import type { Callback } from "../src/train/callback.js";
import { EarlyStopping } from "../src/train/callbacks/early-stopping.js";
import { type Dataset, fit } from "../src/train/fit.js";
import { HealthMonitor } from "../src/train/health-monitor.js";
import { type TabularTrainConfig, trainTabular } from "../src/train/train-tabular.js";
import { Trainer } from "../src/train/trainer.js";
import { Random } from "../src/util/random.js";

export const SHARED = process.env.NNCOACH_DATASETS ?? "/work/shared/datasets";

/** The shared tables with their targets (default runs of every one count false alarms). */
export const DATASETS: Record<string, { file: string; target: string; task?: "classification" }> = {
  wine: { file: "wine.csv", target: "cultivar" },
  breast_cancer: { file: "breast_cancer.csv", target: "diagnosis" },
  iris: { file: "iris.csv", target: "species" },
  diabetes: { file: "diabetes.csv", target: "progression" },
  // the digit is a number, which nncoach would take for a regression target; it is a class
  digits: { file: "digits.csv", target: "digit", task: "classification" },
  house_votes84: { file: "house_votes84.csv", target: "Class" },
  boston_housing: { file: "boston_housing.csv", target: "medv" },
};

export const PATHOLOGIES = [
  "diverged",
  "shuffled",
  "leak",
  "unnormalized",
  "imbalance",
  "lr_low",
  "vanishing",
  "overfit",
] as const;
export type Pathology = (typeof PATHOLOGIES)[number];

/**
 * What the diagnosis should say about each pathology: `expect` names it (any one counts as found, and the
 * first finding should be one of them); `alsoTrue` are real consequences of it (a diverged run also has
 * dead units and is at chance), which are not false alarms.
 */
export const EXPECTED: Record<Pathology, { expect: Symptom[]; alsoTrue: Symptom[] }> = {
  diverged: {
    expect: ["diverged", "unstable_training"],
    alsoTrue: [
      "lr_too_high",
      "exploding_gradients",
      "loss_spikes",
      "dead_relus",
      "stuck_at_chance",
      "not_learning",
      "underfitting",
    ],
  },
  shuffled: {
    expect: ["stuck_at_chance", "not_learning"],
    alsoTrue: ["label_noise", "overfitting", "underfitting", "too_little_data"],
  },
  leak: { expect: ["leakage"], alsoTrue: [] },
  unnormalized: {
    expect: ["unnormalized_inputs"],
    alsoTrue: [
      "diverged",
      "unstable_training",
      "loss_spikes",
      "lr_too_high",
      "exploding_gradients",
      "dead_relus",
      "stuck_at_chance",
      "not_learning",
      "underfitting",
      "overfitting",
    ],
  },
  imbalance: {
    expect: ["class_imbalance", "metric_mismatch"],
    alsoTrue: ["stuck_at_chance", "too_little_data"],
  },
  lr_low: { expect: ["lr_too_low", "underfitting"], alsoTrue: ["not_learning", "stuck_at_chance"] },
  vanishing: {
    expect: ["vanishing_gradients", "saturated_activations"],
    alsoTrue: ["not_learning", "stuck_at_chance", "underfitting", "lr_too_low"],
  },
  overfit: { expect: ["overfitting"], alsoTrue: ["too_little_data"] },
};

/** Sets `onNonFinite: "stop"` so that a run that blows up returns its history instead of throwing. */
export const stopOnNonFinite: Callback = {
  onTrainBegin(s) {
    s.onNonFinite = "stop";
  },
};

/** Writes a table as CSV (cells quoted when needed). */
export function writeCsv(file: string, columns: string[], rows: string[][]): void {
  const q = (c: string) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
  fs.writeFileSync(file, `${[columns, ...rows].map((r) => r.map(q).join(",")).join("\n")}\n`);
}

/** Runs trainTabular (one thread, quiet) and turns the result into a run record with the audit. */
export async function tabularRecord(
  config: TabularTrainConfig,
  opts: { audit?: boolean; callbacks?: Callback[] } = {},
): Promise<RunRecord> {
  const result = await trainTabular(
    { threads: 1, ...config },
    { callbacks: [stopOnNonFinite, ...(opts.callbacks ?? [])] },
  );
  let audit: RunRecord["audit"];
  if (opts.audit ?? true) {
    const table = await readTableFile(config.data);
    audit = auditSummary(runAudit(table, result.preprocessor.target, { seed: config.seed ?? 0 }));
  }
  const argv = ["nncoach", "train", config.data, "--target", result.preprocessor.target];
  for (const [k, v] of Object.entries(config)) {
    if (k === "data" || k === "target" || v === undefined) continue;
    argv.push(
      `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
      Array.isArray(v) ? v.join(",") : String(v),
    );
  }
  const record = await runRecordFromTabular(result, { audit, command: argv });
  await result.trainer.release();
  return record;
}

/** A default `nncoach train` run of one shared dataset. */
export async function defaultRun(name: string, seed: number): Promise<RunRecord> {
  const d = DATASETS[name]!;
  return tabularRecord({
    data: path.join(SHARED, d.file),
    target: d.target,
    seed,
    ...(d.task ? { task: d.task } : {}),
  });
}

/** One planted run on wine or breast_cancer. `dir` receives the modified CSV files. */
export async function plantedRun(
  p: Pathology,
  dataset: "wine" | "breast_cancer",
  seed: number,
  dir: string,
): Promise<RunRecord> {
  const d = DATASETS[dataset]!;
  const file = path.join(SHARED, d.file);
  const base = { data: file, target: d.target, seed };
  const table = await readTableFile(file);
  const t = table.columns.indexOf(d.target);
  const rng = Random.derive(seed, `planted-${p}`);
  const out = (suffix: string) => path.join(dir, `${dataset}-${suffix}-${seed}.csv`);
  switch (p) {
    case "diverged":
      return tabularRecord({ ...base, lr: 10 });
    case "lr_low":
      return tabularRecord({ ...base, lr: 1e-6 });
    case "vanishing":
      return tabularRecord({
        ...base,
        hidden: [64, 64, 64, 64, 64, 64],
        activation: "sigmoid",
        optimizer: "sgd",
      });
    case "shuffled": {
      const labels = rng.shuffle(table.rows.map((r) => r[t]!));
      const f = out("shuffled");
      writeCsv(
        f,
        table.columns,
        table.rows.map((r, i) => r.map((c, j) => (j === t ? labels[i]! : c))),
      );
      return tabularRecord({ ...base, data: f });
    }
    case "leak": {
      const classes = [...new Set(table.rows.map((r) => r[t]!))].sort(naturalCompare);
      const f = out("leak");
      writeCsv(
        f,
        [...table.columns, "target_copy"],
        table.rows.map((r) => [...r, (classes.indexOf(r[t]!) + rng.normal(0, 0.1)).toFixed(4)]),
      );
      return tabularRecord({ ...base, data: f });
    }
    case "imbalance": {
      const byClass = new Map<string, number[]>();
      table.rows.forEach((r, i) => {
        byClass.set(r[t]!, [...(byClass.get(r[t]!) ?? []), i]);
      });
      const largest = Math.max(...[...byClass.values()].map((v) => v.length));
      const keep = new Set<number>();
      for (const rows of byClass.values()) {
        const n = rows.length === largest ? rows.length : Math.max(2, Math.ceil(largest / 30));
        for (const i of rng.shuffle([...rows]).slice(0, n)) keep.add(i);
      }
      const f = out("imbalance");
      writeCsv(
        f,
        table.columns,
        table.rows.filter((_, i) => keep.has(i)),
      );
      return tabularRecord({ ...base, data: f, monitor: "val_accuracy" });
    }
    case "overfit": {
      // 60 training rows; every other row validates, so that the validation curve is measured precisely
      const picked = new Set(stratifiedSubset(table, t, 60, rng));
      const f = out("overfit-train");
      const v = out("overfit-val");
      writeCsv(
        f,
        table.columns,
        [...picked].map((i) => table.rows[i]!),
      );
      writeCsv(
        v,
        table.columns,
        table.rows.filter((_, i) => !picked.has(i)),
      );
      return tabularRecord({
        ...base,
        data: f,
        validationData: v,
        hidden: [512, 512, 512],
        epochs: 150,
        earlyStopping: false,
        // no regularization: the recipe's defaults (dropout, weight decay, label smoothing, the decaying
        // schedule) switched off; Adam at a constant 1e-3
        optimizer: "adam",
        dropout: 0,
        weightDecay: 0,
        labelSmoothing: 0,
        schedule: "constant",
        warmup: "none",
      });
    }
    case "unnormalized":
      return unnormalizedRun(table, d.target, seed, file);
  }
}

/** Indices of about `n` rows keeping the class proportions (seeded; at least 2 per class). */
function stratifiedSubset(table: Table, t: number, n: number, rng: Random): number[] {
  const byClass = new Map<string, number[]>();
  table.rows.forEach((r, i) => {
    byClass.set(r[t]!, [...(byClass.get(r[t]!) ?? []), i]);
  });
  const out: number[] = [];
  for (const rows of byClass.values())
    out.push(
      ...rng.shuffle([...rows]).slice(0, Math.max(2, Math.round((n * rows.length) / table.rows.length))),
    );
  return out;
}

/**
 * Trains the default MLP (2 x 256 ReLU, Adam 1e-3, batch 32, 20 epochs, early stopping with patience 10 on
 * validation loss) on raw features multiplied by 1, 10, 100, 1000 in turn, with no standardization.
 */
export async function unnormalizedRun(
  table: Table,
  target: string,
  seed: number,
  source: string,
): Promise<RunRecord> {
  const t = table.columns.indexOf(target);
  const featureCols = table.columns.map((_, j) => j).filter((j) => j !== t);
  const multipliers = featureCols.map((_, k) => 10 ** (k % 4));
  const classes = [...new Set(table.rows.map((r) => r[t]!))].sort(naturalCompare);
  const split = stratifiedSplit(
    table.rows.map((r) => r[t]!),
    undefined,
    seed,
  );
  const make = (rows: number[]): Dataset => {
    const x = new Float32Array(rows.length * featureCols.length);
    rows.forEach((r, i) => {
      featureCols.forEach((c, k) => {
        x[i * featureCols.length + k] = parseNumber(table.rows[r]![c]!) * multipliers[k]!;
      });
    });
    return { x, y: Int32Array.from(rows, (r) => classes.indexOf(table.rows[r]![t]!)), n: rows.length };
  };
  const train = make(split.train);
  const validation = make(split.val);
  const f = featureCols.length;
  const scales: FeatureScale[] = featureCols.map((c, k) => {
    // statistics in float64 of the float32 values the network was fed
    const v = split.train.map((_, i) => train.x[i * f + k]!);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    return { name: table.columns[c]!, mean, std, min: Math.min(...v), max: Math.max(...v) };
  });
  const loss = makeLoss("auto", "classification", classes.length);
  const model = mlp({ inputs: f, outputs: outputUnits(loss, classes.length), hidden: [256, 256] });
  const trainer = new Trainer(model, loss, makeOptimizer("adam", {}), { seed, threads: 1 });
  await trainer.compile();
  const n = Math.min(256, train.n);
  const health = new HealthMonitor({ probe: { x: train.x.subarray(0, n * f), n } });
  const stopper = new EarlyStopping({ monitor: "val_loss", patience: 10, restoreBestWeights: true });
  const res = await fit(trainer, train, {
    epochs: 20,
    batchSize: 32,
    lr: 1e-3,
    seed,
    validation,
    classes: classes.length,
    callbacks: [health, stopper],
    onNonFinite: "stop",
  });
  await trainer.release();
  const counts = classes.map((_, k) => train.y.filter((y) => y === k).length);
  return {
    task: "classification",
    classes,
    classCounts: counts,
    loss: { name: loss.name },
    monitor: "val_loss",
    ...(res.stopReason ? { stopReason: res.stopReason } : {}),
    epochs: 20,
    history: res.history,
    health: health.records,
    data: {
      kind: "table",
      source,
      target,
      rows: { train: train.n, validation: validation.n, test: split.test.length },
      features: f,
      featureScales: scales,
      standardization: "none",
    },
    timing: { trainSamplesPerSecond: res.trainSamplesPerSecond },
    command: ["nncoach", "train", source, "--target", target, "--standardize", "none"],
  };
}
