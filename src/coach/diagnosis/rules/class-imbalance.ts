/**
 * class_imbalance: the training classes are imbalanced enough to bias the model towards the large ones.
 *
 * Reads the training class counts. Fires from an imbalance ratio (largest class / smallest) of
 * MODERATE_IMBALANCE (3, where nncoach and the audit start treating classes as imbalanced). The severity
 * comes from what the run did with it:
 * - high: ratio >= SEVERE_IMBALANCE (10) and validation accuracy settled at the majority rate (within 2
 *   binomial standard errors and a quarter of the way to 1, see atChance: the model may just be guessing
 *   the large class);
 * - medium: the run monitored a metric that imbalance fools (accuracy or loss), or accuracy stayed at the
 *   majority rate;
 * - low: the run already monitored a class-balanced metric (ROC-AUC, F1, average precision, ...).
 * Confidence 0.5 at ratio 3, 0.95 at 30.
 * Actions (§2 "Handle class imbalance (class weights, focal loss, or balanced sampling)", §4 "AUC/F1 for
 * imbalance"): balanced class weights, a class-balanced monitored metric, focal loss. When accuracy sits
 * at the majority rate the model has learned to guess the large class, so class weights (which change what
 * it learns) come first; otherwise the model ranks the classes and the monitored metric is what misleads,
 * so the metric change comes first (changing the monitor only moves early stopping and checkpoints).
 */
import { MODERATE_IMBALANCE, SEVERE_IMBALANCE } from "../../../data/audit/imbalance.js";
import type { ActionDraft } from "../actions.js";
import { setting } from "../remedies.js";
import type { Rule, RuleFinding } from "../rule.js";
import { lastHalf, metricSeries } from "../run-facts.js";
import { atChance, binomialSe, confidenceBeyond, median, sig } from "../statistics.js";

/** Monitored metrics that weigh every class (imbalance does not fool them). */
export const BALANCED_METRICS = /roc_auc|f1|average_precision|pr_auc|balanced|mcc|kappa/;

/** The class-balanced metric to monitor: ROC-AUC for two classes, macro-F1 for more. */
export function balancedMonitor(classes: number): string {
  return classes === 2 ? "val_roc_auc" : "val_f1_macro";
}

export const classImbalance: Rule = {
  symptom: "class_imbalance",
  duringTraining: true,
  check(f): RuleFinding | undefined {
    const counts = f.record.classCounts.filter((c) => c > 0);
    if (f.record.task !== "classification" || counts.length < 2) return undefined;
    const ratio = Math.max(...counts) / Math.min(...counts);
    if (ratio < MODERATE_IMBALANCE) return undefined;
    const acc = lastHalf(metricSeries(f, "val_accuracy"));
    const a = acc.length ? median(acc) : Number.NaN;
    const atMajority = f.majority !== undefined && atChance(a, f.majority, 1, binomialSe(f.majority, f.nVal));
    const balancedWatch = BALANCED_METRICS.test(f.record.monitor);
    const severity =
      ratio >= SEVERE_IMBALANCE && atMajority ? "high" : !balancedWatch || atMajority ? "medium" : "low";
    const actions: ActionDraft[] = [];
    const monitor = balancedMonitor(f.record.classCounts.length);
    const watch: ActionDraft[] = balancedWatch
      ? []
      : [
          {
            change: { monitor },
            why: `§4/§9: track a task-relevant metric (${monitor}); accuracy rewards guessing the large class`,
          },
        ];
    const weigh: ActionDraft[] =
      setting(f.record, "classWeights") !== "balanced"
        ? [{ change: { "class-weights": "balanced" }, why: "§2: handle class imbalance with class weights" }]
        : [];
    // a model at the majority rate learned to guess the large class: change what it learns first; one that
    // does better is judged by the wrong yardstick: change the metric first
    actions.push(...(atMajority ? [...weigh, ...watch] : [...watch, ...weigh]));
    actions.push({
      change: { loss: "focal" },
      why: "§2: or a focal loss, which down-weighs the easy (majority) examples",
    });
    return {
      severity,
      confidence: confidenceBeyond(ratio, MODERATE_IMBALANCE),
      evidence: {
        class_counts: f.record.classCounts,
        imbalance_ratio: sig(ratio),
        majority_rate: sig(f.majority),
        val_accuracy: sig(a),
        accuracy_at_majority_rate: atMajority,
        monitor: f.record.monitor,
      },
      explanation:
        `the largest class has ${sig(ratio)} times the rows of the smallest` +
        (atMajority
          ? `, and validation accuracy (${sig(a)}) is no better than always guessing the largest class (${sig(f.majority)})`
          : "") +
        (!balancedWatch ? `; the run monitored ${f.record.monitor}, which imbalance flatters` : ""),
      actions,
    };
  },
};
