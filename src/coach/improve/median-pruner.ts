/**
 * The median rule (Optuna's MedianPruner, Google Vizier's median stopping rule), made conservative so that
 * it stops only trials that are clearly losing: a trial whose best objective so far, at some epoch in the
 * second half of its planned epochs, is worse than the lower quartile (QUANTILE) of the finished trials'
 * best-so-far values at that same epoch (on the same evaluation unit) stops there, so that the budget pays
 * for seeds and folds instead. The plain median, from epoch 5, stopped 8 of 12 trials on breast_cancer:
 * under a warm-up and a cosine schedule a slow starter (a lower learning rate, a plateau schedule) trails
 * early and catches up late, and at accuracies near 1 half of all trials trail the median by one row.
 * It waits for STARTUP finished trials (the quartile of one or two trials is one trial's luck).
 *
 * Only the first evaluation unit is watched: a trial that passes it runs on every unit, so that the keep
 * rule gets its full paired comparison (pruning the fifth fold of a trial would waste the four before it).
 *
 * Pruning depends only on finished trials' recorded curves, so a resumed study prunes exactly as an
 * uninterrupted one. A study records a step's trials only after the whole step (improve.ts), so the trials
 * of one step, run one after another or at once on a worker pool, are judged against the same curves;
 * `snapshot`/`fromSnapshot` carry those curves to a trial running in another process or machine.
 */
import type { Objective } from "./objective.js";
import type { TrialResult } from "./trial.js";

export const STARTUP = 3;
export const MIN_WARMUP = 5;
/** A trial is clearly losing below this quantile of the finished trials (0.5 would be the plain median). */
export const QUANTILE = 0.25;

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

  /** The watched unit's curves (what a trial in another process needs to prune as this one would). */
  snapshot(): number[][] {
    return (this.curves.get(0) ?? []).map((c) => [...c]);
  }

  static fromSnapshot(objective: Objective, curves: number[][], warmup = MIN_WARMUP): MedianPruner {
    const p = new MedianPruner(objective, warmup);
    // JSON carries NaN (an epoch without a finite value yet) as null
    p.curves.set(
      0,
      curves.map((c) => c.map((v) => (typeof v === "number" ? v : Number.NaN))),
    );
    return p;
  }

  /** `plannedEpochs`: the trial's epoch limit (nothing is pruned in its first half). */
  shouldPrune(unit: number, epoch: number, bestSoFar: number, plannedEpochs = 0): boolean {
    const warm = Math.max(MIN_WARMUP, this.warmup, Math.ceil(plannedEpochs / 2));
    if (unit !== 0 || epoch < warm || !Number.isFinite(bestSoFar)) return false;
    const at = (this.curves.get(unit) ?? [])
      .map((c) => c[Math.min(epoch, c.length) - 1])
      .filter((v): v is number => v !== undefined && Number.isFinite(v));
    if (at.length < STARTUP) return false;
    // oriented so that larger is better, the lower QUANTILE of the finished trials
    const sorted = at.map((v) => (this.objective.higherIsBetter ? v : -v)).sort((a, b) => a - b);
    const pos = QUANTILE * (sorted.length - 1);
    const lo = Math.floor(pos);
    const q = sorted[lo]! + (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!) * (pos - lo);
    return (this.objective.higherIsBetter ? bestSoFar : -bestSoFar) < q;
  }
}
