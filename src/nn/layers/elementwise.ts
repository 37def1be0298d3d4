/**
 * Elementwise layers that imported ONNX graphs need beside the usual activations: a unary function (erf,
 * exp, ...), clipping (ReLU6 = clip to [0, 6]), softmax over an axis, and an elementwise operation with a
 * constant or trainable operand (x·s, x + b, ...).
 */
import { broadcastShapes, type Tensor } from "../../engine/graph.js";
import * as T from "../../engine/ops.js";
import { UserError } from "../../errors.js";
import type { BuildContext } from "../build-context.js";
import type { Layer, LayerConfig } from "../layer.js";

export const UNARY_OPS = ["erf", "exp", "log", "sqrt", "neg", "abs", "softplus"] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

/** An elementwise function: erf, exp, log, sqrt, neg, abs or softplus. */
export class Unary implements Layer {
  constructor(
    readonly name: string,
    readonly op: UnaryOp,
  ) {
    if (!(UNARY_OPS as readonly string[]).includes(op))
      throw new UserError(`layer '${name}': unary op must be one of ${UNARY_OPS.join(", ")}, got '${op}'`);
  }

  outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  apply(_ctx: BuildContext, x: Tensor): Tensor {
    const f = {
      erf: T.erf,
      exp: T.exp,
      log: T.log,
      sqrt: T.sqrt,
      neg: T.neg,
      abs: T.abs,
      softplus: T.softplus,
    };
    return f[this.op](x);
  }

  config(): LayerConfig {
    return { type: "unary", name: this.name, op: this.op };
  }
}

/** Clips values to [min, max] (ReLU6: min 0, max 6); a missing bound is open. */
export class Clip implements Layer {
  constructor(
    readonly name: string,
    readonly min = Number.NEGATIVE_INFINITY,
    readonly max = Number.POSITIVE_INFINITY,
  ) {
    if (!(min <= max)) throw new UserError(`layer '${name}': clip needs min <= max, got [${min}, ${max}]`);
  }

  outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  apply(_ctx: BuildContext, x: Tensor): Tensor {
    const big = 3.4e38;
    return T.clip(x, Math.max(this.min, -big), Math.min(this.max, big));
  }

  config(): LayerConfig {
    return {
      type: "clip",
      name: this.name,
      min: Number.isFinite(this.min) ? this.min : null,
      max: Number.isFinite(this.max) ? this.max : null,
    };
  }
}

/** Softmax over `axis`, counted with the batch dimension as in ONNX (default -1, the last). */
export class Softmax implements Layer {
  constructor(
    readonly name: string,
    readonly axis = -1,
  ) {
    if (!Number.isInteger(axis) || axis === 0)
      throw new UserError(
        `layer '${name}': softmax axis must be a whole number other than 0 (the batch), got ${axis}`,
      );
  }

  outputShape(inputShape: readonly number[]): number[] {
    const rank = inputShape.length + 1;
    const a = this.axis < 0 ? this.axis + rank : this.axis;
    if (a < 1 || a >= rank)
      throw new UserError(
        `layer '${this.name}': softmax axis ${this.axis} is out of range for [N, ${inputShape.join(", ")}]`,
      );
    return [...inputShape];
  }

  apply(_ctx: BuildContext, x: Tensor): Tensor {
    return T.softmax(x, this.axis);
  }

  config(): LayerConfig {
    return { type: "softmax", name: this.name, axis: this.axis };
  }
}

export const ELEMENTWISE_OPS = ["add", "sub", "mul", "div"] as const;
export type ElementwiseOp = (typeof ELEMENTWISE_OPS)[number];

export interface ElementwiseOptions {
  op: ElementwiseOp;
  /** Shape of the operand, broadcast against the input [N, ...] (its leading dims may be omitted). */
  shape: number[];
  /** Fixed operand values (row-major); absent: a trainable parameter `<name>.operand` (initialized to the identity of the op). */
  value?: number[];
  /** Whether the operand is the left side (operand ∘ x) instead of the right (x ∘ operand). Default false. */
  left?: boolean;
}

/**
 * An elementwise operation between the input and a constant or trainable operand, e.g. scaling by 0.5 or
 * adding a learned per-channel offset of shape [C, 1, 1].
 *
 * @example new Elementwise("scale", { op: "mul", shape: [], value: [0.5] })
 */
export class Elementwise implements Layer {
  constructor(
    readonly name: string,
    readonly opts: ElementwiseOptions,
  ) {
    if (!(ELEMENTWISE_OPS as readonly string[]).includes(opts.op))
      throw new UserError(
        `layer '${name}': op must be one of ${ELEMENTWISE_OPS.join(", ")}, got '${opts.op}'`,
      );
    const size = opts.shape.reduce((a, d) => a * d, 1);
    if (opts.value !== undefined && opts.value.length !== size)
      throw new UserError(
        `layer '${name}': ${opts.value.length} operand values for shape [${opts.shape.join(", ")}]`,
      );
  }

  outputShape(inputShape: readonly number[]): number[] {
    const full = ["N", ...inputShape];
    let out: readonly (number | string)[];
    try {
      out = broadcastShapes(full, this.opts.shape, this.name);
    } catch {
      throw new UserError(
        `layer '${this.name}': an operand of shape [${this.opts.shape.join(", ")}] does not broadcast with [N, ${inputShape.join(", ")}]`,
      );
    }
    if (out[0] !== "N" || out.length !== full.length)
      throw new UserError(`layer '${this.name}': the operand would change the batch dimension`);
    return out.slice(1) as number[];
  }

  apply(ctx: BuildContext, x: Tensor): Tensor {
    const size = this.opts.shape.reduce((a, d) => a * d, 1);
    const operand =
      this.opts.value !== undefined
        ? T.constant(this.opts.value, x.dtype, this.opts.shape)
        : ctx.param({
            name: `${this.name}.operand`,
            layer: this.name,
            shape: this.opts.shape,
            init: this.opts.op === "mul" || this.opts.op === "div" ? "ones" : "zeros",
            fans: { fanIn: size, fanOut: size },
            decay: false,
          });
    const f = { add: T.add, sub: T.sub, mul: T.mul, div: T.div }[this.opts.op];
    return this.opts.left ? f(operand, x) : f(x, operand);
  }

  config(): LayerConfig {
    return { type: "elementwise", name: this.name, ...this.opts };
  }
}
