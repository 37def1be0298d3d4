/** Random search: every param drawn independently and uniformly (log-uniformly on log scales). */
import type { Random } from "../util/random.js";
import { type Sampler, sampleUniform, type TrialHistoryEntry } from "./sampler.js";
import type { SearchSpace } from "./space.js";

export class RandomSampler implements Sampler {
  readonly name = "random";
  constructor(readonly space: SearchSpace) {}

  suggest(_history: readonly TrialHistoryEntry[], rng: Random): Record<string, number> {
    return Object.fromEntries(this.space.params.map((p) => [p.name, sampleUniform(p, rng)]));
  }
}
