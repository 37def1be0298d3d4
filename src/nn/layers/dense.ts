import type { Tensor } from "../../engine/graph.js";
import * as T from "../../engine/ops.js";
import { UserError } from "../../errors.js";
import type { BuildContext } from "../build-context.js";
import { defaultInitializer, type InitializerName } from "../initializers.js";
import { type Layer, type LayerConfig, shapeMismatch } from "../layer.js";

export interface DenseOptions {
  units: number;
  /** Expected input features; inferred from the input when omitted. */
  inputDim?: number;
  useBias?: boolean;
  /** Weight initializer; default He normal (ReLU-family) unless `activationHint` is tanh/sigmoid/linear. */
  init?: InitializerName;
  /** The activation that follows, used only to choose the default initializer. */
  activationHint?: string;
}

/**
 * Fully connected layer: y = x·W + b, W of shape [in, units]. Works on inputs [N, in] and [N, ..., in].
 *
 * @example new Dense("dense_0", { units: 256, activationHint: "relu" })
 */
export class Dense implements Layer {
  constructor(
    readonly name: string,
    readonly opts: DenseOptions,
  ) {
    if (!Number.isInteger(opts.units) || opts.units <= 0)
      throw new UserError(`layer '${name}': units must be a positive whole number, got ${opts.units}`);
  }

  outputShape(inputShape: readonly number[]): number[] {
    const inDim = inputShape[inputShape.length - 1];
    if (inDim === undefined || (this.opts.inputDim !== undefined && inDim !== this.opts.inputDim))
      throw shapeMismatch(this.name, `[N, ${this.opts.inputDim ?? "features"}]`, inputShape);
    return [...inputShape.slice(0, -1), this.opts.units];
  }

  apply(ctx: BuildContext, x: Tensor): Tensor {
    const inDim = x.shape[x.rank - 1] as number;
    const w = ctx.param({
      name: `${this.name}.weight`,
      layer: this.name,
      shape: [inDim, this.opts.units],
      init: this.opts.init ?? defaultInitializer(this.opts.activationHint),
      fans: { fanIn: inDim, fanOut: this.opts.units },
      decay: true,
    });
    const y = T.matmul(x, w);
    if (this.opts.useBias === false) return y;
    const b = ctx.param({
      name: `${this.name}.bias`,
      layer: this.name,
      shape: [this.opts.units],
      init: "zeros",
      fans: { fanIn: inDim, fanOut: this.opts.units },
      decay: false,
    });
    return T.add(y, b);
  }

  config(): LayerConfig {
    return { type: "dense", name: this.name, ...this.opts };
  }
}
