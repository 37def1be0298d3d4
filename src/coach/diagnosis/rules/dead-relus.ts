/**
 * dead_relus: ReLU units that output zero for every probe example, so they get no gradient and never
 * recover.
 *
 * Reads the dead-unit share per ReLU-family layer of the last completed epoch (measured on a fixed probe
 * batch of training rows, see HealthMonitor). Fires when a layer has lost at least DEAD_SHARE (half) of its
 * units: a healthy He-initialized MLP on standardized inputs keeps nearly all alive (a few percent dead is
 * normal); losing half is losing half the layer's capacity for good, usually after steps too large for the
 * weights.
 *
 * Severity high at 90% dead, else medium. Confidence 0.5 at half, 0.95 when nearly all are dead.
 * Actions (§3 "ReLU/Leaky ReLU", §8 "lower LR"): leaky ReLU (never exactly zero), the learning rate
 * divided by 3, BatchNorm.
 */
import { batchNorm, lowerLr } from "../remedies.js";
import type { Rule, RuleFinding } from "../rule.js";
import { round2, sig } from "../statistics.js";

export const DEAD_SHARE = 0.5;

export const deadRelus: Rule = {
  symptom: "dead_relus",
  duringTraining: true,
  check(f): RuleFinding | undefined {
    const last = [...f.health].reverse().find((h) => Object.keys(h.deadRelu ?? {}).length > 0);
    if (!last) return undefined;
    const entries = Object.entries(last.deadRelu);
    const [layer, share] = entries.reduce((a, b) => (b[1] > a[1] ? b : a));
    if (!(share >= DEAD_SHARE)) return undefined;
    const firstRec = f.health.find((h) => h.deadRelu?.[layer] !== undefined);
    return {
      severity: share >= 0.9 ? "high" : "medium",
      confidence: round2(Math.min(0.99, 0.5 + (share - DEAD_SHARE) * 1.1)),
      evidence: {
        layer,
        dead_share: sig(share),
        dead_share_first_epoch: sig(firstRec?.deadRelu[layer]),
        epoch: last.epoch,
        dead_by_layer: Object.fromEntries(entries.map(([k, v]) => [k, sig(v) ?? 0])),
      },
      explanation: `${Math.round(share * 100)}% of the units of ${layer} output zero for every probe example (dead ReLUs)`,
      actions: [
        {
          change: { activation: "leaky_relu" },
          why: "§3: Leaky ReLU keeps a small slope below zero, so units cannot die",
        },
        lowerLr(f, "dead units usually follow steps too large for the weights: lower the learning rate", 3),
        batchNorm("§7.5: BatchNorm keeps pre-activations centred, so units keep firing"),
      ],
    };
  },
};
