/**
 * The study's objective: the validation metric `improve` maximizes or minimizes (RECIPE.md §4, "the right
 * metric"). The user names it with --metric; otherwise the recipe chooses and records why: accuracy for
 * balanced classes, the planner's imbalance metric (ROC-AUC for two classes, macro-F1 for more) when the
 * classes are imbalanced, RMSE for regression.
 */
import { UserError } from "../../errors.js";
import { getMetric } from "../../nn/metrics/metric-registry.js";
import { type DataSummary, imbalanceOf } from "../../recipe/data-summary.js";
import type { Decision } from "../../recipe/decision.js";
import { IMBALANCE_RATIO } from "../../recipe/plan-run.js";

export interface Objective {
  /** Metric registry name (accuracy, f1_macro, roc_auc, log_loss, rmse, r2, ...). */
  metric: string;
  higherIsBetter: boolean;
  /** The better of two values. */
  better(a: number, b: number): number;
  /** The value a failed unit scores. */
  worst: number;
}

export function objectiveFor(metric: string): Objective {
  const spec = getMetric(metric);
  const hi = spec.higherIsBetter;
  return {
    metric: spec.name,
    higherIsBetter: hi,
    better: (a, b) => (hi ? Math.max(a, b) : Math.min(a, b)),
    worst: hi ? (spec.name === "r2" ? -1 : 0) : Number.MAX_VALUE,
  };
}

/** The objective for a data summary: the user's --metric (checked against the task) or the recipe's. */
export function chooseObjective(
  s: DataSummary,
  userMetric?: string,
): { objective: Objective; decision: Decision } {
  if (userMetric) {
    const spec = getMetric(userMetric.replace(/^val_/, ""));
    if (spec.task !== s.task)
      throw new UserError(
        `--metric ${userMetric} is a ${spec.task} metric, but this task is ${s.task}`,
        s.task === "regression" ? "use rmse, mae or r2" : "use accuracy, f1_macro, roc_auc or log_loss",
      );
    return {
      objective: objectiveFor(spec.name),
      decision: { key: "metric", value: spec.name, rule: "user", reason: "set by the user", source: "user" },
    };
  }
  let metric: string;
  let rule: string;
  let reason: string;
  if (s.task === "regression") {
    metric = "rmse";
    rule = "regression-rmse";
    reason = "regression: root mean squared error, in the target's units (RECIPE.md §4)";
  } else if (imbalanceOf(s) >= IMBALANCE_RATIO) {
    metric = s.classes.length === 2 ? "roc_auc" : "f1_macro";
    rule = "imbalance-metric";
    reason = `classes are imbalanced (${imbalanceOf(s).toFixed(1)}:1): accuracy would reward the majority class; ${metric} weighs every class (RECIPE.md §4)`;
  } else {
    metric = "accuracy";
    rule = "balanced-accuracy";
    reason = "balanced classes: accuracy is the plain, readable objective (RECIPE.md §4)";
  }
  return {
    objective: objectiveFor(metric),
    decision: {
      key: "metric",
      value: metric,
      rule,
      reason,
      source: s.task === "regression" || imbalanceOf(s) < IMBALANCE_RATIO ? "default" : "recipe",
    },
  };
}
