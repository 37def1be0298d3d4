/** Every diagnosis rule, one per symptom (healthy is the verdict when none of them finds a real problem). */
import type { Rule } from "../rule.js";
import { classImbalance } from "./class-imbalance.js";
import { deadRelus } from "./dead-relus.js";
import { diverged } from "./diverged.js";
import { duplicatesAcrossSplits } from "./duplicates-across-splits.js";
import { explodingGradients } from "./exploding-gradients.js";
import { labelNoise } from "./label-noise.js";
import { leakage } from "./leakage.js";
import { lossSpikes } from "./loss-spikes.js";
import { lrTooHigh } from "./lr-too-high.js";
import { lrTooLow } from "./lr-too-low.js";
import { metricMismatch } from "./metric-mismatch.js";
import { notLearning } from "./not-learning.js";
import { overfitting } from "./overfitting.js";
import { saturatedActivations } from "./saturated-activations.js";
import { slowTraining } from "./slow-training.js";
import { stuckAtChance } from "./stuck-at-chance.js";
import { tooLittleData } from "./too-little-data.js";
import { underfitting } from "./underfitting.js";
import { unnormalizedInputs } from "./unnormalized-inputs.js";
import { unstableTraining } from "./unstable-training.js";
import { vanishingGradients } from "./vanishing-gradients.js";

export const RULES: readonly Rule[] = [
  unnormalizedInputs,
  diverged,
  unstableTraining,
  leakage,
  duplicatesAcrossSplits,
  lrTooHigh,
  lrTooLow,
  explodingGradients,
  vanishingGradients,
  saturatedActivations,
  deadRelus,
  lossSpikes,
  classImbalance,
  stuckAtChance,
  notLearning,
  overfitting,
  underfitting,
  metricMismatch,
  labelNoise,
  tooLittleData,
  slowTraining,
];

export { healthyFinding } from "./healthy.js";
