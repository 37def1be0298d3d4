/**
 * not_learning: the training loss never fell meaningfully.
 *
 * Fires when the lowest epoch training loss is
 * - classification with plain cross-entropy: not below the chance loss (the class priors' cross-entropy)
 *   by more than the larger of 2 standard errors of a mean over the training rows (the prior predictor's
 *   per-row loss sd / sqrt(rows)) and CHANCE_MARGIN (5%) of the chance loss: the model has learned nothing
 *   the class frequencies do not say, or nothing that matters (with balanced classes the prior
 *   predictor's per-row losses are all equal, so the standard error alone would call any drop learning),
 *   and by no more than CHANCE_SHARE (a quarter) of the way from chance to a perfect model's loss (0, or the
 *   smoothed targets' entropy with label smoothing): on a few dozen rows with rare classes the standard
 *   error is wide enough to hide a model that learned plenty;
 * - otherwise: less than MIN_DROP (1%) below the loss at the first step.
 *
 * Severity high. Confidence from how far the loss stayed from a significant drop (0.5 at the limit).
 * Actions (§14 "Training loss not decreasing at all -> LR too low/high, wrong loss, bug in labels, missing
 * normalization"): see learning-hints.ts.
 */
import type { Rule, RuleFinding } from "../rule.js";
import { CHANCE_MARGIN, CHANCE_SHARE, confidenceZ, sig } from "../statistics.js";
import { stuckActions } from "./learning-hints.js";

export const MIN_DROP = 0.01;

export const notLearning: Rule = {
  symptom: "not_learning",
  duringTraining: true,
  check(f): RuleFinding | undefined {
    const finite = f.train.filter(Number.isFinite);
    if (finite.length === 0 || f.nonFinite) return undefined;
    const minTrain = Math.min(...finite);
    let stuck: boolean;
    let confidence: number;
    let reference: number;
    if (f.chance && f.nTrain > 0) {
      const margin = Math.max((2 * f.chance.sd) / Math.sqrt(f.nTrain), CHANCE_MARGIN * f.chance.loss);
      reference = f.chance.loss;
      const drop = f.chance.loss - minTrain;
      // as stuck_at_chance: a drop is learning when it is significant or a quarter of the way to perfect
      stuck = drop < margin && drop <= CHANCE_SHARE * (f.chance.loss - f.chance.floor);
      confidence = confidenceZ((2 * (margin - drop)) / margin, 0);
    } else {
      reference = f.initialLoss;
      const drop = (f.initialLoss - minTrain) / Math.abs(f.initialLoss);
      stuck = drop < MIN_DROP;
      confidence = confidenceZ((MIN_DROP - drop) / MIN_DROP, 0);
    }
    if (!stuck) return undefined;
    return {
      severity: "high",
      confidence: Math.max(0.5, confidence),
      evidence: {
        initial_loss: sig(f.initialLoss),
        chance_loss: sig(f.chance?.loss),
        min_train_loss: sig(minTrain),
        epochs: f.epochs,
      },
      explanation: f.chance
        ? `the training loss never went significantly below the chance level ${sig(reference)} (lowest ${sig(minTrain)}): the model learned nothing beyond the class frequencies`
        : `the training loss fell less than 1% from ${sig(reference)} (lowest ${sig(minTrain)})`,
      actions: stuckActions(f, "training loss not decreasing"),
    };
  },
};
