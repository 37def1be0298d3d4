import type { Tensor } from "../../engine/graph.js";
import * as T from "../../engine/ops.js";
import { UserError } from "../../errors.js";
import type { BuildContext } from "../build-context.js";
import type { Layer, LayerConfig } from "../layer.js";

/**
 * Embedding table [vocab, dim]: integer indices [N, ...] -> vectors [N, ..., dim]. Input must be int64
 * (categorical codes); index `vocab - 1` is conventionally the "unknown" slot.
 */
export class Embedding implements Layer {
  constructor(
    readonly name: string,
    readonly vocab: number,
    readonly dim: number,
  ) {
    if (!Number.isInteger(vocab) || vocab <= 0)
      throw new UserError(`layer '${name}': vocab must be a positive whole number, got ${vocab}`);
    if (!Number.isInteger(dim) || dim <= 0)
      throw new UserError(`layer '${name}': dim must be a positive whole number, got ${dim}`);
  }

  outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape, this.dim];
  }

  apply(ctx: BuildContext, x: Tensor): Tensor {
    if (x.dtype !== "int64")
      throw new UserError(
        `layer '${this.name}': an Embedding needs integer category codes (int64), got ${x.dtype}`,
      );
    const table = ctx.param({
      name: `${this.name}.weight`,
      layer: this.name,
      shape: [this.vocab, this.dim],
      init: "xavier_normal",
      fans: { fanIn: 1, fanOut: this.dim },
      decay: true,
    });
    return T.gather(table, x);
  }

  config(): LayerConfig {
    return { type: "embedding", name: this.name, vocab: this.vocab, dim: this.dim };
  }
}
