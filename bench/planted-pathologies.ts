/**
 * Training runs with one planted pathology each, on real data of three kinds (a table, an image folder, a
 * text column), for the diagnosis tests and the diagnosis matrix (bench/diagnosis-matrix.ts). Each builder
 * changes the data or the settings in one way and gives a run spec (the `nncoach train` options, data
 * included); `runSpec` trains it through the one runner (`trainRun`, every data kind) and returns the run
 * record the diagnosis reads, with the validation metrics a repair is judged by.
 *
 * | pathology     | what is planted                                                                 | kinds |
 * | ------------- | ------------------------------------------------------------------------------- | ----- |
 * | diverged      | learning rate 10                                                                | all   |
 * | shuffled      | the labels permuted (they carry no information)                                 | all   |
 * | leak          | a column "target_copy" = class index + Gaussian noise (sd 0.1)                  | table |
 * | unnormalized  | features multiplied by 1, 10, 100, 1000 (cycling), `--standardize none`         | table |
 * | imbalance     | minority classes cut to 1/30 of the largest, accuracy monitored                 | all   |
 * | lr_low        | learning rate 1e-6                                                              | all   |
 * | vanishing     | six sigmoid layers, plain SGD, no normalization (tables and text: 6 hidden layers of 64; images: a CNN of 6 conv layers of 16 filters, `--widths 16,16,16 --depth 2 --norm none`, the closest the image kind has to a deep sigmoid MLP) | all |
 * | overfit       | 60 training rows (others validate), a wide model (3 x 512 hidden; images: the default CNN with a 2 x 512 dense head and no batch normalization), 150 epochs, no regularization (no dropout, weight decay, label smoothing, decaying schedule or early stopping) | all |
 *
 * Data sets: the tables wine and breast_cancer, the digit images (`digits_png`, 8x8 PNGs in class folders;
 * modified copies go to a temporary folder) and first names by gender (`first_names`, character n-grams,
 * built from the npm name lists; the planted runs use a fixed stratified subset of 3,000 names so that each
 * run takes seconds).
 *
 * @example
 * const record = await plantedRun("overfit", "wine", 0, workDir);
 * diagnose(record)[0].symptom; // "overfitting"
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Action, OptionValue, Symptom } from "../src/coach/diagnosis/finding.js";
import { runRecordFromTabular } from "../src/coach/diagnosis/from-tabular.js";
import { auditSummary, type RunRecord } from "../src/coach/diagnosis/run-record.js";
import { runAudit } from "../src/data/audit/run-audit.js";
import { naturalCompare } from "../src/data/natural-order.js";
import { readTableFile } from "../src/data/read-table-file.js";
import type { Table } from "../src/data/table.js";
import { runRecordOf } from "../src/recipe/run-record-of.js";
import { metricValues } from "../src/recipe/train-plan.js";
import { type RunResult, trainRun } from "../src/recipe/train-run.js";
import type { Callback } from "../src/train/callback.js";
import { TRAIN_OPTIONS, type TrainConfig } from "../src/train/config-options.js";
import { evaluateDataset } from "../src/train/fit.js";
import { type TabularTrainConfig, trainTabular } from "../src/train/train-tabular.js";
import { Random } from "../src/util/random.js";
import { buildFirstNamesCsv } from "../test/helpers/text-datasets.js";

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

/** The data sets planted runs use, with their kind. */
export const PLANTED_DATASETS = {
  wine: "table",
  breast_cancer: "table",
  digits_png: "images",
  first_names: "text",
} as const;
export type PlantedDataset = keyof typeof PLANTED_DATASETS;
export type PlantedKind = (typeof PLANTED_DATASETS)[PlantedDataset];

/** Data sets of default runs that are not shared tables: the digit images and the first names. */
export const OTHER_DEFAULTS = ["digits_png", "first_names"] as const;

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

/** The kinds of data each pathology can be planted in (a leaked column and unscaled columns are table things). */
export const APPLIES_TO: Record<Pathology, readonly PlantedKind[]> = {
  diverged: ["table", "images", "text"],
  shuffled: ["table", "images", "text"],
  leak: ["table"],
  unnormalized: ["table"],
  imbalance: ["table", "images", "text"],
  lr_low: ["table", "images", "text"],
  vanishing: ["table", "images", "text"],
  overfit: ["table", "images", "text"],
};

/** Whether pathology `p` can be planted in `dataset`. */
export function applies(p: Pathology, dataset: PlantedDataset): boolean {
  return APPLIES_TO[p].includes(PLANTED_DATASETS[dataset]);
}

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

// ---- run specs ----------------------------------------------------------------------------------

/** The options of one `nncoach train` run (camelCase, unset = default), data included. */
export type TrainOptions = Partial<TrainConfig> & { data: string };

/** A run to train: its options, its kind, and whether the fast audit reads the data (tables). */
export interface RunSpec {
  kind: PlantedKind;
  config: TrainOptions;
  audit: boolean;
  /** For planted runs whose remedy is a data step: the spec with the data repaired (shuffled: the true labels). */
  repairedData?: TrainOptions;
}

/** Validation metrics of a finished run, measured with the weights the run kept. */
export interface ValMetrics {
  /** What a repair must improve: macro-F1 (classification: every class weighs the same) or R² (regression). */
  primary: number;
  name: "f1_macro" | "r2";
  values: Record<string, number>;
}

export interface RunOutcome {
  record: RunRecord;
  metrics: ValMetrics;
  seconds: number;
}

/** The command a spec stands for: `nncoach train <data> --target t --opt v ...` (threads left out). */
export function commandOf(config: TrainOptions): string[] {
  const argv = ["nncoach", "train", config.data];
  if (config.target) argv.push("--target", config.target);
  for (const [k, v] of Object.entries(config)) {
    if (k === "data" || k === "target" || k === "threads" || v === undefined) continue;
    argv.push(
      `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
      Array.isArray(v) ? v.join(",") : String(v),
    );
  }
  return argv;
}

/**
 * The spec's options with an action's change applied: each flag (kebab-case) set to its value. `cv` is
 * left out: cross-validation re-estimates the score but trains the same model on the same rows, so the
 * validation metric and the findings would be those of the run without it.
 */
export function withChange(config: TrainOptions, change: Record<string, OptionValue>): TrainOptions {
  const out: Record<string, unknown> = { ...config };
  for (const [flag, v] of Object.entries(change)) {
    if (flag === "cv") continue;
    const o = TRAIN_OPTIONS.find((x) => x.flag === flag);
    if (!o) throw new Error(`--${flag} is not an option of nncoach train`);
    out[o.name] = v;
  }
  return out as TrainOptions;
}

/**
 * The spec an action turns the run into, or why it cannot be run: an option change is applied; a data
 * step (no change) is run only where the planted pathology says what following it does (checking the
 * labels of a run with shuffled labels finds them wrong: the true labels are restored).
 */
export function repairSpec(spec: RunSpec, action: Action): { spec: RunSpec } | { skipped: string } {
  if (Object.keys(action.change).length > 0)
    return { spec: { ...spec, config: withChange(spec.config, action.change), repairedData: undefined } };
  if (spec.repairedData && /check the labels/.test(action.why))
    return { spec: { ...spec, config: spec.repairedData, repairedData: undefined } };
  return { skipped: `data step: ${action.why}` };
}

/** Trains a spec (one thread, quiet) and returns its run record (with the audit for tables) and metrics. */
export async function runSpec(spec: RunSpec, callbacks: Callback[] = []): Promise<RunOutcome> {
  const t0 = Date.now();
  const command = commandOf(spec.config);
  const extras = { callbacks: [stopOnNonFinite, ...callbacks] };
  let record: RunRecord;
  let run: RunResult;
  if (spec.kind === "table") {
    const result = await trainTabular({ threads: 1, ...spec.config } as TabularTrainConfig, extras);
    run = result.run;
    const audit = spec.audit ? await auditOf(spec.config, result.preprocessor.target) : undefined;
    record = await runRecordFromTabular(result, {
      audit,
      command,
      // the adapter assumes standardized inputs; a run without scaling says so, with the raw scales
      ...(run.config.standardize !== "standard"
        ? {
            data: {
              standardization: run.config.standardize,
              featureScales: run.data.featureStats ?? [],
            },
          }
        : {}),
    });
  } else {
    run = await trainRun({ threads: 1, ...spec.config }, extras);
    record = recordOfRun(run, command);
  }
  const metrics = await validationMetrics(run);
  await run.trainer.release();
  return { record, metrics, seconds: (Date.now() - t0) / 1000 };
}

/**
 * The run record of an image or text run, built here from the RunResult: `runRecordOf` (what a saved run
 * keeps as run.json) with the loss as the trainer built it (its resolved name; a focal gamma only for the
 * focal loss), every option in effect as the plan (actions word their changes from it), and the training
 * time. runRecordFromTabular reads a table and its preprocessor, which image and text runs do not have.
 */
export function recordOfRun(r: RunResult, command: string[]): RunRecord {
  const base = runRecordOf(r, command);
  const loss = r.trainer.loss.config();
  return {
    ...base,
    loss: {
      name: r.trainer.loss.name,
      ...(typeof loss.labelSmoothing === "number" ? { labelSmoothing: loss.labelSmoothing } : {}),
      ...(r.trainer.loss.name === "focal" && typeof loss.focalGamma === "number"
        ? { focalGamma: loss.focalGamma }
        : {}),
    },
    timing: {
      trainSamplesPerSecond: r.trainSamplesPerSecond,
      trainSeconds: (r.data.train.n * r.epochsRun) / Math.max(r.trainSamplesPerSecond, 1e-9),
    },
    plan: { options: { ...r.config } },
  };
}

/** Accuracy, macro-F1 and log-loss (classification) or R², RMSE, MAE (regression) of the validation rows. */
async function validationMetrics(r: RunResult): Promise<ValMetrics> {
  const cls = r.data.task === "classification";
  const names = cls ? ["accuracy", "f1_macro", "log_loss"] : ["r2", "rmse", "mae"];
  const ev = await evaluateDataset(r.trainer, r.data.validation);
  let values: Record<string, number>;
  try {
    values = metricValues(names, ev.output, r.data.validation, r.data.classes.length, r.data.targetScale);
  } catch {
    values = Object.fromEntries(names.map((n) => [n, Number.NaN]));
  }
  const name = cls ? "f1_macro" : "r2";
  // a model whose outputs are not finite predicts nothing: no class is found (F1 0), no variance explained
  const v = values[name]!;
  return { primary: Number.isFinite(v) ? v : cls ? 0 : Number.NEGATIVE_INFINITY, name, values };
}

/**
 * The fast audit of the columns the run used (those `--drop` removed are left out, as the run left them
 * out) and of its split (the validation file, when it had one).
 */
async function auditOf(config: TrainOptions, target: string): Promise<RunRecord["audit"]> {
  const drop = new Set(
    typeof config.drop === "string" ? String(config.drop).split(",") : (config.drop ?? []),
  );
  const read = async (file: string): Promise<Table> => {
    const t = await readTableFile(file);
    const keep = t.columns.map((c, j) => (drop.has(c) ? -1 : j)).filter((j) => j >= 0);
    return { ...t, columns: keep.map((j) => t.columns[j]!), rows: t.rows.map((r) => keep.map((j) => r[j]!)) };
  };
  const train = await read(config.data);
  const tables = config.validationData ? { train, validation: await read(config.validationData) } : train;
  return auditSummary(
    runAudit(tables, target, { seed: config.seed ?? 0, ...(config.task ? { task: config.task } : {}) }),
  );
}

// ---- default and planted runs ---------------------------------------------------------------------

/** The spec of a default `nncoach train` run of a shared table, the digit images or the first names. */
export async function defaultSpec(name: string, seed: number, dir: string): Promise<RunSpec> {
  if (name === "digits_png")
    return { kind: "images", config: { data: path.join(SHARED, "digits_png"), seed }, audit: false };
  if (name === "first_names") {
    const file = await firstNames(dir);
    return { kind: "text", config: { data: file, target: "gender", seed }, audit: false };
  }
  const d = DATASETS[name]!;
  return {
    kind: "table",
    config: { data: path.join(SHARED, d.file), target: d.target, seed, ...(d.task ? { task: d.task } : {}) },
    audit: true,
  };
}

/** A default `nncoach train` run of one shared table (or the digit images, the first names), as a run record. */
export async function defaultRun(name: string, seed: number, dir?: string): Promise<RunRecord> {
  const work = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-default-"));
  try {
    return (await runSpec(await defaultSpec(name, seed, work))).record;
  } finally {
    if (!dir) fs.rmSync(work, { recursive: true, force: true });
  }
}

/** One planted run, as a run record. `dir` receives the modified data. */
export async function plantedRun(
  p: Pathology,
  dataset: PlantedDataset,
  seed: number,
  dir: string,
): Promise<RunRecord> {
  return (await runSpec(await plantedSpec(p, dataset, seed, dir))).record;
}

/** The first-names CSV (built once into `dir`). */
async function firstNames(dir: string): Promise<string> {
  const file = path.join(dir, "first-names.csv");
  if (!fs.existsSync(file)) await buildFirstNamesCsv(dir);
  return file;
}

/** Options that switch off every regularizer of the recipe's defaults (the overfit pathology). */
const NO_REGULARIZATION = {
  epochs: 150,
  earlyStopping: false,
  optimizer: "adam",
  dropout: 0,
  weightDecay: 0,
  labelSmoothing: 0,
  schedule: "constant",
  warmup: "none",
} satisfies Partial<TrainConfig>;

/** The spec of one planted run. `dir` receives the modified data (CSV files, image folders). */
export async function plantedSpec(
  p: Pathology,
  dataset: PlantedDataset,
  seed: number,
  dir: string,
): Promise<RunSpec> {
  if (!applies(p, dataset)) throw new Error(`${p} cannot be planted in ${dataset}`);
  const kind = PLANTED_DATASETS[dataset];
  const rng = Random.derive(seed, `planted-${p}`);
  const tag = `${dataset}-${p}-${seed}`;
  if (kind === "images") return plantedImages(p, seed, rng, path.join(dir, tag));
  const text = kind === "text";
  const source = text ? await namesSubset(dir) : path.join(SHARED, DATASETS[dataset]!.file);
  const target = text ? "gender" : DATASETS[dataset]!.target;
  // the name column is named as the text, so that the 60-name subset is read as text too
  const base: TrainOptions = { data: source, target, ...(text ? { text: "name" } : {}), seed };
  const spec = (config: TrainOptions, extra: Partial<RunSpec> = {}): RunSpec => ({
    kind,
    config,
    audit: !text,
    ...extra,
  });
  const table = await readTableFile(source);
  const t = table.columns.indexOf(target);
  const out = (suffix: string) => path.join(dir, `${tag}-${suffix}.csv`);
  switch (p) {
    case "diverged":
      return spec({ ...base, lr: 10 });
    case "lr_low":
      return spec({ ...base, lr: 1e-6 });
    case "vanishing":
      return spec({
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
      return spec({ ...base, data: f }, { repairedData: base });
    }
    case "leak": {
      const classes = [...new Set(table.rows.map((r) => r[t]!))].sort(naturalCompare);
      const f = out("leak");
      writeCsv(
        f,
        [...table.columns, "target_copy"],
        table.rows.map((r) => [...r, (classes.indexOf(r[t]!) + rng.normal(0, 0.1)).toFixed(4)]),
      );
      return spec({ ...base, data: f });
    }
    case "imbalance": {
      const keep = new Set(imbalancedSubset(byClass(table.rows.map((r) => r[t]!)), rng).flat());
      const f = out("imbalance");
      writeCsv(
        f,
        table.columns,
        table.rows.filter((_, i) => keep.has(i)),
      );
      return spec({ ...base, data: f, monitor: "val_accuracy" });
    }
    case "overfit": {
      // 60 training rows; the others validate (at most 1,000), so that the validation curve is measured precisely
      const labels = table.rows.map((r) => r[t]!);
      const picked = new Set(stratifiedSubset(byClass(labels), 60, rng).flat());
      const rest = stratifiedSubset(
        byClass(labels.map((l, i) => (picked.has(i) ? "" : l)).filter(Boolean)),
        1000,
        rng,
      );
      const others = table.rows.filter((_, i) => !picked.has(i));
      const f = out("train");
      const v = out("val");
      writeCsv(
        f,
        table.columns,
        [...picked].map((i) => table.rows[i]!),
      );
      writeCsv(
        v,
        table.columns,
        rest.flat().map((i) => others[i]!),
      );
      return spec({ ...base, data: f, validationData: v, hidden: [512, 512, 512], ...NO_REGULARIZATION });
    }
    case "unnormalized": {
      // every feature column multiplied by 1, 10, 100, 1000 in turn, and fed as it is
      const f = out("unnormalized");
      const mult = table.columns.map((_, j) => (j < t ? j : j - 1)).map((k) => 10 ** (k % 4));
      writeCsv(
        f,
        table.columns,
        table.rows.map((r) =>
          r.map((c, j) => (j === t ? c : String(Number((Number(c) * mult[j]!).toPrecision(8))))),
        ),
      );
      return spec({ ...base, data: f, standardize: "none" });
    }
  }
}

/** Row indices per class, classes in natural order. */
function byClass(labels: readonly string[]): number[][] {
  const m = new Map<string, number[]>();
  labels.forEach((l, i) => {
    m.set(l, [...(m.get(l) ?? []), i]);
  });
  return [...m.keys()].sort(naturalCompare).map((k) => m.get(k)!);
}

/** About `n` indices keeping the class proportions (seeded; at least 2 per class), per class. */
function stratifiedSubset(groups: number[][], n: number, rng: Random): number[][] {
  const total = groups.reduce((a, g) => a + g.length, 0);
  return groups.map((g) => rng.shuffle([...g]).slice(0, Math.max(2, Math.round((n * g.length) / total))));
}

/** The largest class whole, every other cut to 1/30 of it (at least 2), per class. */
function imbalancedSubset(groups: number[][], rng: Random): number[][] {
  const largest = Math.max(...groups.map((g) => g.length));
  return groups.map((g) =>
    g.length === largest ? g : rng.shuffle([...g]).slice(0, Math.max(2, Math.ceil(largest / 30))),
  );
}

/** A fixed stratified subset of 3,000 first names (the same for every seed and pathology). */
async function namesSubset(dir: string): Promise<string> {
  const file = path.join(dir, "first-names-3000.csv");
  if (fs.existsSync(file)) return file;
  const table: Table = await readTableFile(await firstNames(dir));
  const g = table.columns.indexOf("gender");
  const keep = stratifiedSubset(byClass(table.rows.map((r) => r[g]!)), 3000, Random.derive(0, "names-subset"))
    .flat()
    .sort((a, b) => a - b);
  writeCsv(
    file,
    table.columns,
    keep.map((i) => table.rows[i]!),
  );
  return file;
}

/** The digit images as (class, file) pairs, classes and files in natural order. */
function digitImages(): { label: string; file: string }[] {
  const root = path.join(SHARED, "digits_png");
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort(naturalCompare)
    .flatMap((label) =>
      fs
        .readdirSync(path.join(root, label))
        .filter((f) => f.endsWith(".png"))
        .sort(naturalCompare)
        .map((f) => ({ label, file: path.join(root, label, f) })),
    );
}

/** Copies images into `dir/<label>/` under the labels given (a class folder nncoach reads). */
function writeFolder(dir: string, items: { label: string; file: string }[]): string {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [i, it] of items.entries()) {
    fs.mkdirSync(path.join(dir, it.label), { recursive: true });
    fs.copyFileSync(it.file, path.join(dir, it.label, `${String(i).padStart(4, "0")}.png`));
  }
  return dir;
}

function plantedImages(p: Pathology, seed: number, rng: Random, dir: string): RunSpec {
  const all = digitImages();
  const base: TrainOptions = { data: path.join(SHARED, "digits_png"), seed };
  const spec = (config: TrainOptions, extra: Partial<RunSpec> = {}): RunSpec => ({
    kind: "images",
    config,
    audit: false,
    ...extra,
  });
  const groups = byClass(all.map((a) => a.label));
  switch (p) {
    case "diverged":
      return spec({ ...base, lr: 10 });
    case "lr_low":
      return spec({ ...base, lr: 1e-6 });
    case "vanishing":
      return spec({
        ...base,
        widths: [16, 16, 16],
        depth: 2,
        activation: "sigmoid",
        norm: "none",
        optimizer: "sgd",
      });
    case "shuffled": {
      const labels = rng.shuffle(all.map((a) => a.label));
      const data = writeFolder(
        dir,
        all.map((a, i) => ({ label: labels[i]!, file: a.file })),
      );
      return spec({ ...base, data }, { repairedData: base });
    }
    case "imbalance": {
      const keep = imbalancedSubset(groups, rng).flat();
      return spec({
        ...base,
        data: writeFolder(
          dir,
          keep.map((i) => all[i]!),
        ),
        monitor: "val_accuracy",
      });
    }
    case "overfit": {
      const picked = new Set(stratifiedSubset(groups, 60, rng).flat());
      const others = all.filter((_, i) => !picked.has(i));
      const val = stratifiedSubset(byClass(others.map((o) => o.label)), 500, rng).flat();
      const data = writeFolder(
        path.join(dir, "train"),
        [...picked].map((i) => all[i]!),
      );
      const validationData = writeFolder(
        path.join(dir, "val"),
        val.map((i) => others[i]!),
      );
      // the recipe's CNN with a wide dense head; batch normalization off too (§6 counts it among the
      // regularizers, and with it the validation loss of 60 digits hardly moves off its best)
      return spec({ ...base, data, validationData, hidden: [512, 512], norm: "none", ...NO_REGULARIZATION });
    }
    default:
      throw new Error(`${p} cannot be planted in images`);
  }
}
