/**
 * Train a network on a table end to end (what `nncoach train <file.csv>` runs): read, split once (seeded,
 * stratified 70/15/15 unless a validation file is given), fit preprocessing on the training rows only,
 * build the default MLP with the output layer and loss matched to the task, train, evaluate the sealed test
 * rows once at the end, and optionally save model.onnx + preprocessing + the resolved config.
 */
import fs from "node:fs";
import path from "node:path";
import { sealTest } from "../data/held-out-test.js";
import { balancedClassWeights } from "../data/imbalance.js";
import { readTableFile } from "../data/read-table-file.js";
import { randomSplit, stratifiedSplit } from "../data/split.js";
import type { Table } from "../data/table.js";
import { rowsWithTarget, TabularPreprocessor } from "../data/tabular-preprocessor.js";
import { UserError } from "../errors.js";
import { makeLoss, outputUnits } from "../nn/losses/index.js";
import { mlp } from "../nn/sequential.js";
import { makeOptimizer } from "../optim/index.js";
import type { Callback, EpochLogs } from "./callback.js";
import { basicMetrics, type Dataset, evaluateDataset, fit } from "./fit.js";
import { Trainer } from "./trainer.js";

export interface TabularTrainConfig {
  /** Training file (CSV, TSV, JSON Lines). */
  data: string;
  target: string;
  validationData?: string;
  task?: "classification" | "regression";
  hidden?: number[];
  activation?: string;
  dropout?: number;
  norm?: "none" | "batch" | "layer";
  optimizer?: string;
  lr?: number;
  weightDecay?: number;
  momentum?: number;
  batchSize?: number;
  epochs?: number;
  clipNorm?: number;
  clipValue?: number;
  labelSmoothing?: number;
  loss?: string;
  huberDelta?: number;
  focalGamma?: number;
  classWeights?: "none" | "balanced";
  seed?: number;
  threads?: number;
  /** Folder to save model.onnx, preprocess.json and config.json into. */
  save?: string;
}

export interface EvalSummary {
  loss: number;
  accuracy?: number;
  mae?: number;
  samples: number;
}

export interface TabularTrainResult {
  task: "classification" | "regression";
  classes: string[];
  epochsRun: number;
  trainSamplesPerSecond: number;
  history: EpochLogs[];
  val: EvalSummary;
  test?: EvalSummary;
  notices: string[];
  savedTo?: string;
  config: Required<
    Pick<TabularTrainConfig, "hidden" | "optimizer" | "lr" | "batchSize" | "epochs" | "seed">
  > &
    TabularTrainConfig;
  trainer: Trainer;
  preprocessor: TabularPreprocessor;
}

const DEFAULTS = {
  hidden: [256, 256],
  activation: "relu",
  dropout: 0,
  norm: "none" as const,
  optimizer: "adam",
  lr: 1e-3,
  weightDecay: 0,
  batchSize: 32,
  epochs: 20,
  labelSmoothing: 0,
  loss: "auto",
  seed: 0,
};

function isNumeric(s: string): boolean {
  return s.trim() !== "" && Number.isFinite(Number(s));
}

function dataset(
  pre: TabularPreprocessor,
  table: Table,
  rows: readonly number[],
  weights?: number[],
): Dataset {
  const y = pre.transformTarget(table, rows);
  const ds: Dataset = { x: pre.transformFeatures(table, rows), y, n: rows.length };
  if (weights && y instanceof Int32Array) ds.weight = Float32Array.from(y, (c) => weights[c]!);
  return ds;
}

export async function trainTabular(
  userCfg: TabularTrainConfig,
  extra: { callbacks?: Callback[]; log?: (line: string) => void } = {},
): Promise<TabularTrainResult> {
  const cfg = {
    ...DEFAULTS,
    ...Object.fromEntries(Object.entries(userCfg).filter(([, v]) => v !== undefined)),
  } as TabularTrainResult["config"];
  const log = extra.log ?? (() => {});
  const table = await readTableFile(cfg.data);
  if (table.rows.length === 0) throw new UserError(`${cfg.data}: the file has a header but no data rows`);
  const { rows: labelled, dropped } = rowsWithTarget(table, cfg.target);
  const notices: string[] = [];
  if (dropped > 0) notices.push(`left out ${dropped} rows of ${cfg.data} with no value in '${cfg.target}'`);
  const tIdx = table.columns.indexOf(cfg.target);
  const task =
    cfg.task ?? (labelled.every((r) => isNumeric(table.rows[r]![tIdx]!)) ? "regression" : "classification");

  let valTable: Table = table;
  let trainRows: number[];
  let valRows: number[];
  let sealed: ReturnType<typeof sealTest> | undefined;
  if (cfg.validationData) {
    valTable = await readTableFile(cfg.validationData);
    trainRows = labelled;
    valRows = rowsWithTarget(valTable, cfg.target).rows;
  } else {
    const split =
      task === "classification"
        ? stratifiedSplit(
            labelled.map((r) => table.rows[r]![tIdx]!),
            undefined,
            cfg.seed,
          )
        : randomSplit(labelled.length, undefined, cfg.seed);
    const toRows = (ix: number[]) => ix.map((i) => labelled[i]!);
    sealed = sealTest({ train: toRows(split.train), val: toRows(split.val), test: toRows(split.test) });
    trainRows = sealed.train;
    valRows = sealed.val;
  }
  if (valRows.length === 0)
    throw new UserError("the validation set is empty", "give more rows or --validation-data");

  const pre = TabularPreprocessor.fit(table, trainRows, cfg.target, { task });
  notices.push(...pre.notices);
  const classes = pre.task === "classification" ? pre.classes : [];
  let weights: number[] | undefined;
  if (cfg.classWeights === "balanced" && pre.task === "classification")
    weights = balancedClassWeights(pre.classCounts(table, trainRows));
  const train = dataset(pre, table, trainRows, weights);
  const validation = dataset(pre, valTable, valRows);

  const loss = makeLoss(cfg.loss ?? "auto", pre.task, classes.length, {
    labelSmoothing: cfg.labelSmoothing,
    huberDelta: cfg.huberDelta,
    focalGamma: cfg.focalGamma,
  });
  const model = mlp({
    inputs: pre.featureCount,
    outputs: outputUnits(loss, classes.length),
    hidden: cfg.hidden,
    activation: cfg.activation,
    dropout: cfg.dropout,
    norm: cfg.norm,
  });
  const optimizer = makeOptimizer(cfg.optimizer, { weightDecay: cfg.weightDecay, momentum: cfg.momentum });
  const trainer = new Trainer(model, loss, optimizer, {
    seed: cfg.seed,
    threads: cfg.threads,
    clipNorm: cfg.clipNorm,
    clipValue: cfg.clipValue,
  });
  await trainer.compile();
  const scale = pre.targetScale;
  const metricOpts =
    pre.task === "classification" ? { classes: classes.length } : { targetStd: scale ? [scale.std] : [] };
  log(
    `training ${pre.task === "classification" ? `${classes.length}-class classifier` : "regressor"} on ${train.n} rows, validating on ${validation.n}` +
      `${sealed ? `, ${sealed.test.size} test rows held out` : ""}; ${pre.featureCount} features, layers ${[pre.featureCount, ...cfg.hidden, model.outputShape()[0]].join("-")}`,
  );
  const res = await fit(trainer, train, {
    epochs: cfg.epochs,
    batchSize: cfg.batchSize,
    lr: cfg.lr,
    seed: cfg.seed,
    validation,
    callbacks: extra.callbacks,
    ...metricOpts,
  });

  const summarize = async (d: Dataset): Promise<EvalSummary> => {
    const ev = await evaluateDataset(trainer, d);
    return { loss: ev.loss, samples: d.n, ...basicMetrics(ev.output, d.y, d.n, metricOpts) };
  };
  const val = await summarize(validation);
  let test: EvalSummary | undefined;
  if (sealed && sealed.test.size > 0) {
    const testRows = [...sealed.test.unseal("final evaluation at the end of nncoach train")];
    test = await summarize(dataset(pre, table, testRows));
  }
  let savedTo: string | undefined;
  if (cfg.save) {
    savedTo = await saveTabularModel(cfg.save, trainer, pre, cfg);
  }
  return {
    task: pre.task,
    classes,
    epochsRun: res.epochsRun,
    trainSamplesPerSecond: res.trainSamplesPerSecond,
    history: res.history,
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
  cfg: object,
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
  writeJsonAtomic(path.join(dir, "config.json"), cfg);
  return dir;
}

export function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  fs.renameSync(tmp, file);
}
