/**
 * The truncated normal distribution in log space, as TPE's Parzen estimators need it: the log of the
 * normal CDF (accurate far into the tails), the log probability mass between two standard-normal
 * quantiles, its inverse, and sampling and log density of N(loc, scale) truncated to [a, b] (a and b in
 * standard units). Same formulas as Optuna's `samplers/_tpe/_truncnorm.py` (after SciPy's).
 */
import type { Random } from "../util/random.js";

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * log erfc(z) for z >= 0: the Chebyshev fit of Numerical Recipes (erfcc), fractional error < 1.2e-7
 * everywhere, taken in log form so that it holds in the far tail where erfc underflows.
 */
function logErfc(z: number): number {
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return Math.log(t) + poly;
}

/** log Φ(x), the standard normal CDF. */
export function logNdtr(x: number): number {
  if (x < 0) return Math.log(0.5) + logErfc(-x / Math.SQRT2);
  return Math.log1p(-0.5 * Math.exp(logErfc(x / Math.SQRT2)));
}

/** Φ(x). */
export function ndtr(x: number): number {
  return Math.exp(logNdtr(x));
}

/** log(exp(a) + exp(b)). */
function logSum(a: number, b: number): number {
  const m = Math.max(a, b);
  if (m === Number.NEGATIVE_INFINITY) return m;
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/** log(Φ(b) − Φ(a)) for a < b, without cancellation in either tail. */
export function logGaussMass(a: number, b: number): number {
  if (b <= 0) {
    const lb = logNdtr(b);
    return lb + Math.log1p(-Math.exp(logNdtr(a) - lb));
  }
  if (a >= 0) return logGaussMass(-b, -a);
  return Math.log1p(-ndtr(a) - ndtr(-b));
}

/** Φ⁻¹(p) for 0 < p < 1 (Acklam's rational approximation), a starting point for ndtriExp. */
function ndtri(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - lo) return -ndtri(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/** x with log Φ(x) = y (y <= 0), by Newton steps on log Φ from a rational or asymptotic start. */
export function ndtriExp(y: number): number {
  if (y >= 0) return Number.POSITIVE_INFINITY;
  if (y === Number.NEGATIVE_INFINITY) return Number.NEGATIVE_INFINITY;
  let x: number;
  if (y > -700) {
    const p = Math.exp(y);
    if (p > 1 - 1e-15) return -ndtri(-Math.expm1(y));
    x = ndtri(p);
  } else x = -Math.sqrt(-2 * y - Math.log(-2 * y) - Math.log(2 * Math.PI));
  for (let i = 0; i < 50; i++) {
    const l = logNdtr(x);
    // d/dx log Φ(x) = φ(x) / Φ(x)
    const slope = Math.exp(-0.5 * x * x - LOG_SQRT_2PI - l);
    const step = (l - y) / slope;
    x -= step;
    if (!Number.isFinite(x) || Math.abs(step) <= 1e-12 * Math.max(1, Math.abs(x))) break;
  }
  return x;
}

/** The q-quantile of the standard normal truncated to [a, b]. */
export function truncnormPpf(q: number, a: number, b: number): number {
  if (a < 0) return ndtriExp(logSum(logNdtr(a), Math.log(q) + logGaussMass(a, b)));
  return -ndtriExp(logSum(logNdtr(-b), Math.log1p(-q) + logGaussMass(a, b)));
}

/** One draw of N(loc, scale) truncated to [loc + a·scale, loc + b·scale]. */
export function truncnormSample(rng: Random, a: number, b: number, loc: number, scale: number): number {
  const x = truncnormPpf(rng.next(), a, b);
  // rounding can step a hair outside [a, b]
  return Math.min(Math.max(x, a), b) * scale + loc;
}

/** log density at x of N(loc, scale) truncated to [a, b] (standard units). */
export function truncnormLogPdf(x: number, a: number, b: number, loc: number, scale: number): number {
  const z = (x - loc) / scale;
  if (z < a || z > b) return Number.NEGATIVE_INFINITY;
  return -0.5 * z * z - LOG_SQRT_2PI - Math.log(scale) - logGaussMass(a, b);
}
