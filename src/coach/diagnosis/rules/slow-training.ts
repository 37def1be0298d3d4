/**
 * slow_training: training took long with small batches, where bigger batches would go faster.
 *
 * Reads the training time and the steps per epoch (from the health records). Fires when training took at
 * least SLOW_SECONDS (300 s) with batches of at most SMALL_BATCH (64) rows: per-step overhead dominates
 * small batches, and a larger batch with the learning rate scaled linearly and a warm-up (Goyal et al.,
 * which `nncoach train` applies above 64) trains several times faster per epoch.
 *
 * Severity low (a cost, not an error). Confidence 0.5 at 300 s, 0.95 at 3000 s.
 * Actions (§8 "Slow training": bigger batch + LR warm-up): `--batch-size 256`.
 */
import type { Rule, RuleFinding } from "../rule.js";
import { confidenceBeyond, sig } from "../statistics.js";

export const SLOW_SECONDS = 300;
export const SMALL_BATCH = 64;

export const slowTraining: Rule = {
  symptom: "slow_training",
  duringTraining: false,
  check(f): RuleFinding | undefined {
    const t = f.record.timing;
    const seconds =
      t?.trainSeconds ??
      (t?.trainSamplesPerSecond ? (f.nTrain * f.epochs) / t.trainSamplesPerSecond : Number.NaN);
    const steps = f.health[0]?.steps;
    if (!(seconds >= SLOW_SECONDS) || !steps) return undefined;
    const batch = f.nTrain / steps;
    if (batch > SMALL_BATCH) return undefined;
    return {
      severity: "low",
      confidence: confidenceBeyond(seconds, SLOW_SECONDS),
      evidence: {
        train_seconds: sig(seconds),
        batch_size: sig(batch),
        samples_per_second: sig(t?.trainSamplesPerSecond),
      },
      explanation: `training took ${Math.round(seconds)} s with batches of about ${Math.round(batch)} rows`,
      actions: [
        {
          change: { "batch-size": 256 },
          why: "§8 slow training: bigger batch + LR warm-up (applied automatically above 64)",
        },
      ],
    };
  },
};
