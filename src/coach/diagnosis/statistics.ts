/**
 * The small statistics the rules share: robust centre and spread, standard errors of a validation
 * metric measured on n rows, the chance level of a classifier from its class priors, a least-squares trend
 * with its standard error, and a confidence scale.
 */

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = Float64Array.from(xs).sort();
  const k = s.length >> 1;
  return s.length % 2 ? s[k]! : (s[k - 1]! + s[k]!) / 2;
}

/**
 * Standard error of a proportion p measured on n rows (binomial): sqrt(p(1-p)/n). p is kept at least 1/n
 * away from 0 and 1, so that a perfect score on few rows still carries the uncertainty of those few rows.
 */
export function binomialSe(p: number, n: number): number {
  if (!(n > 0)) return Number.POSITIVE_INFINITY;
  const q = Math.min(Math.max(p, 1 / n), 1 - 1 / n);
  return Math.sqrt((q * (1 - q)) / n);
}

/** Standard error of a ROC-AUC of 0.5 (a model at chance) with n1 positives and n0 negatives (Hanley & McNeil 1982). */
export function chanceAucSe(n1: number, n0: number): number {
  if (!(n1 > 0 && n0 > 0)) return Number.POSITIVE_INFINITY;
  return Math.sqrt((n1 + n0 + 1) / (12 * n1 * n0));
}

/** Class priors from counts. */
export function priors(counts: readonly number[]): number[] {
  const n = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (n > 0 ? c / n : 0));
}

/**
 * The cross-entropy (nats) of always predicting the class priors, and the standard deviation of that
 * predictor's per-row losses -log p_y: a classifier whose validation loss is not below this level by more
 * than its standard error has learned nothing the priors do not say. With label smoothing e over k classes
 * the targets are (1-e)*onehot + e/k; the best constant prediction is then the smoothed priors, and a row
 * of class y costs -(1-e) log q_y - e * mean_k log q_k (the loss nncoach's smoothed cross-entropy logs).
 * `floor` is the loss of a perfect model: 0 without smoothing, the smoothed targets' entropy with it.
 */
export function chanceCrossEntropy(
  counts: readonly number[],
  labelSmoothing = 0,
): { loss: number; sd: number; floor: number } {
  const k = counts.length;
  const e = labelSmoothing;
  // with smoothing the targets are (1-e)*onehot + e/k, and the best constant prediction is their mean
  const q = priors(counts).map((v) => (1 - e) * v + e / k);
  const avgLog = q.reduce((a, v) => a + (v > 0 ? Math.log(v) : 0), 0) / k;
  let h = 0;
  let m2 = 0;
  priors(counts).forEach((p, y) => {
    if (!(p > 0)) return;
    // the loss of a row of class y: -(1-e) log q_y - e * mean_k log q_k
    const l = -(1 - e) * Math.log(q[y]!) - e * avgLog;
    h += p * l;
    m2 += p * l * l;
  });
  // a perfect model still pays for the smoothed targets: their entropy
  const hit = 1 - e + e / k;
  const miss = e / k;
  const floor = -(hit * Math.log(hit)) - (miss > 0 ? (k - 1) * miss * Math.log(miss) : 0);
  return { loss: h, sd: Math.sqrt(Math.max(0, m2 - h * h)), floor };
}

/** Least-squares slope of ys against 0, 1, 2, ... and its standard error (NaN with fewer than 3 points). */
export function trend(ys: readonly number[]): { slope: number; se: number } {
  const n = ys.length;
  if (n < 3) return { slope: Number.NaN, se: Number.NaN };
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (i - mx) ** 2;
    sxy += (i - mx) * (ys[i]! - my);
  }
  const slope = sxy / sxx;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (ys[i]! - my - slope * (i - mx)) ** 2;
  return { slope, se: Math.sqrt(sse / (n - 2) / sxx) };
}

/**
 * Confidence in [0.5, 1) that a measured `value` passing `threshold` is a real finding, on a log scale:
 * 0.5 at the threshold, 0.95 one `decades` (default 1) beyond it. For "value above threshold" rules; pass
 * (threshold, value) for "below" rules. Values on the wrong side give less than 0.5.
 */
export function confidenceBeyond(value: number, threshold: number, decades = 1): number {
  if (!(value > 0 && threshold > 0)) return value > threshold ? 0.95 : 0.5;
  const k = Math.log(19) / decades;
  return round2(1 / (1 + Math.exp(-k * Math.log10(value / threshold))));
}

/** Confidence from a z-score beyond a limit: 0.5 at the limit, 0.95 three units beyond it. */
export function confidenceZ(z: number, limit: number): number {
  return round2(1 / (1 + Math.exp(-(Math.log(19) / 3) * (z - limit))));
}

export function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** A number with 4 significant digits, for evidence. */
export function sig(v: number | undefined): number | null {
  return v === undefined || !Number.isFinite(v) ? null : Number(v.toPrecision(4));
}

/**
 * Whether a score measured on n rows is "at chance": within 2 standard errors of the chance score
 * (statistically indistinguishable) and within CHANCE_SHARE (a quarter) of the way from chance to a perfect
 * score (practically indistinguishable). Both are needed: on 13 validation rows a perfect score cannot be
 * told from a 93% majority rate statistically, yet it is plainly not stuck.
 */
export function atChance(score: number, chance: number, perfect: number, se: number): boolean {
  return score - chance <= 2 * se && score - chance <= CHANCE_SHARE * (perfect - chance);
}

/** Share of the way from chance to perfect within which a score still counts as at chance. */
export const CHANCE_SHARE = 0.25;

/**
 * A training loss must fall below the chance loss by at least this share of it to count as learning
 * something that matters (see not_learning).
 */
export const CHANCE_MARGIN = 0.05;
