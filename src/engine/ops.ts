/**
 * The primitive ops of the engine. Each op is one entry of `OPS`: how its output shape/type is inferred,
 * how it is written as ONNX, and its gradient rule (the gradient of each input given the output's gradient
 * `g`, built from other primitives). Builder functions below (`add`, `matmul`, ...) are the public way to
 * make nodes; composite functions (gelu, layer norm, losses) live in nn/ and are built from these.
 */
import type { Emitter } from "./emit.js";
import {
  type Attrs,
  type AttrValue,
  broadcastShapes,
  type Dim,
  type DType,
  isFloat,
  normAxis,
  type Shape,
  sameShape,
  shapeToString,
  staticSize,
  Tensor,
} from "./graph.js";

export type Grad = (g: Tensor, y: Tensor) => (Tensor | null)[];

export interface OpDef {
  infer(inputs: readonly Tensor[], attrs: Attrs): { shape: Shape; dtype: DType };
  emit(e: Emitter, t: Tensor, ins: string[], out: string): void;
  /** Absent = not differentiable (comparisons, random, shape queries). */
  grad?: Grad;
}

const sameAsFirst = (xs: readonly Tensor[]) => ({ shape: xs[0]!.shape, dtype: xs[0]!.dtype });
const binaryInfer = (name: string) => (xs: readonly Tensor[]) => {
  if (xs[0]!.dtype !== xs[1]!.dtype)
    throw new Error(`${name}: dtypes differ (${xs[0]!.dtype} vs ${xs[1]!.dtype})`);
  return { shape: broadcastShapes(xs[0]!.shape, xs[1]!.shape, name), dtype: xs[0]!.dtype };
};
const compareInfer = (name: string) => (xs: readonly Tensor[]) => ({
  shape: broadcastShapes(xs[0]!.shape, xs[1]!.shape, name),
  dtype: "bool" as DType,
});
const simple =
  (opType: string) =>
  (e: Emitter, _t: Tensor, ins: string[], out: string): void => {
    e.node(opType, ins, [out]);
  };
const unary = (opType: string, grad?: Grad): OpDef => ({ infer: sameAsFirst, emit: simple(opType), grad });

const OPS: Record<string, OpDef> = {
  input: {
    infer: (_x, a) => ({ shape: a.shape as Shape, dtype: a.dtype as DType }),
    emit: () => {},
  },
  const: {
    infer: (_x, a) => ({ shape: a.shape as Shape, dtype: a.dtype as DType }),
    emit: (e, t, _ins, out) =>
      e.initializer(out, t.attrs.value as Float64Array, t.dtype, t.shape as number[]),
  },
  identity: unary("Identity", (g) => [g]),
  add: {
    infer: binaryInfer("Add"),
    emit: simple("Add"),
    grad: (g, y) => [sumTo(g, y.inputs[0]!), sumTo(g, y.inputs[1]!)],
  },
  sub: {
    infer: binaryInfer("Sub"),
    emit: simple("Sub"),
    grad: (g, y) => [sumTo(g, y.inputs[0]!), sumTo(neg(g), y.inputs[1]!)],
  },
  mul: {
    infer: binaryInfer("Mul"),
    emit: simple("Mul"),
    grad: (g, y) => [sumTo(mul(g, y.inputs[1]!), y.inputs[0]!), sumTo(mul(g, y.inputs[0]!), y.inputs[1]!)],
  },
  div: {
    infer: binaryInfer("Div"),
    emit: simple("Div"),
    grad: (g, y) => {
      const [a, b] = y.inputs as [Tensor, Tensor];
      return [sumTo(div(g, b), a), sumTo(neg(div(mul(g, y), b)), b)];
    },
  },
  max: {
    infer: binaryInfer("Max"),
    emit: simple("Max"),
    grad: (g, y) => {
      const [a, b] = y.inputs as [Tensor, Tensor];
      const aWins = greaterOrEqual(a, b);
      return [sumTo(where(aWins, g, 0), a), sumTo(where(aWins, 0, g), b)];
    },
  },
  neg: unary("Neg", (g) => [neg(g)]),
  exp: unary("Exp", (g, y) => [mul(g, y)]),
  log: unary("Log", (g, y) => [div(g, y.inputs[0]!)]),
  sqrt: unary("Sqrt", (g, y) => [div(g, mul(y, 2))]),
  abs: unary("Abs", (g, y) => [mul(g, sign(y.inputs[0]!))]),
  sign: unary("Sign", () => [null]),
  relu: unary("Relu", (g, y) => [where(greater(y, 0), g, 0)]),
  sigmoid: unary("Sigmoid", (g, y) => [mul(g, mul(y, sub(1, y)))]),
  tanh: unary("Tanh", (g, y) => [mul(g, sub(1, mul(y, y)))]),
  erf: unary("Erf", (g, y) => {
    const x = y.inputs[0]!;
    return [mul(g, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI)))];
  }),
  softplus: unary("Softplus", (g, y) => [mul(g, sigmoid(y.inputs[0]!))]),
  leakyRelu: {
    infer: sameAsFirst,
    emit: (e, t, ins, out) =>
      e.node("LeakyRelu", ins, [out], { alpha: { kind: "float", value: t.attrs.alpha as number } }),
    grad: (g, y) => [where(greater(y.inputs[0]!, 0), g, mul(g, y.attrs.alpha as number))],
  },
  pow: {
    // x ** p for a constant exponent p
    infer: sameAsFirst,
    emit: (e, t, ins, out) => e.node("Pow", [ins[0]!, e.scalar(t.attrs.p as number, t.dtype)], [out]),
    grad: (g, y) => {
      const p = y.attrs.p as number;
      return [mul(g, mul(pow(y.inputs[0]!, p - 1), p))];
    },
  },
  powScalar: {
    // base ** s where base is a constant number and s a scalar tensor (bias corrections: beta ** step)
    infer: sameAsFirst,
    emit: (e, t, ins, out) => e.node("Pow", [e.scalar(t.attrs.base as number, t.dtype), ins[0]!], [out]),
  },
  softmax: {
    infer: sameAsFirst,
    emit: (e, t, ins, out) =>
      e.node("Softmax", ins, [out], { axis: { kind: "int", value: t.attrs.axis as number } }),
    grad: (g, y) => {
      const axis = y.attrs.axis as number;
      return [mul(y, sub(g, reduceSum(mul(g, y), [axis], true)))];
    },
  },
  logSoftmax: {
    infer: sameAsFirst,
    emit: (e, t, ins, out) =>
      e.node("LogSoftmax", ins, [out], { axis: { kind: "int", value: t.attrs.axis as number } }),
    grad: (g, y) => {
      const axis = y.attrs.axis as number;
      return [sub(g, mul(exp(y), reduceSum(g, [axis], true)))];
    },
  },
  matmul: {
    infer: (xs) => {
      const [a, b] = xs as [Tensor, Tensor];
      if (a.rank < 2 || b.rank !== 2)
        throw new Error(`MatMul: need a rank>=2 and b rank 2, got ${a.rank}, ${b.rank}`);
      if (a.shape[a.rank - 1] !== b.shape[0])
        throw new Error(
          `MatMul: inner dimensions differ: ${shapeToString(a.shape)} x ${shapeToString(b.shape)} (${a.shape[a.rank - 1]} vs ${b.shape[0]})`,
        );
      return { shape: [...a.shape.slice(0, -1), b.shape[1]!], dtype: a.dtype };
    },
    emit: simple("MatMul"),
    grad: (g, y) => {
      const [a, b] = y.inputs as [Tensor, Tensor];
      const ga = matmul(g, transpose(b, [1, 0]));
      if (a.rank === 2) return [ga, matmul(transpose(a, [1, 0]), g)];
      const k = a.shape[a.rank - 1] as number;
      const n = b.shape[1] as number;
      return [ga, matmul(transpose(reshape(a, [-1, k]), [1, 0]), reshape(g, [-1, n]))];
    },
  },
  reduceSum: reduceOp("ReduceSum", (g, y) => [expandLike(unsqueezeReduced(g, y), y.inputs[0]!)]),
  reduceMean: reduceOp("ReduceMean", (g, y) => {
    const x = y.inputs[0]!;
    return [div(expandLike(unsqueezeReduced(g, y), x), dimSize(x, y.attrs.axes as number[], g.dtype))];
  }),
  reduceMax: reduceOp("ReduceMax", (g, y) => {
    const x = y.inputs[0]!;
    const yk = unsqueezeReduced(y, y);
    const hit = cast(equal(x, expandLike(yk, x)), g.dtype);
    // ties share the gradient equally
    const count = expandLike(reduceSum(hit, y.attrs.axes as number[], true), x);
    return [div(mul(expandLike(unsqueezeReduced(g, y), x), hit), count)];
  }),
  reduceSumSquare: reduceOp("ReduceSumSquare", (g, y) => {
    const x = y.inputs[0]!;
    return [mul(expandLike(unsqueezeReduced(g, y), x), mul(x, 2))];
  }),
  where: {
    infer: (xs) => {
      const [c, a, b] = xs as [Tensor, Tensor, Tensor];
      return {
        shape: broadcastShapes(broadcastShapes(c.shape, a.shape, "Where"), b.shape, "Where"),
        dtype: a.dtype,
      };
    },
    emit: simple("Where"),
    grad: (g, y) => {
      const [c, a, b] = y.inputs as [Tensor, Tensor, Tensor];
      return [null, sumTo(where(c, g, 0), a), sumTo(where(c, 0, g), b)];
    },
  },
  cast: {
    infer: (xs, a) => ({ shape: xs[0]!.shape, dtype: a.to as DType }),
    emit: (e, t, ins, out) =>
      e.node("Cast", ins, [out], { to: { kind: "int", value: e.dtypeCode(t.dtype) } }),
    grad: (g, y) => (isFloat(y.inputs[0]!.dtype) ? [cast(g, y.inputs[0]!.dtype)] : [null]),
  },
  reshape: {
    infer: (xs, a) => ({ shape: a.shape as Shape, dtype: xs[0]!.dtype }),
    emit: (e, t, ins, out) =>
      e.node("Reshape", [ins[0]!, e.shapeConst(t.attrs.spec as readonly Dim[])], [out]),
    grad: (g, y) => [reshapeTo(g, y.inputs[0]!)],
  },
  reshapeLike: {
    // reshape x to the (runtime) shape of ref
    infer: (xs) => ({ shape: xs[1]!.shape, dtype: xs[0]!.dtype }),
    emit: (e, _t, ins, out) => {
      const s = e.tmp();
      e.node("Shape", [ins[1]!], [s]);
      e.node("Reshape", [ins[0]!, s], [out]);
    },
    grad: (g, y) => [reshapeTo(g, y.inputs[0]!), null],
  },
  expandLike: {
    infer: (xs) => ({ shape: broadcastShapes(xs[0]!.shape, xs[1]!.shape, "Expand"), dtype: xs[0]!.dtype }),
    emit: (e, t, ins, out) => {
      const ref = t.inputs[1]!;
      if (staticSize(ref.shape) !== undefined)
        return e.node("Expand", [ins[0]!, e.shapeConst(ref.shape)], [out]);
      const s = e.tmp();
      e.node("Shape", [ins[1]!], [s]);
      e.node("Expand", [ins[0]!, s], [out]);
    },
    grad: (g, y) => [sumTo(g, y.inputs[0]!), null],
  },
  transpose: {
    infer: (xs, a) => ({ shape: (a.perm as number[]).map((p) => xs[0]!.shape[p]!), dtype: xs[0]!.dtype }),
    emit: (e, t, ins, out) =>
      e.node("Transpose", ins, [out], { perm: { kind: "ints", value: t.attrs.perm as number[] } }),
    grad: (g, y) => {
      const perm = y.attrs.perm as number[];
      const inv = perm.map((_, i) => perm.indexOf(i));
      return [transpose(g, inv)];
    },
  },
  concat: {
    infer: (xs, a) => {
      const axis = a.axis as number;
      const shape = [...xs[0]!.shape];
      let total = 0;
      for (const x of xs) {
        const d = x.shape[axis];
        if (typeof d !== "number") throw new Error("Concat along a symbolic dimension is not supported");
        total += d;
      }
      shape[axis] = total;
      return { shape, dtype: xs[0]!.dtype };
    },
    emit: (e, t, ins, out) =>
      e.node("Concat", ins, [out], { axis: { kind: "int", value: t.attrs.axis as number } }),
    grad: (g, y) => {
      const axis = y.attrs.axis as number;
      let start = 0;
      return y.inputs.map((x) => {
        const len = x.shape[axis] as number;
        const piece = slice(g, [start], [start + len], [axis]);
        start += len;
        return piece;
      });
    },
  },
  slice: {
    infer: (xs, a) => {
      const shape = [...xs[0]!.shape];
      const axes = a.axes as number[];
      axes.forEach((ax, i) => {
        const d = shape[ax];
        const st = (a.starts as number[])[i]!;
        const en = (a.ends as number[])[i]!;
        if (typeof d !== "number") throw new Error("Slice along a symbolic dimension is not supported");
        shape[ax] = Math.min(en, d) - Math.max(st, 0);
      });
      return { shape, dtype: xs[0]!.dtype };
    },
    emit: (e, t, ins, out) =>
      e.node(
        "Slice",
        [
          ins[0]!,
          e.int64Const(t.attrs.starts as number[]),
          e.int64Const(t.attrs.ends as number[]),
          e.int64Const(t.attrs.axes as number[]),
        ],
        [out],
      ),
    grad: (g, y) => {
      const x = y.inputs[0]!;
      const before = new Array<number>(x.rank).fill(0);
      const after = new Array<number>(x.rank).fill(0);
      (y.attrs.axes as number[]).forEach((ax, i) => {
        before[ax] = (y.attrs.starts as number[])[i]!;
        after[ax] = (x.shape[ax] as number) - before[ax]! - (g.shape[ax] as number);
      });
      return [pad(g, before, after)];
    },
  },
  pad: {
    infer: (xs, a) => ({
      shape: xs[0]!.shape.map((d, i) =>
        typeof d === "number" ? d + (a.before as number[])[i]! + (a.after as number[])[i]! : d,
      ),
      dtype: xs[0]!.dtype,
    }),
    emit: (e, t, ins, out) =>
      e.node(
        "Pad",
        [ins[0]!, e.int64Const([...(t.attrs.before as number[]), ...(t.attrs.after as number[])])],
        [out],
      ),
    grad: (g, y) => {
      const x = y.inputs[0]!;
      const axes: number[] = [];
      const starts: number[] = [];
      const ends: number[] = [];
      x.shape.forEach((d, i) => {
        const b = (y.attrs.before as number[])[i]!;
        if (typeof d === "number" && (b !== 0 || (y.attrs.after as number[])[i] !== 0)) {
          axes.push(i);
          starts.push(b);
          ends.push(b + d);
        }
      });
      return [axes.length ? slice(g, starts, ends, axes) : g];
    },
  },
  gather: {
    // rows of a table: table [V, ...], indices int64 [...] -> [...indices, ...rest]
    infer: (xs) => ({ shape: [...xs[1]!.shape, ...xs[0]!.shape.slice(1)], dtype: xs[0]!.dtype }),
    emit: (e, _t, ins, out) => e.node("Gather", ins, [out], { axis: { kind: "int", value: 0 } }),
    grad: (g, y) => [scatterAddRows(y.inputs[0]!, y.inputs[1]!, g), null],
  },
  scatterAddRows: {
    // zeros shaped like table, with rows `indices` += updates (duplicates accumulate)
    infer: (xs) => ({ shape: xs[0]!.shape, dtype: xs[0]!.dtype }),
    emit: (e, t, ins, out) => {
      const zeros = e.tmp();
      e.node("ConstantOfShape", [e.shapeConst(t.shape)], [zeros], {
        value: { kind: "tensor", value: e.tensorData("", new Float64Array([0]), t.dtype, [1]) },
      });
      const idx = e.tmp();
      e.node("Unsqueeze", [ins[1]!, e.int64Const([-1])], [idx]);
      e.node("ScatterND", [zeros, idx, ins[2]!], [out], { reduction: { kind: "string", value: "add" } });
    },
  },
  clip: {
    infer: sameAsFirst,
    emit: (e, t, ins, out) =>
      e.node(
        "Clip",
        [ins[0]!, e.scalar(t.attrs.min as number, t.dtype), e.scalar(t.attrs.max as number, t.dtype)],
        [out],
      ),
    grad: (g, y) => {
      const x = y.inputs[0]!;
      const inside = and(greaterOrEqual(x, y.attrs.min as number), lessOrEqual(x, y.attrs.max as number));
      return [where(inside, g, 0)];
    },
  },
  greater: { infer: compareInfer("Greater"), emit: simple("Greater") },
  greaterOrEqual: { infer: compareInfer("GreaterOrEqual"), emit: simple("GreaterOrEqual") },
  less: { infer: compareInfer("Less"), emit: simple("Less") },
  lessOrEqual: { infer: compareInfer("LessOrEqual"), emit: simple("LessOrEqual") },
  equal: { infer: compareInfer("Equal"), emit: simple("Equal") },
  and: { infer: compareInfer("And"), emit: simple("And") },
  randomUniformLike: {
    infer: sameAsFirst,
    emit: (e, t, ins, out) =>
      e.node("RandomUniformLike", ins, [out], {
        seed: { kind: "float", value: t.attrs.seed as number },
        dtype: { kind: "int", value: e.dtypeCode(t.dtype) },
      }),
  },
  dimSize: {
    // product of the given dims of x, as a scalar of dtype (runtime value for symbolic dims)
    infer: (_xs, a) => ({ shape: [], dtype: a.dtype as DType }),
    emit: (e, t, ins, out) => {
      const s = e.tmp();
      const picked = e.tmp();
      const prod = e.tmp();
      e.node("Shape", [ins[0]!], [s]);
      e.node("Gather", [s, e.int64Const(t.attrs.axes as number[])], [picked], {
        axis: { kind: "int", value: 0 },
      });
      e.node("ReduceProd", [picked], [prod], { keepdims: { kind: "int", value: 0 } });
      e.node("Cast", [prod], [out], { to: { kind: "int", value: e.dtypeCode(t.dtype) } });
    },
  },
};

function reduceOp(opType: string, grad: Grad): OpDef {
  return {
    infer: (xs, a) => {
      const x = xs[0]!;
      const axes = a.axes as number[];
      const keep = a.keepdims as boolean;
      const shape: Dim[] = [];
      x.shape.forEach((d, i) => {
        if (!axes.includes(i)) shape.push(d);
        else if (keep) shape.push(1);
      });
      return { shape, dtype: x.dtype };
    },
    emit: (e, t, ins, out) => {
      const keepdims = { kind: "int" as const, value: t.attrs.keepdims ? 1 : 0 };
      // opset 17: ReduceSum takes axes as an input, the others as an attribute
      if (opType === "ReduceSum")
        e.node(opType, [ins[0]!, e.int64Const(t.attrs.axes as number[])], [out], { keepdims });
      else e.node(opType, ins, [out], { keepdims, axes: { kind: "ints", value: t.attrs.axes as number[] } });
    },
    grad,
  };
}

/**
 * Adds ops defined in another file (e.g. the spatial ops of convolutional networks) to the table.
 * Names must be new.
 */
export function registerOps(defs: Record<string, OpDef>): void {
  for (const [name, def] of Object.entries(defs)) {
    if (OPS[name]) throw new Error(`op '${name}' is already registered`);
    OPS[name] = def;
  }
}

/** The op table entry for `op` (throws naming the op when unknown). */
export function opDef(op: string): OpDef {
  const d = OPS[op];
  if (!d) throw new Error(`unknown op '${op}'`);
  return d;
}

export function apply(op: string, inputs: readonly Tensor[], attrs: Attrs = {}): Tensor {
  const { shape, dtype } = opDef(op).infer(inputs, attrs);
  return new Tensor(op, inputs, attrs, shape, dtype);
}

// ---- builders -------------------------------------------------------------------------------------------

export type TensorLike = Tensor | number;

/** A graph input (parameter, optimizer slot, data, hyper-parameter). */
export function input(name: string, shape: Shape, dtype: DType = "float32"): Tensor {
  return apply("input", [], { name, shape: shape as Dim[], dtype });
}

/** A constant tensor (values in row-major order). */
export function constant(
  values: number | ArrayLike<number>,
  dtype: DType = "float32",
  shape?: readonly number[],
): Tensor {
  const v = typeof values === "number" ? new Float64Array([values]) : Float64Array.from(values);
  const s = shape ?? (typeof values === "number" ? [] : [v.length]);
  if ((staticSize(s) ?? -1) !== v.length)
    throw new Error(`constant: ${v.length} values for shape ${shapeToString(s)}`);
  return apply("const", [], { value: v, shape: s as number[], dtype });
}

function lift(x: TensorLike, like: Tensor): Tensor {
  return typeof x === "number" ? constant(x, like.dtype) : x;
}
function pair(a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  if (typeof a === "number" && typeof b === "number")
    throw new Error("at least one operand must be a tensor");
  const ref = (typeof a === "number" ? b : a) as Tensor;
  return [lift(a, ref), lift(b, ref)];
}

export const add = (a: TensorLike, b: TensorLike) => apply("add", pair(a, b));
export const sub = (a: TensorLike, b: TensorLike) => apply("sub", pair(a, b));
export const mul = (a: TensorLike, b: TensorLike) => apply("mul", pair(a, b));
export const div = (a: TensorLike, b: TensorLike) => apply("div", pair(a, b));
export const maximum = (a: TensorLike, b: TensorLike) => apply("max", pair(a, b));
export const greater = (a: TensorLike, b: TensorLike) => apply("greater", pair(a, b));
export const greaterOrEqual = (a: TensorLike, b: TensorLike) => apply("greaterOrEqual", pair(a, b));
export const less = (a: TensorLike, b: TensorLike) => apply("less", pair(a, b));
export const lessOrEqual = (a: TensorLike, b: TensorLike) => apply("lessOrEqual", pair(a, b));
export const equal = (a: TensorLike, b: TensorLike) => apply("equal", pair(a, b));
export const and = (a: Tensor, b: Tensor) => apply("and", [a, b]);
export const neg = (x: Tensor) => apply("neg", [x]);
export const exp = (x: Tensor) => apply("exp", [x]);
export const log = (x: Tensor) => apply("log", [x]);
export const sqrt = (x: Tensor) => apply("sqrt", [x]);
export const abs = (x: Tensor) => apply("abs", [x]);
export const sign = (x: Tensor) => apply("sign", [x]);
export const relu = (x: Tensor) => apply("relu", [x]);
export const sigmoid = (x: Tensor) => apply("sigmoid", [x]);
export const tanh = (x: Tensor) => apply("tanh", [x]);
export const erf = (x: Tensor) => apply("erf", [x]);
/** log(1 + exp(x)); ONNX Runtime has no float64 Softplus kernel, so float64 graphs use the plain formula. */
export const softplus = (x: Tensor) => (x.dtype === "float64" ? log(add(exp(x), 1)) : apply("softplus", [x]));
export const identity = (x: Tensor) => apply("identity", [x]);
export const leakyRelu = (x: Tensor, alpha = 0.01) => apply("leakyRelu", [x], { alpha });
export const pow = (x: Tensor, p: number) => (p === 1 ? x : p === 2 ? mul(x, x) : apply("pow", [x], { p }));
/** base ** s for a constant base and a tensor exponent (e.g. beta ** step). */
export const powScalar = (base: number, s: Tensor) => apply("powScalar", [s], { base });
export const softmax = (x: Tensor, axis = -1) => apply("softmax", [x], { axis: normAxis(axis, x.rank) });
export const logSoftmax = (x: Tensor, axis = -1) =>
  apply("logSoftmax", [x], { axis: normAxis(axis, x.rank) });
export const matmul = (a: Tensor, b: Tensor) => apply("matmul", [a, b]);
export const where = (c: Tensor, a: TensorLike, b: TensorLike) => {
  const [ta, tb] = pair(a, b);
  return apply("where", [c, ta, tb]);
};
export const cast = (x: Tensor, to: DType) => (x.dtype === to ? x : apply("cast", [x], { to }));
export const clip = (x: Tensor, min: number, max: number) => apply("clip", [x], { min, max });
export const transpose = (x: Tensor, perm: readonly number[]) => apply("transpose", [x], { perm: [...perm] });
export const concat = (xs: readonly Tensor[], axis: number) =>
  xs.length === 1 ? xs[0]! : apply("concat", xs, { axis: normAxis(axis, xs[0]!.rank) });
export const slice = (x: Tensor, starts: number[], ends: number[], axes: number[]) =>
  apply("slice", [x], { starts, ends, axes: axes.map((a) => normAxis(a, x.rank)) });
export const pad = (x: Tensor, before: number[], after: number[]) => apply("pad", [x], { before, after });
export const gather = (table: Tensor, indices: Tensor) => apply("gather", [table, indices]);
const scatterAddRows = (table: Tensor, indices: Tensor, updates: Tensor) =>
  apply("scatterAddRows", [table, indices, updates]);
export const randomUniformLike = (x: Tensor, seed: number) => apply("randomUniformLike", [x], { seed });
export const expandLike = (x: Tensor, ref: Tensor) =>
  sameShape(x.shape, ref.shape) ? x : apply("expandLike", [x, ref]);
export const zerosLike = (x: Tensor) => mul(x, 0);

function reduce(op: string, x: Tensor, axes?: readonly number[], keepdims = false): Tensor {
  const ax = (axes ?? x.shape.map((_, i) => i)).map((a) => normAxis(a, x.rank)).sort((a, b) => a - b);
  return apply(op, [x], { axes: ax, keepdims });
}
export const reduceSum = (x: Tensor, axes?: readonly number[], keepdims = false) =>
  reduce("reduceSum", x, axes, keepdims);
export const reduceMean = (x: Tensor, axes?: readonly number[], keepdims = false) =>
  reduce("reduceMean", x, axes, keepdims);
export const reduceMax = (x: Tensor, axes?: readonly number[], keepdims = false) =>
  reduce("reduceMax", x, axes, keepdims);
export const reduceSumSquare = (x: Tensor, axes?: readonly number[], keepdims = false) =>
  reduce("reduceSumSquare", x, axes, keepdims);

/** Product of the given dims of x as a scalar (a constant when they are fixed). */
export function dimSize(x: Tensor, axes: readonly number[], dtype: DType): Tensor {
  let n = 1;
  for (const a of axes) {
    const d = x.shape[a];
    if (typeof d !== "number") return apply("dimSize", [x], { axes: [...axes], dtype });
    n *= d;
  }
  return constant(n, dtype);
}

/**
 * Reshape to `shape`. Use -1 for one inferred dimension; a symbolic dim (string) may appear once and
 * is taken from the runtime size.
 */
export function reshape(x: Tensor, shape: readonly Dim[]): Tensor {
  const fixed = x.shape.filter((d) => typeof d === "number").reduce((a: number, d) => a * (d as number), 1);
  const symbolic = x.shape.filter((d) => typeof d !== "number");
  const out: Dim[] = [];
  const known = shape
    .filter((d) => typeof d === "number" && d !== -1)
    .reduce((a: number, d) => a * (d as number), 1);
  for (const d of shape) {
    if (d === -1) {
      if (symbolic.length === 0) out.push(fixed / known);
      else if (symbolic.length === 1 && fixed % known === 0 && fixed / known === 1) out.push(symbolic[0]!);
      else out.push(fixed === known ? symbolic.join("*") : `${symbolic.join("*")}*${fixed / known}`);
    } else out.push(d);
  }
  if (symbolic.length === 0 && staticSize(out) !== fixed)
    throw new Error(`cannot reshape ${shapeToString(x.shape)} to ${shapeToString(shape)}`);
  const spec = shape.map((d) => (typeof d === "number" ? d : -1));
  if (spec.filter((d) => d === -1).length > 1)
    throw new Error(`reshape to ${shapeToString(shape)}: at most one inferred or symbolic dimension`);
  return apply("reshape", [x], { shape: out, spec });
}

/** Reshape g to the shape of ref (runtime shape when symbolic). */
function reshapeTo(g: Tensor, ref: Tensor | Shape): Tensor {
  const shape = ref instanceof Tensor ? ref.shape : ref;
  if (sameShape(g.shape, shape)) return g;
  const symbolic = shape.filter((d) => typeof d !== "number").length;
  if (symbolic <= 1) return reshape(g, shape);
  if (!(ref instanceof Tensor))
    throw new Error(`cannot restore shape ${shapeToString(shape)}: several symbolic dims`);
  return apply("reshapeLike", [g, ref]);
}

/** Insert the reduced axes of reduction node y back (as size 1) into g, when y dropped them. */
function unsqueezeReduced(g: Tensor, y: Tensor): Tensor {
  if (y.attrs.keepdims) return g;
  const x = y.inputs[0]!;
  const axes = y.attrs.axes as number[];
  return reshapeTo(
    g,
    x.shape.map((d, i) => (axes.includes(i) ? 1 : d)),
  );
}

/** Sum g over broadcast dimensions so that it has the shape of ref (the gradient of broadcasting). */
export function sumTo(g: Tensor, ref: Tensor): Tensor {
  if (sameShape(g.shape, ref.shape)) return g;
  const lead = g.rank - ref.rank;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead) axes.push(i);
    else if (ref.shape[i - lead] === 1 && g.shape[i] !== 1) axes.push(i);
  }
  if (axes.length === lead) return reduceSum(g, axes, false); // only leading axes: already ref's shape
  const r = axes.length ? reduceSum(g, axes, true) : g;
  return reshapeTo(r, ref);
}

export function attrsEqual(a: AttrValue, b: AttrValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
