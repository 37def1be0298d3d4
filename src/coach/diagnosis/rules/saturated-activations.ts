/**
 * saturated_activations: sigmoid/tanh units stuck near their bounds, where their slope is nearly zero.
 *
 * Reads the share of each sigmoid/tanh layer's outputs on the probe batch within 0.02 of the bounds (see
 * HealthMonitor: there the slope is at most 8% (sigmoid) or 4% (tanh) of its peak, so the gradient through
 * the unit is cut at least 12-fold). Fires when a layer's share reaches SATURATED_SHARE (half) in the last
 * completed epoch: then most of the signal through that layer is flat.
 *
 * Severity high at 90%, else medium. Confidence 0.5 at half, 0.95 near all.
 * Actions (§3 "avoid pure sigmoid/tanh in deep nets", §7.5 BatchNorm): ReLU activations, BatchNorm, a lower
 * learning rate (large steps push pre-activations into the flat tails).
 */
import { batchNorm, lowerLr } from "../remedies.js";
import type { Rule, RuleFinding } from "../rule.js";
import { round2, sig } from "../statistics.js";

export const SATURATED_SHARE = 0.5;

export const saturatedActivations: Rule = {
  symptom: "saturated_activations",
  duringTraining: true,
  check(f): RuleFinding | undefined {
    const last = [...f.health].reverse().find((h) => Object.keys(h.saturation ?? {}).length > 0);
    if (!last) return undefined;
    const entries = Object.entries(last.saturation);
    const [layer, share] = entries.reduce((a, b) => (b[1] > a[1] ? b : a));
    if (!(share >= SATURATED_SHARE)) return undefined;
    return {
      severity: share >= 0.9 ? "high" : "medium",
      confidence: round2(Math.min(0.99, 0.5 + (share - SATURATED_SHARE) * 1.1)),
      evidence: {
        layer,
        saturated_share: sig(share),
        epoch: last.epoch,
        saturation_by_layer: Object.fromEntries(entries.map(([k, v]) => [k, sig(v) ?? 0])),
      },
      explanation: `${Math.round(share * 100)}% of ${layer}'s outputs sit within 0.02 of the activation's bounds, where its slope is nearly zero`,
      actions: [
        {
          change: { activation: "relu" },
          why: "§3: use ReLU-family activations in hidden layers; avoid pure sigmoid/tanh in deep nets",
        },
        batchNorm("§7.5: BatchNorm before the activation keeps pre-activations in the responsive range"),
        lowerLr(f, "large steps push pre-activations into the flat tails: lower the learning rate", 3),
      ],
    };
  },
};
