/**
 * ONNX import: an inference graph (exported by PyTorch's torch.onnx.export, tf2onnx, or nncoach itself)
 * becomes a trainable `GraphModel`. Each ONNX node maps to an nncoach layer (Conv -> Conv2D, Gemm and
 * MatMul(+Add) -> Dense, BatchNormalization -> BatchNorm, pools, activations, merges, reshapes), weight
 * initializers become parameters (their values are the model's `initialValues`), BatchNorm statistics
 * become running statistics, and shape arithmetic on constants (Shape/Gather/Unsqueeze/Concat feeding a
 * Reshape, as `x.view(x.size(0), -1)` exports) is evaluated at import.
 *
 * Layer names follow the exporter's module names where it gives them: PyTorch's node "/features/features.0/
 * Conv" with weight "features.0.weight" becomes layer "features.0" with parameters "features.0.weight" and
 * "features.0.bias", the names of the PyTorch state dict. (Dense weights are stored [in, out], transposed
 * from PyTorch's [out, in].)
 *
 * Models that nncoach exported carry their model spec in the metadata ("nncoach.model") and are rebuilt
 * from it exactly, with their baked weights as initial values.
 */
import fs from "node:fs";
import { type DecodedModel, type DecodedNode, decodeModel, ONNX_TYPE_NAMES } from "../engine/onnx/decode.js";
import { closestMatch, UserError } from "../errors.js";
import type { ActivationName } from "./activations.js";
import { GraphModel, type GraphModelSpec, type GraphNode, MODEL_INPUT } from "./graph-model.js";
import type { Layer } from "./layer.js";
import { Activation } from "./layers/activation.js";
import { BatchNorm } from "./layers/batch-norm.js";
import { Conv2D } from "./layers/conv2d.js";
import { Dense } from "./layers/dense.js";
import { Dropout } from "./layers/dropout.js";
import { Clip, Elementwise, type ElementwiseOp, Softmax, Unary, type UnaryOp } from "./layers/elementwise.js";
import { Flatten } from "./layers/flatten.js";
import { Concatenate, Merge, type MultiInputLayer } from "./layers/merge.js";
import { AvgPool2D, GlobalAvgPool2D, MaxPool2D } from "./layers/pool2d.js";
import { Permute, Reshape } from "./layers/reshape.js";
import { type ModelSpec, Sequential } from "./sequential.js";

/** Metadata key under which nncoach stores the model spec in exported .onnx files. */
export const NNCOACH_MODEL_KEY = "nncoach.model";

/** ONNX ops the importer turns into layers (plus constant-only ops evaluated at import). */
export const SUPPORTED_ONNX_OPS = [
  "Conv",
  "Gemm",
  "MatMul",
  "Add",
  "Sub",
  "Mul",
  "Div",
  "BatchNormalization",
  "Relu",
  "LeakyRelu",
  "Clip",
  "Sigmoid",
  "Tanh",
  "Gelu",
  "Erf",
  "Exp",
  "Log",
  "Sqrt",
  "Neg",
  "Abs",
  "Softplus",
  "MaxPool",
  "AveragePool",
  "GlobalAveragePool",
  "Flatten",
  "Reshape",
  "Transpose",
  "Squeeze",
  "Unsqueeze",
  "Concat",
  "Softmax",
  "Dropout",
  "Identity",
  "Constant",
  "Shape",
  "Gather",
  "Slice",
  "Cast",
  "ConstantOfShape",
] as const;

export interface LoadOnnxOptions {
  /** Input shape without the batch dimension, for models whose input sizes are not fixed in the file. */
  inputShape?: number[];
}

/**
 * Reads an .onnx file into a trainable model whose `initialValues` are the file's weights.
 *
 * @example
 * const model = await loadOnnx("resnet_small.onnx");
 * const trainer = new Trainer(model, new SparseCrossEntropy(), new Adam());
 * await trainer.compile(); // starts from the pretrained weights
 */
export async function loadOnnx(file: string, opts: LoadOnnxOptions = {}): Promise<GraphModel> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(file);
  } catch {
    throw new UserError(`cannot read ONNX model '${file}': no such file`);
  }
  return importOnnx(bytes, file, opts);
}

/** `loadOnnx` on bytes already in memory; `source` names the model in messages. */
export function importOnnx(bytes: Uint8Array, source = "model.onnx", opts: LoadOnnxOptions = {}): GraphModel {
  const model = decodeModel(bytes, source);
  const saved = model.metadata.get(NNCOACH_MODEL_KEY);
  if (saved !== undefined) return fromNncoachSpec(model, saved, source);
  return new Importer(model, source, opts).run();
}

function fromNncoachSpec(model: DecodedModel, saved: string, source: string): GraphModel {
  let spec: ModelSpec | GraphModelSpec;
  try {
    spec = JSON.parse(saved);
  } catch {
    throw new UserError(`${source}: the '${NNCOACH_MODEL_KEY}' metadata is not valid JSON`);
  }
  const values = new Map<string, Float32Array>();
  for (const t of model.graph.initializers)
    if (t.dataType === 1 || t.dataType === 11) values.set(t.name, Float32Array.from(t.data));
  if ((spec as GraphModelSpec).format === "graph") return GraphModel.fromSpec(spec as GraphModelSpec, values);
  return GraphModel.fromSequential(Sequential.fromSpec(spec as ModelSpec), values);
}

// ---- values flowing through the import --------------------------------------------------------------

/** An activation: the output of a layer (or the model input), with its shape excluding the batch. */
interface Act {
  kind: "act";
  ref: string;
  shape: number[];
}
/** A constant tensor; `init` names the initializer it came from unchanged (a parameter candidate). */
interface Const {
  kind: "const";
  dims: number[];
  data: Float64Array;
  float: boolean;
  init?: string;
}
/** A 1-D integer vector whose entries may be the symbolic batch size (shape arithmetic). */
interface Sym {
  kind: "sym";
  values: (number | "N")[];
}
type Val = Act | Const | Sym;

const size = (dims: readonly number[]) => dims.reduce((a, d) => a * d, 1);

function constOf(data: ArrayLike<number>, dims: number[], float: boolean, init?: string): Const {
  return { kind: "const", dims, data: Float64Array.from(data), float, init };
}

function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1]! * dims[i + 1]!;
  return s;
}

/** Numpy broadcasting of two constants. */
function broadcastConst(a: Const, b: Const, f: (x: number, y: number) => number): Const {
  const rank = Math.max(a.dims.length, b.dims.length);
  const da = [...new Array(rank - a.dims.length).fill(1), ...a.dims];
  const db = [...new Array(rank - b.dims.length).fill(1), ...b.dims];
  const dims = da.map((d, i) => {
    if (d !== db[i] && d !== 1 && db[i] !== 1)
      throw new Error(`shapes [${a.dims}] and [${b.dims}] do not broadcast`);
    return Math.max(d, db[i]!);
  });
  const sa = stridesOf(da).map((s, i) => (da[i] === 1 ? 0 : s));
  const sb = stridesOf(db).map((s, i) => (db[i] === 1 ? 0 : s));
  const so = stridesOf(dims);
  const out = new Float64Array(size(dims));
  for (let k = 0; k < out.length; k++) {
    let ia = 0;
    let ib = 0;
    let r = k;
    for (let i = 0; i < rank; i++) {
      const c = Math.floor(r / so[i]!);
      r -= c * so[i]!;
      ia += c * sa[i]!;
      ib += c * sb[i]!;
    }
    out[k] = f(a.data[ia]!, b.data[ib]!);
  }
  return { kind: "const", dims, data: out, float: a.float || b.float };
}

function transposeConst(c: Const, perm: readonly number[]): Const {
  const dims = perm.map((p) => c.dims[p]!);
  const si = stridesOf(c.dims);
  const so = stridesOf(dims);
  const out = new Float64Array(c.data.length);
  for (let k = 0; k < out.length; k++) {
    let r = k;
    let src = 0;
    for (let i = 0; i < dims.length; i++) {
      const idx = Math.floor(r / so[i]!);
      r -= idx * so[i]!;
      src += idx * si[perm[i]!]!;
    }
    out[k] = c.data[src]!;
  }
  return { kind: "const", dims, data: out, float: c.float };
}

function attrInt(n: DecodedNode, key: string, def: number): number {
  const a = n.attributes.get(key);
  return a && (a.kind === "int" || a.kind === "float") ? a.value : def;
}
function attrFloat(n: DecodedNode, key: string, def: number): number {
  const a = n.attributes.get(key);
  return a && (a.kind === "float" || a.kind === "int") ? a.value : def;
}
function attrInts(n: DecodedNode, key: string): number[] | undefined {
  const a = n.attributes.get(key);
  return a && a.kind === "ints" ? a.value : undefined;
}
function attrString(n: DecodedNode, key: string, def: string): string {
  const a = n.attributes.get(key);
  return a && a.kind === "string" ? a.value : def;
}

class Importer {
  private readonly vals = new Map<string, Val>();
  private readonly nodes: GraphNode[] = [];
  private readonly initial = new Map<string, Float32Array>();
  private readonly usedNames = new Set<string>([MODEL_INPUT]);
  private readonly consumers = new Map<string, DecodedNode[]>();
  private readonly skip = new Set<DecodedNode>();
  private readonly opset: number;

  constructor(
    private readonly model: DecodedModel,
    private readonly source: string,
    private readonly opts: LoadOnnxOptions,
  ) {
    this.opset = model.opsets.get("") ?? 13;
  }

  run(): GraphModel {
    const g = this.model.graph;
    for (const t of g.initializers)
      this.vals.set(t.name, constOf(t.data, t.dims, isFloatType(t.dataType), t.name));
    const dataInputs = g.inputs.filter((i) => !this.vals.has(i.name));
    if (dataInputs.length !== 1)
      throw new UserError(
        `${this.source}: nncoach imports models with exactly one data input; this one has ${dataInputs.length}` +
          (dataInputs.length ? ` (${dataInputs.map((i) => i.name).join(", ")})` : ""),
      );
    const inp = dataInputs[0]!;
    if (inp.elemType !== 0 && !isFloatType(inp.elemType))
      throw new UserError(
        `${this.source}: the input '${inp.name}' has type ${ONNX_TYPE_NAMES[inp.elemType] ?? inp.elemType}; nncoach imports models with a float input`,
      );
    const inputShape = this.opts.inputShape ?? this.inputShapeOf(inp.name, inp.shape);
    this.vals.set(inp.name, { kind: "act", ref: MODEL_INPUT, shape: inputShape });
    for (const n of g.nodes)
      for (const i of n.inputs) {
        const list = this.consumers.get(i) ?? [];
        list.push(n);
        this.consumers.set(i, list);
      }
    for (const n of g.nodes) {
      if (this.skip.has(n)) continue;
      if (n.domain !== "" && n.domain !== "ai.onnx") this.unsupported(n, `custom domain '${n.domain}'`);
      this.visit(n);
    }
    const outName = g.outputs[0]?.name;
    const out = outName === undefined ? undefined : this.vals.get(outName);
    if (out?.kind !== "act" || out.ref === MODEL_INPUT)
      throw new UserError(`${this.source}: the graph output '${outName}' does not depend on the input`);
    return new GraphModel(inputShape, this.nodes, out.ref, this.initial);
  }

  private inputShapeOf(name: string, shape: (number | string | null)[] | undefined): number[] {
    if (!shape || shape.length < 2)
      throw new UserError(
        `${this.source}: the input '${name}' has no usable shape (need [batch, ...])`,
        "pass inputShape (e.g. [3, 224, 224]) to loadOnnx",
      );
    const rest = shape.slice(1);
    const bad = rest.findIndex((d) => typeof d !== "number" || d <= 0);
    if (bad >= 0)
      throw new UserError(
        `${this.source}: the input '${name}' has no fixed size in dimension ${bad + 1} (shape [${shape.map((d) => d ?? "?").join(", ")}])`,
        "pass inputShape (e.g. [3, 224, 224]) to loadOnnx",
      );
    return rest as number[];
  }

  private unsupported(n: DecodedNode, why?: string): never {
    const near = closestMatch(n.opType, SUPPORTED_ONNX_OPS);
    throw new UserError(
      `${this.source}: unsupported ONNX op '${n.opType}' in node '${n.name || "(unnamed)"}'${why ? ` (${why})` : ""}`,
      `${near && near !== n.opType ? `did you mean '${near}'? ` : ""}supported ops: ${SUPPORTED_ONNX_OPS.join(", ")}`,
    );
  }

  private fail(n: DecodedNode, what: string): never {
    throw new UserError(`${this.source}: node '${n.name || "(unnamed)"}' (${n.opType}): ${what}`);
  }

  private val(n: DecodedNode, i: number): Val | undefined {
    const name = n.inputs[i];
    if (name === undefined || name === "") return undefined;
    const v = this.vals.get(name);
    if (!v) this.fail(n, `input '${name}' is not produced by an earlier node`);
    return v;
  }

  private act(n: DecodedNode, i: number): Act {
    const v = this.val(n, i);
    if (v?.kind !== "act") this.fail(n, `input ${i} must depend on the model input`);
    return v;
  }

  private konst(n: DecodedNode, i: number, what: string): Const {
    const v = this.val(n, i);
    if (!v) this.fail(n, `needs ${what}`);
    if (v.kind === "sym") {
      if (v.values.includes("N")) this.fail(n, `${what} depends on the batch size`);
      return constOf(v.values as number[], [v.values.length], false);
    }
    if (v.kind !== "const")
      this.fail(n, `${what} must be a constant (an initializer), not computed from the input`);
    return v;
  }

  private intList(n: DecodedNode, i: number, attr: string): number[] | undefined {
    const a = attrInts(n, attr);
    if (a) return a;
    if (n.inputs[i]) return Array.from(this.konst(n, i, attr).data);
    return undefined;
  }

  private name(n: DecodedNode, weight?: string): string {
    let base: string | undefined;
    if (weight && /\.(weight|bias)$/.test(weight) && !weight.startsWith("onnx::"))
      base = weight.replace(/\.(weight|bias)$/, "");
    if (!base) {
      const segs = n.name.split("/").filter((s) => s !== "");
      base = segs.length >= 2 ? segs[segs.length - 2]! : n.opType.toLowerCase();
    }
    base = base.replace(/[^A-Za-z0-9._-]/g, "_") || n.opType.toLowerCase();
    let name = base;
    for (let k = 1; this.usedNames.has(name); k++) name = `${base}_${k}`;
    this.usedNames.add(name);
    return name;
  }

  private add(n: DecodedNode, layer: Layer | MultiInputLayer, inputs: Act[], output = n.outputs[0]!): Act {
    this.nodes.push({ layer, inputs: inputs.map((a) => a.ref) });
    const shapes = inputs.map((a) => a.shape);
    let shape: number[];
    try {
      shape = "applyMany" in layer ? layer.outputShapeOf(shapes) : layer.outputShape(shapes[0]!);
    } catch (e) {
      if (e instanceof UserError) this.fail(n, e.message);
      throw e;
    }
    const v: Act = { kind: "act", ref: layer.name, shape };
    this.vals.set(output, v);
    return v;
  }

  private setInitial(name: string, data: ArrayLike<number>): void {
    this.initial.set(name, Float32Array.from(data));
  }

  private visit(n: DecodedNode): void {
    const out = n.outputs[0]!;
    const ins = n.inputs.map((_, i) => this.val(n, i));
    const anyAct = ins.some((v) => v?.kind === "act");
    if (n.opType === "Constant") {
      this.vals.set(out, this.constantNode(n));
      return;
    }
    if (n.opType === "Identity") {
      this.vals.set(out, ins[0]!);
      return;
    }
    if (!anyAct) {
      this.vals.set(out, this.fold(n, ins));
      return;
    }
    switch (n.opType) {
      case "Conv":
        this.conv(n);
        return;
      case "Gemm":
        this.gemm(n);
        return;
      case "MatMul":
        this.matmul(n);
        return;
      case "BatchNormalization":
        this.batchNorm(n);
        return;
      case "Relu":
      case "Sigmoid":
      case "Tanh":
        this.add(n, new Activation(this.name(n), n.opType.toLowerCase() as ActivationName), [this.act(n, 0)]);
        return;
      case "LeakyRelu":
        this.add(n, new Activation(this.name(n), "leaky_relu", attrFloat(n, "alpha", 0.01)), [
          this.act(n, 0),
        ]);
        return;
      case "Gelu":
        this.add(
          n,
          new Activation(
            this.name(n),
            attrString(n, "approximate", "none") === "tanh" ? "gelu_tanh" : "gelu",
          ),
          [this.act(n, 0)],
        );
        return;
      case "Erf":
      case "Exp":
      case "Log":
      case "Sqrt":
      case "Neg":
      case "Abs":
      case "Softplus":
        this.add(n, new Unary(this.name(n), n.opType.toLowerCase() as UnaryOp), [this.act(n, 0)]);
        return;
      case "Clip": {
        let min = attrFloat(n, "min", Number.NEGATIVE_INFINITY);
        let max = attrFloat(n, "max", Number.POSITIVE_INFINITY);
        if (n.inputs[1]) min = this.konst(n, 1, "min").data[0]!;
        if (n.inputs[2]) max = this.konst(n, 2, "max").data[0]!;
        this.add(n, new Clip(this.name(n), min, max), [this.act(n, 0)]);
        return;
      }
      case "Add":
      case "Sub":
      case "Mul":
      case "Div":
        this.binary(n, ins);
        return;
      case "MaxPool":
      case "AveragePool":
        this.pool(n);
        return;
      case "GlobalAveragePool":
        this.add(n, new GlobalAvgPool2D(this.name(n), true), [this.act(n, 0)]);
        return;
      case "Flatten": {
        const x = this.act(n, 0);
        const axis = attrInt(n, "axis", 1);
        if (axis !== 1 && axis !== -x.shape.length)
          this.fail(n, `Flatten with axis ${axis} (only 1 is supported)`);
        this.add(n, new Flatten(this.name(n)), [x]);
        return;
      }
      case "Reshape":
        this.reshape(n);
        return;
      case "Squeeze":
      case "Unsqueeze":
        this.squeeze(n);
        return;
      case "Transpose": {
        const x = this.act(n, 0);
        const perm = attrInts(n, "perm") ?? [...x.shape.keys(), x.shape.length].reverse();
        if (perm[0] !== 0) this.fail(n, `Transpose with perm [${perm.join(", ")}] moves the batch axis`);
        this.add(n, new Permute(this.name(n), perm.slice(1)), [x]);
        return;
      }
      case "Concat": {
        if (ins.some((v) => v?.kind !== "act"))
          this.fail(n, "Concat of the input with constants is not supported");
        const axis = attrInt(n, "axis", 1);
        this.add(n, new Concatenate(this.name(n), axis), ins as Act[]);
        return;
      }
      case "Softmax": {
        const x = this.act(n, 0);
        let axis = attrInt(n, "axis", this.opset >= 13 ? -1 : 1);
        const rank = x.shape.length + 1;
        if (axis < 0) axis += rank;
        if (this.opset < 13 && axis !== rank - 1)
          this.fail(
            n,
            `Softmax (opset ${this.opset}) over axes ${axis}.. of a rank-${rank} input is not supported`,
          );
        this.add(n, new Softmax(this.name(n), axis), [x]);
        return;
      }
      case "Dropout": {
        const x = this.act(n, 0);
        const ratio = n.inputs[1] ? this.konst(n, 1, "ratio").data[0]! : attrFloat(n, "ratio", 0.5);
        if (n.outputs[1] && this.consumers.get(n.outputs[1])?.length)
          this.fail(n, "the dropout mask output is used");
        if (ratio === 0) this.vals.set(out, x);
        else this.add(n, new Dropout(this.name(n), ratio), [x]);
        return;
      }
      case "Shape": {
        const x = this.act(n, 0);
        const full: (number | "N")[] = ["N", ...x.shape];
        const start = attrInt(n, "start", 0);
        const end = attrInt(n, "end", full.length);
        const norm = (v: number) => Math.min(Math.max(v < 0 ? v + full.length : v, 0), full.length);
        this.vals.set(out, { kind: "sym", values: full.slice(norm(start), norm(end)) });
        return;
      }
      default:
        this.unsupported(n);
    }
  }

  private constantNode(n: DecodedNode): Const {
    const a = n.attributes;
    const t = a.get("value");
    if (t?.kind === "tensor") return constOf(t.value.data, t.value.dims, isFloatType(t.value.dataType));
    const f = a.get("value_float");
    if (f?.kind === "float") return constOf([f.value], [], true);
    const fs_ = a.get("value_floats");
    if (fs_?.kind === "floats") return constOf(fs_.value, [fs_.value.length], true);
    const i = a.get("value_int");
    if (i?.kind === "int") return constOf([i.value], [], false);
    const is = a.get("value_ints");
    if (is?.kind === "ints") return constOf(is.value, [is.value.length], false);
    this.unsupported(n, "a Constant without a numeric value");
  }

  /** Evaluates a node whose inputs are all constants (shape arithmetic, folded parameter expressions). */
  private fold(n: DecodedNode, ins: (Val | undefined)[]): Val {
    const symIn = ins.some((v) => v?.kind === "sym" && v.values.includes("N"));
    if (symIn) return this.foldSym(n, ins);
    const c = (i: number) => this.konst(n, i, `input ${i}`);
    switch (n.opType) {
      case "Cast": {
        const to = attrInt(n, "to", 1);
        const x = c(0);
        const float = isFloatType(to);
        return constOf(float ? x.data : x.data.map(Math.trunc), x.dims, float);
      }
      case "Reshape": {
        const x = c(0);
        const spec = Array.from(c(1).data);
        const dims = spec.map((d, i) => (d === 0 ? x.dims[i]! : d));
        const known = dims.filter((d) => d !== -1).reduce((a, d) => a * d, 1);
        return constOf(
          x.data,
          dims.map((d) => (d === -1 ? x.data.length / known : d)),
          x.float,
        );
      }
      case "Unsqueeze":
      case "Squeeze": {
        const x = c(0);
        const axes = this.intList(n, 1, "axes");
        let dims: number[];
        if (n.opType === "Squeeze")
          dims = axes
            ? x.dims.filter((_, i) => !axes.map((a) => (a < 0 ? a + x.dims.length : a)).includes(i))
            : x.dims.filter((d) => d !== 1);
        else {
          dims = [...x.dims];
          const r = x.dims.length + (axes?.length ?? 0);
          for (const a of [...(axes ?? [])].map((a) => (a < 0 ? a + r : a)).sort((p, q) => p - q))
            dims.splice(a, 0, 1);
        }
        return constOf(x.data, dims, x.float);
      }
      case "Concat": {
        const parts = ins.map((_, i) => c(i));
        const first = parts[0]!;
        let axis = attrInt(n, "axis", 0);
        if (axis < 0) axis += first.dims.length;
        if (first.dims.length !== 1 || axis !== 0) {
          // general concat: move the axis first, join, move back
          const perm = [axis, ...first.dims.keys()].filter((d, i) => i === 0 || d !== axis);
          const moved = parts.map((p) => transposeConst(p, perm));
          const data = Float64Array.from(moved.flatMap((m) => Array.from(m.data)));
          const dims = [moved.reduce((a, m) => a + m.dims[0]!, 0), ...moved[0]!.dims.slice(1)];
          const inv = perm.map((_, i) => perm.indexOf(i));
          return transposeConst({ kind: "const", dims, data, float: first.float }, inv);
        }
        return constOf(
          parts.flatMap((p) => Array.from(p.data)),
          [parts.reduce((a, p) => a + p.data.length, 0)],
          first.float,
        );
      }
      case "Gather": {
        const x = c(0);
        const idx = c(1);
        let axis = attrInt(n, "axis", 0);
        if (axis < 0) axis += x.dims.length;
        const outer = size(x.dims.slice(0, axis));
        const inner = size(x.dims.slice(axis + 1));
        const dim = x.dims[axis]!;
        const data: number[] = [];
        for (let o = 0; o < outer; o++)
          for (const raw of idx.data) {
            const k = raw < 0 ? raw + dim : raw;
            for (let j = 0; j < inner; j++) data.push(x.data[(o * dim + k) * inner + j]!);
          }
        return constOf(data, [...x.dims.slice(0, axis), ...idx.dims, ...x.dims.slice(axis + 1)], x.float);
      }
      case "Shape": {
        const x = c(0);
        return constOf(x.dims, [x.dims.length], false);
      }
      case "Slice": {
        const x = c(0);
        if (x.dims.length !== 1) this.fail(n, "Slice of a constant with more than one dimension");
        const starts = this.intList(n, 1, "starts") ?? [0];
        const ends = this.intList(n, 2, "ends") ?? [x.data.length];
        const steps = n.inputs[4] ? Array.from(c(4).data) : [1];
        const picked = slice1d(Array.from(x.data), starts[0]!, ends[0]!, steps[0]!);
        return constOf(picked, [picked.length], x.float);
      }
      case "ConstantOfShape": {
        const dims = Array.from(c(0).data);
        const v = n.attributes.get("value");
        const fill = v?.kind === "tensor" ? v.value.data[0]! : 0;
        return constOf(
          new Float64Array(size(dims)).fill(fill),
          dims,
          v?.kind === "tensor" ? isFloatType(v.value.dataType) : true,
        );
      }
      case "Add":
      case "Sub":
      case "Mul":
      case "Div":
      case "Pow": {
        const f = {
          Add: (a: number, b: number) => a + b,
          Sub: (a: number, b: number) => a - b,
          Mul: (a: number, b: number) => a * b,
          Div: (a: number, b: number) => a / b,
          Pow: (a: number, b: number) => a ** b,
        }[n.opType];
        return broadcastConst(c(0), c(1), f);
      }
      case "Sqrt":
      case "Neg":
      case "Reciprocal": {
        const x = c(0);
        const f = { Sqrt: Math.sqrt, Neg: (v: number) => -v, Reciprocal: (v: number) => 1 / v }[n.opType];
        return constOf(x.data.map(f), x.dims, x.float);
      }
      case "Transpose": {
        const x = c(0);
        return transposeConst(x, attrInts(n, "perm") ?? [...x.dims.keys()].reverse());
      }
      default:
        this.unsupported(n, "on constants");
    }
  }

  /** Shape arithmetic with the symbolic batch size. */
  private foldSym(n: DecodedNode, ins: (Val | undefined)[]): Sym {
    const list = (i: number): (number | "N")[] => {
      const v = ins[i];
      if (!v) this.fail(n, `missing input ${i}`);
      if (v.kind === "sym") return v.values;
      if (v.kind === "const") return Array.from(v.data);
      this.fail(n, "shape arithmetic on the input's values");
    };
    switch (n.opType) {
      case "Cast":
      case "Unsqueeze":
      case "Squeeze":
      case "Reshape":
        return { kind: "sym", values: list(0) };
      case "Concat":
        return { kind: "sym", values: ins.flatMap((_, i) => list(i)) };
      case "Gather": {
        const xs = list(0);
        const idx = this.konst(n, 1, "indices");
        return { kind: "sym", values: Array.from(idx.data, (k) => xs[k < 0 ? k + xs.length : k]!) };
      }
      case "Slice": {
        const starts = this.intList(n, 1, "starts") ?? [0];
        const ends = this.intList(n, 2, "ends") ?? [Number.MAX_SAFE_INTEGER];
        const steps = n.inputs[4] ? Array.from(this.konst(n, 4, "steps").data) : [1];
        return { kind: "sym", values: slice1d(list(0), starts[0]!, ends[0]!, steps[0]!) };
      }
      default:
        this.fail(n, "arithmetic on the batch size is not supported");
    }
  }

  private conv(n: DecodedNode): void {
    const x = this.act(n, 0);
    const w = this.konst(n, 1, "weights W");
    const b = n.inputs[2] ? this.konst(n, 2, "bias B") : undefined;
    if (w.dims.length !== 4 || x.shape.length !== 3)
      this.fail(n, `only 2-D convolutions are supported (weights [${w.dims.join(", ")}])`);
    const [m, cg, kh, kw] = w.dims as [number, number, number, number];
    const group = attrInt(n, "group", 1);
    if (cg * group !== x.shape[0])
      this.fail(
        n,
        `the input [N, ${x.shape.join(", ")}] has ${x.shape[0]} channel(s) but the weights [${w.dims.join(", ")}] (group ${group}) expect ${cg * group}`,
      );
    const strides = (attrInts(n, "strides") ?? [1, 1]) as [number, number];
    const dil = (attrInts(n, "dilations") ?? [1, 1]) as [number, number];
    const name = this.name(n, w.init);
    const padding = this.pads(n, x.shape, [kh, kw], strides, dil);
    const layer = new Conv2D(name, {
      filters: m,
      kernel: [kh, kw],
      strides,
      padding,
      dilation: dil,
      groups: group,
      useBias: b !== undefined,
    });
    this.setInitial(`${name}.weight`, w.data);
    if (b) this.setInitial(`${name}.bias`, b.data);
    this.add(n, layer, [x]);
  }

  /** Explicit [top, left, bottom, right] pads from `pads` or `auto_pad`. */
  private pads(
    n: DecodedNode,
    shape: number[],
    k: [number, number],
    s: [number, number],
    d: [number, number],
  ): [number, number, number, number] {
    const auto = attrString(n, "auto_pad", "NOTSET");
    if (auto === "NOTSET") {
      const p = attrInts(n, "pads") ?? [0, 0, 0, 0];
      if (p.length !== 4) this.fail(n, `pads [${p.join(", ")}] are not 2-D`);
      return p as [number, number, number, number];
    }
    if (auto === "VALID") return [0, 0, 0, 0];
    const total = [0, 1].map((i) => {
      const len = shape[i + 1]!;
      const out = Math.ceil(len / s[i]!);
      return Math.max((out - 1) * s[i]! + (k[i]! - 1) * d[i]! + 1 - len, 0);
    });
    const small = total.map((t) => Math.floor(t / 2));
    const big = total.map((t, i) => t - small[i]!);
    return auto === "SAME_LOWER"
      ? [big[0]!, big[1]!, small[0]!, small[1]!]
      : [small[0]!, small[1]!, big[0]!, big[1]!];
  }

  private pool(n: DecodedNode): void {
    const x = this.act(n, 0);
    if (x.shape.length !== 3) this.fail(n, "only 2-D pooling is supported");
    if (n.outputs[1] && this.consumers.get(n.outputs[1])?.length) this.fail(n, "the Indices output is used");
    const k = attrInts(n, "kernel_shape") as [number, number] | undefined;
    if (k?.length !== 2) this.fail(n, "needs a 2-D kernel_shape");
    const strides = (attrInts(n, "strides") ?? [1, 1]) as [number, number];
    const dil = (attrInts(n, "dilations") ?? [1, 1]) as [number, number];
    const padding = this.pads(n, x.shape, k, strides, dil);
    const ceil = attrInt(n, "ceil_mode", 0) === 1;
    const name = this.name(n);
    if (n.opType === "MaxPool") {
      this.add(n, new MaxPool2D(name, { kernel: k, strides, padding, dilation: dil, ceil }), [x]);
      return;
    }
    if (dil[0] !== 1 || dil[1] !== 1) this.fail(n, "AveragePool with dilations");
    const countIncludePad = attrInt(n, "count_include_pad", 0) === 1;
    this.add(n, new AvgPool2D(name, { kernel: k, strides, padding, ceil, countIncludePad }), [x]);
  }

  private gemm(n: DecodedNode): void {
    const a = this.act(n, 0);
    if (a.shape.length !== 1)
      this.fail(n, `Gemm needs a 2-D input [N, features], got [N, ${a.shape.join(", ")}]`);
    if (attrInt(n, "transA", 0) !== 0) this.fail(n, "Gemm with transA=1");
    const b = this.konst(n, 1, "weights B");
    const c = n.inputs[2] ? this.konst(n, 2, "bias C") : undefined;
    const alpha = attrFloat(n, "alpha", 1);
    const beta = attrFloat(n, "beta", 1);
    const w = attrInt(n, "transB", 0) ? transposeConst(b, [1, 0]) : b;
    const [inDim, units] = w.dims as [number, number];
    if (inDim !== a.shape[0])
      this.fail(n, `weights [${b.dims.join(", ")}] do not fit input [N, ${a.shape[0]}]`);
    const name = this.name(n, b.init);
    this.setInitial(`${name}.weight`, alpha === 1 ? w.data : w.data.map((v) => v * alpha));
    if (c) {
      if (c.data.length !== 1 && c.data.length !== units)
        this.fail(n, `bias C of shape [${c.dims.join(", ")}]`);
      const bias = Array.from({ length: units }, (_, i) => beta * c.data[c.data.length === 1 ? 0 : i]!);
      this.setInitial(`${name}.bias`, bias);
    }
    this.add(n, new Dense(name, { units, inputDim: inDim, useBias: c !== undefined }), [a]);
  }

  private matmul(n: DecodedNode): void {
    const a = this.act(n, 0);
    const bv = this.val(n, 1);
    if (!bv || bv.kind === "act")
      this.fail(n, "MatMul of two computed tensors (only input x weights) is not supported");
    const b = this.konst(n, 1, "weights");
    if (b.dims.length !== 2) this.fail(n, `MatMul weights must be 2-D, got [${b.dims.join(", ")}]`);
    const [inDim, units] = b.dims as [number, number];
    if (a.shape[a.shape.length - 1] !== inDim)
      this.fail(n, `weights [${b.dims.join(", ")}] do not fit input [N, ${a.shape.join(", ")}]`);
    // MatMul followed by Add of a bias vector: one Dense layer
    const next = this.consumers.get(n.outputs[0]!) ?? [];
    let bias: Const | undefined;
    let addNode: DecodedNode | undefined;
    if (next.length === 1 && next[0]!.opType === "Add") {
      const other = next[0]!.inputs.find((i) => i !== n.outputs[0]);
      const ov = other === undefined ? undefined : this.vals.get(other);
      if (
        ov?.kind === "const" &&
        ov.float &&
        ov.data.length === units &&
        ov.dims[ov.dims.length - 1] === units
      ) {
        bias = ov;
        addNode = next[0]!;
      }
    }
    const name = this.name(n, b.init);
    this.setInitial(`${name}.weight`, b.data);
    if (bias) this.setInitial(`${name}.bias`, bias.data);
    const layer = new Dense(name, { units, inputDim: inDim, useBias: bias !== undefined });
    if (addNode) {
      this.skip.add(addNode);
      this.add(n, layer, [a], addNode.outputs[0]!);
    } else this.add(n, layer, [a]);
  }

  private batchNorm(n: DecodedNode): void {
    const x = this.act(n, 0);
    if (attrInt(n, "training_mode", 0) !== 0) this.fail(n, "BatchNormalization in training mode");
    const scale = this.konst(n, 1, "scale");
    const bias = this.konst(n, 2, "B");
    const mean = this.konst(n, 3, "mean");
    const variance = this.konst(n, 4, "var");
    const c = x.shape[0];
    if ([scale, bias, mean, variance].some((t) => t.data.length !== c))
      this.fail(n, `statistics of ${scale.data.length} channels do not fit input [N, ${x.shape.join(", ")}]`);
    const name = this.name(n, scale.init);
    const momentum = Number((1 - attrFloat(n, "momentum", 0.9)).toPrecision(6));
    this.setInitial(`${name}.weight`, scale.data);
    this.setInitial(`${name}.bias`, bias.data);
    this.setInitial(`${name}.running_mean`, mean.data);
    this.setInitial(`${name}.running_var`, variance.data);
    this.add(n, new BatchNorm(name, { eps: attrFloat(n, "epsilon", 1e-5), momentum }), [x]);
  }

  private binary(n: DecodedNode, ins: (Val | undefined)[]): void {
    const op = n.opType.toLowerCase() as ElementwiseOp;
    const [p, q] = ins;
    if (p?.kind === "act" && q?.kind === "act") {
      this.add(n, new Merge(this.name(n), op), [p, q]);
      return;
    }
    const left = p?.kind !== "act";
    const x = (left ? q : p) as Act;
    const cv = left ? p : q;
    if (!cv) this.fail(n, "missing operand");
    const c = cv.kind === "sym" ? this.konst(n, left ? 0 : 1, "operand") : (cv as Const);
    const name = this.name(n, c.init);
    // a weight tensor (an initializer with more than one value) is trained; scalars and Constant nodes stay fixed
    const trainable = c.init !== undefined && c.data.length > 1;
    if (trainable) this.setInitial(`${name}.operand`, c.data);
    this.add(
      n,
      new Elementwise(name, {
        op,
        shape: c.dims,
        value: trainable ? undefined : Array.from(c.data),
        left,
      }),
      [x],
    );
  }

  private reshape(n: DecodedNode): void {
    const x = this.act(n, 0);
    const sv = this.val(n, 1);
    const spec: (number | "N")[] =
      sv?.kind === "sym" ? sv.values : Array.from(this.konst(n, 1, "shape").data);
    const perSample = size(x.shape);
    if (spec.length === 0) this.fail(n, "reshape to a scalar");
    const rest = spec.slice(1).map((d, i) => (d === 0 ? x.shape[i]! : d));
    if (rest.includes("N")) this.fail(n, "the batch size may only be the first dimension of a reshape");
    const nums = rest as number[];
    const known = nums.filter((d) => d !== -1).reduce((a, d) => a * d, 1);
    const first = spec[0]!;
    const batchFirst =
      first === "N" ||
      first === 0 ||
      (first === -1 && !nums.includes(-1) && known === perSample) ||
      (typeof first === "number" &&
        first > 0 &&
        (nums.includes(-1) ? perSample % known === 0 : known === perSample));
    if (!batchFirst)
      this.fail(
        n,
        `reshape of [N, ${x.shape.join(", ")}] to [${spec.join(", ")}] would mix samples of the batch`,
      );
    this.add(n, new Reshape(this.name(n), nums), [x]);
  }

  private squeeze(n: DecodedNode): void {
    const x = this.act(n, 0);
    const rank = x.shape.length + 1;
    const axes = this.intList(n, 1, "axes");
    let full: number[] = [-1, ...x.shape];
    if (n.opType === "Squeeze") {
      const ax = (axes ?? full.map((d, i) => (d === 1 ? i : -1)).filter((i) => i > 0)).map((a) =>
        a < 0 ? a + rank : a,
      );
      if (ax.includes(0)) this.fail(n, "squeezing the batch axis");
      full = full.filter((_, i) => !ax.includes(i));
    } else {
      if (!axes) this.fail(n, "Unsqueeze without axes");
      const r = rank + axes.length;
      for (const a of axes.map((a) => (a < 0 ? a + r : a)).sort((p, q) => p - q)) {
        if (a === 0) this.fail(n, "unsqueezing before the batch axis");
        full.splice(a, 0, 1);
      }
    }
    this.add(n, new Reshape(this.name(n), full.slice(1)), [x]);
  }
}

function isFloatType(code: number): boolean {
  return code === 1 || code === 10 || code === 11 || code === 16;
}

function slice1d<T>(xs: T[], start: number, end: number, step: number): T[] {
  const len = xs.length;
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  let s = start < 0 ? start + len : start;
  let e = end < 0 ? end + len : end;
  const out: T[] = [];
  if (step > 0) {
    s = clamp(s, 0, len);
    e = clamp(e, 0, len);
    for (let i = s; i < e; i += step) out.push(xs[i]!);
  } else {
    s = clamp(s, -1, len - 1);
    e = clamp(e, -1, len - 1);
    for (let i = s; i > e; i += step) out.push(xs[i]!);
  }
  return out;
}
