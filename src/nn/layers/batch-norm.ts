import type { Tensor } from "../../engine/graph.js";
import * as T from "../../engine/ops.js";
import { UserError } from "../../errors.js";
import type { BuildContext } from "../build-context.js";
import type { Layer, LayerConfig } from "../layer.js";

export interface BatchNormOptions {
  /** Weight of the new batch statistic in the running average (PyTorch convention), default 0.1. */
  momentum?: number;
  eps?: number;
}

/**
 * Batch normalization over the feature axis (axis 1: features of [N, F], channels of [N, C, H, W]).
 * Training normalizes with the batch's mean and biased variance and updates the running mean and
 * (unbiased) running variance as PyTorch does; evaluation, and training in frozen layers, use the running
 * statistics.
 */
export class BatchNorm implements Layer {
  readonly momentum: number;
  readonly eps: number;

  constructor(
    readonly name: string,
    opts: BatchNormOptions = {},
  ) {
    this.momentum = opts.momentum ?? 0.1;
    this.eps = opts.eps ?? 1e-5;
    if (!(this.momentum > 0 && this.momentum <= 1))
      throw new UserError(`layer '${name}': momentum must be in (0, 1], got ${this.momentum}`);
  }

  outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  apply(ctx: BuildContext, x: Tensor): Tensor {
    const c = x.shape[1] as number;
    const bshape = x.shape.map((_, i) => (i === 1 ? c : 1));
    const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
    const param = (p: string, init: "ones" | "zeros") =>
      T.reshape(
        ctx.param({
          name: `${this.name}.${p}`,
          layer: this.name,
          shape: [c],
          init,
          fans: { fanIn: c, fanOut: c },
          decay: false,
        }),
        bshape,
      );
    const gamma = param("weight", "ones");
    const beta = param("bias", "zeros");
    const runMeanName = `${this.name}.running_mean`;
    const runVarName = `${this.name}.running_var`;
    const runMean = ctx.state({ name: runMeanName, layer: this.name, shape: [c], fill: 0 });
    const runVar = ctx.state({ name: runVarName, layer: this.name, shape: [c], fill: 1 });
    let mean: Tensor;
    let variance: Tensor;
    if (ctx.training && !ctx.frozenLayers.has(this.name)) {
      mean = T.reduceMean(x, axes, true);
      const centered = T.sub(x, mean);
      variance = T.reduceMean(T.mul(centered, centered), axes, true);
      const n = T.dimSize(x, axes, x.dtype);
      const unbiased = T.mul(T.reshape(variance, [c]), T.div(n, T.sub(n, 1)));
      const m = this.momentum;
      ctx.updateState(runMeanName, T.add(T.mul(runMean, 1 - m), T.mul(T.reshape(mean, [c]), m)));
      ctx.updateState(runVarName, T.add(T.mul(runVar, 1 - m), T.mul(unbiased, m)));
      const inv = T.div(gamma, T.sqrt(T.add(variance, this.eps)));
      return T.add(T.mul(centered, inv), beta);
    }
    mean = T.reshape(runMean, bshape);
    variance = T.reshape(runVar, bshape);
    const scale = T.div(gamma, T.sqrt(T.add(variance, this.eps)));
    return T.add(T.mul(T.sub(x, mean), scale), beta);
  }

  config(): LayerConfig {
    return { type: "batch_norm", name: this.name, momentum: this.momentum, eps: this.eps };
  }
}
