/**
 * The keep rule: a change is kept only when it beats the current best by more than the noise. Both were
 * trained on the same evaluation units (the same seeds on one split, or the same cross-validation folds),
 * so the comparison is paired: d_i = after_i - before_i (signed so that positive is better), and the
 * change is kept when mean(d) > t * SE(d), SE = sd(d) / sqrt(n).
 *
 * t is at least 2 (the "above 2 standard errors"), and grows with the number of candidates a step
 * compared against the same best (Bonferroni: one-sided level 0.025 / candidates, Student's t with n - 1
 * degrees of freedom): keeping the best of five noisy candidates at 2 SE would keep noise far more often
 * than one time in forty.
 *
 * @example
 * compare([0.90, 0.92, 0.91], [0.93, 0.95, 0.93], true).kept; // true: +0.027 with SE 0.003
 */
import { meanSe } from "../../recipe/cross-validate.js";

export interface Comparison {
  /** Mean paired difference (positive = better). */
  diff: number;
  /** Standard error of the mean difference. */
  se: number;
  /** The multiple of se the difference had to pass. */
  threshold: number;
  kept: boolean;
}

/** One-sided upper quantile of Student's t with `df` degrees of freedom (bisection on the CDF). */
export function tQuantile(p: number, df: number): number {
  let lo = 0;
  let hi = 1000;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (1 - tCdf(mid, df) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** CDF of Student's t via the regularized incomplete beta function. */
function tCdf(t: number, df: number): number {
  const x = df / (df + t * t);
  const tail = 0.5 * incompleteBeta(x, df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

function logGamma(z: number): number {
  const c = [
    676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  const zz = z - 1;
  let x = 0.99999999999980993;
  for (let i = 0; i < c.length; i++) x += c[i]! / (zz + i + 1);
  const t = zz + c.length - 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (zz + 0.5) * Math.log(t) - t + Math.log(x);
}

/** Regularized incomplete beta I_x(a, b) by its continued fraction (Numerical Recipes' betacf). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  let f = 1;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = Math.abs(d) < 1e-30 ? 1e30 : 1 / d;
  f = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let num = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    d = Math.abs(d) < 1e-30 ? 1e30 : 1 / d;
    c = 1 + num / c;
    c = Math.abs(c) < 1e-30 ? 1e-30 : c;
    f *= d * c;
    num = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    d = Math.abs(d) < 1e-30 ? 1e30 : 1 / d;
    c = 1 + num / c;
    c = Math.abs(c) < 1e-30 ? 1e-30 : c;
    const delta = d * c;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-12) break;
  }
  return (front * f) / a;
}

/** The multiple of the standard error a paired difference over n units must pass, with `candidates` tried. */
export function keepThreshold(n: number, candidates = 1): number {
  if (n < 2) return Number.POSITIVE_INFINITY;
  return Math.max(2, tQuantile(0.025 / Math.max(1, candidates), n - 1));
}

/**
 * Compares a candidate's per-unit values with the current best's (same units, same order).
 * `higherIsBetter` orients the difference; `candidates` is how many were compared against the same best.
 */
export function compare(
  before: readonly number[],
  after: readonly number[],
  higherIsBetter: boolean,
  candidates = 1,
): Comparison {
  if (before.length !== after.length)
    throw new Error(`paired comparison needs the same units: ${before.length} vs ${after.length}`);
  const d = after.map((a, i) => (higherIsBetter ? a - before[i]! : before[i]! - a));
  const { mean, se } = meanSe(d);
  const threshold = keepThreshold(d.length, candidates);
  // the same gain on every unit (se 0) is as clear as evidence gets; no gain is never kept
  const kept = d.length >= 2 && mean > 0 && mean > threshold * se;
  return { diff: mean, se, threshold, kept };
}

/**
 * The speed variant of the keep rule (the batch-size step, RECIPE.md §8: a larger batch "where it speeds
 * training without hurting the metric"): kept when an epoch got at least `speedup` (a fraction) faster and
 * the paired mean difference is not negative. A within-noise loss is not "without hurting": on
 * house_votes84 such a keep cost the final model a test row.
 */
export function keptForSpeed(c: Comparison, gain: number, speedup: number): boolean {
  return c.diff >= 0 && gain >= speedup;
}
