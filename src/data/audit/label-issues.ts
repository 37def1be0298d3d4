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
 * Label issues of a classification dataset by confident learning: a standardized L2 logistic regression
 * (C = 1) gives out-of-fold probabilities over stratified 5-fold cross-validation, then `findLabelIssues`
 * ranks the rows whose given label it confidently disagrees with. Rows without a target are not checked.
 * Columns that leak the target must be left out (`exclude`): a model that reads the recorded label from
 * them agrees with every label, wrong or not.
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
  const model = `multinomial logistic regression, L2 (C=1), standardized inputs, ${LABEL_CHECK_FOLDS}-fold out-of-fold`;
  const base: LabelIssueSummary = {
    method,
    model,
    folds: LABEL_CHECK_FOLDS,
    rows_checked: 0,
    out_of_fold_accuracy: 0,
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
  const columns = data.featureIndices.filter((c) => !exclude.includes(data.columns[c]!));
  const matrix = standardizedFeatureMatrix(data, rows, columns);
  const folds = stratifiedFoldIndex(labels, LABEL_CHECK_FOLDS, seed);
  const probabilities = outOfFoldProbabilities(matrix, labels, classes, folds, {
    maxIterations: 200,
    gradientTolerance: 1e-5,
  });
  const result = findLabelIssues(labels, probabilities, classes);
  let correct = 0;
  for (let r = 0; r < rows.length; r++) {
    let best = 0;
    for (let k = 1; k < classes; k++)
      if (probabilities[r * classes + k]! > probabilities[r * classes + best]!) best = k;
    if (best === labels[r]) correct++;
  }
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
      rows_checked: rows.length,
      out_of_fold_accuracy: correct / rows.length,
      thresholds: Object.fromEntries(data.classes.map((name, k) => [name, result.thresholds[k]!])),
      confident_joint: { classes: data.classes, counts: result.confidentJoint },
      issues_found: issues.length,
    },
  };
}
