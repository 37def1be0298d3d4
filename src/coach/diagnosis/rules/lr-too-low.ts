/**
 * lr_too_low: every layer's weights move by a tiny fraction of their size per step, so training crawls.
 *
 * Reads the update-to-weight ratios ‖Δw‖/‖w‖ of the first completed epoch that measured them (early, before
 * convergence legitimately shrinks them). A well-tuned run changes each layer by about 1e-3 of its size per
 * step (Karpathy's rule of thumb; Adam at its default 1e-3 starts nearer 1e-2). Fires when even the
 * fastest layer stays below LOW_RATIO (1e-4), an order of magnitude under that band: at that pace a layer
 * needs some 10,000 steps to change by its own size.
 *
 * Severity high when the slow pace has cost the run nearly everything: its training loss never got
 * meaningfully below the chance level (by CHANCE_MARGIN, 5%, as not_learning), or, without a known chance
 * level, fell by less than 10% of its start; else medium. Confidence 0.5 at 1e-4, 0.95 at 1e-5.
 * Actions (§8 underfitting "Increase LR", §5 LR finder): the learning rate raised by the power of ten that
 * brings the fastest layer to ~1e-3 (10x to 1000x), then longer training.
 */
import { fastestEarlyRatio } from "../curve-shape.js";
import { moreEpochs, raiseLrToBand } from "../remedies.js";
import type { Rule, RuleFinding } from "../rule.js";
import { baseLr } from "../run-facts.js";
import { CHANCE_MARGIN, confidenceBeyond, sig } from "../statistics.js";

export const LOW_RATIO = 1e-4;

export const lrTooLow: Rule = {
  symptom: "lr_too_low",
  duringTraining: true,
  check(f): RuleFinding | undefined {
    const fast = fastestEarlyRatio(f);
    if (!fast || !(fast.ratio < LOW_RATIO) || !(fast.ratio > 0)) return undefined;
    const minTrain = Math.min(...f.train.filter(Number.isFinite));
    const drop = (f.initialLoss - minTrain) / f.initialLoss;
    const lr = baseLr(f);
    return {
      severity: (f.chance ? minTrain > (1 - CHANCE_MARGIN) * f.chance.loss : drop < 0.1) ? "high" : "medium",
      confidence: confidenceBeyond(LOW_RATIO, fast.ratio),
      evidence: {
        epoch: fast.epoch,
        fastest_layer: fast.layer,
        max_update_ratio: sig(fast.ratio),
        train_loss_drop: sig(drop),
        lr: sig(lr),
      },
      explanation:
        `even the fastest layer (${fast.layer}) changed by only ${sig(fast.ratio)} of its size per step ` +
        `(healthy is about 1e-3); the training loss fell ${Math.round(drop * 100)}% in ${f.epochs} epochs`,
      actions: [
        raiseLrToBand(f, "§8 underfitting: increase the learning rate until the update ratio nears 1e-3"),
        moreEpochs(f, "§8 underfitting: train longer (with early stopping)"),
      ],
    };
  },
};
