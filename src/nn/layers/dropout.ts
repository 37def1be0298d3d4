import type { Tensor } from "../../engine/graph.js";
import * as T from "../../engine/ops.js";
import { UserError } from "../../errors.js";
import type { BuildContext } from "../build-context.js";
import type { Layer, LayerConfig } from "../layer.js";

/**
 * Inverted dropout: in training, zeroes each element with probability `rate` and scales the rest by
 * 1/(1-rate); identity at evaluation. The mask compares uniform noise drawn by the trainer from a seeded
 * generator (saved in checkpoints), so the same seed draws the same masks, also across a resume.
 */
export class Dropout implements Layer {
  constructor(
    readonly name: string,
    readonly rate: number,
  ) {
    if (!(rate >= 0 && rate < 1))
      throw new UserError(`layer '${name}': dropout rate must be in [0, 1), got ${rate}`);
  }

  outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  apply(ctx: BuildContext, x: Tensor): Tensor {
    if (!ctx.training || this.rate === 0) return x;
    const noise = ctx.uniformNoise(`${this.name}.noise`, [...x.shape]);
    const keep = T.cast(T.greaterOrEqual(noise, this.rate), x.dtype);
    return T.mul(x, T.mul(keep, 1 / (1 - this.rate)));
  }

  config(): LayerConfig {
    return { type: "dropout", name: this.name, rate: this.rate };
  }
}
