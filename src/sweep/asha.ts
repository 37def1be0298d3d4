/**
 * Asynchronous successive halving (ASHA; Li et al. 2020), as Optuna's `SuccessiveHalvingPruner`: rung r
 * sits at epoch min_resource · eta^(min_early_stopping_rate + r); a trial reaching a rung records its
 * objective there and continues only when that value is in the top 1/eta of all values recorded at that
 * rung so far, its own included (while fewer than eta are recorded, only the best continues). The first
 * trial is never stopped; a NaN objective stops a trial at its rung. Decisions use only what is recorded
 * when the trial reaches the rung, so they do not wait for other trials (asynchronous).
 */

export interface AshaOptions {
  /** Epochs before the first rung (default 1). */
  minResource?: number;
  /** eta (default 3). */
  reductionFactor?: number;
  minEarlyStoppingRate?: number;
}

export class AshaPruner {
  readonly minResource: number;
  readonly reductionFactor: number;
  readonly minEarlyStoppingRate: number;
  /** Per rung, the values recorded there, by trial. */
  private readonly rungs: Map<number, number>[] = [];
  /** Per trial, the rungs it has passed. */
  private readonly passed = new Map<number, number>();

  constructor(
    /** True when the objective is maximized. */
    readonly higherIsBetter: boolean,
    o: AshaOptions = {},
  ) {
    this.minResource = o.minResource ?? 1;
    this.reductionFactor = o.reductionFactor ?? 3;
    this.minEarlyStoppingRate = o.minEarlyStoppingRate ?? 0;
  }

  /** The epoch of rung r. */
  rungEpoch(r: number): number {
    return this.minResource * this.reductionFactor ** (this.minEarlyStoppingRate + r);
  }

  /** Called after each epoch of a trial with its objective at that epoch; true: stop the trial now. */
  shouldPrune(trial: number, epoch: number, value: number): boolean {
    let rung = this.passed.get(trial) ?? 0;
    for (;;) {
      if (epoch < this.rungEpoch(rung)) return false;
      if (Number.isNaN(value)) return true;
      const recorded = this.rungs[rung] ?? new Map<number, number>();
      this.rungs[rung] = recorded;
      const competing = [...[...recorded].filter(([t]) => t !== trial).map(([, v]) => v), value];
      recorded.set(trial, value);
      if (!this.promotable(value, competing)) return true;
      rung++;
      this.passed.set(trial, rung);
    }
  }

  private promotable(value: number, competing: number[]): boolean {
    let idx = Math.floor(competing.length / this.reductionFactor) - 1;
    if (idx === -1) idx = 0;
    competing.sort((a, b) => a - b);
    return this.higherIsBetter ? value >= competing[competing.length - 1 - idx]! : value <= competing[idx]!;
  }
}
