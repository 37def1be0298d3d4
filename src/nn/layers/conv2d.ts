import type { Tensor } from "../../engine/graph.js";
import { conv2d, type Padding2d, resolvePads } from "../../engine/ops-spatial.js";
import { UserError } from "../../errors.js";
import type { BuildContext } from "../build-context.js";
import { defaultInitializer, type InitializerName } from "../initializers.js";
import { type Layer, type LayerConfig, shapeMismatch } from "../layer.js";
import { pair2, positiveInt } from "./spatial-args.js";

export interface Conv2dLayerOptions {
  /** Output channels. */
  filters: number;
  /** Kernel size: one number for square kernels, or [height, width]. */
  kernel: number | readonly [number, number];
  /** Default 1. */
  strides?: number | readonly [number, number];
  /**
   * "valid" (default; no padding), "same" (output size = ceil(input / stride), odd extra padding at the
   * end), one number for all sides, [vertical, horizontal], or [top, left, bottom, right].
   */
  padding?: Padding2d;
  /** Default 1. */
  dilation?: number | readonly [number, number];
  /** Channel groups (1: dense; = input channels with filters a multiple of it: depthwise). Default 1. */
  groups?: number;
  useBias?: boolean;
  /** Weight initializer; default He normal unless `activationHint` is tanh/sigmoid/linear. */
  init?: InitializerName;
  /** The activation that follows, used only to choose the default initializer. */
  activationHint?: string;
}

/**
 * 2-D convolution over [N, C, H, W] inputs with weights [filters, C/groups, kH, kW] (PyTorch's and ONNX's
 * layout, so pretrained weights load unchanged) and an optional bias [filters].
 *
 * @example new Conv2D("conv_0", { filters: 32, kernel: 3, padding: "same", activationHint: "relu" })
 */
export class Conv2D implements Layer {
  readonly kernel: [number, number];
  readonly strides: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(
    readonly name: string,
    readonly opts: Conv2dLayerOptions,
  ) {
    positiveInt(name, "filters", opts.filters);
    this.kernel = pair2(name, "kernel", opts.kernel);
    this.strides = pair2(name, "strides", opts.strides ?? 1);
    this.dilation = pair2(name, "dilation", opts.dilation ?? 1);
    this.groups = opts.groups ?? 1;
    positiveInt(name, "groups", this.groups);
    if (opts.filters % this.groups !== 0)
      throw new UserError(
        `layer '${name}': filters (${opts.filters}) must be a multiple of groups (${this.groups})`,
      );
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

  /** Explicit [top, left, bottom, right] pads for an input of h x w. */
  pads(h: number, w: number): [number, number, number, number] {
    return resolvePads(this.opts.padding ?? "valid", h, w, this.kernel, this.strides, this.dilation);
  }

  outputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 3)
      throw shapeMismatch(this.name, "[N, channels, height, width] (images)", inputShape);
    const [c, h, w] = inputShape as [number, number, number];
    if (c % this.groups !== 0)
      throw shapeMismatch(this.name, `channels divisible by groups (${this.groups})`, inputShape);
    const pads = this.pads(h, w);
    const out = [0, 1].map((i) => {
      const size = i === 0 ? h : w;
      const span = size + pads[i]! + pads[i + 2]! - this.dilation[i]! * (this.kernel[i]! - 1) - 1;
      return span < 0 ? 0 : Math.floor(span / this.strides[i]!) + 1;
    });
    if (out[0]! < 1 || out[1]! < 1)
      throw shapeMismatch(
        this.name,
        `a height and width of at least the ${this.kernel.join("x")} kernel (with padding and dilation)`,
        inputShape,
      );
    return [this.opts.filters, out[0]!, out[1]!];
  }

  apply(ctx: BuildContext, x: Tensor): Tensor {
    const [c, h, w] = x.shape.slice(1) as number[];
    const cg = c! / this.groups;
    const receptive = this.kernel[0] * this.kernel[1];
    const fans = { fanIn: cg * receptive, fanOut: (this.opts.filters / this.groups) * receptive };
    const weight = ctx.param({
      name: `${this.name}.weight`,
      layer: this.name,
      shape: [this.opts.filters, cg, ...this.kernel],
      init: this.opts.init ?? defaultInitializer(this.opts.activationHint),
      fans,
      decay: true,
    });
    const bias =
      this.opts.useBias === false
        ? undefined
        : ctx.param({
            name: `${this.name}.bias`,
            layer: this.name,
            shape: [this.opts.filters],
            init: "zeros",
            fans,
            decay: false,
          });
    return conv2d(x, weight, bias, {
      strides: this.strides,
      pads: this.pads(h!, w!),
      dilations: this.dilation,
      group: this.groups,
    });
  }

  config(): LayerConfig {
    return { type: "conv2d", name: this.name, ...this.opts };
  }
}
