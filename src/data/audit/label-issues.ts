import { largest } from "../../util/extent.js";
import { type AuditData, rowsWithTarget } from "./audit-data.js";
import { findLabelIssues } from "./confident-learning.js";
import { standardizedFeatureMatrix } from "./feature-matrix.js";
import { stratifiedFoldIndex } from "./fold-index.js";
import { outOfFoldProbabilities } from "./out-of-fold-probabilities.js";

/** A row whose given label is probably wrong. */
export interface LabelIssue {
  /** 0-based data row in `file` (header excluded). */
  row: number;
  file: string;
  split: string;
  given: string;
  suggested: string;
  /** How sure the audit is that the given label is wrong: 1 - out-of-fold probability of the given label. */
  confidence: number;
  /** Out-of-fold probability of the suggested label. */
  suggested_probability: number;
}

/** How the label check ran and what it estimated. */
export interface LabelIssueSummary {
  method: string;
  model: string;
  folds: number;
  rows_checked: number;
  /** Accuracy of the out-of-fold predictions against the given labels. */
  out_of_fold_accuracy: number;
  /** Share of the most frequent class: the accuracy of always predicting it. */
  majority_rate: number;
  /** Per class: mean out-of-fold probability of the class over rows labeled with it. */
  thresholds: Record<string, number>;
  /** Input columns the model did not use (leakage suspects, identifier-like columns). */
  excluded_columns: string[];
  /** Calibrated confident joint: `counts[given][true]` over `classes`. */
  confident_joint: { classes: string[]; counts: number[][] };
  issues_found: number;
  /** Why the check did not run, when it did not. */
  skipped?: string;
}

/** Number of cross-validation folds of the label check. */
export const LABEL_CHECK_FOLDS = 5;
/**
 * Inverse L2 strength of the label check's model (scikit-learn's C). Measured on 10% flipped labels, mean
 * over 20 flip seeds (precision / recall): breast_cancer 0.896/0.852 at C=0.1 vs 0.845/0.842 at C=1; wine
 * 0.918/0.867 vs 0.828/0.867; digits (2 seeds) 0.863/0.831 vs 0.753/0.839; iris 0.658/0.820 vs 0.695/0.817.
 * Stronger regularization keeps the model from fitting the wrong labels, so its doubts are sharper.
 */
export const LABEL_CHECK_C = 0.1;
/** Most training rows per fold (a seeded sample of them beyond this), to bound the time of large datasets. */
export const MAX_TRAINING_ROWS = 20_000;
/** The model must beat always predicting the most frequent class by this much accuracy to judge labels. */
export const MIN_ACCURACY_GAIN = 0.02;
/** Multiply-adds one fold's fit may spend; L-BFGS gets 30 to 200 iterations within it. */
const WORK_PER_FOLD = 1e9;

/**
 * Label issues of a classification dataset by confident learning: a standardized L2 logistic regression
 * (C = LABEL_CHECK_C) gives out-of-fold probabilities over stratified 5-fold cross-validation, then
 * `findLabelIssues` ranks the rows whose given label it confidently disagrees with. Rows without a target are not checked.
 * Columns that leak the target must be left out (`exclude`): a model that reads the recorded label from
 * them agrees with every label, wrong or not. The check is skipped (saying why) with fewer than 10
 * labeled rows, when most classes have fewer than 5 rows, without input columns, and when the model is
 * not better than always predicting the most frequent class (MIN_ACCURACY_GAIN): its doubts would be noise.
 * Large datasets train each fold on at most MAX_TRAINING_ROWS rows (a seeded sample).
 *
 * @param data the prepared audit data (classification)
 * @param seed seed of the fold assignment
 * @param exclude names of input columns the model must not use
 */
export function auditLabelIssues(
  data: AuditData,
  seed: number,
  exclude: readonly string[] = [],
): { issues: LabelIssue[]; summary: LabelIssueSummary } {
  const method = "confident learning (prune by noise rate)";
  const model = `multinomial logistic regression, L2 (C=${LABEL_CHECK_C}), standardized inputs, ${LABEL_CHECK_FOLDS}-fold out-of-fold`;
  const base: LabelIssueSummary = {
    method,
    model,
    folds: LABEL_CHECK_FOLDS,
    rows_checked: 0,
    out_of_fold_accuracy: 0,
    majority_rate: 0,
    thresholds: {},
    excluded_columns: [...exclude],
    confident_joint: { classes: data.classes, counts: [] },
    issues_found: 0,
  };
  if (data.task !== "classification")
    return { issues: [], summary: { ...base, skipped: "regression target" } };
  const rows = rowsWithTarget(data);
  const classes = data.classes.length;
  if (classes < 2) return { issues: [], summary: { ...base, skipped: "fewer than 2 classes" } };
  if (rows.length < 2 * LABEL_CHECK_FOLDS) {
    return { issues: [], summary: { ...base, skipped: `only ${rows.length} labeled rows` } };
  }
  const labels = Int32Array.from(rows, (i) => data.labels[i]!);
  const counts = new Array<number>(classes).fill(0);
  for (const k of labels) counts[k]!++;
  const small = counts.filter((c) => c < LABEL_CHECK_FOLDS).length;
  if (small > classes / 2) {
    return {
      issues: [],
      summary: {
        ...base,
        skipped: `${small} of ${classes} classes have fewer than ${LABEL_CHECK_FOLDS} rows`,
      },
    };
  }
  const columns = data.featureIndices.filter((c) => !exclude.includes(data.columns[c]!));
  if (columns.length === 0)
    return { issues: [], summary: { ...base, skipped: "no input columns to learn from" } };
  const matrix = standardizedFeatureMatrix(data, rows, columns);
  const folds = stratifiedFoldIndex(labels, LABEL_CHECK_FOLDS, seed);
  const trainingRows = Math.min(rows.length, MAX_TRAINING_ROWS);
  const outputs = classes === 2 ? 1 : classes;
  const maxIterations = Math.max(
    30,
    Math.min(200, Math.floor(WORK_PER_FOLD / (3 * trainingRows * Math.max(matrix.cols, 1) * outputs))),
  );
  const probabilities = outOfFoldProbabilities(matrix, labels, classes, folds, {
    c: LABEL_CHECK_C,
    maxIterations,
    gradientTolerance: 1e-5,
    maxTrainingRows: MAX_TRAINING_ROWS,
    seed,
  });
  let correct = 0;
  for (let r = 0; r < rows.length; r++) {
    let best = 0;
    for (let k = 1; k < classes; k++)
      if (probabilities[r * classes + k]! > probabilities[r * classes + best]!) best = k;
    if (best === labels[r]) correct++;
  }
  const accuracy = correct / rows.length;
  const majorityRate = largest(counts) / rows.length;
  const measured = {
    ...base,
    rows_checked: rows.length,
    out_of_fold_accuracy: accuracy,
    majority_rate: majorityRate,
  };
  if (accuracy < majorityRate + MIN_ACCURACY_GAIN) {
    return {
      issues: [],
      summary: {
        ...measured,
        skipped:
          `the quick model's out-of-fold accuracy (${accuracy.toFixed(3)}) is no better than always predicting the ` +
          `most frequent class (${majorityRate.toFixed(3)}), so it cannot judge the labels`,
      },
    };
  }
  const result = findLabelIssues(labels, probabilities, classes);
  const issues = result.issues.map((c): LabelIssue => {
    const ref = data.refs[rows[c.index]!]!;
    return {
      row: ref.row,
      file: ref.file,
      split: ref.split,
      given: data.classes[c.given]!,
      suggested: data.classes[c.suggested]!,
      confidence: 1 - c.givenProbability,
      suggested_probability: c.suggestedProbability,
    };
  });
  return {
    issues,
    summary: {
      ...base,
      ...measured,
      thresholds: Object.fromEntries(data.classes.map((name, k) => [name, result.thresholds[k]!])),
      confident_joint: { classes: data.classes, counts: result.confidentJoint },
      issues_found: issues.length,
    },
  };
}
