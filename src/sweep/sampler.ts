/**
 * The sampler interface of a sweep: given the trials so far (finished, pruned, failed and still running)
 * and the sweep's random stream, propose the next configuration. Samplers see parameters in their
 * internal form: a number for numeric params (the value itself), the index of the choice for categorical
 * ones; `configOf` turns that into `nncoach train` option values.
 */
import type { Random } from "../util/random.js";
import type { Param, SearchSpace } from "./space.js";

export type TrialState = "running" | "completed" | "pruned" | "failed";

/** What a sampler knows about one trial. */
export interface TrialHistoryEntry {
  id: number;
  /** Internal values by option name (numbers, or choice indices). */
  params: Record<string, number>;
  state: TrialState;
  /** The objective of a completed trial. */
  value?: number;
  /** The objective at each epoch reported so far (index epoch − 1; NaN where none). */
  intermediate: number[];
}

export interface Sampler {
  readonly name: string;
  /** Internal values of the next trial's params, by option name. */
  suggest(history: readonly TrialHistoryEntry[], rng: Random): Record<string, number>;
}

/** The option values of internal params (choices by index; whole numbers rounded). */
export function configOf(space: SearchSpace, internal: Record<string, number>): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const p of space.params) {
    const v = internal[p.name]!;
    config[p.name] = p.kind === "categorical" ? p.choices[v] : p.kind === "int" ? Math.round(v) : v;
  }
  return config;
}

/** One independent uniform draw of a param (log-uniform on log scales), in its internal form. */
export function sampleUniform(p: Param, rng: Random): number {
  if (p.kind === "categorical") return rng.int(p.choices.length);
  return fromUnit(p, rng.next());
}

/** The param value at u in [0, 1) of its range (log-spaced on log scales; whole numbers evenly binned). */
export function fromUnit(p: Param, u: number): number {
  if (p.kind === "categorical") return Math.min(p.choices.length - 1, Math.floor(u * p.choices.length));
  if (p.kind === "int") {
    if (p.log) {
      const lo = Math.log(p.low - 0.5);
      const hi = Math.log(p.high + 0.5);
      return Math.min(p.high, Math.max(p.low, Math.round(Math.exp(lo + (hi - lo) * u))));
    }
    return Math.min(p.high, p.low + Math.floor(u * (p.high - p.low + 1)));
  }
  if (p.log) return Math.exp(Math.log(p.low) + (Math.log(p.high) - Math.log(p.low)) * u);
  return p.low + (p.high - p.low) * u;
}
