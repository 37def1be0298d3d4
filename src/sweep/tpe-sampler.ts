/**
 * The Tree-structured Parzen Estimator, as Optuna 3.1's default `TPESampler` (independent sampling, one
 * param at a time): the first N_STARTUP finished trials are random; then the finished (completed or
 * pruned) trials are ranked — completed trials by their objective, then pruned ones by how far they got
 * (later first) and their last reported value — the best gamma(n) = min(ceil(0.1 n), 25) form l(x) and the
 * rest g(x) (each a Parzen estimator, see parzen-estimator.ts); 24 candidates are drawn from l(x) and the
 * one with the largest log l(x) − log g(x) is proposed. Running and failed trials are ignored.
 */
import type { Random } from "../util/random.js";
import { ParzenEstimator } from "./parzen-estimator.js";
import { type Sampler, sampleUniform, type TrialHistoryEntry } from "./sampler.js";
import type { SearchSpace } from "./space.js";

export const N_STARTUP = 10;
export const N_EI_CANDIDATES = 24;

export function gamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/** The ranking key of a finished trial: [step, loss], compared lexicographically (smaller is better). */
function rankKey(t: TrialHistoryEntry, sign: number): [number, number] {
  if (t.state === "completed") return [Number.NEGATIVE_INFINITY, sign * t.value!];
  const step = t.intermediate.length - 1;
  if (step < 0) return [1, 0];
  const v = t.intermediate[step]!;
  return [-(step + 1), Number.isNaN(v) ? Number.POSITIVE_INFINITY : sign * v];
}

export class TpeSampler implements Sampler {
  readonly name = "tpe";

  constructor(
    readonly space: SearchSpace,
    /** True when the objective is maximized. */
    readonly higherIsBetter: boolean,
  ) {}

  suggest(history: readonly TrialHistoryEntry[], rng: Random): Record<string, number> {
    const done = history.filter(
      (t) => (t.state === "completed" && Number.isFinite(t.value)) || t.state === "pruned",
    );
    const n = done.length;
    const out: Record<string, number> = {};
    if (n < N_STARTUP) {
      for (const p of this.space.params) out[p.name] = sampleUniform(p, rng);
      return out;
    }
    const sign = this.higherIsBetter ? -1 : 1;
    const keys = done.map((t) => rankKey(t, sign));
    const ranked = done
      .map((_, i) => i)
      .sort((a, b) => keys[a]![0] - keys[b]![0] || keys[a]![1] - keys[b]![1] || a - b);
    const nBelow = gamma(n);
    // chronological order within each set (the weights ramp by age)
    const below = ranked.slice(0, nBelow).sort((a, b) => a - b);
    const above = ranked.slice(nBelow).sort((a, b) => a - b);
    for (const p of this.space.params) {
      const l = new ParzenEstimator(
        p,
        below.map((i) => done[i]!.params[p.name]!),
      );
      const g = new ParzenEstimator(
        p,
        above.map((i) => done[i]!.params[p.name]!),
      );
      const candidates = l.sample(rng, N_EI_CANDIDATES);
      const logL = l.logPdf(candidates);
      const logG = g.logPdf(candidates);
      let best = 0;
      for (let i = 1; i < candidates.length; i++)
        if (logL[i]! - logG[i]! > logL[best]! - logG[best]!) best = i;
      out[p.name] = candidates[best]!;
    }
    return out;
  }
}
