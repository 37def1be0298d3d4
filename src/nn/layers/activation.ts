import type { Tensor } from "../../engine/graph.js";
import { type ActivationName, activate } from "../activations.js";
import type { BuildContext } from "../build-context.js";
import type { Layer, LayerConfig } from "../layer.js";

/** An activation function as a layer (relu, leaky_relu, gelu, gelu_tanh, tanh, sigmoid, linear). */
export class Activation implements Layer {
  constructor(
    readonly name: string,
    readonly activation: ActivationName,
    readonly leakyAlpha = 0.01,
  ) {}

  outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  apply(_ctx: BuildContext, x: Tensor): Tensor {
    return activate(this.activation, x, this.leakyAlpha);
  }

  config(): LayerConfig {
    return { type: "activation", name: this.name, activation: this.activation, leakyAlpha: this.leakyAlpha };
  }
}
