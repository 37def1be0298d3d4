/**
 * `prepareData(config)`: the data half of a run, for every kind. Reads the training data once (and the
 * validation and test data when given), splits it once (seeded; stratified 70/15/15 for classes, random
 * for regression, by group with --group, by time with --time; test rows sealed), fits the preprocessing
 * on the training rows only and returns PreparedData that any number of plans can train on.
 * `prepareFold` prepares the same loaded data for other row sets (cross-validation) without reading it
 * again.
 *
 * @example
 * const data = await prepareData(resolveConfig(null, { data: "examples/wine.csv", target: "cultivar" }));
 * const { plan } = planRun(data.summary, resolved);
 * const run = await trainPlan(data, plan);
 */
import { describeRow } from "../data/column-types.js";
import { type HeldOutTest, sealTest } from "../data/held-out-test.js";
import { balancedClassWeights } from "../data/imbalance.js";
import { groupSplit, randomSplit, type SplitFractions, stratifiedSplit, timeSplit } from "../data/split.js";
import { cellText } from "../data/table.js";
import { closestMatch, UserError } from "../errors.js";
import type { GraphModel } from "../nn/graph-model.js";
import { checkInputPaths, type ResolvedConfig } from "../train/config.js";
import type { TrainConfig } from "../train/config-options.js";
import { type FolderData, fitFolder, folderArrays } from "./fit-folder.js";
import { fitTable, settleTask } from "./fit-table.js";
import { type LoadedData, loadData } from "./load-data.js";
import type { PreparedData, SealedDataset } from "./prepared-data.js";
import { loadPretrainedFor, savedStandardizer } from "./pretrained.js";
import { inputNames, withoutRepeats } from "./split-duplicates.js";

/** The smallest training and validation sets a run can learn from and be judged on. */
export const MIN_TRAIN_ROWS = 4;
export const MIN_VAL_ROWS = 2;

/** Rows of the loaded data used for training, validation and (sealed) test. */
export interface RowSplit {
  train: number[];
  val: number[];
  test: HeldOutTest | null;
}

function labelsOf(
  d: LoadedData,
  task: "classification" | "regression",
  rows: readonly number[],
): string[] | null {
  if (task !== "classification") return null;
  if (d.kind === "images" || d.kind === "audio") {
    const a = folderArrays(d as FolderData);
    return rows.map((r) => a.classes[a.labels[r]!]!);
  }
  const c = d.table.columns.indexOf(d.target);
  return rows.map((r) => cellText(d.table, r, c).trim());
}

/** The seeded split of `rows` that the config asks for. */
function splitRows(
  d: LoadedData,
  rows: number[],
  cfg: TrainConfig,
  task: "classification" | "regression",
  fractions: SplitFractions,
): { train: number[]; val: number[]; test: number[]; how: string } {
  const pick = (ix: number[]) => ix.map((i) => rows[i]!);
  const tableCol = (name: string) => {
    if (d.kind !== "table" && d.kind !== "text")
      throw new UserError(`--group and --time apply to tables, not ${d.kind}`);
    const c = d.table.columns.indexOf(name);
    return rows.map((r) => cellText(d.table, r, c));
  };
  let s: { train: number[]; val: number[]; test: number[] };
  let how: string;
  if (cfg.group) {
    s = groupSplit(tableCol(cfg.group), fractions, cfg.seed);
    how = `grouped by '${cfg.group}' (no group in two splits)`;
  } else if (cfg.time) {
    s = timeSplit(tableCol(cfg.time), fractions);
    how = `ordered by '${cfg.time}' (validation and test after training)`;
  } else {
    const labels = labelsOf(d, task, rows);
    s = labels ? stratifiedSplit(labels, fractions, cfg.seed) : randomSplit(rows.length, fractions, cfg.seed);
    how = labels ? "stratified by class" : "random";
  }
  return { train: pick(s.train), val: pick(s.val), test: pick(s.test), how };
}

function allRows(d: LoadedData): number[] {
  if (d.kind === "table" || d.kind === "text") return d.labelled;
  return Array.from(folderArrays(d as FolderData).labels.keys());
}

/** Refuses data too small to train on and judge, saying the minimum and what to do. */
function checkSize(d: LoadedData, split: RowSplit, cfg: TrainConfig, classes: string[]): void {
  const total = split.train.length + split.val.length + (split.test?.size ?? 0);
  const advice = "give more rows, or use --cv 5 for a cross-validated estimate on little data";
  if (split.train.length < MIN_TRAIN_ROWS || (!cfg.validationData && split.val.length < MIN_VAL_ROWS))
    throw new UserError(
      `${d.source}: ${total} usable rows give ${split.train.length} training and ${split.val.length} validation rows; training needs at least ${MIN_TRAIN_ROWS} and validation at least ${MIN_VAL_ROWS}` +
        (!cfg.validationData ? ` (a 70/15/15 split needs about ${Math.ceil(MIN_VAL_ROWS / 0.15)} rows)` : ""),
      advice,
    );
  if (classes.length > 1 && !cfg.validationData && split.val.length < classes.length)
    throw new UserError(
      `${d.source}: ${classes.length} classes but only ${split.val.length} validation rows: the validation set cannot hold every class`,
      advice,
    );
}

export async function prepareData(resolved: ResolvedConfig): Promise<PreparedData> {
  const cfg = resolved.values;
  if (!cfg.data) throw new UserError("no training data given", "give a table file or a class folder");
  checkInputPaths(resolved);
  // image folders take the pretrained model's input shape
  let pretrained: GraphModel | undefined;
  let imageSize = cfg.imageSize ? ([cfg.imageSize[0]!, cfg.imageSize[1]!] as [number, number]) : undefined;
  let channels = (cfg.channels ?? undefined) as 1 | 3 | undefined;
  const { statSync } = await import("node:fs");
  if (cfg.pretrained && statSync(cfg.data, { throwIfNoEntry: false })?.isDirectory()) {
    const { folderKind } = await import("./load-data.js");
    if (folderKind(cfg.data) === "images") {
      const p = await loadPretrainedFor(cfg.pretrained, cfg.data, imageSize, channels);
      pretrained = p.model;
      imageSize = p.size;
      channels = p.channels;
    }
  }
  const loaded = await loadData(cfg.data, cfg, { imageSize, channels });
  const sameAs = (role: "validation" | "test") => ({
    expect: loaded.kind,
    role,
    imageSize:
      loaded.kind === "images"
        ? ([loaded.folder.shape[2], loaded.folder.shape[3]] as [number, number])
        : undefined,
    channels: loaded.kind === "images" ? (loaded.folder.shape[1] as 1 | 3) : undefined,
    audio: loaded.kind === "audio" ? loaded.folder.settings : undefined,
  });
  const valData = cfg.validationData
    ? await loadData(cfg.validationData, cfg, sameAs("validation"))
    : undefined;
  const testData = cfg.testData ? await loadData(cfg.testData, cfg, sameAs("test")) : undefined;
  if (pretrained && loaded.kind === "audio")
    throw new UserError(
      "--pretrained takes image models; for audio folders train from scratch",
      "remove --pretrained",
    );

  const rows = allRows(loaded);
  const task =
    loaded.kind === "images" || loaded.kind === "audio"
      ? { task: "classification" as const, reason: "a class folder: the subfolders are the classes" }
      : settleTask(loaded, cfg, rows);
  if (cfg.task === "regression" && (loaded.kind === "images" || loaded.kind === "audio"))
    throw new UserError(
      `--task regression needs a table with a numeric target; ${cfg.data} is a class folder, which is classification`,
      "remove --task",
    );

  let split: RowSplit;
  let how: string;
  const notes: string[] = [];
  // rows of the training file dropped as duplicates across splits (in no split now)
  const dropped: number[] = [];
  // the test rows, known here only to check that they can be read before training (they stay sealed)
  let testRows: number[] | undefined;
  if (valData) {
    split = { train: rows, val: allRows(valData), test: null };
    how = `validation from ${cfg.validationData}`;
  } else {
    const fractions = testData ? { train: 0.85, val: 0.15, test: 0 } : { train: 0.7, val: 0.15, test: 0.15 };
    const s = splitRows(loaded, rows, cfg, task.task, fractions);
    if (cfg.dropSplitDuplicates && (loaded.kind === "table" || loaded.kind === "text")) {
      // test rows repeating a training or validation row go before the test rows are sealed
      const t = loaded.table;
      const kept = withoutRepeats(
        [
          { table: t, rows: s.train },
          { table: t, rows: s.val },
        ],
        { table: t, rows: s.test },
        inputNames(loaded, cfg),
      );
      if (kept.dropped.length)
        notes.push(
          `${kept.dropped.length} test row(s) repeat a training or validation row exactly: dropped (--drop-split-duplicates)`,
        );
      dropped.push(...kept.dropped);
      s.test = kept.rows;
    }
    const sealed = sealTest(s);
    split = { train: sealed.train, val: sealed.val, test: testData ? null : sealed.test };
    testRows = testData ? undefined : s.test;
    how = `${s.how}, ${testData ? "85/15" : "70/15/15"}, seed ${cfg.seed}`;
  }
  if (testData) {
    testRows = allRows(testData);
    if (
      cfg.dropSplitDuplicates &&
      (testData.kind === "table" || testData.kind === "text") &&
      (loaded.kind === "table" || loaded.kind === "text")
    ) {
      const kept = withoutRepeats(
        [
          { table: loaded.table, rows: split.train },
          { table: (valData as TableData | undefined)?.table ?? loaded.table, rows: split.val },
        ],
        { table: testData.table, rows: testRows },
        inputNames(loaded, cfg),
      );
      if (kept.dropped.length)
        notes.push(
          `${kept.dropped.length} row(s) of ${cfg.testData} repeat a training or validation row exactly: dropped (--drop-split-duplicates)`,
        );
      testRows = kept.rows;
    }
    split.test = sealTest({ train: [], val: [], test: testRows }).test;
  }
  const prepared = await prepareFold(loaded, split, resolved, {
    valData,
    testData,
    pretrained,
    how,
    taskInfo: task,
    testRows,
    notes,
    dropped,
  });
  return prepared;
}

type TableData = Extract<LoadedData, { kind: "table" | "text" }>;

/** Runs a check of the sealed test rows, saying so in its error (they are read, not used). */
function checkedBeforeTraining(check: () => void): void {
  try {
    check();
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    throw new UserError(
      `the test rows are checked before training (they stay sealed): ${e.message.split("\n  hint: ")[0]}`,
      e.hint,
    );
  }
}

/** Refuses an empty cell of the text column among `rows`, naming the row and line. */
function requireTexts(d: TableData, column: string, rows: readonly number[]): void {
  const c = d.table.columns.indexOf(column);
  for (const r of rows)
    if ((cellText(d.table, r, c) ?? "").trim() === "")
      throw new UserError(
        `${d.source}, ${describeRow(d.table, r)}: the text column '${column}' is empty`,
        "fill in the text, or remove the row",
      );
}

/**
 * Refuses a validation or test table that lacks a column the model takes, or the target, naming what is
 * missing and what the file has instead (with the likely renames); columns only that file has are named in
 * a notice (they are not used).
 */
function checkColumns(
  d: TableData,
  role: "validation" | "test",
  train: TableData,
  needed: readonly string[],
  notices: string[],
): void {
  const cols = d.table.columns;
  const missing = needed.filter((c) => !cols.includes(c));
  const extra = cols.filter((c) => !train.table.columns.includes(c));
  const list = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(", ");
  if (missing.length === 0) {
    if (extra.length)
      notices.push(
        `${role} data ${d.source} has column(s) the training data has not: ${list(extra)} (not used)`,
      );
    return;
  }
  const renames = missing.flatMap((m) => {
    const near = closestMatch(m, extra);
    return near ? [`'${near}' for '${m}'`] : [];
  });
  const what = missing.map((m) =>
    m === train.target ? `'${m}' (the target)` : m === train.textColumn ? `'${m}' (the text)` : `'${m}'`,
  );
  throw new UserError(
    `${role} data ${d.source} lacks ${missing.length === 1 ? "the column" : `${missing.length} columns`} ${what.join(", ")} of the training data ${train.source}` +
      (extra.length ? `, and has ${list(extra)}, which the training data has not` : ""),
    renames.length
      ? `rename ${renames.join(", ")}: ${role} data needs the training data's column names`
      : `give ${role} data with the training data's columns: ${train.table.columns.join(", ")}`,
  );
}

/** Prepares `loaded` for one row split (the main split, or a cross-validation fold). */
export async function prepareFold(
  loaded: LoadedData,
  split: RowSplit,
  resolved: ResolvedConfig,
  o: {
    valData?: LoadedData;
    testData?: LoadedData;
    pretrained?: GraphModel;
    how?: string;
    taskInfo?: { task: "classification" | "regression"; reason: string; notice?: string };
    /** Rows of the test data to check before training (read and transformed, then dropped; still sealed). */
    testRows?: readonly number[];
    /** Notices of the split (rows dropped as duplicates). */
    notes?: readonly string[];
    /** Rows of the training file already dropped as duplicates (test rows, before sealing). */
    dropped?: readonly number[];
  } = {},
): Promise<PreparedData> {
  const cfg = resolved.values;
  const notices = [
    ...loaded.notices,
    ...(o.valData?.notices ?? []),
    ...(o.testData?.notices ?? []),
    ...(o.notes ?? []),
  ];
  const droppedRows = [...(o.dropped ?? [])];
  // a final fit on training + validation rows monitors rows it trains on by design: nothing to drop there
  const dedupe = cfg.dropSplitDuplicates && (loaded.kind === "table" || loaded.kind === "text");
  const trainSet = dedupe && !o.valData ? new Set(split.train) : null;
  const valInTrain = trainSet !== null && split.val.some((r) => trainSet.has(r));
  if (dedupe && !valInTrain && (loaded.kind === "table" || loaded.kind === "text")) {
    // validation rows repeating a training row (in every split and cross-validation fold)
    const valTable = ((o.valData as TableData | undefined) ?? loaded).table;
    const kept = withoutRepeats(
      [{ table: loaded.table, rows: split.train }],
      { table: valTable, rows: split.val },
      inputNames(loaded, cfg),
    );
    if (kept.dropped.length) {
      notices.push(
        `${kept.dropped.length} validation row(s) repeat a training row exactly: dropped (--drop-split-duplicates)`,
      );
      if (!o.valData) droppedRows.push(...kept.dropped);
      split = { ...split, val: kept.rows };
    }
  }
  const task =
    o.taskInfo ??
    (loaded.kind === "images" || loaded.kind === "audio"
      ? { task: "classification" as const, reason: "a class folder: the subfolders are the classes" }
      : settleTask(loaded, cfg, split.train));
  if (task.notice) notices.push(task.notice);
  const weightsFor = (counts: number[]) =>
    cfg.classWeights === "balanced" ? balancedClassWeights(counts) : undefined;
  const valSrc = o.valData ?? loaded;
  const testSrc = o.testData ?? loaded;

  let base: Omit<
    PreparedData,
    "summary" | "describe" | "test" | "loaded" | "kind" | "source" | "task" | "notices" | "rows"
  > & {
    datasetOf: (src: LoadedData, rows: readonly number[]) => import("../train/fit.js").Dataset;
  };
  if (loaded.kind === "table" || loaded.kind === "text") {
    const f = fitTable(loaded, split.train, cfg, task.task);
    notices.push(...f.notices);
    const asTable = (src: LoadedData) => src as TableData;
    const needed = [
      ...(loaded.kind === "text" ? [loaded.textColumn!] : f.preprocessor.inputColumns),
      loaded.target,
    ];
    if (o.valData) checkColumns(asTable(o.valData), "validation", loaded, needed, notices);
    if (o.testData) checkColumns(asTable(o.testData), "test", loaded, needed, notices);
    checkSize(loaded, split, cfg, f.classes);
    base = {
      classes: f.classes,
      classCounts: f.classCounts,
      train: f.dataset(loaded, split.train, true),
      validation: f.dataset(asTable(valSrc), split.val),
      inputShape: f.inputShape,
      featureNames: f.featureNames,
      featureStats: f.featureStats,
      targetScale: f.targetScale,
      preprocessing: f.preprocessing,
      metadata: {
        task: task.task,
        target: loaded.target,
        classes: JSON.stringify(f.classes),
        input: loaded.kind === "text" ? "text" : "table",
      },
      preprocessor: f.preprocessor,
      ngrams: f.ngrams,
      datasetOf: (src, rows) => f.dataset(asTable(src), rows),
    };
    if (o.testRows?.length) {
      // a test cell the model cannot read would otherwise stop the run after training (--evaluate-test);
      // the inputs are checked always, the targets when the test rows will be evaluated
      const src = asTable(testSrc);
      const rows = o.testRows;
      checkedBeforeTraining(() => {
        if (cfg.evaluateTest) f.dataset(src, rows);
        else if (loaded.kind === "text") requireTexts(src, loaded.textColumn!, rows);
        else f.preprocessor.transformFeatures(src.table, rows);
      });
    }
  } else {
    const norm = o.pretrained && cfg.pretrained ? await savedStandardizer(cfg.pretrained) : undefined;
    const folder = loaded as FolderData;
    const f = fitFolder(folder, split.train, cfg, weightsFor, norm);
    notices.push(...f.notices);
    checkSize(folder, split, cfg, f.classes);
    const settings = folder.kind === "audio" ? folder.folder.settings : undefined;
    base = {
      classes: f.classes,
      classCounts: f.classCounts,
      train: f.dataset(folder, split.train, true),
      validation: f.dataset(valSrc as FolderData, split.val),
      inputShape: f.inputShape,
      preprocessing: {
        kind: loaded.kind,
        classes: f.classes,
        imageShape: f.inputShape,
        standardizer: f.standardizer.toJSON(),
        ...(settings ? { audio: settings } : {}),
      },
      metadata: {
        task: "classification",
        classes: JSON.stringify(f.classes),
        input: loaded.kind,
        image_shape: JSON.stringify(f.inputShape),
        mean: JSON.stringify(f.standardizer.mean),
        std: JSON.stringify(f.standardizer.std),
      },
      standardizer: f.standardizer,
      pretrained: o.pretrained,
      datasetOf: (src, rows) => f.dataset(src as FolderData, rows),
    };
  }
  const heldOut = split.test;
  const test: SealedDataset | null =
    heldOut && heldOut.size > 0
      ? {
          size: heldOut.size,
          rows: heldOut,
          unseal: (reason) => base.datasetOf(testSrc, heldOut.unseal(reason)),
        }
      : null;
  const { datasetOf: _unused, ...rest } = base;
  const what = task.task === "classification" ? `${rest.classes.length}-class classifier` : "regressor";
  const unit =
    loaded.kind === "images"
      ? "images"
      : loaded.kind === "audio"
        ? "clips"
        : loaded.kind === "text"
          ? "texts"
          : "rows";
  const f =
    loaded.kind === "table"
      ? `${rest.inputShape[0]} features`
      : loaded.kind === "text"
        ? `text column '${(loaded as { textColumn?: string }).textColumn}'`
        : `inputs [${rest.inputShape.join(", ")}]`;
  const textInfo =
    loaded.kind === "text" && rest.ngrams
      ? {
          mode: rest.ngrams.mode,
          medianWords: 0,
          vocab: rest.ngrams.vocab.length,
          maxTokens: rest.ngrams.maxTokens,
        }
      : undefined;
  return {
    ...rest,
    kind: loaded.kind,
    source: loaded.source,
    task: task.task,
    test,
    notices,
    loaded,
    rows: {
      train: split.train,
      val: split.val,
      valIsSeparate: o.valData !== undefined,
      ...(droppedRows.length ? { dropped: droppedRows } : {}),
    },
    describe: `${what} on ${rest.train.n} ${unit}; ${f}; validating on ${rest.validation.n}${o.how ? ` (${o.how})` : ""}${test ? `, ${test.size} test ${unit} sealed` : ""}`,
    summary: {
      kind: loaded.kind,
      task: task.task,
      taskReason: task.reason,
      classes: rest.classes,
      classCounts: rest.classCounts,
      trainRows: rest.train.n,
      valRows: rest.validation.n,
      testRows: test?.size ?? 0,
      inputShape: rest.inputShape,
      text: textInfo,
    },
  };
}
