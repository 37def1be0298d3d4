/**
 * The first half of `trainTabular`, on its own: read a table, split it (the same seeded split as
 * `nncoach train`, test rows sealed), fit the preprocessing on the training rows, and build and compile
 * the model, loss and optimizer, without training. `nncoach lr-find` starts from here.
 */
import { type HeldOutTest, sealTest } from "../data/held-out-test.js";
import { balancedClassWeights } from "../data/imbalance.js";
import { readTableFile } from "../data/read-table-file.js";
import { randomSplit, stratifiedSplit } from "../data/split.js";
import type { Table } from "../data/table.js";
import { rowsWithTarget, TabularPreprocessor } from "../data/tabular-preprocessor.js";
import { UserError } from "../errors.js";
import { makeLoss, outputUnits } from "../nn/losses/index.js";
import { mlp } from "../nn/sequential.js";
import { makeOptimizer } from "../optim/index.js";
import { type ResolvedConfig, resolveConfig, type TrainConfig } from "./config.js";
import type { Dataset } from "./fit.js";
import type { TabularTrainConfig } from "./train-tabular.js";
import { Trainer } from "./trainer.js";

/** A table made ready to train on: the datasets and a compiled, freshly initialized trainer. */
export interface PreparedTabular {
  task: "classification" | "regression";
  /** Class names in output order (empty for regression). */
  classes: string[];
  train: Dataset;
  validation: Dataset;
  /** Number of test rows held out (sealed; never read here). */
  testRows: number;
  /** The sealed test rows and the table they index, for the one final evaluation. */
  heldOut?: { test: HeldOutTest; table: Table };
  /** Training rows per class (classification). */
  classCounts: number[];
  /** The config with the source of each value (defaults may adapt, e.g. the LR to the batch size). */
  resolved: ResolvedConfig;
  trainer: Trainer;
  preprocessor: TabularPreprocessor;
  notices: string[];
  /** The settings used, defaults filled in (target named). */
  config: TrainConfig & { target: string };
  /** One line saying what was built, e.g. "3-class classifier on 124 rows; 13 features, layers 13-256-256-3". */
  summary: string;
}

function isNumeric(s: string): boolean {
  return s.trim() !== "" && Number.isFinite(Number(s));
}

/** Features, targets and (class) weights of some rows of a table, preprocessed. */
export function dataset(
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

/**
 * Reads `config.data`, splits it as `nncoach train` does (seeded, stratified 70/15/15 for classification,
 * or all rows for training when `validationData` is given), fits the preprocessing on the training rows
 * and compiles the default MLP with the loss and optimizer `config` names (a plain record of `nncoach train`
 * options, or what `resolveConfig` returned). Options left out take the defaults of `nncoach train`; only
 * the data, model, loss and optimizer options are read (not lr, epochs, schedule, callbacks or save).
 *
 * @example
 * const p = await prepareTabular({ data: "examples/wine.csv", target: "cultivar" });
 * const r = await findLearningRate(p.trainer, p.train, { batchSize: p.config.batchSize });
 */
export async function prepareTabular(config: TabularTrainConfig | ResolvedConfig): Promise<PreparedTabular> {
  // a resolved config keeps where each value came from (defaults left alone take each optimizer's own)
  const resolved =
    "sources" in config && "values" in config
      ? (config as ResolvedConfig)
      : resolveConfig(Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)));
  const cfg = resolved.values;
  const notices: string[] = [];
  if (!cfg.data) throw new UserError("no training data given");
  const table = await readTableFile(cfg.data);
  if (table.rows.length === 0) throw new UserError(`${cfg.data}: the file has a header but no data rows`);
  const target = cfg.target ?? table.columns[table.columns.length - 1]!;
  if (!cfg.target) notices.push(`no --target given: predicting the last column, '${target}'`);
  const { rows: labelled, dropped } = rowsWithTarget(table, target);
  if (dropped > 0) notices.push(`left out ${dropped} rows of ${cfg.data} with no value in '${target}'`);
  const tIdx = table.columns.indexOf(target);
  const task =
    cfg.task ?? (labelled.every((r) => isNumeric(table.rows[r]![tIdx]!)) ? "regression" : "classification");
  if (!cfg.task && task === "regression") {
    const distinct = new Set(labelled.map((r) => Number(table.rows[r]![tIdx]!)));
    if (distinct.size <= 20 && [...distinct].every(Number.isInteger))
      notices.push(
        `'${target}' holds ${distinct.size} distinct whole numbers and is treated as a regression target; if they are class codes, use --task classification`,
      );
  }

  let valTable: Table = table;
  let trainRows: number[];
  let valRows: number[];
  let testRows = 0;
  let heldOut: PreparedTabular["heldOut"];
  if (cfg.validationData) {
    valTable = await readTableFile(cfg.validationData);
    trainRows = labelled;
    valRows = rowsWithTarget(valTable, target).rows;
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
    const sealed = sealTest({ train: toRows(split.train), val: toRows(split.val), test: toRows(split.test) });
    trainRows = sealed.train;
    valRows = sealed.val;
    testRows = sealed.test.size;
    heldOut = { test: sealed.test, table };
  }
  if (trainRows.length === 0) throw new UserError(`${cfg.data}: no training rows`, "give more rows");

  const pre = TabularPreprocessor.fit(table, trainRows, target, { task });
  notices.push(...pre.notices);
  const classes = pre.task === "classification" ? pre.classes : [];
  const classCounts = pre.task === "classification" ? pre.classCounts(table, trainRows) : [];
  let weights: number[] | undefined;
  if (cfg.classWeights === "balanced" && pre.task === "classification")
    weights = balancedClassWeights(classCounts);
  const train = dataset(pre, table, trainRows, weights);
  const validation = dataset(pre, valTable, valRows);

  const loss = makeLoss(cfg.loss, pre.task, classes.length, {
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
  // as nncoach train: momentum and weight decay left at their defaults take each optimizer's own default
  const optimizer = makeOptimizer(cfg.optimizer, {
    weightDecay: resolved.sources.weightDecay === "default" ? undefined : cfg.weightDecay,
    momentum: resolved.sources.momentum === "default" ? undefined : cfg.momentum,
  });
  const trainer = new Trainer(model, loss, optimizer, {
    seed: cfg.seed,
    threads: cfg.threads ?? undefined,
    clipNorm: cfg.clipNorm ?? undefined,
    clipValue: cfg.clipValue ?? undefined,
  });
  await trainer.compile();
  const what = pre.task === "classification" ? `${classes.length}-class classifier` : "regressor";
  const layers = [pre.featureCount, ...cfg.hidden, model.outputShape()[0]].join("-");
  return {
    task: pre.task,
    classes,
    train,
    validation,
    testRows,
    heldOut,
    classCounts,
    resolved,
    trainer,
    preprocessor: pre,
    notices,
    config: { ...cfg, target },
    summary: `${what} on ${train.n} rows; ${pre.featureCount} features, layers ${layers}`,
  };
}
