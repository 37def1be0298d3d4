import type { Tensor } from "../../engine/graph.js";
import * as T from "../../engine/ops.js";
import { UserError } from "../../errors.js";
import type { BuildContext } from "../build-context.js";
import { type Layer, type LayerConfig, shapeMismatch } from "../layer.js";
import { Embedding } from "./embedding.js";

/**
 * Embedding bag of weighted n-grams (fastText's text representation): input rows [N, 2L] hold L n-gram
 * indices (as floats; 0 = padding) followed by their L weights (see NgramBag in src/data/text); the output
 * [N, dim] is the weighted sum of the indices' embedding rows. With L2-normalized TF-IDF weights this is a
 * learned low-rank projection of the TF-IDF vector. Row 0 (padding) has weight 0 so it never contributes.
 *
 * @example new NgramBagEmbedding("ngrams", 20_001, 64)
 */
export class NgramBagEmbedding implements Layer {
  constructor(
    readonly name: string,
    /** Rows of the embedding table (vocabulary + padding). */
    readonly vocab: number,
    readonly dim: number,
  ) {
    if (!Number.isInteger(vocab) || vocab <= 1)
      throw new UserError(`layer '${name}': vocab must be a whole number > 1, got ${vocab}`);
    if (!Number.isInteger(dim) || dim <= 0)
      throw new UserError(`layer '${name}': dim must be a positive whole number, got ${dim}`);
  }

  outputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 1 || inputShape[0]! % 2 !== 0 || inputShape[0]! < 2)
      throw shapeMismatch(this.name, "[N, 2L] (L n-gram indices, then their L weights)", inputShape);
    return [this.dim];
  }

  apply(ctx: BuildContext, x: Tensor): Tensor {
    const width = x.shape[1] as number;
    const L = width / 2;
    const ids = T.cast(T.slice(x, [0], [L], [1]), "int64");
    const weights = T.reshape(T.slice(x, [L], [width], [1]), [-1, L, 1]);
    // the embedding table is an Embedding layer's (same parameter name, initialization and decay)
    return T.reduceSum(T.mul(new Embedding(this.name, this.vocab, this.dim).apply(ctx, ids), weights), [1]);
  }

  config(): LayerConfig {
    return { type: "ngram_bag", name: this.name, vocab: this.vocab, dim: this.dim };
  }
}
