/**
 * metric_mismatch: the run watched (for early stopping, checkpoints, plateau schedules) a metric that does
 * not measure what matters.
 *
 * Fires when
 * - the monitored metric is not measured on validation rows (train_loss, or any name without the val_
 *   prefix): early stopping on training data cannot see overfitting (medium);
 * - classification with imbalanced classes (ratio >= 3, as class_imbalance) monitored on accuracy (medium:
 *   a model guessing the large class scores high) or on the loss (low: the loss is dominated by the large
 *   class, but still rewards probabilities of the small ones) (§4, §9 "metric mismatch").
 * Confidence 0.8 (the mismatch is a fact; whether it changed the result is not known from one run).
 * Actions: monitor val_loss (training-data monitors), or val_roc_auc (binary) / val_f1_macro (multi-class).
 */
import { MODERATE_IMBALANCE } from "../../../data/audit/imbalance.js";
import type { Rule, RuleFinding } from "../rule.js";
import { sig } from "../statistics.js";
import { BALANCED_METRICS, balancedMonitor } from "./class-imbalance.js";

export const metricMismatch: Rule = {
  symptom: "metric_mismatch",
  duringTraining: true,
  check(f): RuleFinding | undefined {
    const monitor = f.record.monitor;
    if (!monitor.startsWith("val_")) {
      return {
        severity: "medium",
        confidence: 0.8,
        evidence: { monitor },
        explanation: `the run monitored ${monitor}, measured on training data: early stopping cannot see overfitting`,
        actions: [
          {
            change: { monitor: "val_loss" },
            why: "§6/§7.8: early stopping and checkpoints watch a validation metric",
          },
        ],
      };
    }
    const counts = f.record.classCounts.filter((c) => c > 0);
    if (f.record.task !== "classification" || counts.length < 2) return undefined;
    const ratio = Math.max(...counts) / Math.min(...counts);
    if (ratio < MODERATE_IMBALANCE || BALANCED_METRICS.test(monitor)) return undefined;
    const isAccuracy = /accuracy/.test(monitor);
    if (!isAccuracy && monitor !== "val_loss") return undefined;
    const better = balancedMonitor(f.record.classCounts.length);
    return {
      severity: isAccuracy ? "medium" : "low",
      confidence: 0.8,
      evidence: { monitor, imbalance_ratio: sig(ratio), suggested: better },
      explanation: `the classes are imbalanced (${sig(ratio)}:1) and the run monitored ${monitor}, which favours the large class`,
      actions: [{ change: { monitor: better }, why: `§4/§9: with imbalanced classes, track ${better}` }],
    };
  },
};
