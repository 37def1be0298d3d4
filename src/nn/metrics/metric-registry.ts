import { closestMatch, UserError } from "../../errors.js";
import { largest, smallest } from "../../util/extent.js";
import { accuracy, topKAccuracy } from "./accuracy.js";
import { averagePrecision } from "./average-precision.js";
import { expectedCalibrationError } from "./calibration-error.js";
import { logLoss } from "./log-loss.js";
import { checkLabels, predictedLabels, scoreColumns } from "./metric-inputs.js";
import { type Average, precisionRecallF1 } from "./precision-recall-f1.js";
import { meanAbsoluteError, meanSquaredError, r2Score, rootMeanSquaredError } from "./regression-errors.js";
import { rocAuc } from "./roc-auc.js";

/** What kind of model a metric evaluates. */
export type MetricTask = "classification" | "regression";

/**
 * A metric the training loop can monitor by name.
 *
 * `compute(yTrue, yPredOrProba, numClasses?)`:
 * - classification: `yTrue` holds class indices and `yPredOrProba` the model's row-major n x k class
 *   probabilities (k = numClasses; for two classes, k = 1 holding P(class 1) is accepted too). Label
 *   metrics (accuracy, precision, recall, F1) use the argmax of each row (class 1 when p > 0.5 for one
 *   column).
 * - regression: `yTrue` and `yPredOrProba` are the targets and predictions, one number per sample.
 */
export interface MetricSpec {
  name: string;
  task: MetricTask;
  /** True when larger values are better (accuracy, F1, AUC, R^2); false for losses and errors. */
  higherIsBetter: boolean;
  /** One line saying what the metric is, for listings and reports. */
  description: string;
  compute(yTrue: ArrayLike<number>, yPredOrProba: ArrayLike<number>, numClasses?: number): number;
}

type ProbaMetric = (yTrue: ArrayLike<number>, proba: ArrayLike<number>, k: number) => number;

/** Checks a classification call and hands the metric the number of columns of the probability matrix. */
function classification(
  name: string,
  higherIsBetter: boolean,
  description: string,
  fn: ProbaMetric,
): MetricSpec {
  return {
    name,
    task: "classification",
    higherIsBetter,
    description,
    compute(yTrue, proba, numClasses) {
      const where = `metric ${name}`;
      checkLabels(where, "yTrue", yTrue);
      const k = scoreColumns(where, yTrue.length, proba);
      if (numClasses !== undefined) {
        if (!Number.isInteger(numClasses) || numClasses < 2) {
          throw new UserError(`${where}: numClasses must be a whole number >= 2; received ${numClasses}`);
        }
        if (k !== numClasses && !(k === 1 && numClasses === 2)) {
          throw new UserError(
            `${where}: the probabilities have ${k} column(s) per sample but numClasses is ${numClasses}`,
            "pass one probability per class per sample (or one column, P(class 1), for two classes)",
          );
        }
      }
      return fn(yTrue, proba, k);
    },
  };
}

function labelMetric(
  name: string,
  description: string,
  pick: "precision" | "recall" | "f1",
  average: Average,
): MetricSpec {
  return classification(name, true, description, (yTrue, proba, k) => {
    const yPred = predictedLabels(proba, yTrue.length, k);
    if (average === "binary" && k > 2) {
      throw new UserError(
        `metric ${name}: is for two classes (positive class 1), but the model has ${k}`,
        `use ${pick}_macro, ${pick}_micro or ${pick}_weighted`,
      );
    }
    return precisionRecallF1(yTrue, yPred, { average })[pick];
  });
}

function regression(name: string, higherIsBetter: boolean, description: string, fn: ProbaMetric): MetricSpec {
  return { name, task: "regression", higherIsBetter, description, compute: (y, p) => fn(y, p, 1) };
}

const METRICS: readonly MetricSpec[] = [
  classification("accuracy", true, "fraction of samples whose most probable class is right", (y, p, k) =>
    accuracy(y, predictedLabels(p, y.length, k)),
  ),
  classification(
    "top5_accuracy",
    true,
    "fraction of samples whose class is among the 5 most probable",
    (y, p) => topKAccuracy(y, p, 5),
  ),
  labelMetric("precision", "precision of class 1 (binary)", "precision", "binary"),
  labelMetric("recall", "recall of class 1 (binary)", "recall", "binary"),
  labelMetric("f1", "F1 of class 1 (binary)", "f1", "binary"),
  ...(["macro", "micro", "weighted"] as const).flatMap((avg) =>
    (["precision", "recall", "f1"] as const).map((m) =>
      labelMetric(`${m}_${avg}`, `${m}, ${avg}-averaged over the classes`, m, avg),
    ),
  ),
  classification("roc_auc", true, "area under the ROC curve (one-vs-rest macro for multi-class)", (y, p) =>
    rocAuc(y, p),
  ),
  classification("pr_auc", true, "average precision, the area under the precision-recall curve", (y, p) =>
    averagePrecision(y, p),
  ),
  classification("log_loss", false, "cross-entropy of the predicted probabilities", (y, p) => logLoss(y, p)),
  classification("ece", false, "expected calibration error, 15 equal-width bins", (y, p) =>
    expectedCalibrationError(y, p),
  ),
  regression("mae", false, "mean absolute error", meanAbsoluteError),
  regression("mse", false, "mean squared error", meanSquaredError),
  regression("rmse", false, "root mean squared error", rootMeanSquaredError),
  regression("r2", true, "coefficient of determination R^2", r2Score),
];

const ALIASES: Readonly<Record<string, string>> = {
  acc: "accuracy",
  auc: "roc_auc",
  average_precision: "pr_auc",
  logloss: "log_loss",
  cross_entropy: "log_loss",
  macro_f1: "f1_macro",
  micro_f1: "f1_micro",
  weighted_f1: "f1_weighted",
};

/** Every metric name `getMetric` knows (topK_accuracy works for any K >= 1; top5_accuracy stands for it). */
export function metricNames(): string[] {
  return METRICS.map((m) => m.name);
}

/**
 * The metric called `name` (case-insensitive, "-" read as "_"): accuracy, topK_accuracy for any K (e.g.
 * top3_accuracy, top5_accuracy), precision / recall / f1 (binary, class 1), precision_macro, recall_micro,
 * f1_weighted and the other averaged forms, roc_auc, pr_auc, log_loss, ece, mae, mse, rmse, r2.
 * An unknown name is a UserError listing the names and the closest match.
 *
 * @example
 * const f1 = getMetric("f1_macro");
 * f1.compute(yVal, probabilities, 3); // higher is better: f1.higherIsBetter === true
 */
export function getMetric(name: string): MetricSpec {
  const key = String(name).trim().toLowerCase().replaceAll("-", "_");
  const canonical = ALIASES[key] ?? key;
  const found = METRICS.find((m) => m.name === canonical);
  if (found) return found;
  const topK = /^top(\d+)_accuracy$/.exec(canonical);
  if (topK && Number(topK[1]) >= 1) {
    const k = Number(topK[1]);
    return classification(
      canonical,
      true,
      `fraction of samples whose class is among the ${k} most probable`,
      (y, p) => topKAccuracy(y, p, k),
    );
  }
  const names = metricNames();
  const near = closestMatch(key, [...names, ...Object.keys(ALIASES)]);
  const suggestion = near ? (ALIASES[near] ?? near) : undefined;
  throw new UserError(
    `unknown metric "${name}"${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`,
    `metrics: ${names.join(", ")} (and topK_accuracy for any K, e.g. top3_accuracy)`,
  );
}

/**
 * The metric to monitor when the user names none. Regression: mae. Classification: with an imbalance
 * ratio (largest class count / smallest non-zero count) >= 3, f1_macro for multi-class or roc_auc for
 * binary, since accuracy flatters a model that ignores rare classes; otherwise accuracy.
 *
 * @param classCounts training samples per class (classification only)
 * @example
 * defaultMonitoredMetric("classification", [900, 100]).name; // "roc_auc"
 */
export function defaultMonitoredMetric(task: MetricTask, classCounts?: readonly number[]): MetricSpec {
  if (task === "regression") return getMetric("mae");
  if (task !== "classification") {
    throw new UserError(
      `defaultMonitoredMetric: task must be "classification" or "regression"; received ${JSON.stringify(task)}`,
    );
  }
  if (!Array.isArray(classCounts) || classCounts.length < 2) {
    throw new UserError(
      `defaultMonitoredMetric: classCounts must hold the sample count of each class (two or more); received ${
        Array.isArray(classCounts) ? `[${classCounts.join(", ")}]` : String(classCounts)
      }`,
    );
  }
  classCounts.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 0) {
      throw new UserError(
        `defaultMonitoredMetric: classCounts[${i}] must be a whole number >= 0; received ${c}`,
      );
    }
  });
  const present = classCounts.filter((c) => c > 0);
  const ratio = present.length > 0 ? largest(present) / smallest(present) : 1;
  if (ratio >= 3) return getMetric(classCounts.length === 2 ? "roc_auc" : "f1_macro");
  return getMetric("accuracy");
}
