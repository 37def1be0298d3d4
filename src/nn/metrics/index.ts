/**
 * Evaluation metrics checked against scikit-learn 1.2: classification (from labels or from
 * probabilities), regression, and the registry the training loop monitors metrics through.
 */
export { accuracy, topKAccuracy } from "./accuracy.js";
export { averagePrecision } from "./average-precision.js";
export { expectedCalibrationError } from "./calibration-error.js";
export { confusionMatrix } from "./confusion-matrix.js";
export { logLoss } from "./log-loss.js";
export { type Labels, predictedLabels, type Scores } from "./metric-inputs.js";
export {
  defaultMonitoredMetric,
  getMetric,
  type MetricSpec,
  type MetricTask,
  metricNames,
} from "./metric-registry.js";
export {
  type Average,
  f1Score,
  type PerClassScores,
  type PrecisionRecallF1,
  type PrecisionRecallOptions,
  precisionRecallF1,
  precisionRecallF1PerClass,
  precisionScore,
  recallScore,
} from "./precision-recall-f1.js";
export { meanAbsoluteError, meanSquaredError, r2Score, rootMeanSquaredError } from "./regression-errors.js";
export { rocAuc } from "./roc-auc.js";
