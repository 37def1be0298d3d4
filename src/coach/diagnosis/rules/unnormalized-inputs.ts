/**
 * unnormalized_inputs: the network was fed raw inputs on large or very different scales.
 *
 * Reads the data summary: how inputs were scaled before the network ("standard", "minmax" or "none") and the
 * raw per-feature statistics of the training rows. With no scaling, fires when
 * - the largest feature magnitude (sqrt(mean² + std²), its root-mean-square value) exceeds MAX_MAGNITUDE
 *   (10): initializations (He, Glorot) assume inputs of unit scale, so first-layer pre-activations come out
 *   that many times too large, or
 * - the standard deviations differ by more than SCALE_RATIO_LIMIT (100, the audit's own limit): one learning
 *   rate cannot suit weights whose gradients differ by that factor (§1, §9 "forgetting to standardize").
 * Already standardized or min-max scaled inputs never fire.
 *
 * Severity high beyond 100x those limits' first step (magnitude 100 or std ratio 1000), else medium.
 * Confidence 0.5 at the limit, 0.95 ten times beyond it.
 * Actions (§1 "Standardize inputs (zero mean, unit variance) or normalize to [0,1]"): `--standardize
 * standard`, else `--standardize minmax`.
 */
import { SCALE_RATIO_LIMIT } from "../../../data/audit/column-summary.js";
import type { Rule, RuleFinding } from "../rule.js";
import { confidenceBeyond, sig } from "../statistics.js";

export const MAX_MAGNITUDE = 10;

export const unnormalizedInputs: Rule = {
  symptom: "unnormalized_inputs",
  duringTraining: true,
  check(f): RuleFinding | undefined {
    const d = f.record.data;
    if (d.standardization !== "none" || d.featureScales.length === 0) return undefined;
    const mags = d.featureScales.map((s) => ({
      name: s.name,
      mag: Math.sqrt(s.mean ** 2 + s.std ** 2),
      std: s.std,
    }));
    const largest = mags.reduce((a, b) => (b.mag > a.mag ? b : a));
    const varied = mags.filter((m) => m.std > 0);
    const wide = varied.length ? varied.reduce((a, b) => (b.std > a.std ? b : a)) : undefined;
    const narrow = varied.length ? varied.reduce((a, b) => (b.std < a.std ? b : a)) : undefined;
    const ratio = wide && narrow ? wide.std / narrow.std : 1;
    const big = largest.mag > MAX_MAGNITUDE;
    const spread = ratio > SCALE_RATIO_LIMIT;
    if (!big && !spread) return undefined;
    const strength = Math.max(largest.mag / MAX_MAGNITUDE, ratio / SCALE_RATIO_LIMIT);
    return {
      severity: strength >= 10 ? "high" : "medium",
      confidence: confidenceBeyond(strength, 1),
      evidence: {
        standardization: d.standardization,
        largest_feature: largest.name,
        largest_magnitude: sig(largest.mag),
        widest_feature: wide?.name ?? null,
        narrowest_feature: narrow?.name ?? null,
        std_ratio: sig(ratio),
      },
      explanation:
        `inputs were not standardized: "${largest.name}" has magnitude ${sig(largest.mag)}` +
        (wide && narrow
          ? ` and feature spreads differ ${sig(ratio)}-fold ("${wide.name}" vs "${narrow.name}")`
          : ""),
      actions: [
        { change: { standardize: "standard" }, why: "§1: standardize inputs (zero mean, unit variance)" },
        { change: { standardize: "minmax" }, why: "§1: or normalize them to [0, 1]" },
      ],
    };
  },
};
