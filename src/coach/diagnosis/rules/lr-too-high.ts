/**
 * lr_too_high: each step changes the weights by a large share of their size, and the loss pays for it.
 *
 * Reads the update-to-weight ratios ‖Δw‖/‖w‖ of the first completed epoch that measured them. Adam at its
 * default 1e-3 starts near 1e-2 (a step of about lr per weight, against weights of size ~0.1) and settles
 * towards 1e-3. Fires when the median layer's ratio is above
 * - HIGH_RATIO (0.1: every step moves the weights by a tenth of their size, ten times the default's start),
 *   or
 * - UNSTABLE_RATIO (3e-2) while the run shows instability (the training loss rising above its best, loss
 *   spikes, or divergence).
 *
 * Severity high above HIGH_RATIO with instability, else medium. Confidence 0.5 at the limit, 0.95 ten times
 * above it.
 * Actions (§8 unstable, §14): the learning rate divided by the power of ten that brings the median ratio to
 * ~1e-2 (10x to 10,000x), a warm-up, gradient clipping.
 */
import { earlyUpdateRatios, trainRises } from "../curve-shape.js";
import { clipNorm, lowerLrToBand, warmup } from "../remedies.js";
import type { Rule, RuleFinding } from "../rule.js";
import { baseLr } from "../run-facts.js";
import { confidenceBeyond, median, sig } from "../statistics.js";
import { DIVERGED_FACTOR } from "./diverged.js";

export const HIGH_RATIO = 0.1;
export const UNSTABLE_RATIO = 3e-2;

export const lrTooHigh: Rule = {
  symptom: "lr_too_high",
  duringTraining: true,
  check(f): RuleFinding | undefined {
    const e = earlyUpdateRatios(f);
    if (!e) return undefined;
    const ratio = median(Object.values(e.ratios));
    const level = Math.max(f.chance?.loss ?? 0, f.initialLoss);
    const lastTrain = [...f.train].reverse().find(Number.isFinite);
    const unstable =
      Boolean(f.nonFinite) ||
      trainRises(f).length > 0 ||
      f.record.health.some((h) => (h.spikes?.length ?? 0) > 0) ||
      (lastTrain !== undefined && lastTrain > DIVERGED_FACTOR * level);
    const limit = unstable ? UNSTABLE_RATIO : HIGH_RATIO;
    if (!(ratio > limit)) return undefined;
    const lr = baseLr(f);
    return {
      severity: ratio > HIGH_RATIO && unstable ? "high" : "medium",
      confidence: confidenceBeyond(ratio, limit),
      evidence: { epoch: e.epoch, median_update_ratio: sig(ratio), unstable, lr: sig(lr) },
      explanation:
        `each step changed the median layer by ${sig(ratio)} of its size (healthy is 1e-3 to 1e-2)` +
        (unstable ? " and the loss was unstable" : ""),
      actions: [
        lowerLrToBand(
          f,
          "§8 unstable training / §14: lower the learning rate until the update ratio nears 1e-2",
          10,
        ),
        warmup("§5: warm up the learning rate over 3 epochs"),
        clipNorm("§5: clip gradients (norm 1.0)"),
      ],
    };
  },
};
