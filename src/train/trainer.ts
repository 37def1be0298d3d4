/**
 * Compiles a model, its loss and its optimizer into three ONNX graphs and runs them:
 * - the training step: forward, loss, backward, gradient clipping and the optimizer update in one graph,
 *   with parameters, optimizer slots and running statistics passed in and returned each step;
 * - the evaluation step: per-sample loss and outputs with running statistics;
 * - the prediction graph: outputs only, with the weights baked in (this is the exported model.onnx).
 * Learning rate, step counter and loss scale are runtime inputs, so schedules never recompile.
 */
import fs from "node:fs";
import path from "node:path";
import type * as ort from "onnxruntime-common";
import { emitModel } from "../engine/emit.js";
import type { DType, Tensor } from "../engine/graph.js";
import * as T from "../engine/ops.js";
import {
  CompiledGraph,
  makeTensor,
  type RuntimeOptions,
  runtimeThreads,
  type TypedArray,
} from "../engine/runtime.js";
import { BuildContext, type NoiseSpec, type ParamSpec, type StateSpec } from "../nn/build-context.js";
import { initialize } from "../nn/initializers.js";
import type { Loss } from "../nn/losses/loss.js";
import type { Model } from "../nn/model.js";
import { AdamKernel } from "../optim/adam-kernel.js";
import type { Optimizer } from "../optim/optimizer.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { Random } from "../util/random.js";
import { buildUpdate, FLAT_PREFIX, type FlatGroup } from "./update-step.js";

export interface TrainerOptions extends RuntimeOptions {
  seed?: number;
  /** Compute dtype; float64 is for exact checks (CPU kernels permitting). */
  dtype?: DType;
  /** Clip gradients by global L2 norm. */
  clipNorm?: number;
  /** Clip each gradient element to [-v, v]. */
  clipValue?: number;
  /** Parameter names (or layer names) that are not trained. */
  frozen?: Iterable<string>;
  /** Learning-rate multiplier per parameter or layer name (discriminative fine-tuning). */
  lrScales?: Record<string, number>;
}

export interface StepResult {
  loss: number;
  /** Global L2 norm of the gradients before clipping. */
  gradNorm: number;
  /** Pre-clip L2 gradient norm per layer, in `trainer.layerNames` order. */
  layerGradNorms: Float32Array | Float64Array;
}

export interface Batch {
  x: TypedArray;
  y: TypedArray;
  /** Per-sample weights (default 1). */
  weight?: TypedArray;
  n: number;
}

type FloatArray = Float32Array | Float64Array;

/**
 * One flat vector the training step updates (a parameter group's parameters, or one of its optimizer
 * slots), double-buffered: the step reads `bufs[cur]` and writes the other, then `cur` flips. `values`
 * holds, for each member, its view into the current buffer. With the fused update (see FusedGroup) there
 * is one buffer, updated in place.
 */
interface FlatValue {
  /** Graph input name; the step's output is `new/<input>`. */
  input: string;
  /** Keys in `values` (`<param>` or `<param>#<slot>`) and where they sit in the vector. */
  members: (FlatGroup["members"][number] & { key: string })[];
  bufs: FloatArray[];
  /** Per buffer, the members' views. */
  views: FloatArray[][];
  /** Per buffer, its ORT tensor. */
  tensors: ort.Tensor[];
  cur: number;
}

/**
 * A parameter group whose optimizer update runs in a fused kernel after the graph (Optimizer.fusedStep):
 * the graph writes each member's gradient into its place in `grad` (`grad/<group>/<k>`, over views of it)
 * and returns the update's scalars as `coef/<group>`.
 */
interface FusedGroup {
  name: string;
  param: FlatValue;
  slots: Float32Array[];
  grad: Float32Array;
  /** Per member: the graph output's name, the ORT tensor over its view of `grad`, and the view. */
  gradOutputs: { output: string; tensor: ort.Tensor; view: Float32Array }[];
}

/**
 * `NNCOACH_FUSED_UPDATE=0` keeps the optimizer's elementwise update inside the ONNX graph (twelve kernels
 * per group for Adam) instead of the fused WebAssembly kernel (optim/adam-kernel.ts); both give the same
 * numbers bit for bit. For comparisons.
 */
export const FUSED_UPDATE_ENV = "NNCOACH_FUSED_UPDATE";

export class Trainer {
  readonly dtype: DType;
  readonly paramSpecs: ParamSpec[] = [];
  readonly stateSpecs: StateSpec[] = [];
  /** Current values: parameters, optimizer slots (`<param>#<slot>`) and running statistics. */
  readonly values = new Map<string, FloatArray>();
  /** Layers with trainable parameters, in order (for per-layer gradient norms). */
  readonly layerNames: string[] = [];
  /** Optimizer steps taken so far. */
  step = 0;
  private trainGraph?: CompiledGraph;
  private evalGraph?: CompiledGraph;
  private probeGraph?: CompiledGraph;
  private trainable: string[] = [];
  private noiseSpecs: NoiseSpec[] = [];
  private readonly shapes = new Map<string, number[]>();
  /** Second buffer of every updated running statistic: the training step writes into it, then the two swap. */
  private readonly spare = new Map<string, FloatArray>();
  /** The flat buffers of the parameter groups and their slots (see update-step.ts), by graph input name. */
  private flats: FlatValue[] = [];
  private fused: FusedGroup[] = [];
  private kernel?: AdamKernel;
  /** Graph inputs among the flats (fused slots are not). */
  private fedFlats: FlatValue[] = [];
  private readonly tensorCache = new WeakMap<FloatArray, ort.Tensor>();
  private ones?: FloatArray;
  private readonly noiseBuffers = new Map<string, FloatArray>();
  private readonly feedCache = new WeakMap<TypedArray, Map<string, ort.Tensor>>();
  private readonly scalars = new Map<string, { data: FloatArray; tensor: ort.Tensor }>();
  /** Draws the dropout noise; its state is part of a checkpoint. */
  noiseRng: Random;
  /** Width of the model's output (logits or values). */
  outputUnits = 0;

  constructor(
    readonly model: Model,
    readonly loss: Loss,
    readonly optimizer: Optimizer,
    readonly opts: TrainerOptions = {},
  ) {
    this.dtype = opts.dtype ?? "float32";
    this.noiseRng = Random.derive(opts.seed ?? 0, "dropout");
  }

  /** Values per sample in the target tensor (1 for class indices). */
  get targetWidth(): number {
    return this.loss.targetShape(this.outputUnits).reduce((a, d) => a * d, 1);
  }

  /** Whether the training step updates the parameter `name` (not frozen). */
  isTrainable(name: string): boolean {
    return this.trainable.includes(name);
  }

  private isFrozen(p: ParamSpec): boolean {
    const f = new Set(this.opts.frozen ?? []);
    return f.has(p.name) || f.has(p.layer);
  }

  private lrScale(p: ParamSpec): number {
    const s = this.opts.lrScales ?? {};
    return s[p.name] ?? s[p.layer] ?? 1;
  }

  private array(n: number): FloatArray {
    return this.dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  }

  /** Builds and compiles the training and evaluation graphs and initializes the weights (seeded). */
  async compile(): Promise<void> {
    const dtype = this.dtype;
    const seed = this.opts.seed ?? 0;
    // layers named frozen (or holding a frozen parameter) keep BatchNorm statistics fixed
    const frozenLayers = new Set<string>();
    for (const f of this.opts.frozen ?? []) {
      frozenLayers.add(f);
      if (f.includes(".")) frozenLayers.add(f.slice(0, f.lastIndexOf(".")));
    }
    const ctxT = new BuildContext(dtype, true, seed, frozenLayers);
    const xT = T.input("x", ["N", ...this.model.inputShape], dtype);
    const logitsT = this.model.apply(ctxT, xT);
    this.outputUnits = logitsT.shape[logitsT.rank - 1] as number;

    const y = T.input(
      "y",
      ["N", ...this.loss.targetShape(this.outputUnits)],
      this.loss.targetDType === "int64" ? "int64" : dtype,
    );
    const w = T.input("weight", ["N"], dtype);
    const lr = T.input("lr", [], dtype);
    const step = T.input("step", [], dtype);
    const lossScale = T.input("loss_scale", [], dtype);
    const perSample = this.loss.perSample(logitsT, y);
    const lossT = T.div(T.reduceSum(T.mul(perSample, w)), T.reduceSum(w));

    const params = [...ctxT.params.values()];
    this.paramSpecs.push(...params.map((p) => p.spec));
    this.stateSpecs.push(...[...ctxT.states.values()].map((s) => s.spec));
    const trainable = params.filter((p) => !this.isFrozen(p.spec));
    this.trainable = trainable.map((p) => p.spec.name);
    const outputs: Record<string, Tensor> = { loss: lossT };
    // parameters, slots and gradients of the fused update share one WebAssembly memory (a 32-bit one)
    const perGroup = 1 + this.optimizer.slotNames.length;
    const flatValues = trainable.reduce(
      (a, p) => a + AdamKernel.footprint(p.spec.shape.reduce((x, d) => x * d, 1) + 3),
      0,
    );
    const fused =
      dtype === "float32" &&
      this.optimizer.fusedStep !== undefined &&
      process.env[FUSED_UPDATE_ENV] !== "0" &&
      AdamKernel.fits((perGroup + 1) * flatValues);
    const upd = buildUpdate({
      fused,
      params: trainable.map((p) => ({ spec: p.spec, node: p.node, lrScale: this.lrScale(p.spec) })),
      loss: lossT,
      optimizer: this.optimizer,
      lr,
      step,
      lossScale,
      clipNorm: this.opts.clipNorm,
      clipValue: this.opts.clipValue,
    });
    Object.assign(outputs, upd.outputs);
    this.layerNames.push(...upd.layerNames);
    this.kernel = fused
      ? new AdamKernel(upd.groups.reduce((a, g) => a + (perGroup + 1) * AdamKernel.footprint(g.size), 0))
      : undefined;
    this.flats = upd.groups.flatMap((g) =>
      ["", ...this.optimizer.slotNames.map((s) => `#${s}`)].map((suffix) =>
        this.flatValue(
          `${g.name}${suffix}`,
          g.members.map((m) => ({ ...m, key: `${m.name}${suffix}` })),
          g.size,
        ),
      ),
    );
    this.fused = fused
      ? upd.groups.map((g, i) => {
          const grad = this.kernel!.alloc(g.size);
          return {
            name: g.name,
            param: this.flats[i * perGroup]!,
            slots: this.flats
              .slice(i * perGroup + 1, (i + 1) * perGroup)
              .map((f) => f.bufs[0] as Float32Array),
            grad,
            gradOutputs: g.members.map((m, k) => {
              const view = grad.subarray(m.offset, m.offset + m.size);
              return {
                output: `grad/${g.name}/${k}`,
                tensor: makeTensor(dtype, view, this.shapeOf(m.name)),
                view,
              };
            }),
          };
        })
      : [];
    this.fedFlats = fused ? this.fused.map((f) => f.param) : this.flats;
    for (const s of ctxT.states.values()) if (s.update) outputs[`new/${s.spec.name}`] = s.update;

    const trainInputs = [
      xT,
      y,
      w,
      lr,
      step,
      lossScale,
      ...params.map((p) => p.node),
      ...upd.flatInputs,
      ...[...ctxT.states.values()].map((s) => s.node),
      ...[...ctxT.noise.values()].map((s) => s.node),
    ];
    this.noiseSpecs = [...ctxT.noise.values()].map((s) => s.spec);
    const trainBytes = emitModel({
      inputs: trainInputs,
      outputs,
      threads: runtimeThreads(this.opts),
    });
    if (process.env.NNCOACH_DUMP_GRAPHS)
      fs.writeFileSync(path.join(process.env.NNCOACH_DUMP_GRAPHS, "train.onnx"), trainBytes);
    this.trainGraph = await CompiledGraph.create(trainBytes, this.opts);

    // ---- evaluation graph
    const ev = this.buildInference();
    const yE = T.input(
      "y",
      ["N", ...this.loss.targetShape(this.outputUnits)],
      this.loss.targetDType === "int64" ? "int64" : dtype,
    );
    const perE = this.loss.perSample(ev.logits, yE);
    this.evalGraph = await CompiledGraph.create(
      emitModel({
        inputs: [
          ev.x,
          yE,
          ...[...ev.ctx.params.values()].map((p) => p.node),
          ...[...ev.ctx.states.values()].map((s) => s.node),
        ],
        outputs: { per_sample_loss: perE, output: this.loss.output(ev.logits) },
      }),
      this.opts,
    );
    this.initialize();
  }

  private buildInference() {
    const ctx = new BuildContext(this.dtype, false, this.opts.seed ?? 0);
    const x = T.input("x", ["N", ...this.model.inputShape], this.dtype);
    return { ctx, x, logits: this.model.apply(ctx, x) };
  }

  /** (Re)initializes weights from the seed and zeroes optimizer state. */
  initialize(): void {
    const rng = Random.derive(this.opts.seed ?? 0, "init");
    for (const p of this.paramSpecs) {
      const size = p.shape.reduce((a, d) => a * d, 1);
      // pretrained weights (model.initialValues) take the place of the initializer
      const v = this.model.initialValues?.get(p.name) ?? initialize(p.init, size, p.fans, rng);
      if (v.length !== size) throw new Error(`${p.name}: ${v.length} initial values for shape [${p.shape}]`);
      const arr = this.array(v.length);
      arr.set(v);
      this.values.set(p.name, arr);
    }
    for (const name of this.trainable) {
      const size = this.values.get(name)!.length;
      for (const s of this.optimizer.slotNames) this.values.set(`${name}#${s}`, this.array(size));
    }
    for (const s of this.stateSpecs) {
      const arr = this.array(s.shape.reduce((a, d) => a * d, 1)).fill(s.fill);
      const pre = this.model.initialValues?.get(s.name);
      if (pre && pre.length === arr.length) arr.set(pre);
      this.values.set(s.name, arr);
    }
    this.step = 0;
    this.noiseRng = Random.derive(this.opts.seed ?? 0, "dropout");
  }

  private shapeOf(name: string): number[] {
    let shape = this.shapes.get(name);
    if (!shape) {
      const base = name.split("#")[0]!;
      const spec =
        this.paramSpecs.find((p) => p.name === base) ?? this.stateSpecs.find((s) => s.name === base);
      if (!spec) throw new Error(`no value named '${name}'`);
      shape = spec.shape;
      this.shapes.set(name, shape);
    }
    return shape;
  }

  /** The ORT tensor wrapping a value's current buffer (cached per buffer: buffers alternate, see spare). */
  private tensor(name: string, data: FloatArray = this.values.get(name)!): ort.Tensor {
    let t = this.tensorCache.get(data);
    if (!t) {
      t = makeTensor(this.dtype, data, this.shapeOf(name));
      this.tensorCache.set(data, t);
    }
    return t;
  }

  private dataFeeds(b: Batch): Record<string, ort.Tensor> {
    const xs = [b.n, ...this.model.inputShape];
    const yShape = [b.n, ...this.loss.targetShape(this.outputUnits)];
    return {
      x: this.feedTensor(this.dtype, b.x, xs),
      y: this.feedTensor(this.loss.targetDType === "int64" ? "int64" : this.dtype, b.y, yShape),
    };
  }

  /**
   * The ORT tensor over `data` with `dims`, reused while the same array comes back with the same shape
   * (batch buffers are reused from step to step, and an ORT tensor reads its array when the step runs).
   */
  private feedTensor(dtype: DType, data: TypedArray, dims: number[]): ort.Tensor {
    const key = dims.join(",");
    let byDims = this.feedCache.get(data);
    if (!byDims) {
      byDims = new Map();
      this.feedCache.set(data, byDims);
    }
    let t = byDims.get(key);
    if (!t) {
      t = makeTensor(dtype, data, dims);
      byDims.set(key, t);
    }
    return t;
  }

  /** A scalar input's tensor, over a one-element array that each step overwrites. */
  private scalarTensor(name: string, v: number): ort.Tensor {
    let s = this.scalars.get(name);
    if (!s) {
      const data = this.array(1);
      s = { data, tensor: makeTensor(this.dtype, data, []) };
      this.scalars.set(name, s);
    }
    s.data[0] = v;
    return s.tensor;
  }

  private flatValue(input: string, members: FlatValue["members"], size: number): FlatValue {
    const bufs = this.kernel ? [this.kernel.alloc(size)] : [this.array(size), this.array(size)];
    const views = bufs.map((b) => members.map((m) => b.subarray(m.offset, m.offset + m.size)));
    const tensors = bufs.map((b) => makeTensor(this.dtype, b, [size]));
    return { input, members, bufs: [...bufs], views, tensors, cur: 0 };
  }

  /**
   * Makes `values` of grouped parameters and slots views into the current flat buffers: a value that was
   * replaced (initialize, restore, a checkpoint) is copied in first. Cheap when nothing changed: one
   * comparison per value.
   */
  private syncFlats(): void {
    for (const f of this.flats) {
      const views = f.views[f.cur]!;
      for (let i = 0; i < f.members.length; i++) {
        const key = f.members[i]!.key;
        const v = this.values.get(key);
        if (v === views[i]) continue;
        if (v) views[i]!.set(v);
        this.values.set(key, views[i]!);
      }
    }
  }

  /**
   * Fresh uniform noise of shape `dims` for the noise input `name`, in a buffer reused from step to step
   * (the step has read it by the time the next one fills it).
   */
  private noiseTensor(name: string, dims: number[]): ort.Tensor {
    const size = dims.reduce((a, d) => a * d, 1);
    let buf = this.noiseBuffers.get(name);
    if (!buf || buf.length < size) {
      buf = this.array(size);
      this.noiseBuffers.set(name, buf);
    }
    const u = size === buf.length ? buf : buf.subarray(0, size);
    this.noiseRng.fillUnit(u);
    return this.feedTensor(this.dtype, u, dims);
  }

  /** One optimizer step on a batch with learning rate `lr`. */
  async trainStep(b: Batch, lr: number, lossScale = 1): Promise<StepResult> {
    const g = this.trainGraph;
    if (!g) throw new Error("call compile() first");
    const feeds = this.dataFeeds(b);
    if (!b.weight && (this.ones?.length ?? 0) < b.n) this.ones = this.array(b.n).fill(1);
    feeds.weight = b.weight
      ? this.feedTensor(this.dtype, b.weight, [b.n])
      : makeTensor(this.dtype, this.ones!.subarray(0, b.n), [b.n]);
    feeds.lr = this.scalarTensor("lr", lr);
    feeds.step = this.scalarTensor("step", this.step + 1);
    feeds.loss_scale = this.scalarTensor("loss_scale", lossScale);
    for (const ns of this.noiseSpecs) {
      const dims = ns.shape.map((d) => (typeof d === "number" ? d : b.n));
      feeds[ns.name] = this.noiseTensor(ns.name, dims);
    }
    this.syncFlats();
    for (const f of this.fedFlats) feeds[f.input] = f.tensors[f.cur]!;
    for (const name of g.inputNames) if (!feeds[name]) feeds[name] = this.tensor(name);
    // updated values are written into spare buffers, which then swap with the current ones (no allocation)
    const fetches: Record<string, ort.Tensor | null> = {};
    if (this.kernel) for (const f of this.fused) for (const o of f.gradOutputs) fetches[o.output] = o.tensor;
    else for (const f of this.flats) fetches[`new/${f.input}`] = f.tensors[1 - f.cur]!;
    for (const name of g.outputNames) {
      if (name in fetches) continue;
      if (!name.startsWith("new/")) {
        fetches[name] = null;
        continue;
      }
      const key = name.slice(4);
      let spare = this.spare.get(key);
      if (!spare) {
        spare = this.array(this.values.get(key)!.length);
        this.spare.set(key, spare);
      }
      fetches[name] = this.tensor(key, spare);
    }
    const out = await g.run(feeds, fetches);
    const copy = !g.writesFetchesInPlace;
    for (const f of this.fused) {
      if (copy)
        for (const o of f.gradOutputs) {
          const written = out[o.output]!.data as Float32Array;
          if (written !== o.view) o.view.set(written);
        }
      const coefs = out[`coef/${f.name}`]!.data as Float32Array;
      this.optimizer.fusedStep!(this.kernel!, f.param.bufs[0] as Float32Array, f.grad, f.slots, coefs);
    }
    if (!this.kernel)
      for (const f of this.flats) {
        const next = 1 - f.cur;
        const written = out[`new/${f.input}`]!.data as FloatArray;
        if (copy && written !== f.bufs[next]) f.bufs[next]!.set(written);
        f.cur = next;
        const views = f.views[next]!;
        for (let i = 0; i < f.members.length; i++) this.values.set(f.members[i]!.key, views[i]!);
      }
    for (const name of g.outputNames) {
      if (!name.startsWith("new/") || name.startsWith(`new/${FLAT_PREFIX}`)) continue;
      const key = name.slice(4);
      const cur = this.values.get(key)!;
      const next = this.spare.get(key)!;
      const written = out[name]!.data as FloatArray;
      if (copy && written !== next) next.set(written);
      this.values.set(key, next);
      this.spare.set(key, cur);
    }
    this.step++;
    return {
      loss: Number(out.loss!.data[0]),
      gradNorm: Number(out.grad_norm!.data[0]),
      layerGradNorms: out.layer_grad_norms!.data as FloatArray,
    };
  }

  /** Per-sample losses and outputs (probabilities or values) for a batch, without training. */
  async evaluate(b: Batch): Promise<{ perSampleLoss: FloatArray; output: FloatArray }> {
    const g = this.evalGraph;
    if (!g) throw new Error("call compile() first");
    const feeds = this.dataFeeds(b);
    for (const name of g.inputNames) if (!feeds[name]) feeds[name] = this.tensor(name);
    const out = await g.run(feeds);
    return { perSampleLoss: out.per_sample_loss!.data as FloatArray, output: out.output!.data as FloatArray };
  }

  /**
   * Fraction of units of each ReLU-family activation layer that output <= 0 for every sample of the batch
   * ("dead" units), evaluated with the current weights in inference mode.
   */
  async deadUnits(b: { x: TypedArray; n: number }): Promise<Record<string, number>> {
    if (!this.probeGraph) {
      const ev = this.buildInference();
      const outputs: Record<string, Tensor> = {};
      for (const [name, t] of ev.ctx.reluTaps) outputs[`relu/${name}`] = t;
      if (Object.keys(outputs).length === 0) return {};
      this.probeGraph = await CompiledGraph.create(
        emitModel({
          inputs: [
            ev.x,
            ...[...ev.ctx.params.values()].map((p) => p.node),
            ...[...ev.ctx.states.values()].map((s) => s.node),
          ],
          outputs,
        }),
        this.opts,
      );
    }
    const g = this.probeGraph;
    const feeds: Record<string, ort.Tensor> = {
      x: makeTensor(this.dtype, b.x, [b.n, ...this.model.inputShape]),
    };
    for (const name of g.inputNames) if (!feeds[name]) feeds[name] = this.tensor(name);
    const out = await g.run(feeds);
    const result: Record<string, number> = {};
    for (const [k, t] of Object.entries(out)) {
      const v = t.data as FloatArray;
      const units = v.length / b.n;
      let dead = 0;
      for (let u = 0; u < units; u++) {
        let alive = false;
        for (let i = 0; i < b.n && !alive; i++) if (v[i * units + u]! > 0) alive = true;
        if (!alive) dead++;
      }
      result[k.slice(5)] = dead / units;
    }
    return result;
  }

  /** Copies of all values (parameters, slots, statistics) and the step counter, e.g. for restore-best. */
  snapshot(): { step: number; values: Map<string, FloatArray> } {
    return { step: this.step, values: new Map([...this.values].map(([k, v]) => [k, v.slice()])) };
  }

  restore(s: { step: number; values: Map<string, FloatArray> }): void {
    for (const [k, v] of s.values) this.values.set(k, v.slice());
    this.step = s.step;
  }

  /**
   * The inference model as ONNX bytes with weights baked in: input "input" [N, ...], output "output"
   * (probabilities, or values mapped back by `outputScale`/`outputShift` for regression).
   */
  exportOnnx(
    o: { outputScale?: number[]; outputShift?: number[]; metadata?: Record<string, string> } = {},
  ): Uint8Array {
    const ctx = new BuildContext(this.dtype, false, this.opts.seed ?? 0);
    const x = T.input("input", ["N", ...this.model.inputShape], this.dtype);
    let out = this.loss.output(this.model.apply(ctx, x));
    if (o.outputScale)
      out = T.add(T.mul(out, T.constant(o.outputScale, this.dtype)), T.constant(o.outputShift!, this.dtype));
    const bake = new Map<string, ArrayLike<number>>();
    for (const p of ctx.params.values()) bake.set(p.spec.name, this.values.get(p.spec.name)!);
    for (const s of ctx.states.values()) bake.set(s.spec.name, this.values.get(s.spec.name)!);
    return emitModel(
      {
        inputs: [
          x,
          ...[...ctx.params.values()].map((p) => p.node),
          ...[...ctx.states.values()].map((s) => s.node),
        ],
        outputs: { output: out },
        bake,
      },
      // the model spec lets loadOnnx (nn/onnx-import.ts) rebuild the exact layers for further training
      { "nncoach.model": JSON.stringify(this.model.spec()), ...o.metadata },
    );
  }

  async saveOnnx(file: string, o: Parameters<Trainer["exportOnnx"]>[0] = {}): Promise<void> {
    const bytes = this.exportOnnx(o);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic(file, bytes);
  }

  async release(): Promise<void> {
    await this.trainGraph?.release();
    await this.evalGraph?.release();
    await this.probeGraph?.release();
  }
}
