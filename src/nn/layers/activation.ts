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

  apply(ctx: BuildContext, x: Tensor): Tensor {
    const y = activate(this.activation, x, this.leakyAlpha);
    if (this.activation === "relu" || this.activation === "leaky_relu") ctx.reluTaps.set(this.name, y);
    return y;
  }

  config(): LayerConfig {
    return { type: "activation", name: this.name, activation: this.activation, leakyAlpha: this.leakyAlpha };
  }
}
