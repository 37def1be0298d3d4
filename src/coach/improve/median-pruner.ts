/**
 * The median rule (Optuna's MedianPruner, Google Vizier's median stopping rule): a trial whose best
 * objective so far, at some epoch, is worse than the median of the finished trials' best-so-far values at
 * that same epoch (on the same evaluation unit) is losing, and stops there, so that the budget pays for
 * seeds and folds instead. It waits for STARTUP finished trials (the median of one or two trials is one
 * trial's luck) and for WARMUP epochs (the first epochs of a warm-up say little about the end).
 *
 * Only the first evaluation unit is watched: a trial that passes it runs on every unit, so that the keep
 * rule gets its full paired comparison (pruning the fifth fold of a trial would waste the four before it).
 *
 * Pruning depends only on finished trials' recorded curves, so a resumed study prunes exactly as an
 * uninterrupted one.
 */
import type { Objective } from "./objective.js";
import type { TrialResult } from "./trial.js";

export const STARTUP = 3;
export const MIN_WARMUP = 5;

export class MedianPruner {
  /** Per unit, the finished trials' best-so-far curves. */
  private readonly curves = new Map<number, number[][]>();

  constructor(
    readonly objective: Objective,
    /** Epochs before which nothing is pruned (at least MIN_WARMUP). */
    readonly warmup = MIN_WARMUP,
  ) {}

  /** Adds a finished trial's curves (pruned and failed trials do not set the median). */
  record(r: TrialResult): void {
    if (r.status !== "done") return;
    for (const u of r.units) {
      const running: number[] = [];
      let best = Number.NaN;
      for (const v of u.curve) {
        if (Number.isFinite(v)) best = Number.isFinite(best) ? this.objective.better(v, best) : v;
        running.push(best);
      }
      const list = this.curves.get(u.unit) ?? [];
      list.push(running);
      this.curves.set(u.unit, list);
    }
  }

  shouldPrune(unit: number, epoch: number, bestSoFar: number): boolean {
    if (unit !== 0 || epoch < Math.max(MIN_WARMUP, this.warmup) || !Number.isFinite(bestSoFar)) return false;
    const at = (this.curves.get(unit) ?? [])
      .map((c) => c[Math.min(epoch, c.length) - 1])
      .filter((v): v is number => v !== undefined && Number.isFinite(v));
    if (at.length < STARTUP) return false;
    const sorted = [...at].sort((a, b) => a - b);
    const k = sorted.length >> 1;
    const median = sorted.length % 2 ? sorted[k]! : (sorted[k - 1]! + sorted[k]!) / 2;
    return this.objective.higherIsBetter ? bestSoFar < median : bestSoFar > median;
  }
}
