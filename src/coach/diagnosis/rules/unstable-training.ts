/**
 * unstable_training: the epoch losses jump up and down instead of falling.
 *
 * With a fixed learning rate, the training loss of a stable run averaged over an epoch falls almost
 * monotonically, and the validation loss moves smoothly. Fires when, together, at least MIN_EVENTS (2) of:
 * - rises of the epoch training loss above its best earlier value by more than max(10%, 3 standard errors
 *   of the epoch mean) (see trainRises);
 * - isolated peaks of the validation loss, 1.5x above both neighbouring epochs (see valPeaks);
 * both also at least 5% of the untrained loss, so that wiggles of a nearly perfect model do not count.
 * One event alone may be a hard batch or a learning-rate restart; two are a pattern.
 *
 * Severity high when a rise or peak at least doubled the loss, else medium. Confidence grows with the
 * number of events (0.5 at 2, 0.95 at 20).
 * Actions (§8 "Unstable/noisy training"): lower the LR (at least 3x, or 10x when the loss doubled, and as
 * far as brings the median layer's early update ratio near 1e-2 when that was measured: a run at LR 10
 * cut only to 1 stayed as unstable), a warm-up, BatchNorm, gradient clipping.
 */
import { trainRises, valPeaks } from "../curve-shape.js";
import { batchNorm, clipNorm, lowerLrToBand, warmup } from "../remedies.js";
import type { Rule, RuleFinding } from "../rule.js";
import { confidenceBeyond, sig } from "../statistics.js";

export const MIN_EVENTS = 2;

export const unstableTraining: Rule = {
  symptom: "unstable_training",
  duringTraining: true,
  check(f): RuleFinding | undefined {
    const rises = trainRises(f);
    const peaks = valPeaks(f);
    const events = rises.length + peaks.length;
    if (events < MIN_EVENTS) return undefined;
    const worst = Math.max(...rises.map((r) => r.ratio), ...peaks.map((p) => p.ratio));
    const doubled = worst >= 2;
    return {
      severity: doubled ? "high" : "medium",
      confidence: confidenceBeyond(events, MIN_EVENTS),
      evidence: {
        train_loss_rises: rises.map((r) => r.epoch),
        val_loss_peaks: peaks.map((p) => p.epoch),
        worst_jump_ratio: sig(worst),
      },
      explanation: [
        `the loss went back up ${events} times`,
        ...(rises.length
          ? [
              `training loss rose above its best in epoch${rises.length > 1 ? "s" : ""} ${rises.map((r) => r.epoch).join(", ")}`,
            ]
          : []),
        ...(peaks.length
          ? [
              `validation loss peaked in epoch${peaks.length > 1 ? "s" : ""} ${peaks.map((p) => p.epoch).join(", ")}`,
            ]
          : []),
        Number.isFinite(worst) ? `the largest jump ${sig(worst)}x` : "the largest from a loss of zero",
      ].join("; "),
      actions: [
        lowerLrToBand(f, "§8 unstable/noisy training: lower the learning rate", doubled ? 10 : 3),
        warmup("§8 unstable/noisy training: add a warm-up (3 epochs)"),
        batchNorm("§8 unstable/noisy training: add BatchNorm"),
        clipNorm("§8 unstable/noisy training: clip gradients (norm 1.0)"),
      ],
    };
  },
};
