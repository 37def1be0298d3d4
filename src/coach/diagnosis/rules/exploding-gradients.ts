/**
 * exploding_gradients: the gradient norm grew by orders of magnitude, or became non-finite.
 *
 * Fires when
 * - training stopped on a non-finite gradient (the stop reason names the layers), or
 * - the largest global gradient norm of any epoch is GROWTH_LIMIT (100) times the norm at the run's first
 *   step: as the loss falls, healthy gradients shrink or stay within an order of magnitude of where they
 *   started; a hundredfold growth is a feedback loop between large steps and steep regions, or
 * - the input-side layer's RMS gradient per weight is GROWTH_LIMIT times the output layer's (gradients
 *   amplified layer after layer on the way back; a text model's embedding table is left out, see
 *   RunFacts.gradientLayers).
 *
 * Severity high when non-finite or grown 10,000-fold, else medium. Confidence 0.5 at 100x, 0.95 at 10,000x.
 * Actions (§5 "gradient clipping if gradients explode", §7.9 "clip grads; BatchNorm"): clipping at norm
 * 1.0, the learning rate divided by 10, BatchNorm.
 */
import { batchNorm, clipNorm, lowerLr } from "../remedies.js";
import type { Rule, RuleFinding } from "../rule.js";
import { confidenceBeyond, median, sig } from "../statistics.js";

export const GROWTH_LIMIT = 100;

export const explodingGradients: Rule = {
  symptom: "exploding_gradients",
  duringTraining: true,
  check(f): RuleFinding | undefined {
    const badGradient = f.nonFinite && /gradient/.test(f.nonFinite.text) ? f.nonFinite.text : undefined;
    const recs = f.record.health;
    const first = recs[0]?.gradNorm?.first;
    const maxNorm = Math.max(...recs.map((h) => h.gradNorm?.max ?? 0), 0);
    const growth = first && first > 0 && Number.isFinite(first) ? maxNorm / first : Number.NaN;
    const inLayer = f.gradientLayers[0];
    const outLayer = f.gradientLayers[f.gradientLayers.length - 1];
    const layerRatios =
      f.gradientLayers.length >= 2
        ? f.health
            .map(
              (h) => (h.layerGradRms?.[inLayer!] ?? Number.NaN) / (h.layerGradRms?.[outLayer!] ?? Number.NaN),
            )
            .filter((v) => Number.isFinite(v))
        : [];
    const layerRatio = layerRatios.length ? median(layerRatios) : Number.NaN;
    const grew = growth >= GROWTH_LIMIT;
    const amplified = layerRatio >= GROWTH_LIMIT;
    if (!badGradient && !grew && !amplified) return undefined;
    const strength = Math.max(
      Number.isFinite(growth) ? growth : 0,
      Number.isFinite(layerRatio) ? layerRatio : 0,
    );
    return {
      severity: badGradient || strength >= GROWTH_LIMIT ** 2 ? "high" : "medium",
      confidence: badGradient ? 0.95 : confidenceBeyond(strength, GROWTH_LIMIT, 2),
      evidence: {
        non_finite: badGradient ?? null,
        first_grad_norm: sig(first),
        max_grad_norm: sig(maxNorm),
        growth: sig(growth),
        input_to_output_rms_ratio: sig(layerRatio),
      },
      explanation: badGradient
        ? `the gradients became non-finite: ${badGradient}`
        : grew
          ? `the gradient norm grew from ${sig(first)} at the first step to ${sig(maxNorm)} (${sig(growth)}x)`
          : `gradients grow on the way back: the first layer's RMS gradient is ${sig(layerRatio)}x the output layer's`,
      actions: [
        clipNorm("§5/§7.9: clip the gradient norm at 1.0 when gradients explode"),
        lowerLr(f, "§14: exploding gradients: lower the learning rate 10x"),
        batchNorm("§7.9: BatchNorm keeps activations, and so gradients, at a steady scale"),
      ],
    };
  },
};
