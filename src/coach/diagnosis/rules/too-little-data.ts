/**
 * too_little_data: too few rows to fit the model reliably, or to measure it.
 *
 * Reads the rows per split and the feature count:
 * - few training rows: fewer than ROWS_PER_FEATURE (10) per input feature, the classic events-per-variable
 *   rule below which even a linear model's coefficients are unstable (Peduzzi et al. 1996);
 * - a small validation set: the binomial standard error of the validation accuracy exceeds MAX_SE (0.05),
 *   so two runs 10 points apart may not differ at all (regression: fewer than MIN_VAL_ROWS, 30).
 * Severity medium when training rows are few and the run shows the consequence (the overfitting rule's rise
 * or gap) uncontained (early stopping did not restore an earlier epoch); otherwise low (a caution). Confidence 0.5 at the limit, 0.95 ten times below it.
 * Actions (§10 "When you have little data": cross-validation for reliable estimates, strong
 * regularization, augmentation/transfer for images): `--cv 5`, weight decay.
 */
import { weightDecay } from "../remedies.js";
import type { Rule, RuleFinding } from "../rule.js";
import { lastHalf, metricSeries } from "../run-facts.js";
import { binomialSe, confidenceBeyond, median, sig } from "../statistics.js";
import { overfitSigns } from "./overfitting.js";

export const ROWS_PER_FEATURE = 10;
export const MAX_SE = 0.05;
export const MIN_VAL_ROWS = 30;

export const tooLittleData: Rule = {
  symptom: "too_little_data",
  duringTraining: false,
  check(f): RuleFinding | undefined {
    const d = f.record.data;
    const perFeature = d.features > 0 ? f.nTrain / d.features : Number.POSITIVE_INFINITY;
    const fewRows = perFeature < ROWS_PER_FEATURE;
    const acc = lastHalf(metricSeries(f, "val_accuracy"));
    const se =
      f.record.task === "classification" && acc.length ? binomialSe(median(acc), f.nVal) : Number.NaN;
    const smallVal = f.record.task === "classification" ? se > MAX_SE : f.nVal < MIN_VAL_ROWS;
    if (!fewRows && !smallVal) return undefined;
    const s = overfitSigns(f);
    const overfit = Boolean(s && (s.rising || s.gapped));
    const contained = f.restoredEpoch !== undefined;
    return {
      severity: fewRows && overfit && !contained ? "medium" : "low",
      confidence: fewRows
        ? confidenceBeyond(ROWS_PER_FEATURE, perFeature)
        : confidenceBeyond(se || 1, MAX_SE),
      evidence: {
        train_rows: f.nTrain,
        validation_rows: f.nVal,
        features: d.features,
        rows_per_feature: sig(perFeature),
        val_accuracy_se: sig(se),
        overfitting: overfit,
      },
      explanation:
        (fewRows
          ? `${f.nTrain} training rows for ${d.features} features (${sig(perFeature)} per feature)`
          : "") +
        (fewRows && smallVal ? "; " : "") +
        (smallVal
          ? `${f.nVal} validation rows measure the score only to ±${sig(2 * (Number.isFinite(se) ? se : 1 / Math.sqrt(Math.max(1, f.nVal))))}`
          : ""),
      actions: [
        { change: { cv: 5 }, why: "§10: cross-validation gives reliable estimates on little data" },
        weightDecay(f, "§10: strong regularization on little data"),
      ],
    };
  },
};
