import { UserError } from "../errors.js";
import { largest, smallest } from "../util/extent.js";
import { Random } from "../util/random.js";

/** Rows per class: counts[k] = how many labels equal k (labels are class indices 0..numClasses-1). */
export function classCounts(labels: ArrayLike<number>, numClasses: number): number[] {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new UserError(`numClasses must be a positive integer; got ${numClasses}`);
  }
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i]!;
    if (!Number.isInteger(k) || k < 0 || k >= numClasses) {
      throw new UserError(`label ${i} must be a class index in 0..${numClasses - 1}; got ${k}`);
    }
    counts[k]!++;
  }
  return counts;
}

/**
 * Balanced class weights, scikit-learn's formula: weight_k = n_samples / (n_classes * count_k), so that
 * every class contributes the same total weight to the loss. A class with no rows gets weight 0 and is
 * not counted in n_classes (scikit-learn refuses such a class). Example: counts [90, 10] give [0.5556, 5].
 */
export function balancedClassWeights(counts: readonly number[]): number[] {
  if (counts.length === 0) throw new UserError("class counts must not be empty");
  counts.forEach((c, k) => {
    if (!Number.isInteger(c) || c < 0)
      throw new UserError(`count of class ${k} must be a non-negative integer; got ${c}`);
  });
  const n = counts.reduce((a, b) => a + b, 0);
  if (n === 0) throw new UserError("class counts are all zero");
  const present = counts.filter((c) => c > 0).length;
  return counts.map((c) => (c === 0 ? 0 : n / (present * c)));
}

/**
 * Imbalance ratio: rows of the largest class over rows of the smallest (classes with no rows left out);
 * 1 means balanced. Example: `imbalanceRatio([90, 10]) === 9`.
 */
export function imbalanceRatio(counts: readonly number[]): number {
  const present = counts.filter((c) => c > 0);
  if (present.length === 0) throw new UserError("class counts are all zero");
  return largest(present) / smallest(present);
}

/** A BalancedBatchSampler's position, to save in a checkpoint. */
export interface BalancedBatchSamplerState {
  random: number[];
  queues: number[][];
  positions: number[];
}

/**
 * Yields batches of row indices in which every class is equally represented, oversampling minority
 * classes (their rows repeat within an epoch) and undersampling majority ones, seeded. Each batch gives
 * each class floor(batchSize / classes) slots and the remaining slots to distinct random classes; within a
 * class, rows are drawn from a shuffled queue that is reshuffled when used up, so every row of a class is
 * seen before any repeats. An epoch has ceil(rows / batchSize) batches by default.
 *
 * Example:
 * ```ts
 * const sampler = new BalancedBatchSampler(trainLabels, 64, seed);
 * for (const batch of sampler.epoch()) trainOn(batch); // batch: row positions into trainLabels
 * ```
 */
export class BalancedBatchSampler {
  /** Batches per epoch. */
  readonly batchesPerEpoch: number;
  private readonly rng: Random;
  private queues: number[][];
  private positions: number[];

  /**
   * @param labels class index of each row (the returned indices are positions in this array)
   * @param batchSize rows per batch (>= 1)
   * @param seed seed of the sampling
   * @param batchesPerEpoch batches per epoch; default ceil(labels.length / batchSize)
   */
  constructor(
    labels: ArrayLike<number>,
    readonly batchSize: number,
    seed = 0,
    batchesPerEpoch?: number,
  ) {
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new UserError(`batchSize must be a positive integer; got ${batchSize}`);
    }
    if (labels.length === 0) throw new UserError("BalancedBatchSampler needs at least one row");
    const byClass = new Map<number, number[]>();
    for (let i = 0; i < labels.length; i++) {
      const k = labels[i]!;
      if (!Number.isInteger(k) || k < 0) throw new UserError(`label ${i} must be a class index; got ${k}`);
      const rows = byClass.get(k);
      if (rows) rows.push(i);
      else byClass.set(k, [i]);
    }
    this.rng = Random.derive(seed, "balanced-batch-sampler");
    this.queues = [...byClass.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([, rows]) => this.rng.shuffle(rows));
    this.positions = this.queues.map(() => 0);
    this.batchesPerEpoch = batchesPerEpoch ?? Math.ceil(labels.length / batchSize);
    if (!Number.isInteger(this.batchesPerEpoch) || this.batchesPerEpoch < 1) {
      throw new UserError(`batchesPerEpoch must be a positive integer; got ${batchesPerEpoch}`);
    }
  }

  /** The next batch: batchSize row indices, classes balanced, in random order. */
  nextBatch(): number[] {
    const k = this.queues.length;
    const per = Math.floor(this.batchSize / k);
    const slots = new Array<number>(k).fill(per);
    const extra = this.batchSize - per * k;
    const lucky = this.rng.permutation(k).slice(0, extra);
    for (const c of lucky) slots[c]!++;
    const batch: number[] = [];
    slots.forEach((s, c) => {
      for (let j = 0; j < s; j++) batch.push(this.draw(c));
    });
    return this.rng.shuffle(batch);
  }

  /** One epoch of batches (batchesPerEpoch of them). */
  epoch(): number[][] {
    return Array.from({ length: this.batchesPerEpoch }, () => this.nextBatch());
  }

  private draw(c: number): number {
    const q = this.queues[c]!;
    if (this.positions[c]! >= q.length) {
      this.rng.shuffle(q);
      this.positions[c] = 0;
    }
    return q[this.positions[c]!++]!;
  }

  /** The sampler's position (for checkpoints). */
  getState(): BalancedBatchSamplerState {
    return {
      random: this.rng.getState(),
      queues: this.queues.map((q) => [...q]),
      positions: [...this.positions],
    };
  }

  /** Restores a position saved with getState (from a sampler built on the same labels). */
  setState(state: BalancedBatchSamplerState): void {
    if (state.queues.length !== this.queues.length) {
      throw new UserError(
        `sampler state has ${state.queues.length} classes but this sampler has ${this.queues.length}`,
      );
    }
    this.rng.setState(state.random);
    this.queues = state.queues.map((q) => [...q]);
    this.positions = [...state.positions];
  }
}
