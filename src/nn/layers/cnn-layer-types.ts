/**
 * Constructors of the convolutional-network and ONNX-import layers by config type, merged into
 * `LAYER_TYPES` (sequential.ts) so saved CNNs and imported models rebuild from their specs.
 */
import type { Layer, LayerConfig } from "../layer.js";
import { Conv2D } from "./conv2d.js";
import { Clip, Elementwise, Softmax, Unary, type UnaryOp } from "./elementwise.js";
import { Flatten } from "./flatten.js";
import { AvgPool2D, GlobalAvgPool2D, MaxPool2D } from "./pool2d.js";
import { Permute, Reshape } from "./reshape.js";

export const CNN_LAYER_TYPES: Record<string, (c: LayerConfig) => Layer> = {
  conv2d: (c) => new Conv2D(c.name, c as never),
  max_pool2d: (c) => new MaxPool2D(c.name, c as never),
  avg_pool2d: (c) => new AvgPool2D(c.name, c as never),
  global_avg_pool2d: (c) => new GlobalAvgPool2D(c.name, Boolean(c.keepDims)),
  flatten: (c) => new Flatten(c.name),
  unary: (c) => new Unary(c.name, c.op as UnaryOp),
  clip: (c) =>
    new Clip(
      c.name,
      (c.min as number | null) ?? Number.NEGATIVE_INFINITY,
      (c.max as number | null) ?? Number.POSITIVE_INFINITY,
    ),
  softmax: (c) => new Softmax(c.name, (c.axis as number) ?? -1),
  elementwise: (c) => new Elementwise(c.name, c as never),
  reshape: (c) => new Reshape(c.name, c.shape as number[]),
  permute: (c) => new Permute(c.name, c.perm as number[]),
};
