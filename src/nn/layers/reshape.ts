/** Shape layers: reshape (row-major, batch kept) and permutation of the non-batch axes. */
import type { Tensor } from "../../engine/graph.js";
import * as T from "../../engine/ops.js";
import { UserError } from "../../errors.js";
import type { BuildContext } from "../build-context.js";
import type { Layer, LayerConfig } from "../layer.js";

/** Reshapes each sample to `shape` (batch excluded; one entry may be -1, inferred). */
export class Reshape implements Layer {
  constructor(
    readonly name: string,
    readonly shape: number[],
  ) {
    if (
      !shape.every((d) => Number.isInteger(d) && (d > 0 || d === -1)) ||
      shape.filter((d) => d === -1).length > 1
    )
      throw new UserError(
        `layer '${name}': reshape target must be whole numbers >= 1 with at most one -1, got [${shape.join(", ")}]`,
      );
  }

  outputShape(inputShape: readonly number[]): number[] {
    const size = inputShape.reduce((a, d) => a * d, 1);
    const known = this.shape.filter((d) => d !== -1).reduce((a, d) => a * d, 1);
    const out = this.shape.map((d) => (d === -1 ? size / known : d));
    if (!out.every((d) => Number.isInteger(d)) || out.reduce((a, d) => a * d, 1) !== size)
      throw new UserError(
        `layer '${this.name}': cannot reshape [N, ${inputShape.join(", ")}] to [N, ${this.shape.join(", ")}] (${size} values per sample)`,
      );
    return out;
  }

  apply(_ctx: BuildContext, x: Tensor): Tensor {
    const out = this.outputShape(x.shape.slice(1) as number[]);
    return T.reshape(x, [x.shape[0]!, ...out]);
  }

  config(): LayerConfig {
    return { type: "reshape", name: this.name, shape: this.shape };
  }
}

/** Permutes the non-batch axes: `perm` lists input axes 1.. in their new order (ONNX Transpose with perm[0] = 0). */
export class Permute implements Layer {
  constructor(
    readonly name: string,
    readonly perm: number[],
  ) {
    const sorted = [...perm].sort((a, b) => a - b);
    if (!sorted.every((p, i) => p === i + 1))
      throw new UserError(
        `layer '${name}': perm must list the axes 1..${perm.length} (batch stays first), got [${perm.join(", ")}]`,
      );
  }

  outputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== this.perm.length)
      throw new UserError(
        `layer '${this.name}': perm [${this.perm.join(", ")}] does not fit input [N, ${inputShape.join(", ")}]`,
      );
    return this.perm.map((p) => inputShape[p - 1]!);
  }

  apply(_ctx: BuildContext, x: Tensor): Tensor {
    return T.transpose(x, [0, ...this.perm]);
  }

  config(): LayerConfig {
    return { type: "permute", name: this.name, perm: this.perm };
  }
}
