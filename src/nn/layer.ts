/**
 * The layer interface. A layer knows its output shape for an input shape (batch dimension excluded) and
 * builds its part of the graph in a `BuildContext`. `config()` is what is saved to rebuild it.
 */
import type { Tensor } from "../engine/graph.js";
import { UserError } from "../errors.js";
import type { BuildContext } from "./build-context.js";

export interface LayerConfig {
  type: string;
  name: string;
  [key: string]: unknown;
}

export interface Layer {
  readonly name: string;
  /** Output shape (batch dimension excluded); throws a UserError naming the layer and shapes on mismatch. */
  outputShape(inputShape: readonly number[]): number[];
  apply(ctx: BuildContext, x: Tensor): Tensor;
  config(): LayerConfig;
}

export function shapeMismatch(layer: string, expected: string, got: readonly number[]): UserError {
  return new UserError(
    `layer '${layer}': input shape [N, ${got.join(", ")}] does not fit: expected ${expected}`,
    "check the number of input features or the previous layer's output size",
  );
}
