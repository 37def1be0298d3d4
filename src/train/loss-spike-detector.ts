/**
 * Online detection of loss spikes in the per-batch training loss, robust to the ordinary noise of
 * mini-batch losses.
 *
 * Batch losses are noisy and skewed: a batch holding a few hard or mislabeled examples costs several
 * times the median batch, and on a 100,000-row run a "3 x the recent median" rule fires hundreds of times
 * on a perfectly healthy run. A spike here is a batch loss that passes three tests at once, each against the
 * previous `window` batch losses (median m, robust spread s = 1.4826 x the median absolute deviation, the
 * estimate of the standard deviation for normal noise that outliers do not inflate):
 *
 * 1. robust outlier: loss > m + `zLimit` x s. With zLimit 6 a normal batch-loss noise passes it about once in
 *    a billion batches; the heavy tail of real batch losses passes it rarely, and tests 2 and 3 catch those;
 * 2. relative jump: loss > `minRatio` x m (default 2): the loss at least doubles;
 * 3. absolute jump: loss - m > `minJump` x L0, where L0 is the median of the run's first 5 batch losses
 *    (the untrained level, e.g. ln(K) for K balanced classes). With minJump 0.5 a spike throws the loss at
 *    least halfway back to where training started; a model that has memorized its training rows (losses of
 *    1e-4 jumping to 1e-2 on a batch with one hard example) is not "spiking".
 *
 * On a healthy 100,000-row run (breast cancer rows resampled with jitter, 4,376 steps) the old rule "3x the
 * median of the last 20" counted 1,155 spikes, this one 5 (late batches of an overconfident model, whose
 * median loss is 3e-5, meeting a hard example); the same data at a learning rate 30 times too high gives
 * 79 in half the steps. The diagnosis rule (loss_spikes) weighs their number against the steps taken.
 *
 * Consecutive spiking batches form one episode (one entry, with its peak and length): an instability that
 * lasts 5 batches is one spike, not 5. Spiking batches stay out of the window until the episode is longer
 * than a fifth of it (then the higher level is the new normal and the episode ends once it is absorbed).
 *
 * @example
 * const d = new LossSpikeDetector();
 * for (const [step, loss] of losses.entries()) d.push(loss, step + 1);
 * d.spikes; // [{ step: 812, loss: 2.3, median: 0.31, batches: 3 }]
 */

/** One spike episode: its first step, its peak loss, the running median before it and its length. */
export interface LossSpike {
  /** Optimizer step (1-based) of the episode's first spiking batch. */
  step: number;
  /** Highest batch loss of the episode. */
  loss: number;
  /** Median of the `window` batch losses before the episode. */
  median: number;
  /** Consecutive spiking batches. */
  batches: number;
}

/** Options of {@link LossSpikeDetector}; defaults are explained in the file's comment. */
export interface LossSpikeDetectorOptions {
  /** Previous batch losses the median and MAD are taken over (whole number >= 5). Default 50. */
  window?: number;
  /** Robust z-score a spike must exceed (> 0). Default 6. */
  zLimit?: number;
  /** A spike must be at least this many times the running median (>= 1). Default 2. */
  minRatio?: number;
  /** A spike must exceed the running median by this share of the run's first losses (>= 0). Default 0.5. */
  minJump?: number;
}

/** The untrained loss level is the median of this many first batch losses (few steps: little learned yet). */
export const INITIAL_BATCHES = 5;

/** 1.4826 x MAD estimates the standard deviation of normal data. */
const MAD_TO_STD = 1.4826;

export class LossSpikeDetector {
  readonly window: number;
  readonly zLimit: number;
  readonly minRatio: number;
  readonly minJump: number;
  /** The spike episodes found so far, in order. */
  readonly spikes: LossSpike[] = [];
  /** Median of the first INITIAL_BATCHES batch losses, the untrained level (NaN until that many were seen). */
  initialLevel = Number.NaN;
  private readonly recent: number[] = [];
  private readonly first: number[] = [];
  private inSpike = false;

  constructor(o: LossSpikeDetectorOptions = {}) {
    this.window = o.window ?? 50;
    this.zLimit = o.zLimit ?? 6;
    this.minRatio = o.minRatio ?? 2;
    this.minJump = o.minJump ?? 0.5;
    if (!Number.isInteger(this.window) || this.window < 5)
      throw new RangeError(`window must be a whole number >= 5, got ${o.window}`);
    if (!(this.zLimit > 0)) throw new RangeError(`zLimit must be > 0, got ${o.zLimit}`);
    if (!(this.minRatio >= 1)) throw new RangeError(`minRatio must be >= 1, got ${o.minRatio}`);
    if (!(this.minJump >= 0)) throw new RangeError(`minJump must be >= 0, got ${o.minJump}`);
  }

  /** Feeds one batch loss; returns the episode when this batch is a spike (new or continued). */
  push(loss: number, step: number): LossSpike | undefined {
    if (!Number.isFinite(loss)) return undefined;
    if (this.first.length < INITIAL_BATCHES) {
      this.first.push(loss);
      if (this.first.length === INITIAL_BATCHES) this.initialLevel = median(this.first);
    }
    let found: LossSpike | undefined;
    // a test needs a full window, so that the median and MAD describe the recent regime
    if (this.recent.length >= this.window && Number.isFinite(this.initialLevel)) {
      const m = median(this.recent);
      const s = MAD_TO_STD * median(this.recent.map((v) => Math.abs(v - m)));
      const spiking =
        loss > m + this.zLimit * s && loss > this.minRatio * m && loss - m > this.minJump * this.initialLevel;
      if (spiking) {
        const last = this.spikes[this.spikes.length - 1];
        if (this.inSpike && last) {
          last.loss = Math.max(last.loss, loss);
          last.batches++;
          found = last;
        } else {
          found = { step, loss, median: m, batches: 1 };
          this.spikes.push(found);
        }
      }
      this.inSpike = spiking;
    }
    // spiking batches stay out of the window, so that a short episode does not become the new normal; an
    // episode longer than a fifth of the window is a new regime, and joins it
    if (!found || found.batches > this.window / 5) {
      this.recent.push(loss);
      if (this.recent.length > this.window) this.recent.shift();
    }
    return found;
  }

  /** Counters to carry over a checkpoint. */
  state(): { recent: number[]; first: number[]; initialLevel: number | null } {
    return {
      recent: [...this.recent],
      first: [...this.first],
      initialLevel: Number.isFinite(this.initialLevel) ? this.initialLevel : null,
    };
  }

  restore(s: { recent: number[]; first: number[]; initialLevel: number | null }): void {
    this.recent.splice(0, this.recent.length, ...s.recent);
    this.first.splice(0, this.first.length, ...s.first);
    this.initialLevel = s.initialLevel ?? Number.NaN;
  }
}

function median(xs: readonly number[]): number {
  const s = Float64Array.from(xs).sort();
  const k = s.length >> 1;
  return s.length % 2 ? s[k]! : (s[k - 1]! + s[k]!) / 2;
}
