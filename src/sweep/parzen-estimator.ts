/**
 * The univariate Parzen estimator of TPE, as Optuna 3.1's `_ParzenEstimator` with its default parameters
 * (consider_prior with prior weight 1, consider_magic_clip, consider_endpoints = false, univariate): a
 * mixture of one truncated normal per observation plus a prior component (the middle of the range, as wide
 * as the range), each observation's width the larger distance to its sorted neighbours (the range ends
 * count as neighbours, except for the outermost observations), clipped to [range / min(100, 1 + n), range].
 * Log-scale params live in log space; whole-number params are discretized with step 1 (their mass over
 * ±0.5). A categorical param gets, per observation, a histogram with its choice weighted 1 over a uniform
 * prior weight / (n + 1). Component weights: Optuna's `default_weights` (older observations ramped down
 * once there are more than 25), the prior component weighted 1.
 *
 * One deliberate difference: the density of a component is the truncated normal's true density, with its
 * 1/σ factor. Optuna 3.1's `_truncnorm.logpdf` leaves out −log σ (later Optuna versions add it back), which
 * makes narrow components, i.e. well-explored regions, look less likely than they are. Widths, means,
 * weights, discrete masses and sampling are Optuna 3.1's (the tests compare them with its numbers).
 */
import type { Random } from "../util/random.js";
import type { Param } from "./space.js";
import { logGaussMass, truncnormLogPdf, truncnormSample } from "./truncnorm.js";

const PRIOR_WEIGHT = 1.0;

/** Optuna's default_weights(n): 1 for each of n observations, the oldest ramped down past 25. */
export function defaultWeights(n: number): number[] {
  if (n === 0) return [];
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = n - 25;
  const w: number[] = [];
  for (let i = 0; i < ramp; i++) w.push(ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1));
  for (let i = 0; i < 25; i++) w.push(1);
  return w;
}

function logSumExp(xs: number[]): number {
  const m = Math.max(...xs);
  if (m === Number.NEGATIVE_INFINITY) return m;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
}

export class ParzenEstimator {
  /** Mixture weights: one per observation (chronological), then the prior's. */
  readonly weights: number[];
  private readonly low: number = 0;
  private readonly high: number = 0;
  /** Discretization step (whole numbers on a linear scale), else null. */
  private readonly q: number | null = null;
  readonly mus: number[] = [];
  readonly sigmas: number[] = [];
  /** Categorical: per component, the probability of each choice. */
  readonly categorical: number[][] = [];

  /** `observations`: internal values (choice indices for categorical params), oldest first. */
  constructor(
    readonly param: Param,
    observations: readonly number[],
  ) {
    const n = observations.length;
    const w = [...defaultWeights(n), PRIOR_WEIGHT];
    const sum = w.reduce((a, b) => a + b, 0);
    this.weights = w.map((x) => x / sum);
    if (param.kind === "categorical") {
      const k = param.choices.length;
      const base = PRIOR_WEIGHT / (n + 1);
      for (let i = 0; i <= n; i++) {
        const row = new Array<number>(k).fill(base);
        if (i < n) row[observations[i]!]! += 1;
        const s = row.reduce((a, b) => a + b, 0);
        this.categorical.push(row.map((x) => x / s));
      }
      return;
    }
    if (param.kind === "float") {
      this.low = param.log ? Math.log(param.low) : param.low;
      this.high = param.log ? Math.log(param.high) : param.high;
    } else if (param.log) {
      this.low = Math.log(param.low - 0.5);
      this.high = Math.log(param.high + 0.5);
    } else {
      this.q = 1;
      this.low = param.low - 0.5;
      this.high = param.high + 0.5;
    }
    const { low, high } = this;
    const mus = [...observations.map((v) => this.toInternalScale(v)), 0.5 * (low + high)];
    // widths: the larger gap to a sorted neighbour, the range ends as the outer neighbours
    const order = mus.map((_, i) => i).sort((a, b) => mus[a]! - mus[b]! || a - b);
    const sorted = [low, ...order.map((i) => mus[i]!), high];
    const sortedSigmas = order.map((_, r) =>
      Math.max(sorted[r + 1]! - sorted[r]!, sorted[r + 2]! - sorted[r + 1]!),
    );
    if (sorted.length >= 4) {
      // consider_endpoints = false: the outermost observations look only inwards
      sortedSigmas[0] = sorted[2]! - sorted[1]!;
      sortedSigmas[sortedSigmas.length - 1] = sorted[sorted.length - 2]! - sorted[sorted.length - 3]!;
    }
    const sigmas = new Array<number>(mus.length);
    order.forEach((i, r) => {
      sigmas[i] = sortedSigmas[r]!;
    });
    // the magic clip
    const maxSigma = high - low;
    const minSigma = (high - low) / Math.min(100, 1 + mus.length);
    for (let i = 0; i < sigmas.length; i++) sigmas[i] = Math.min(maxSigma, Math.max(minSigma, sigmas[i]!));
    sigmas[n] = high - low;
    this.mus = mus;
    this.sigmas = sigmas;
  }

  private toInternalScale(v: number): number {
    return this.param.kind !== "categorical" && this.param.log ? Math.log(v) : v;
  }

  /** Back from the estimator's scale to the param's internal value (rounded and clipped for whole numbers). */
  private fromInternalScale(x: number): number {
    const p = this.param;
    if (p.kind === "categorical") return x;
    if (p.kind === "float") return p.log ? Math.exp(x) : x;
    const v = Math.round(p.log ? Math.exp(x) : x);
    return Math.min(p.high, Math.max(p.low, v));
  }

  /** `size` draws from the mixture (internal values). */
  sample(rng: Random, size: number): number[] {
    const cum: number[] = [];
    let acc = 0;
    for (const w of this.weights) {
      acc += w;
      cum.push(acc);
    }
    const pick = (u: number) => {
      let i = 0;
      while (i < cum.length - 1 && cum[i]! <= u) i++;
      return i;
    };
    const active = Array.from({ length: size }, () => pick(rng.next() * acc));
    if (this.param.kind === "categorical") {
      return active.map((c) => {
        const row = this.categorical[c]!;
        const u = rng.next();
        let s = 0;
        let k = 0;
        for (const p of row) {
          s += p;
          if (s < u) k++;
        }
        return Math.min(k, row.length - 1);
      });
    }
    return active.map((c) => {
      const mu = this.mus[c]!;
      const sigma = this.sigmas[c]!;
      const x = truncnormSample(rng, (this.low - mu) / sigma, (this.high - mu) / sigma, mu, sigma);
      return this.fromInternalScale(x);
    });
  }

  /** log density (log probability for discrete params) of each internal value. */
  logPdf(values: readonly number[]): number[] {
    const logW = this.weights.map(Math.log);
    return values.map((v) => {
      if (this.param.kind === "categorical") {
        return logSumExp(this.categorical.map((row, c) => Math.log(row[v]!) + logW[c]!));
      }
      const x = this.toInternalScale(v);
      const terms = this.mus.map((mu, c) => {
        const sigma = this.sigmas[c]!;
        const a = (this.low - mu) / sigma;
        const b = (this.high - mu) / sigma;
        let lp: number;
        if (this.q === null) lp = truncnormLogPdf(x, a, b, mu, sigma);
        else {
          const ub = Math.min(x + this.q / 2, this.high);
          const lb = Math.max(x - this.q / 2, this.low);
          lp = logGaussMass((lb - mu) / sigma, (ub - mu) / sigma) - logGaussMass(a, b);
        }
        return lp + logW[c]!;
      });
      return logSumExp(terms);
    });
  }
}
