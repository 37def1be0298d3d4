/**
 * loss_spikes: single batches whose loss jumps far above the recent level.
 *
 * Reads the spike episodes of the health records, found by the robust rule of LossSpikeDetector (6 robust
 * standard deviations above the running median, at least double it, and at least halfway back to the
 * untrained loss), so ordinary batch noise is not counted. Fires with MIN_SPIKES (2) episodes, or with one
 * whose peak exceeds the untrained loss (that spike undid everything learned so far).
 *
 * Severity medium when spikes are a pattern: at least MANY_SPIKES (5) episodes and at least MANY_SHARE (1%)
 * of the optimizer steps. A few isolated spikes in thousands of steps happen on healthy runs too (an
 * overconfident model meeting a hard example), so they are low. Confidence 0.5 at 2 episodes, 0.95 at 20.
 * Actions (§14 "sudden loss spikes -> LR too high, exploding gradients -> lower LR, add clipping, check
 * batch norm"): the learning rate divided by 3, gradient clipping at norm 1.0, a warm-up.
 */
import { clipNorm, lowerLr, warmup } from "../remedies.js";
import type { Rule, RuleFinding } from "../rule.js";
import { confidenceBeyond, sig } from "../statistics.js";

export const MIN_SPIKES = 2;
export const MANY_SPIKES = 5;
export const MANY_SHARE = 0.01;

export const lossSpikes: Rule = {
  symptom: "loss_spikes",
  duringTraining: true,
  check(f): RuleFinding | undefined {
    const spikes = f.record.health.flatMap((h) => h.spikes ?? []);
    if (spikes.length === 0) return undefined;
    const worst = spikes.reduce((a, b) =>
      b.loss / Math.max(b.median, 1e-12) > a.loss / Math.max(a.median, 1e-12) ? b : a,
    );
    const aboveUntrained = spikes.some((s) => s.loss > f.untrainedLoss);
    if (spikes.length < MIN_SPIKES && !aboveUntrained) return undefined;
    const steps = f.record.health.reduce((a, h) => a + (h.steps ?? 0), 0);
    const pattern = spikes.length >= MANY_SPIKES && spikes.length >= MANY_SHARE * steps;
    return {
      severity: pattern ? "medium" : "low",
      confidence: aboveUntrained
        ? Math.max(0.8, confidenceBeyond(spikes.length, MIN_SPIKES))
        : confidenceBeyond(spikes.length, MIN_SPIKES),
      evidence: {
        spikes: spikes.length,
        optimizer_steps: steps,
        steps: spikes.slice(0, 10).map((s) => s.step),
        worst_step: worst.step,
        worst_loss: sig(worst.loss),
        median_before: sig(worst.median),
        untrained_loss: sig(f.untrainedLoss),
      },
      explanation:
        `${spikes.length} loss spike${spikes.length > 1 ? "s" : ""}: at step ${worst.step} the batch loss jumped to ` +
        `${sig(worst.loss)} from a running median of ${sig(worst.median)}`,
      actions: [
        lowerLr(f, "§14 sudden loss spikes: the learning rate is too high; lower it", 3),
        clipNorm("§14 sudden loss spikes: clip gradients (norm 1.0)"),
        warmup("§5: a warm-up (3 epochs) avoids large early steps"),
      ],
    };
  },
};
