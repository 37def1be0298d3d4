/**
 * diverged: training made the model worse than an untrained one, or produced NaN/Inf.
 *
 * Fires when
 * - training ended on a non-finite loss or gradient norm (fit's `onNonFinite: "stop"`, or NaN in the logs), or
 * - the last epoch's training loss is more than DIVERGED_FACTOR (2) times the untrained level, the larger of
 *   the chance loss (the class priors' cross-entropy) and the loss at the first step. An untrained network
 *   sits at that level; twice it means the updates destroyed more than they learned, which no amount of
 *   further training at this learning rate repairs; or
 * - some epoch's mean training loss exceeded EXPLODED_FACTOR (100) times the untrained level, even if it
 *   came back later: a loss a hundred times chance needs logits in the hundreds, which only runaway weights
 *   produce (the run blew up and restarted from wherever the explosion left it).
 *
 * Severity high. Confidence 0.99 for a non-finite loss, else 0.5 at the factor rising to 0.95 at ten times it.
 * Actions (§14 "sudden loss spikes -> LR too high, exploding gradients -> lower LR, add clipping"): the
 * learning rate divided by 10 or more (the power of ten that brings the early update ratio near 1e-2, see
 * lowerLrToBand), gradient clipping at norm 1.0, a warm-up.
 *
 * @example
 * diverged.check(runFacts(record)); // { severity: "high", evidence: { last_train_loss: 5.7e4, untrained_loss: 1.1, ... } }
 */
import { clipNorm, lowerLrToBand, warmup } from "../remedies.js";
import type { Rule, RuleFinding } from "../rule.js";
import { confidenceBeyond, sig } from "../statistics.js";

export const DIVERGED_FACTOR = 2;
export const EXPLODED_FACTOR = 100;

export const diverged: Rule = {
  symptom: "diverged",
  duringTraining: true,
  check(f): RuleFinding | undefined {
    const level = Math.max(f.chance?.loss ?? 0, f.initialLoss);
    const last = [...f.train].reverse().find((v) => Number.isFinite(v));
    const blewUp =
      last !== undefined && Number.isFinite(level) && level > 0 && last > DIVERGED_FACTOR * level;
    const maxTrain = Math.max(...f.train.filter(Number.isFinite), Number.NEGATIVE_INFINITY);
    const maxEpoch = f.train.indexOf(maxTrain) + 1;
    const exploded = Number.isFinite(level) && level > 0 && maxTrain > EXPLODED_FACTOR * level;
    if (!f.nonFinite && !blewUp && !exploded) return undefined;
    const explanation = f.nonFinite
      ? `training stopped on a non-finite value: ${f.nonFinite.text}`
      : blewUp
        ? `the training loss ended at ${sig(last!)}, ${sig(last! / level)} times the untrained level ${sig(level)}: ` +
          "the updates made the model worse than no training"
        : `the training loss exploded to ${sig(maxTrain)} in epoch ${maxEpoch}, ${sig(maxTrain / level)} times the ` +
          `untrained level ${sig(level)} (it ended at ${sig(last)})`;
    return {
      severity: "high",
      confidence: f.nonFinite
        ? 0.99
        : blewUp
          ? confidenceBeyond(last! / level, DIVERGED_FACTOR)
          : confidenceBeyond(maxTrain / level, EXPLODED_FACTOR),
      evidence: {
        non_finite: f.nonFinite ? f.nonFinite.text : null,
        untrained_loss: sig(level),
        last_train_loss: sig(last),
        max_train_loss: sig(Number.isFinite(maxTrain) ? maxTrain : undefined),
        max_train_loss_epoch: maxEpoch > 0 ? maxEpoch : null,
        epochs_completed: f.epochs,
      },
      explanation,
      actions: [
        lowerLrToBand(
          f,
          "§14: sudden loss spikes and divergence mean the learning rate is too high: lower it",
          10,
        ),
        clipNorm(
          "§5/§14: clip the gradient norm at 1.0 so that one large gradient cannot throw the weights away",
        ),
        warmup("§5: a 3-epoch warm-up starts training with a small learning rate"),
      ],
    };
  },
};
