/**
 * Health monitors, recorded with the run's history so that its problems can be diagnosed from the numbers
 * afterwards (the coach's diagnosis, src/coach/diagnosis, reads them):
 * - per-layer gradient norms (mean over the epoch's steps), the same divided by the square root of the
 *   layer's trainable parameter count (the RMS gradient per weight, comparable across layers of different
 *   sizes), and the global norm's mean and max;
 * - per-layer update-to-weight ratios ‖Δw‖/‖w‖ (healthy training is around 1e-3; much larger means the LR
 *   is too high, much smaller that the layer barely learns), measured every `every` steps;
 * - on a fixed probe batch, with the current weights in inference mode:
 *   - the fraction of dead units per ReLU-family activation layer (no positive output for any probe row);
 *   - the saturation of each sigmoid/tanh activation layer: the share of its outputs within
 *     `SATURATION_MARGIN` (0.02) of the function's bounds, where the derivative is at most 8% (sigmoid) or 4%
 *     (tanh) of its peak, so gradients through those units are attenuated at least 12-fold;
 * - loss spikes, by a robust rule that ignores ordinary batch noise (see LossSpikeDetector);
 * - the per-batch training losses, decimated to at most `batchLossPoints` means per epoch (compact enough
 *   to save with the run, detailed enough to read the curve within an epoch).
 * NaN/Inf in the loss or gradients stops training in the fit loop, naming the step and the layers; the
 * epoch in progress is still recorded (marked `partial`), so the last gradient norms before the failure
 * are kept.
 *
 * @example
 * const health = new HealthMonitor({ probe: { x: train.x.subarray(0, 256 * features), n: 256 } });
 * await fit(trainer, train, { epochs: 20, batchSize: 32, lr: 1e-3, validation, callbacks: [health] });
 * health.records.at(-1)?.deadRelu;    // { relu_0: 0.04, relu_1: 0.11 }
 * health.records.at(-1)?.saturation;  // {} (no sigmoid/tanh layers), or { sigmoid_0: 0.93, ... }
 */

import { emitModel } from "../engine/emit.js";
import type { Tensor } from "../engine/graph.js";
import * as T from "../engine/ops.js";
import { CompiledGraph, makeTensor } from "../engine/runtime.js";
import { BuildContext } from "../nn/build-context.js";
import type { BatchLogs, Callback, EpochLogs, FitState } from "./callback.js";
import { type LossSpike, LossSpikeDetector, type LossSpikeDetectorOptions } from "./loss-spike-detector.js";
import type { Trainer } from "./trainer.js";

/** Outputs within this distance of a sigmoid/tanh bound count as saturated. */
export const SATURATION_MARGIN = 0.02;

export interface EpochHealth {
  /** 1-based, as in the epoch logs. */
  epoch: number;
  /** Optimizer steps taken in this epoch. */
  steps: number;
  /** True when training stopped inside this epoch (non-finite loss): its numbers cover the steps taken. */
  partial?: boolean;
  /** Global gradient norm (before clipping): mean and max over the epoch's steps, and at its first step. */
  gradNorm: { mean: number; max: number; first: number };
  layerGradNorm: Record<string, number>;
  /** Mean gradient norm divided by sqrt(trainable parameters of the layer): RMS gradient per weight. */
  layerGradRms: Record<string, number>;
  updateRatio: Record<string, number>;
  /** Mean learning rate of the steps that measured updateRatio (warm-up and schedules move it). */
  updateRatioLr?: number;
  deadRelu: Record<string, number>;
  /** Share of each sigmoid/tanh layer's probe outputs within SATURATION_MARGIN of the bounds. */
  saturation: Record<string, number>;
  spikes: LossSpike[];
  /** Batch losses of the epoch: `values[i]` is the mean of batches i*every .. i*every+every-1. */
  batchLoss: { every: number; values: number[] };
}

export interface HealthMonitorOptions {
  /** Measure update ratios every this many steps (default 10). */
  every?: number;
  /** Options of the loss-spike rule (see LossSpikeDetector). */
  spikes?: LossSpikeDetectorOptions;
  /** Most batch-loss points kept per epoch (default 200); more batches are averaged in groups. */
  batchLossPoints?: number;
  /** Features of a fixed probe batch (row-major) and its size, for dead and saturated units. */
  probe?: { x: Float32Array; n: number };
}

/** Significant digits kept of recorded floats (plenty for diagnosis; keeps saved runs small). */
const DIGITS = 5;
const round = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(DIGITS)) : v);

interface ProbeGraph {
  graph: CompiledGraph;
  taps: { output: string; layer: string; kind: "relu" | "sigmoid" | "tanh" }[];
}

export class HealthMonitor implements Callback {
  readonly records: EpochHealth[] = [];
  private readonly every: number;
  private readonly points: number;
  private readonly detector: LossSpikeDetector;
  private before?: Map<string, ArrayLike<number>>;
  private probeGraph?: ProbeGraph | null;
  private layerSize?: Map<string, number>;
  private cur?: {
    epoch: number;
    sums: number[];
    count: number;
    gnSum: number;
    gnMax: number;
    gnFirst: number;
    ratios: Map<string, number[]>;
    spikes: LossSpike[];
    every: number;
    losses: number[];
    group: { sum: number; n: number };
    ratioLrs: number[];
  };

  constructor(readonly opts: HealthMonitorOptions = {}) {
    this.every = opts.every ?? 10;
    this.points = opts.batchLossPoints ?? 200;
    if (!Number.isInteger(this.every) || this.every < 1)
      throw new RangeError(`every must be a whole number >= 1, got ${opts.every}`);
    if (!Number.isInteger(this.points) || this.points < 1)
      throw new RangeError(`batchLossPoints must be a whole number >= 1, got ${opts.batchLossPoints}`);
    this.detector = new LossSpikeDetector(opts.spikes);
  }

  /** The spike detector's running window, so that a resumed run continues it. */
  state(): unknown {
    return { spikes: this.detector.state() };
  }

  restore(s: never): void {
    const st = s as { spikes?: Parameters<LossSpikeDetector["restore"]>[0] };
    if (st?.spikes) this.detector.restore(st.spikes);
  }

  onEpochBegin(epoch: number, s: FitState): void {
    this.cur = {
      epoch,
      sums: [],
      count: 0,
      gnSum: 0,
      gnMax: 0,
      gnFirst: Number.NaN,
      ratios: new Map(),
      spikes: [],
      every: Math.max(1, Math.ceil(s.stepsPerEpoch / this.points)),
      losses: [],
      group: { sum: 0, n: 0 },
      ratioLrs: [],
    };
  }

  onBatchBegin(_b: number, s: FitState): void {
    if (s.trainer.step % this.every !== 0) return;
    // copies of the trained weights (the step may update them in place); measured steps only
    this.before = new Map();
    for (const p of s.trainer.paramSpecs)
      if (s.trainer.isTrainable(p.name)) this.before.set(p.name, s.trainer.values.get(p.name)!.slice());
  }

  onBatchEnd(_b: number, logs: BatchLogs, s: FitState): void {
    const c = this.cur;
    if (!c) return;
    for (let i = 0; i < logs.layerGradNorms.length; i++)
      c.sums[i] = (c.sums[i] ?? 0) + logs.layerGradNorms[i]!;
    if (c.count++ === 0) c.gnFirst = logs.gradNorm;
    c.gnSum += logs.gradNorm;
    c.gnMax = Math.max(c.gnMax, logs.gradNorm);
    const spike = this.detector.push(logs.loss, s.trainer.step);
    if (spike && spike.batches === 1) c.spikes.push(spike);
    c.group.sum += logs.loss;
    if (++c.group.n === c.every) {
      c.losses.push(round(c.group.sum / c.group.n));
      c.group = { sum: 0, n: 0 };
    }
    if (this.before) {
      const perLayer = new Map<string, { d: number; w: number }>();
      for (const p of s.trainer.paramSpecs) {
        const old = this.before.get(p.name);
        if (!old) continue; // frozen
        const now = s.trainer.values.get(p.name)!;
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
      if (perLayer.size > 0) c.ratioLrs.push(logs.lr);
      this.before = undefined;
    }
  }

  async onEpochEnd(epoch: number, logs: EpochLogs, s: FitState): Promise<void> {
    const h = await this.close(epoch, s, false);
    logs.grad_norm = h.gradNorm.mean;
  }

  /** A run stopped inside an epoch (non-finite loss) keeps that epoch's numbers, marked partial. */
  async onTrainEnd(s: FitState): Promise<void> {
    if (this.cur && this.cur.count > 0) await this.close(this.cur.epoch, s, true);
    await this.probeGraph?.graph.release();
    this.probeGraph = undefined;
  }

  private async close(epoch: number, s: FitState, partial: boolean): Promise<EpochHealth> {
    const c = this.cur!;
    this.cur = undefined;
    const trainer = s.trainer;
    const names = trainer.layerNames;
    const size = this.layerSizes(trainer);
    const layerGradNorm: Record<string, number> = {};
    const layerGradRms: Record<string, number> = {};
    names.forEach((n, i) => {
      const norm = (c.sums[i] ?? 0) / Math.max(1, c.count);
      layerGradNorm[n] = round(norm);
      layerGradRms[n] = round(norm / Math.sqrt(Math.max(1, size.get(n) ?? 1)));
    });
    const updateRatio: Record<string, number> = {};
    for (const [layer, list] of c.ratios)
      updateRatio[layer] = round(list.reduce((a, b) => a + b, 0) / list.length);
    if (c.group.n > 0) c.losses.push(round(c.group.sum / c.group.n));
    const probe = partial ? { deadRelu: {}, saturation: {} } : await this.probe(trainer);
    const h: EpochHealth = {
      epoch: epoch + 1,
      steps: c.count,
      ...(partial ? { partial: true } : {}),
      gradNorm: { mean: round(c.gnSum / Math.max(1, c.count)), max: round(c.gnMax), first: round(c.gnFirst) },
      layerGradNorm,
      layerGradRms,
      updateRatio,
      ...(c.ratioLrs.length
        ? { updateRatioLr: c.ratioLrs.reduce((a, b) => a + b, 0) / c.ratioLrs.length }
        : {}),
      deadRelu: probe.deadRelu,
      saturation: probe.saturation,
      spikes: c.spikes.map((p) => ({ ...p, loss: round(p.loss), median: round(p.median) })),
      batchLoss: { every: c.every, values: c.losses },
    };
    this.records.push(h);
    return h;
  }

  /** Trainable parameters per layer (frozen parameters left out). */
  private layerSizes(trainer: Trainer): Map<string, number> {
    if (!this.layerSize) {
      this.layerSize = new Map();
      const trained = new Set(trainer.layerNames);
      for (const p of trainer.paramSpecs) {
        if (!trained.has(p.layer)) continue;
        const n = p.shape.reduce((a, d) => a * d, 1);
        this.layerSize.set(p.layer, (this.layerSize.get(p.layer) ?? 0) + n);
      }
    }
    return this.layerSize;
  }

  /** Dead ReLU units and saturated sigmoid/tanh outputs on the probe batch. */
  private async probe(
    trainer: Trainer,
  ): Promise<{ deadRelu: Record<string, number>; saturation: Record<string, number> }> {
    const deadRelu: Record<string, number> = {};
    const saturation: Record<string, number> = {};
    const batch = this.opts.probe;
    if (!batch || batch.n === 0) return { deadRelu, saturation };
    if (this.probeGraph === undefined) this.probeGraph = await buildProbeGraph(trainer);
    const pg = this.probeGraph;
    if (!pg) return { deadRelu, saturation };
    const feeds = { x: makeTensor(trainer.dtype, batch.x, [batch.n, ...trainer.model.inputShape]) } as Record<
      string,
      ReturnType<typeof makeTensor>
    >;
    const shapes = new Map<string, number[]>();
    for (const p of trainer.paramSpecs) shapes.set(p.name, p.shape);
    for (const st of trainer.stateSpecs) shapes.set(st.name, st.shape);
    for (const name of pg.graph.inputNames)
      if (!feeds[name]) feeds[name] = makeTensor(trainer.dtype, trainer.values.get(name)!, shapes.get(name)!);
    const out = await pg.graph.run(feeds);
    for (const t of pg.taps) {
      const v = out[t.output]!.data as Float32Array | Float64Array;
      if (t.kind === "relu") deadRelu[t.layer] = round(deadShare(v, batch.n));
      else saturation[t.layer] = round(saturatedShare(v, t.kind));
    }
    return { deadRelu, saturation };
  }
}

/** The inference graph with the outputs of every ReLU-family, sigmoid and tanh activation layer (null: none). */
async function buildProbeGraph(trainer: Trainer): Promise<ProbeGraph | null> {
  const ctx = new BuildContext(trainer.dtype, false, trainer.opts.seed ?? 0);
  const x = T.input("x", ["N", ...trainer.model.inputShape], trainer.dtype);
  trainer.model.apply(ctx, x);
  const outputs: Record<string, Tensor> = {};
  const taps: ProbeGraph["taps"] = [];
  for (const [layer, t] of ctx.reluTaps) {
    outputs[`relu/${layer}`] = t;
    taps.push({ output: `relu/${layer}`, layer, kind: "relu" });
  }
  const seen = new Set<Tensor>();
  for (const [layer, t] of ctx.taps) {
    // layers that pass their input through at inference (dropout) tap the same tensor: count it once
    if ((t.op !== "sigmoid" && t.op !== "tanh") || seen.has(t)) continue;
    seen.add(t);
    outputs[`sat/${layer}`] = t;
    taps.push({ output: `sat/${layer}`, layer, kind: t.op });
  }
  if (taps.length === 0) return null;
  const graph = await CompiledGraph.create(
    emitModel({
      inputs: [
        x,
        ...[...ctx.params.values()].map((p) => p.node),
        ...[...ctx.states.values()].map((s) => s.node),
      ],
      outputs,
    }),
    trainer.opts,
  );
  return { graph, taps };
}

/** Share of units (the values of one row, flattened) with no positive output for any of the n rows. */
export function deadShare(v: ArrayLike<number>, n: number): number {
  const units = v.length / n;
  let dead = 0;
  for (let u = 0; u < units; u++) {
    let alive = false;
    for (let i = 0; i < n && !alive; i++) if (v[i * units + u]! > 0) alive = true;
    if (!alive) dead++;
  }
  return units > 0 ? dead / units : 0;
}

/** Share of outputs within SATURATION_MARGIN of the bounds: (0, 1) for sigmoid, (-1, 1) for tanh. */
export function saturatedShare(v: ArrayLike<number>, kind: "sigmoid" | "tanh"): number {
  let sat = 0;
  for (let i = 0; i < v.length; i++) {
    const y = v[i]!;
    if (
      kind === "sigmoid"
        ? y < SATURATION_MARGIN || y > 1 - SATURATION_MARGIN
        : Math.abs(y) > 1 - SATURATION_MARGIN
    )
      sat++;
  }
  return v.length > 0 ? sat / v.length : 0;
}
