/**
 * Health monitors, recorded with the run's history so that its problems can be diagnosed from the numbers
 * afterwards (the coach reads them):
 * - per-layer gradient norms (mean over the epoch's steps) and the global norm's mean and max;
 * - per-layer update-to-weight ratios ‖Δw‖/‖w‖ (healthy training is around 1e-3; much larger means the LR
 *   is too high, much smaller that the layer barely learns), measured every `every` steps;
 * - the fraction of dead ReLU units per activation layer (no positive output on a fixed probe batch);
 * - loss spikes: a batch loss above `spikeFactor` times the median of the previous 20 batch losses.
 * NaN/Inf in the loss or gradients stops training in the fit loop, naming the step and the layers.
 */
import type { BatchLogs, Callback, EpochLogs, FitState } from "./callback.js";

export interface EpochHealth {
  epoch: number;
  gradNorm: { mean: number; max: number };
  layerGradNorm: Record<string, number>;
  updateRatio: Record<string, number>;
  deadRelu: Record<string, number>;
  spikes: { step: number; loss: number; median: number }[];
}

export interface HealthMonitorOptions {
  /** Measure update ratios every this many steps (default 10). */
  every?: number;
  spikeFactor?: number;
  /** Features of a fixed probe batch (row-major) and its size, for dead units. */
  probe?: { x: Float32Array; n: number };
}

export class HealthMonitor implements Callback {
  readonly records: EpochHealth[] = [];
  private readonly every: number;
  private readonly spikeFactor: number;
  private before?: Map<string, ArrayLike<number>>;
  private cur!: {
    sums: number[];
    count: number;
    gnSum: number;
    gnMax: number;
    ratios: Map<string, number[]>;
    spikes: EpochHealth["spikes"];
  };
  private recent: number[] = [];

  constructor(readonly opts: HealthMonitorOptions = {}) {
    this.every = opts.every ?? 10;
    this.spikeFactor = opts.spikeFactor ?? 3;
  }

  onEpochBegin(): void {
    this.cur = { sums: [], count: 0, gnSum: 0, gnMax: 0, ratios: new Map(), spikes: [] };
  }

  onBatchBegin(_b: number, s: FitState): void {
    if (s.trainer.step % this.every !== 0) return;
    // the trainer replaces its arrays each step, so holding the references keeps the pre-step weights
    this.before = new Map();
    for (const p of s.trainer.paramSpecs) this.before.set(p.name, s.trainer.values.get(p.name)!);
  }

  onBatchEnd(_b: number, logs: BatchLogs, s: FitState): void {
    const c = this.cur;
    for (let i = 0; i < logs.layerGradNorms.length; i++)
      c.sums[i] = (c.sums[i] ?? 0) + logs.layerGradNorms[i]!;
    c.count++;
    c.gnSum += logs.gradNorm;
    c.gnMax = Math.max(c.gnMax, logs.gradNorm);
    if (this.recent.length >= 5) {
      const sorted = [...this.recent].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)]!;
      if (logs.loss > this.spikeFactor * median && logs.loss - median > 1e-6)
        c.spikes.push({ step: s.trainer.step, loss: logs.loss, median });
    }
    this.recent.push(logs.loss);
    if (this.recent.length > 20) this.recent.shift();
    if (this.before) {
      const perLayer = new Map<string, { d: number; w: number }>();
      for (const p of s.trainer.paramSpecs) {
        const old = this.before.get(p.name)!;
        const now = s.trainer.values.get(p.name)!;
        if (old === now) continue; // frozen
        let d = 0;
        let w = 0;
        for (let i = 0; i < now.length; i++) {
          const o = old[i]!;
          d += (now[i]! - o) ** 2;
          w += o * o;
        }
        const acc = perLayer.get(p.layer) ?? { d: 0, w: 0 };
        acc.d += d;
        acc.w += w;
        perLayer.set(p.layer, acc);
      }
      for (const [layer, { d, w }] of perLayer) {
        const list = c.ratios.get(layer) ?? [];
        list.push(Math.sqrt(d) / Math.max(Math.sqrt(w), 1e-12));
        c.ratios.set(layer, list);
      }
      this.before = undefined;
    }
  }

  async onEpochEnd(epoch: number, logs: EpochLogs, s: FitState): Promise<void> {
    const c = this.cur;
    const names = s.trainer.layerNames;
    const layerGradNorm: Record<string, number> = {};
    names.forEach((n, i) => {
      layerGradNorm[n] = (c.sums[i] ?? 0) / Math.max(1, c.count);
    });
    const updateRatio: Record<string, number> = {};
    for (const [layer, list] of c.ratios) updateRatio[layer] = list.reduce((a, b) => a + b, 0) / list.length;
    const deadRelu = this.opts.probe ? await s.trainer.deadUnits(this.opts.probe) : {};
    const h: EpochHealth = {
      epoch: epoch + 1,
      gradNorm: { mean: c.gnSum / Math.max(1, c.count), max: c.gnMax },
      layerGradNorm,
      updateRatio,
      deadRelu,
      spikes: c.spikes,
    };
    this.records.push(h);
    logs.grad_norm = h.gradNorm.mean;
  }
}
