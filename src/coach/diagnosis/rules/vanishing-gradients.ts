/**
 * vanishing_gradients: the layers near the input get gradients orders of magnitude smaller than the
 * layers near the output, so they barely learn.
 *
 * Reads the RMS gradient per weight of each layer (gradient norm / sqrt(weights), from the health records),
 * which does not depend on layer size. Glorot and He initialization are designed to keep it of the same
 * order across layers (a healthy ReLU MLP shows the first layer within about 10x of the output layer); each
 * sigmoid divides it by at least 4 (its slope is at most 0.25), so a deep sigmoid stack loses orders of
 * magnitude. Fires when the median over epochs of RMS(first layer) / RMS(last layer) is below
 * VANISHING_RATIO (1e-2: the first layer learns at least 100x slower than the last under SGD), in a network
 * of at least MIN_LAYERS (3) trainable layers. A text model's n-gram embedding table is left out (its
 * gradient is sparse, see RunFacts.gradientLayers): there the first layer compared is the one after it.
 *
 * Severity high below 1e-3, else medium. Confidence 0.5 at 1e-2, 0.95 at 1e-3.
 * Actions (§7.9 "Diagnose vanishing/exploding gradients: ReLU-family activations; He init; BatchNorm",
 * §5 "Adam"): ReLU activations (which also bring He initialization), BatchNorm, Adam.
 */
import { batchNorm, setting } from "../remedies.js";
import type { Rule, RuleFinding } from "../rule.js";
import { confidenceBeyond, median, sig } from "../statistics.js";

export const VANISHING_RATIO = 1e-2;
export const MIN_LAYERS = 3;

export const vanishingGradients: Rule = {
  symptom: "vanishing_gradients",
  duringTraining: true,
  check(f): RuleFinding | undefined {
    const layers = f.gradientLayers;
    if (layers.length < MIN_LAYERS) return undefined;
    const first = layers[0]!;
    const last = layers[layers.length - 1]!;
    const ratios = f.health
      .map((h) => (h.layerGradRms?.[first] ?? Number.NaN) / (h.layerGradRms?.[last] ?? Number.NaN))
      .filter((v) => Number.isFinite(v) && v > 0);
    if (ratios.length === 0) return undefined;
    const ratio = median(ratios);
    if (!(ratio < VANISHING_RATIO)) return undefined;
    const lastRms = f.health[f.health.length - 1]?.layerGradRms ?? {};
    const optimizer = setting(f.record, "optimizer");
    const actions = [
      {
        change: { activation: "relu" },
        why: "§3/§7.9: ReLU-family activations (with He initialization) keep gradients flowing in deep nets",
      },
      batchNorm("§7.9: BatchNorm between dense layers and activations keeps gradients at a steady scale"),
    ];
    if (optimizer !== "adam" && optimizer !== "adamw")
      actions.push({
        change: { optimizer: "adam" },
        why: "§5: Adam scales each weight's step by its own gradient history",
      });
    return {
      severity: ratio < VANISHING_RATIO / 10 ? "high" : "medium",
      confidence: confidenceBeyond(VANISHING_RATIO, ratio),
      evidence: {
        first_layer: first,
        last_layer: last,
        first_to_last_rms_ratio: sig(ratio),
        layer_grad_rms: Object.fromEntries(Object.entries(lastRms).map(([k, v]) => [k, sig(v) ?? 0])),
      },
      explanation:
        `the first layer's gradients are ${sig(ratio)} times the last layer's (RMS per weight): ` +
        "the layers near the input barely learn",
      actions,
    };
  },
};
