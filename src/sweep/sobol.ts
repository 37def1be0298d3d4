/**
 * Sobol low-discrepancy points (Joe and Kuo's direction numbers, Gray-code order, 32-bit), and the Sobol
 * sampler: trial i takes point i of the sequence, with a seeded random digital shift (every coordinate
 * XORed with a random 32-bit word, drawn once per sweep) so that different seeds give different point sets
 * with the same uniformity. Numeric params map the coordinate onto their range (log-spaced on log scales),
 * categorical ones by equal bins.
 */
import { UserError } from "../errors.js";
import type { Random } from "../util/random.js";
import { fromUnit, type Sampler, type TrialHistoryEntry } from "./sampler.js";
import { SOBOL_DIRECTIONS } from "./sobol-directions.js";
import type { SearchSpace } from "./space.js";

const BITS = 32;

/** Direction numbers v_k (k = 0..31, as 32-bit integers) of each of `dims` dimensions. */
function directions(dims: number): Uint32Array[] {
  if (dims > SOBOL_DIRECTIONS.length + 1)
    throw new UserError(
      `the Sobol sampler handles up to ${SOBOL_DIRECTIONS.length + 1} searched options, got ${dims}`,
      "search fewer options, or use --sampler random or tpe",
    );
  const out: Uint32Array[] = [];
  for (let j = 0; j < dims; j++) {
    const v = new Uint32Array(BITS);
    if (j === 0) {
      for (let k = 0; k < BITS; k++) v[k] = (1 << (BITS - 1 - k)) >>> 0;
    } else {
      const [poly, m] = SOBOL_DIRECTIONS[j - 1]!;
      const s = m.length;
      for (let k = 0; k < s; k++) v[k] = (m[k]! << (BITS - 1 - k)) >>> 0;
      for (let k = s; k < BITS; k++) {
        let x = (v[k - s]! ^ (v[k - s]! >>> s)) >>> 0;
        for (let i = 1; i < s; i++) if ((poly >>> (s - i)) & 1) x = (x ^ v[k - i]!) >>> 0;
        v[k] = x;
      }
    }
    out.push(v);
  }
  return out;
}

/** The Sobol sequence in `dims` dimensions: point(i) for i = 0, 1, 2, ... (point 0 is the origin). */
export class SobolSequence {
  private readonly v: Uint32Array[];
  constructor(readonly dims: number) {
    this.v = directions(dims);
  }

  /** The i-th point's coordinates as 32-bit integers (divide by 2^32 for [0, 1)). */
  bits(i: number): Uint32Array {
    const gray = (i ^ (i >>> 1)) >>> 0;
    const x = new Uint32Array(this.dims);
    for (let j = 0; j < this.dims; j++) {
      let acc = 0;
      for (let k = 0; k < BITS; k++) if ((gray >>> k) & 1) acc ^= this.v[j]![k]!;
      x[j] = acc >>> 0;
    }
    return x;
  }

  point(i: number): number[] {
    return Array.from(this.bits(i), (b) => b / 2 ** BITS);
  }
}

export class SobolSampler implements Sampler {
  readonly name = "sobol";
  private readonly seq: SobolSequence;
  private shift: Uint32Array | undefined;
  private next = 0;

  constructor(readonly space: SearchSpace) {
    this.seq = new SobolSequence(space.params.length);
  }

  suggest(_history: readonly TrialHistoryEntry[], rng: Random): Record<string, number> {
    this.shift ??= Uint32Array.from(this.space.params, () => rng.nextUint32());
    const x = this.seq.bits(this.next++);
    return Object.fromEntries(
      this.space.params.map((p, j) => [p.name, fromUnit(p, ((x[j]! ^ this.shift![j]!) >>> 0) / 2 ** BITS)]),
    );
  }
}
