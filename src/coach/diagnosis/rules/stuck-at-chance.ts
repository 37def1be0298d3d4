/**
 * stuck_at_chance: on validation the classifier does no better than guessing from the class priors.
 *
 * Reads where the run settled, the median over the last half of its epochs of:
 * - validation accuracy, against the majority-class rate (the accuracy of always guessing the largest class)
 *   plus 2 binomial standard errors over the validation rows (sqrt(p(1-p)/n));
 * - the validation loss (plain cross-entropy), against the chance loss minus 2 standard errors (the prior
 *   predictor's per-row loss sd / sqrt(n));
 * - the validation ROC-AUC (binary), against 0.5 plus 2 Hanley-McNeil standard errors.
 * Each must also be within a quarter of the way from chance to a perfect score (see atChance): on a dozen
 * validation rows even a perfect model cannot be told from the majority rate statistically, yet it is not
 * stuck. Fires when every one of these that the run logged is at chance. All must agree, so that an
 * imbalanced run whose accuracy equals the majority rate but whose AUC shows real ranking is not called
 * stuck.
 *
 * Severity high. Confidence from the accuracy's distance to the limit in standard errors.
 * Actions (§14 "Stuck accuracy around chance -> wrong labels, shuffled labels/features mismatch, output
 * layer/loss mismatch"): see learning-hints.ts.
 */

import type { Rule, RuleFinding } from "../rule.js";
import { lastHalf, metricSeries } from "../run-facts.js";
import { atChance, binomialSe, chanceAucSe, confidenceZ, median, priors, sig } from "../statistics.js";
import { stuckActions } from "./learning-hints.js";

export const stuckAtChance: Rule = {
  symptom: "stuck_at_chance",
  duringTraining: true,
  check(f): RuleFinding | undefined {
    if (f.record.task !== "classification" || f.majority === undefined || !(f.nVal > 0)) return undefined;
    const acc = lastHalf(metricSeries(f, "val_accuracy"));
    if (acc.length === 0) return undefined;
    const a = median(acc);
    const se = binomialSe(f.majority, f.nVal);
    if (!atChance(a, f.majority, 1, se)) return undefined;
    const evidence: Record<string, number | null> = {
      val_accuracy: sig(a),
      majority_rate: sig(f.majority),
      accuracy_se: sig(se),
    };
    const loss = lastHalf(f.val);
    if (f.chance && loss.length > 0) {
      const l = median(loss);
      const lse = f.chance.sd / Math.sqrt(f.nVal);
      evidence.val_loss = sig(l);
      evidence.chance_loss = sig(f.chance.loss);
      if (!atChance(-l, -f.chance.loss, -f.chance.floor, lse)) return undefined;
    }
    const auc = lastHalf(metricSeries(f, "val_roc_auc"));
    if (auc.length > 0 && f.record.classCounts.length === 2) {
      const p = priors(f.record.classCounts);
      const u = median(auc);
      const ase = chanceAucSe(f.nVal * p[1]!, f.nVal * p[0]!);
      evidence.val_roc_auc = sig(u);
      if (!atChance(u, 0.5, 1, ase)) return undefined;
    }
    return {
      severity: "high",
      confidence: confidenceZ((f.majority - a) / se, -2),
      evidence,
      explanation:
        `validation accuracy settled at ${sig(a)}, no better than always guessing the largest class ` +
        `(${sig(f.majority)} ± ${sig(2 * se)} on ${f.nVal} rows)` +
        (evidence.val_loss !== undefined
          ? `, and the validation loss stayed at the chance level ${evidence.chance_loss}`
          : ""),
      actions: stuckActions(f, "stuck at chance"),
    };
  },
};
