/**
 * Train a network on a table end to end (what `nncoach train <file.csv>` runs): read, split once (seeded,
 * stratified 70/15/15 unless a validation file is given), fit preprocessing on the training rows only,
 * build the default MLP with the output layer and loss matched to the task, train with the configured
 * schedule, callbacks, checkpoints and health monitors, evaluate the sealed test rows once at the end, and
 * optionally save model.onnx + preprocessing + the resolved config.
 */
import fs from "node:fs";
import path from "node:path";
import { gaussianNoise, TABULAR_AUGMENTATION_CAUTION } from "../data/augment/tabular-augment.js";
import { imbalanceRatio } from "../data/imbalance.js";
import type { TabularPreprocessor } from "../data/tabular-preprocessor.js";
import { getMetric } from "../nn/metrics/metric-registry.js";
import { parseSchedule } from "../optim/schedules/parse-schedule.js";
import { writeJsonAtomic } from "../util/atomic-write.js";
import type { Random } from "../util/random.js";
import type { Callback, EpochLogs } from "./callback.js";
import { CsvLogger } from "./callbacks/csv-logger.js";
import { EarlyStopping } from "./callbacks/early-stopping.js";
import { TensorBoardLogger } from "./callbacks/tensorboard-logger.js";
import { type Checkpoint, readCheckpoint } from "./checkpoint.js";
import {
  configToJson,
  type ResolvedConfig,
  resolveConfig,
  type TrainConfig,
  writeResolvedConfig,
} from "./config.js";
import { type Dataset, evaluateDataset, fit } from "./fit.js";
import { type EpochHealth, HealthMonitor } from "./health-monitor.js";
import { ModelCheckpoint } from "./model-checkpoint.js";
import { dataset, prepareTabular } from "./prepare-tabular.js";
import type { Trainer } from "./trainer.js";

/** The options of `nncoach train` as a library call: unset options take their defaults. */
export type TabularTrainConfig = Partial<TrainConfig> & { data: string };

export type EvalSummary = { loss: number; samples: number } & Record<string, number>;

export interface TabularTrainResult {
  task: "classification" | "regression";
  classes: string[];
  epochsRun: number;
  trainSamplesPerSecond: number;
  history: EpochLogs[];
  health: EpochHealth[];
  /** The monitored metric (e.g. val_loss, val_f1_macro) and why training stopped early, if it did. */
  monitor: string;
  stopReason?: string;
  val: EvalSummary;
  test?: EvalSummary;
  notices: string[];
  savedTo?: string;
  config: TrainConfig;
  trainer: Trainer;
  preprocessor: TabularPreprocessor;
}

/** Metrics reported on validation data each epoch (keys without the val_ prefix). */
function epochMetrics(task: "classification" | "regression", classes: number, monitor: string): string[] {
  const names = task === "classification" ? ["accuracy"] : ["mae", "rmse", "r2"];
  if (task === "classification" && classes === 2) names.push("roc_auc", "f1");
  if (task === "classification" && classes > 2) names.push("f1_macro");
  const m = monitor.replace(/^val_/, "");
  if (monitor.startsWith("val_") && m !== "loss" && !names.includes(m)) names.push(getMetric(m).name);
  return names;
}

/** Validation metrics of outputs (probabilities, or standardized values mapped back by `std`/`mean`). */
function metricValues(
  names: string[],
  output: ArrayLike<number>,
  d: Dataset,
  classes: number,
  scale?: { mean: number; std: number },
): Record<string, number> {
  const out: Record<string, number> = {};
  const yTrue = scale ? Float64Array.from(d.y, (v) => v * scale.std + scale.mean) : d.y;
  const pred = scale ? Float64Array.from(output, (v) => v * scale.std + scale.mean) : output;
  for (const n of names) out[n] = getMetric(n).compute(yTrue, pred, classes || undefined);
  return out;
}

export interface TrainTabularExtras {
  callbacks?: Callback[];
  /** Human-readable progress lines. */
  log?: (line: string) => void;
}

/**
 * Trains on a table. `config` takes the options of `nncoach train` (camelCase; unset = default), e.g.
 * `trainTabular({ data: "examples/wine.csv", target: "cultivar", epochs: 30 })`.
 */
export async function trainTabular(
  config: TabularTrainConfig | ResolvedConfig,
  extra: TrainTabularExtras = {},
): Promise<TabularTrainResult> {
  // a resolved config keeps where each value came from (defaults may adapt, e.g. the LR to the batch size)
  const resolved =
    "sources" in config && "values" in config
      ? (config as ResolvedConfig)
      : resolveConfig(Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)));
  const log = extra.log ?? (() => {});
  const prepared = await prepareTabular(resolved);
  const { trainer, train, validation, classes, notices, heldOut } = prepared;
  const pre = prepared.preprocessor;
  const cfg = prepared.config;
  const counts = prepared.classCounts;
  const _model = trainer.model;

  // ---- the monitored metric: val_loss, or macro-F1 / ROC-AUC for imbalanced classes
  let monitor = cfg.monitor;
  if (
    resolved.sources.monitor === "default" &&
    pre.task === "classification" &&
    imbalanceRatio(counts) >= 3
  ) {
    monitor = classes.length === 2 ? "val_roc_auc" : "val_f1_macro";
    notices.push(
      `classes are imbalanced (ratio ${imbalanceRatio(counts).toFixed(1)}:1): monitoring ${monitor} instead of accuracy-like metrics; consider --class-weights balanced`,
    );
  }
  const metricNames = epochMetrics(pre.task, classes.length, monitor);

  if (cfg.precision === "mixed")
    notices.push(
      "--precision mixed needs float16 compute (the CUDA execution provider on a GPU with float16 support); this run uses the CPU, which has no fast float16 kernels, so it trains in float32",
    );

  // ---- learning rate: linear scaling with the batch size above 64, plus a warm-up (Goyal et al.)
  const bs = Math.min(cfg.batchSize, train.n);
  const stepsPerEpoch = Math.ceil(train.n / bs);
  let lr = cfg.lr;
  let warmup = cfg.warmup;
  if (cfg.batchSize > 64 && resolved.sources.lr === "default") {
    lr = cfg.lr * (cfg.batchSize / 64);
    if (!warmup && !cfg.schedule.startsWith("onecycle"))
      warmup = String(Math.max(1, Math.round(cfg.epochs / 10)));
    notices.push(
      `batch size ${cfg.batchSize} > 64: learning rate scaled linearly to ${lr.toPrecision(3)}${warmup ? ` with a ${warmup}-epoch warm-up` : ""} (set --lr to override)`,
    );
  }
  const scheduleSpec = warmup ? `${cfg.schedule}+warmup:${warmup}` : cfg.schedule;
  const schedule = parseSchedule(scheduleSpec, lr, {
    epochs: cfg.epochs,
    stepsPerEpoch,
    higherIsBetter: monitor === "val_loss" ? false : getMetric(monitor.replace(/^val_/, "")).higherIsBetter,
  });

  // ---- optional tabular augmentation (training batches only)
  let augment: ((x: Float32Array, n: number, rng: Random) => void) | undefined;
  if (cfg.augment) {
    const std = Number(cfg.augment.split(":")[1]);
    const f = pre.featureCount;
    // standardized numeric features only: not one-hot ("col=value"), indicators or derived parts ("col:...")
    const cols = pre.featureNames.flatMap((name, i) => (name.includes("=") || name.includes(":") ? [] : [i]));
    augment = (x, n, rng) => x.set(gaussianNoise(x.subarray(0, n * f), f, std, rng, cols));
    notices.push(
      `augmentation: Gaussian noise (std ${std}) on ${cols.length} numeric features. ${TABULAR_AUGMENTATION_CAUTION}`,
    );
  }

  // ---- callbacks
  const health = new HealthMonitor({
    probe: { x: train.x.subarray(0, Math.min(256, train.n) * pre.featureCount), n: Math.min(256, train.n) },
  });
  const callbacks: Callback[] = [health];
  if (cfg.earlyStopping !== false)
    callbacks.push(new EarlyStopping({ monitor, patience: cfg.earlyStopping, restoreBestWeights: true }));
  if (cfg.logDir) {
    callbacks.push(new TensorBoardLogger(cfg.logDir, { batchEvery: 10 }));
    callbacks.push(new CsvLogger(path.join(cfg.logDir, "history.csv"), { append: Boolean(cfg.resume) }));
  }
  let resume: Checkpoint | undefined;
  if (cfg.checkpoint || cfg.resume) {
    const dir = cfg.checkpoint ?? (typeof cfg.resume === "string" ? path.dirname(cfg.resume) : ".");
    if (cfg.resume) {
      const file =
        typeof cfg.resume === "string"
          ? fs.statSync(cfg.resume).isDirectory()
            ? path.join(cfg.resume, "last.ckpt")
            : cfg.resume
          : path.join(dir, "last.ckpt");
      resume = readCheckpoint(file);
      notices.push(`resumed from ${file} after epoch ${resume.header.epoch} (step ${resume.header.step})`);
    }
    callbacks.push(new ModelCheckpoint({ dir, monitor, meta: { config: configToJson(cfg) } }));
  }
  callbacks.push(...(extra.callbacks ?? []));

  log(
    `training ${prepared.summary}; validating on ${validation.n} rows${heldOut ? `, ${heldOut.test.size} test rows held out` : ""}`,
  );
  const scale = pre.targetScale;
  const res = await fit(trainer, train, {
    epochs: cfg.epochs,
    batchSize: cfg.batchSize,
    lr,
    schedule,
    seed: cfg.seed,
    validation,
    callbacks,
    resume,
    augment,
    metrics: (output, d) => metricValues(metricNames, output, d, classes.length, scale),
  });

  const summarize = async (d: Dataset): Promise<EvalSummary> => {
    const ev = await evaluateDataset(trainer, d);
    return { loss: ev.loss, samples: d.n, ...metricValues(metricNames, ev.output, d, classes.length, scale) };
  };
  const val = await summarize(validation);
  let test: EvalSummary | undefined;
  if (heldOut && heldOut.test.size > 0) {
    const testRows = heldOut.test.unseal("final evaluation at the end of nncoach train");
    test = await summarize(dataset(pre, heldOut.table, testRows));
  }
  let savedTo: string | undefined;
  if (cfg.save) savedTo = await saveTabularModel(cfg.save, trainer, pre, cfg);
  return {
    task: pre.task,
    classes,
    epochsRun: res.epochsRun,
    trainSamplesPerSecond: res.trainSamplesPerSecond,
    history: res.history,
    health: health.records,
    monitor,
    stopReason: res.stopReason,
    val,
    test,
    notices,
    savedTo,
    config: cfg,
    trainer,
    preprocessor: pre,
  };
}

/** Writes model.onnx, preprocess.json and config.json into `dir` (each atomically: temp file, then rename). */
export async function saveTabularModel(
  dir: string,
  trainer: Trainer,
  pre: TabularPreprocessor,
  cfg: TrainConfig,
): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const scale = pre.targetScale;
  await trainer.saveOnnx(path.join(dir, "model.onnx"), {
    outputScale: scale ? [scale.std] : undefined,
    outputShift: scale ? [scale.mean] : undefined,
    metadata: {
      task: pre.task,
      target: pre.target,
      classes: JSON.stringify(pre.task === "classification" ? pre.classes : []),
    },
  });
  writeJsonAtomic(path.join(dir, "preprocess.json"), pre.toJSON());
  writeResolvedConfig(dir, cfg);
  return dir;
}
