import type { Tensor } from "../../engine/graph.js";
import * as T from "../../engine/ops.js";
import type { BuildContext } from "../build-context.js";
import type { Layer, LayerConfig } from "../layer.js";

/** Layer normalization over the last axis with a learned scale and shift (as torch.nn.LayerNorm). */
export class LayerNorm implements Layer {
  constructor(
    readonly name: string,
    readonly eps = 1e-5,
  ) {}

  outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  apply(ctx: BuildContext, x: Tensor): Tensor {
    const d = x.shape[x.rank - 1] as number;
    const spec = (p: string, init: "ones" | "zeros") => ({
      name: `${this.name}.${p}`,
      layer: this.name,
      shape: [d],
      init,
      fans: { fanIn: d, fanOut: d },
      decay: false,
    });
    const gamma = ctx.param(spec("weight", "ones"));
    const beta = ctx.param(spec("bias", "zeros"));
    const mean = T.reduceMean(x, [-1], true);
    const centered = T.sub(x, mean);
    const variance = T.reduceMean(T.mul(centered, centered), [-1], true);
    return T.add(T.mul(T.div(centered, T.sqrt(T.add(variance, this.eps))), gamma), beta);
  }

  config(): LayerConfig {
    return { type: "layer_norm", name: this.name, eps: this.eps };
  }
}
