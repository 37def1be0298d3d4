/**
 * What the Trainer needs of a model: a fixed input shape (batch dimension excluded), a way to build its
 * graph, its output shape and a saveable description. `Sequential` (a stack of layers) and `GraphModel`
 * (layers wired as a directed acyclic graph: residual and branching networks, imported ONNX models) both
 * satisfy it.
 */
import type { Tensor } from "../engine/graph.js";
import type { BuildContext } from "./build-context.js";

export interface Model {
  readonly inputShape: number[];
  apply(ctx: BuildContext, x: Tensor): Tensor;
  /** Output shape, batch dimension excluded. */
  outputShape(): number[];
  /** A JSON description from which the model can be rebuilt (weights not included). */
  spec(): object;
  /**
   * Values to start parameters and state variables (running statistics) from, by name, instead of their
   * initializers: pretrained weights. Names not in the map are initialized as usual (seeded).
   */
  readonly initialValues?: ReadonlyMap<string, ArrayLike<number>>;
}
