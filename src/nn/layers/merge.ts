import { broadcastShapes, type Tensor } from "../../engine/graph.js";
import * as T from "../../engine/ops.js";
import { UserError } from "../../errors.js";
import type { BuildContext } from "../build-context.js";
import type { LayerConfig } from "../layer.js";

/**
 * A layer with several inputs (a node of a GraphModel: residual sums, branch concatenation). Shapes
 * exclude the batch dimension.
 */
export interface MultiInputLayer {
  readonly name: string;
  outputShapeOf(inputShapes: readonly (readonly number[])[]): number[];
  applyMany(ctx: BuildContext, xs: readonly Tensor[]): Tensor;
  config(): LayerConfig;
}

export const MERGE_OPS = ["add", "sub", "mul", "div"] as const;
export type MergeOp = (typeof MERGE_OPS)[number];

/**
 * Elementwise combination of two or more inputs with broadcasting: add (residual connections), sub, mul
 * (gating), div. `add` and `mul` take any number of inputs; sub and div exactly two.
 *
 * @example new Merge("block1.add", "add")
 */
export class Merge implements MultiInputLayer {
  constructor(
    readonly name: string,
    readonly op: MergeOp,
  ) {
    if (!(MERGE_OPS as readonly string[]).includes(op))
      throw new UserError(`layer '${name}': merge op must be one of ${MERGE_OPS.join(", ")}, got '${op}'`);
  }

  outputShapeOf(inputShapes: readonly (readonly number[])[]): number[] {
    this.checkArity(inputShapes.length);
    let s: readonly number[] = inputShapes[0]!;
    for (const t of inputShapes.slice(1)) {
      try {
        s = broadcastShapes(s, t, this.name) as number[];
      } catch {
        throw new UserError(
          `layer '${this.name}': cannot ${this.op} inputs of shapes ${inputShapes.map((x) => `[N, ${x.join(", ")}]`).join(" and ")}`,
          "the branches must produce the same shape (or shapes that broadcast)",
        );
      }
    }
    return [...s];
  }

  private checkArity(n: number): void {
    if (n < 2 || ((this.op === "sub" || this.op === "div") && n !== 2))
      throw new UserError(
        `layer '${this.name}': ${this.op} needs ${this.op === "sub" || this.op === "div" ? "exactly" : "at least"} 2 inputs, got ${n}`,
      );
  }

  applyMany(_ctx: BuildContext, xs: readonly Tensor[]): Tensor {
    this.checkArity(xs.length);
    const f = { add: T.add, sub: T.sub, mul: T.mul, div: T.div }[this.op];
    return xs.slice(1).reduce((acc, x) => f(acc, x), xs[0]!);
  }

  config(): LayerConfig {
    return { type: "merge", name: this.name, op: this.op };
  }
}

/**
 * Concatenation of inputs along `axis`, counted with the batch dimension as in ONNX (1 = channels of
 * [N, C, H, W] or features of [N, F]); negative counts from the end. The batch axis cannot be joined.
 */
export class Concatenate implements MultiInputLayer {
  constructor(
    readonly name: string,
    readonly axis = 1,
  ) {
    if (!Number.isInteger(axis) || axis === 0)
      throw new UserError(
        `layer '${name}': axis must be a whole number other than 0 (the batch), got ${axis}`,
      );
  }

  private axisFor(rank: number): number {
    const a = this.axis < 0 ? this.axis + rank + 1 : this.axis;
    if (a < 1 || a > rank)
      throw new UserError(
        `layer '${this.name}': axis ${this.axis} is out of range for inputs of rank ${rank + 1}`,
      );
    return a - 1;
  }

  outputShapeOf(inputShapes: readonly (readonly number[])[]): number[] {
    if (inputShapes.length < 1) throw new UserError(`layer '${this.name}': needs at least one input`);
    const first = inputShapes[0]!;
    const a = this.axisFor(first.length);
    const out = [...first];
    for (const s of inputShapes.slice(1)) {
      if (s.length !== first.length || s.some((d, i) => i !== a && d !== first[i]))
        throw new UserError(
          `layer '${this.name}': cannot concatenate ${inputShapes.map((x) => `[N, ${x.join(", ")}]`).join(" and ")} along axis ${this.axis}`,
          "all other dimensions must agree",
        );
      out[a] = out[a]! + s[a]!;
    }
    return out;
  }

  applyMany(_ctx: BuildContext, xs: readonly Tensor[]): Tensor {
    return T.concat(xs, this.axisFor(xs[0]!.rank - 1) + 1);
  }

  config(): LayerConfig {
    return { type: "concatenate", name: this.name, axis: this.axis };
  }
}

/** Multi-input layer constructors by config type, for rebuilding saved graph models. */
export const MULTI_INPUT_LAYER_TYPES: Record<string, (c: LayerConfig) => MultiInputLayer> = {
  merge: (c) => new Merge(c.name, c.op as MergeOp),
  concatenate: (c) => new Concatenate(c.name, (c.axis as number) ?? 1),
};
