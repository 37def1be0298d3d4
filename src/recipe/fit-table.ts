/**
 * Preparation of tables and text: the TabularPreprocessor (tables) or the n-gram bag (text) fitted on the
 * training rows, rows turned into Datasets, the task settled from the target column.
 */

import { describeRow } from "../data/column-types.js";
import { balancedClassWeights } from "../data/imbalance.js";
import { parseNumber } from "../data/missing.js";
import { cellText, type Table } from "../data/table.js";
import { TabularPreprocessor } from "../data/tabular-preprocessor.js";
import { chooseNgramMode, NgramBag } from "../data/text/ngram-bag.js";
import { UserError } from "../errors.js";
import type { TrainConfig } from "../train/config-options.js";
import type { Dataset } from "../train/fit.js";
import type { LoadedData } from "./load-data.js";
import type { FeatureStats } from "./prepared-data.js";

type TableData = Extract<LoadedData, { kind: "table" | "text" }>;

/** The task a target column asks for, and why. */
export function settleTask(
  d: TableData,
  cfg: TrainConfig,
  rows: readonly number[],
): { task: "classification" | "regression"; reason: string; notice?: string } {
  if (cfg.task) return { task: cfg.task, reason: `--task ${cfg.task}` };
  const c = d.table.columns.indexOf(d.target);
  let numeric = true;
  const distinct = new Set<number>();
  for (const r of rows) {
    const v = Number(cellText(d.table, r, c).trim());
    if (cellText(d.table, r, c).trim() === "" || !Number.isFinite(v)) {
      numeric = false;
      break;
    }
    if (distinct.size <= 21) distinct.add(v);
  }
  if (!numeric) return { task: "classification", reason: `'${d.target}' holds labels` };
  const codes = distinct.size <= 20 && [...distinct].every(Number.isInteger);
  return {
    task: "regression",
    reason: `'${d.target}' holds numbers`,
    notice: codes
      ? `'${d.target}' holds ${distinct.size} distinct whole numbers and is treated as a regression target; if they are class codes, use --task classification`
      : undefined,
  };
}

/** The fitted preparation of a table or a text column. */
export interface FittedTable {
  inputShape: number[];
  featureNames?: string[];
  featureStats?: FeatureStats[];
  classes: string[];
  classCounts: number[];
  targetScale?: { mean: number; std: number };
  preprocessor: TabularPreprocessor;
  ngrams?: NgramBag;
  textMode?: { mode: "words" | "chars"; medianWords: number };
  notices: string[];
  /** Rows of a loaded table (the training file, or a validation/test file) as a Dataset. */
  dataset(d: TableData, rows: readonly number[], weighted?: boolean): Dataset;
  preprocessing: Record<string, unknown>;
}

function texts(d: TableData, column: string, rows: readonly number[]): string[] {
  const c = d.table.columns.indexOf(column);
  if (c < 0)
    throw new UserError(`${d.source} has no column '${column}' (the text column of the training data)`);
  return rows.map((r) => {
    const t = cellText(d.table, r, c);
    if (t.trim() === "")
      throw new UserError(
        `${d.source}, ${describeRow(d.table, r)}: the text column '${column}' is empty`,
        "fill in the text, or remove the row",
      );
    return t;
  });
}

function featureStats(table: Table, rows: readonly number[], pre: TabularPreprocessor): FeatureStats[] {
  const out: FeatureStats[] = [];
  for (const name of pre.featureNames) {
    const c = table.columns.indexOf(name);
    if (c < 0) continue;
    let n = 0;
    let sum = 0;
    let sq = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const r of rows) {
      const v = parseNumber(cellText(table, r, c));
      if (v === undefined || !Number.isFinite(v)) continue;
      n++;
      sum += v;
      sq += v * v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (n === 0) continue;
    const mean = sum / n;
    out.push({ name, mean, std: Math.sqrt(Math.max(0, sq / n - mean * mean)), min, max });
  }
  return out;
}

export function fitTable(
  d: TableData,
  trainRows: readonly number[],
  cfg: TrainConfig,
  task: "classification" | "regression",
): FittedTable {
  const notices: string[] = [];
  const drop = [...cfg.drop, cfg.id, cfg.group, cfg.time].filter((c): c is string => !!c);
  if (d.kind === "text") {
    // the target's encoding comes from the preprocessor; the inputs from the n-gram bag
    const others = d.table.columns.filter((c) => c !== d.target);
    const pre = TabularPreprocessor.fit(d.table, trainRows, d.target, {
      task,
      dropColumns: others,
      targetOnly: true,
    });
    const trainTexts = texts(d, d.textColumn!, trainRows);
    const mode = chooseNgramMode(trainTexts);
    const ngrams = NgramBag.fit(trainTexts, { mode: mode.mode });
    const unused = others.filter((c) => c !== d.textColumn && !drop.includes(c));
    if (unused.length)
      notices.push(`text model on '${d.textColumn}'; other columns left out: ${unused.join(", ")}`);
    const classes = pre.task === "classification" ? pre.classes : [];
    const counts = pre.task === "classification" ? pre.classCounts(d.table, trainRows) : [];
    const weights =
      cfg.classWeights === "balanced" && classes.length ? balancedClassWeights(counts) : undefined;
    return {
      inputShape: [2 * ngrams.maxTokens],
      classes,
      classCounts: counts,
      targetScale: pre.targetScale,
      preprocessor: pre,
      ngrams,
      textMode: mode,
      notices,
      dataset: (src, rows, weighted) => {
        const y = pre.transformTarget(src.table, rows);
        const ds: Dataset = { x: ngrams.transform(texts(src, d.textColumn!, rows)), y, n: rows.length };
        if (weighted && weights && y instanceof Int32Array)
          ds.weight = Float32Array.from(y, (c) => weights[c]!);
        return ds;
      },
      preprocessing: {
        kind: "text",
        textColumn: d.textColumn,
        target: pre.toJSON(),
        ngrams: ngrams.toJSON(),
        id: cfg.id,
      },
    };
  }
  const pre = TabularPreprocessor.fit(d.table, trainRows, d.target, {
    task,
    dropColumns: drop,
    scaling: cfg.standardize,
  });
  notices.push(...pre.notices);
  const classes = pre.task === "classification" ? pre.classes : [];
  const counts = pre.task === "classification" ? pre.classCounts(d.table, trainRows) : [];
  const weights =
    cfg.classWeights === "balanced" && classes.length ? balancedClassWeights(counts) : undefined;
  return {
    inputShape: [pre.featureCount],
    featureNames: pre.featureNames,
    featureStats: featureStats(d.table, trainRows, pre),
    classes,
    classCounts: counts,
    targetScale: pre.targetScale,
    preprocessor: pre,
    notices,
    dataset: (src, rows, weighted) => {
      for (const col of pre.inputColumns)
        if (!src.table.columns.includes(col))
          throw new UserError(
            `${src.source} has no column '${col}', which the model takes`,
            `it needs the columns ${pre.inputColumns.join(", ")}; its columns are ${src.table.columns.join(", ")}`,
          );
      const y = pre.transformTarget(src.table, rows);
      const ds: Dataset = { x: pre.transformFeatures(src.table, rows), y, n: rows.length };
      if (weighted && weights && y instanceof Int32Array)
        ds.weight = Float32Array.from(y, (c) => weights[c]!);
      return ds;
    },
    preprocessing: { kind: "table", ...pre.toJSON(), id: cfg.id },
  };
}
