import type { Tensor } from "../../engine/graph.js";
import * as T from "../../engine/ops.js";
import {
  avgPool2d,
  globalAvgPool,
  maxPool2d,
  outputLength,
  type Padding2d,
  resolvePads,
} from "../../engine/ops-spatial.js";
import { UserError } from "../../errors.js";
import type { BuildContext } from "../build-context.js";
import { type Layer, type LayerConfig, shapeMismatch } from "../layer.js";
import { pair2 } from "./spatial-args.js";

export interface Pool2dLayerOptions {
  /** Window size: n or [height, width]. */
  kernel: number | readonly [number, number];
  /** Default: the window size (non-overlapping windows). */
  strides?: number | readonly [number, number];
  /** "valid" (default), "same", a whole number, [vertical, horizontal] or [top, left, bottom, right]. */
  padding?: Padding2d;
  /** Round the output size up, as PyTorch's ceil_mode (default false). */
  ceil?: boolean;
}

abstract class Pool2D implements Layer {
  readonly kernel: [number, number];
  readonly strides: [number, number];
  readonly dilation: [number, number];

  constructor(
    readonly name: string,
    readonly opts: Pool2dLayerOptions & { dilation?: number | readonly [number, number] },
  ) {
    this.kernel = pair2(name, "kernel", opts.kernel);
    this.strides = pair2(name, "strides", opts.strides ?? this.kernel);
    this.dilation = pair2(name, "dilation", opts.dilation ?? 1);
    const p = opts.padding ?? "valid";
    const ok =
      p === "same" ||
      p === "valid" ||
      (typeof p === "number" && Number.isInteger(p) && p >= 0) ||
      (Array.isArray(p) &&
        (p.length === 2 || p.length === 4) &&
        p.every((v) => Number.isInteger(v) && v >= 0));
    if (!ok)
      throw new UserError(
        `layer '${name}': padding must be "same", "valid", a whole number or [top, left, bottom, right], got ${JSON.stringify(p)}`,
      );
  }

  pads(h: number, w: number): [number, number, number, number] {
    return resolvePads(this.opts.padding ?? "valid", h, w, this.kernel, this.strides, this.dilation);
  }

  outputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 3)
      throw shapeMismatch(this.name, "[N, channels, height, width] (images)", inputShape);
    const [c, h, w] = inputShape as [number, number, number];
    const pads = this.pads(h, w);
    const out = [0, 1].map((i) =>
      outputLength(
        i === 0 ? h : w,
        this.kernel[i]!,
        this.strides[i]!,
        pads[i]!,
        pads[i + 2]!,
        this.dilation[i]!,
        this.opts.ceil ?? false,
      ),
    );
    if (out[0]! < 1 || out[1]! < 1)
      throw shapeMismatch(
        this.name,
        `a height and width of at least the ${this.kernel.join("x")} window`,
        inputShape,
      );
    return [c, out[0]!, out[1]!];
  }

  abstract apply(ctx: BuildContext, x: Tensor): Tensor;
  abstract config(): LayerConfig;
}

/**
 * Max pooling over [N, C, H, W]: the largest value of each window (gradient to the first maximum).
 *
 * @example new MaxPool2D("pool_0", { kernel: 2 }) // halves height and width
 */
export class MaxPool2D extends Pool2D {
  constructor(name: string, opts: Pool2dLayerOptions & { dilation?: number | readonly [number, number] }) {
    super(name, opts);
  }

  apply(_ctx: BuildContext, x: Tensor): Tensor {
    const [h, w] = x.shape.slice(2) as number[];
    return maxPool2d(x, {
      kernel: this.kernel,
      strides: this.strides,
      pads: this.pads(h!, w!),
      dilations: this.dilation,
      ceil: this.opts.ceil ?? false,
    });
  }

  config(): LayerConfig {
    return { type: "max_pool2d", name: this.name, ...this.opts };
  }
}

/**
 * Average pooling over [N, C, H, W]. `countIncludePad` (default true, as PyTorch) divides by the whole
 * window; false divides by the positions inside the image.
 */
export class AvgPool2D extends Pool2D {
  constructor(
    name: string,
    readonly avgOpts: Pool2dLayerOptions & { countIncludePad?: boolean },
  ) {
    super(name, avgOpts);
  }

  apply(_ctx: BuildContext, x: Tensor): Tensor {
    const [h, w] = x.shape.slice(2) as number[];
    return avgPool2d(x, {
      kernel: this.kernel,
      strides: this.strides,
      pads: this.pads(h!, w!),
      ceil: this.opts.ceil ?? false,
      countIncludePad: this.avgOpts.countIncludePad ?? true,
    });
  }

  config(): LayerConfig {
    return { type: "avg_pool2d", name: this.name, ...this.avgOpts };
  }
}

/**
 * Mean over all spatial positions: [N, C, H, W] -> [N, C] (or [N, C, 1, 1] with `keepDims`, as ONNX's
 * GlobalAveragePool and PyTorch's AdaptiveAvgPool2d(1)).
 */
export class GlobalAvgPool2D implements Layer {
  constructor(
    readonly name: string,
    readonly keepDims = false,
  ) {}

  outputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 3)
      throw shapeMismatch(this.name, "[N, channels, height, width] (images)", inputShape);
    return this.keepDims ? [inputShape[0]!, 1, 1] : [inputShape[0]!];
  }

  apply(_ctx: BuildContext, x: Tensor): Tensor {
    const y = globalAvgPool(x);
    return this.keepDims ? y : T.reshape(y, [x.shape[0]!, x.shape[1]!]);
  }

  config(): LayerConfig {
    return { type: "global_avg_pool2d", name: this.name, keepDims: this.keepDims };
  }
}
