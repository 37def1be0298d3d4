/**
 * Turns a set of output tensors into an ONNX model: a topological walk that asks each op (ops.ts) to
 * write its nodes, with constants as initializers (deduplicated) and named graph inputs and outputs.
 */
import { type DType, type Shape, type Tensor, topoSort } from "./graph.js";
import {
  type AttributeValue,
  encodeModel,
  type GraphData,
  type NodeData,
  OnnxDataType,
  type OnnxDTypeName,
  type TensorData,
  type ValueInfoData,
} from "./onnx/encode.js";
import { opDef } from "./ops.js";

export const OPSET = 17;

/** Typed-array bytes of `values` in `dtype` (float16 is stored via float32 conversion). */
export function encodeValues(values: ArrayLike<number>, dtype: DType): Uint8Array {
  switch (dtype) {
    case "float32":
      return new Uint8Array(Float32Array.from(values).buffer);
    case "float64":
      return new Uint8Array(Float64Array.from(values).buffer);
    case "int64":
      return new Uint8Array(BigInt64Array.from(Array.from(values, (v) => BigInt(Math.trunc(v)))).buffer);
    case "bool":
      return Uint8Array.from(values, (v) => (v ? 1 : 0));
    case "float16": {
      const out = new Uint16Array(values.length);
      for (let i = 0; i < values.length; i++) out[i] = toHalf(values[i]!);
      return new Uint8Array(out.buffer);
    }
  }
}

function toHalf(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const e = ((x >>> 23) & 0xff) - 127 + 15;
  const m = x & 0x7fffff;
  if (e <= 0) return sign;
  if (e >= 31) return sign | 0x7c00 | (Number.isNaN(v) ? 0x200 : 0);
  return sign | (e << 10) | ((m + 0x1000) >>> 13);
}

/** Collects ONNX nodes and initializers while ops emit themselves. */
export class Emitter {
  readonly nodes: NodeData[] = [];
  /** The intra-op thread count the graph will run with (GraphIO.threads). */
  readonly threads: number;
  /** Every tensor of the graph in the order emitted: ops may look at the rest of the graph. */
  readonly order: readonly Tensor[];
  readonly initializers: TensorData[] = [];
  private counter = 0;
  private constants = 0;

  constructor(threads = 1, order: readonly Tensor[] = []) {
    this.threads = threads;
    this.order = order;
  }

  tmp(): string {
    return `_t${this.counter++}`;
  }

  dtypeCode(d: DType): number {
    return OnnxDataType[d as OnnxDTypeName];
  }

  node(
    opType: string,
    inputs: string[],
    outputs: string[],
    attributes?: Record<string, AttributeValue>,
  ): void {
    this.nodes.push({ opType, inputs, outputs, attributes, name: `${opType}_${this.nodes.length}` });
  }

  tensorData(name: string, values: ArrayLike<number>, dtype: DType, dims: readonly number[]): TensorData {
    return { name, dtype: dtype as OnnxDTypeName, dims, raw: encodeValues(values, dtype) };
  }

  initializer(name: string, values: ArrayLike<number>, dtype: DType, dims: readonly number[]): void {
    this.initializers.push(this.tensorData(name, values, dtype, dims));
  }

  private sharedCache = new Map<string, string>();

  /**
   * The value named by `make` the first time `key` is asked for in this graph, the same name after that:
   * nodes that several ops need (an input's patches for a convolution and its weight gradient) are
   * emitted once. The key must name everything the value depends on.
   */
  shared(key: string, make: () => string): string {
    let name = this.sharedCache.get(key);
    if (name === undefined) {
      name = make();
      this.sharedCache.set(key, name);
    }
    return name;
  }

  /** A constant, emitted once per key (through `shared`), named `_c0`, `_c1`, … */
  private cached(key: string, make: (name: string) => void): string {
    return this.shared(key, () => {
      const name = `_c${this.constants++}`;
      make(name);
      return name;
    });
  }

  scalar(v: number, dtype: DType): string {
    return this.cached(`s:${dtype}:${v}`, (n) => this.initializer(n, [v], dtype, []));
  }

  int64Const(values: readonly number[]): string {
    return this.cached(`i:${values.join(",")}`, (n) => this.initializer(n, values, "int64", [values.length]));
  }

  /** A shape as an int64 vector; symbolic dims become -1 (at most one) or 0 (copy) as given. */
  shapeConst(dims: Shape | readonly number[]): string {
    return this.int64Const(dims.map((d) => (typeof d === "number" ? d : -1)));
  }
}

export interface GraphIO {
  /** Graph inputs, in order: placeholders made with `input()`. */
  inputs: readonly Tensor[];
  /** Graph outputs by name. */
  outputs: Readonly<Record<string, Tensor>>;
  /** Placeholders to bake in as initializers instead of inputs (exported models carry their weights). */
  bake?: ReadonlyMap<string, ArrayLike<number>>;
  /**
   * The intra-op thread count the graph will run with (default 1). Ops whose fastest formulation
   * depends on it choose by it (the convolution's input gradient); the values computed are the same up to
   * float rounding.
   */
  threads?: number;
}

/** Builds the ONNX GraphData for the given inputs and outputs. */
export function buildGraph(io: GraphIO, name = "nncoach"): GraphData {
  const order = topoSort(Object.values(io.outputs));
  const e = new Emitter(io.threads ?? 1, order);
  const names = new Map<number, string>();
  for (const t of io.inputs) names.set(t.id, t.inputName!);
  const outNames = new Map<number, string[]>();
  for (const [n, t] of Object.entries(io.outputs)) outNames.set(t.id, [...(outNames.get(t.id) ?? []), n]);

  const inputIds = new Set(io.inputs.map((t) => t.id));
  const baked: TensorData[] = [];
  for (const t of order) {
    if (t.op === "input") {
      const n = t.inputName!;
      names.set(t.id, n);
      const v = io.bake?.get(n);
      if (v) baked.push(e.tensorData(n, v, t.dtype, t.shape as number[]));
      else if (!inputIds.has(t.id)) throw new Error(`graph needs input '${n}' that was not declared`);
      continue;
    }
    const wanted = outNames.get(t.id);
    const out = wanted && t.op !== "const" ? wanted[0]! : e.tmp();
    names.set(t.id, out);
    opDef(t.op).emit(
      e,
      t,
      t.inputs.map((i) => names.get(i.id)!),
      out,
    );
  }
  const outputs: ValueInfoData[] = [];
  for (const [n, t] of Object.entries(io.outputs)) {
    const internal = names.get(t.id)!;
    if (internal !== n) e.node("Identity", [internal], [n]);
    outputs.push({ name: n, dtype: t.dtype as OnnxDTypeName, shape: t.shape });
  }
  const inputs: ValueInfoData[] = io.inputs
    .filter((t) => !io.bake?.has(t.inputName!))
    .map((t) => ({ name: t.inputName!, dtype: t.dtype as OnnxDTypeName, shape: t.shape }));
  return { name, nodes: e.nodes, initializers: [...baked, ...e.initializers], inputs, outputs };
}

/** The bytes of an .onnx model computing `io.outputs` from `io.inputs`. */
export function emitModel(io: GraphIO, meta?: Record<string, string>): Uint8Array {
  return encodeModel({ graph: buildGraph(io), opsetVersion: OPSET, metadata: meta });
}
