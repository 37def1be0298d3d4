/**
 * The symbolic tensor graph: every value is a `Tensor` node made by applying a primitive op (see ops.ts) to
 * other tensors. Shapes are static except for named symbolic dimensions (the batch dimension "N").
 */
import { UserError } from "../errors.js";

export type DType = "float32" | "float64" | "float16" | "int64" | "bool";
/** A dimension: a fixed size, or the name of a symbolic one (e.g. "N" for the batch). */
export type Dim = number | string;
export type Shape = readonly Dim[];
export type AttrValue = number | string | boolean | readonly number[] | readonly Dim[] | Float64Array;
export type Attrs = Readonly<Record<string, AttrValue>>;

let nextId = 0;

/** A node of the graph: the output of one primitive op. Immutable once made. */
export class Tensor {
  readonly id = nextId++;
  constructor(
    readonly op: string,
    readonly inputs: readonly Tensor[],
    readonly attrs: Attrs,
    readonly shape: Shape,
    readonly dtype: DType,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  /** The name of an input placeholder (graph input), e.g. a parameter's name. */
  get inputName(): string | undefined {
    return this.op === "input" ? (this.attrs.name as string) : undefined;
  }
}

export function isFloat(d: DType): boolean {
  return d === "float32" || d === "float64" || d === "float16";
}

export function shapeToString(s: Shape): string {
  return `[${s.join(", ")}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Number of elements when all dims are fixed, else undefined. */
export function staticSize(s: Shape): number | undefined {
  let n = 1;
  for (const d of s) {
    if (typeof d !== "number") return undefined;
    n *= d;
  }
  return n;
}

/** Numpy-style broadcast of two shapes; `where` names the op for the error message. */
export function broadcastShapes(a: Shape, b: Shape, where: string): Shape {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)]!;
    const db = i < n - b.length ? 1 : b[i - (n - b.length)]!;
    if (da === db || db === 1) out.push(da);
    else if (da === 1) out.push(db);
    else
      throw new UserError(
        `${where}: shapes ${shapeToString(a)} and ${shapeToString(b)} cannot be broadcast (dimension ${i}: ${da} vs ${db})`,
      );
  }
  return out;
}

/** Normalizes a possibly negative axis for a tensor of the given rank. */
export function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** All nodes reachable from `outputs`, inputs before users. */
export function topoSort(outputs: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<number>();
  const stack: [Tensor, number][] = outputs.map((t) => [t, 0]);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [t, i] = top;
    if (i === 0 && seen.has(t.id)) {
      stack.pop();
      continue;
    }
    if (i < t.inputs.length) {
      top[1] = i + 1;
      const child = t.inputs[i]!;
      if (!seen.has(child.id)) stack.push([child, 0]);
    } else {
      stack.pop();
      if (!seen.has(t.id)) {
        seen.add(t.id);
        order.push(t);
      }
    }
  }
  return order;
}
