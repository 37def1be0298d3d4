import type { Tensor } from "../../engine/graph.js";
import { flatten } from "../../engine/ops-spatial.js";
import type { BuildContext } from "../build-context.js";
import type { Layer, LayerConfig } from "../layer.js";

/** [N, d1, d2, ...] -> [N, d1·d2·...] (row-major, as torch.flatten(x, 1) and ONNX Flatten(axis=1)). */
export class Flatten implements Layer {
  constructor(readonly name: string) {}

  outputShape(inputShape: readonly number[]): number[] {
    return [inputShape.reduce((a, d) => a * d, 1)];
  }

  apply(_ctx: BuildContext, x: Tensor): Tensor {
    return x.rank === 2 ? x : flatten(x);
  }

  config(): LayerConfig {
    return { type: "flatten", name: this.name };
  }
}
