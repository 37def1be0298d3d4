/**
 * Convolutional network builders:
 * - `cnn()`: a plain family of conv -> [batch norm] -> activation blocks in stages of `widths` filters,
 *   max pooling between stages, global average pooling and a linear output layer;
 * - `residualCnn()`: the residual variant (a stem, stages of two-conv residual blocks with projection
 *   shortcuts where the shape changes, global pooling, linear output);
 * - `benchCnn()`: the benchmark CNN of bench/torch_train.py.
 * Layer names are grouped per block (`block1.conv`, `block1.bn`, ...) so transfer specs can freeze blocks
 * by prefix.
 */
import { UserError } from "../errors.js";
import { type ActivationName, parseActivation } from "./activations.js";
import { GraphModel, type GraphNode, MODEL_INPUT } from "./graph-model.js";
import type { Layer } from "./layer.js";
import { Activation } from "./layers/activation.js";
import { BatchNorm } from "./layers/batch-norm.js";
import { Conv2D } from "./layers/conv2d.js";
import { Dense } from "./layers/dense.js";
import { Dropout } from "./layers/dropout.js";
import { Merge } from "./layers/merge.js";
import { GlobalAvgPool2D, MaxPool2D } from "./layers/pool2d.js";
import { Sequential } from "./sequential.js";

/** Activations that never decrease: max pooling commutes with them. */
const MONOTONE = new Set(["relu", "leaky_relu", "tanh", "sigmoid", "linear"]);

export interface CnnOptions {
  /** [channels, height, width] of one image. */
  inputShape: number[];
  /** Output units (number of classes; 1 for binary or regression). */
  outputs: number;
  /** Filters of each stage (one stage per entry); default [32, 64, 128]. */
  widths?: number[];
  /** Conv blocks per stage (depth); default 1. */
  convsPerStage?: number;
  /** Kernel size of the convolutions; default 3 ("same" padding). */
  kernel?: number;
  /** Normalization after each convolution; default "batch". */
  norm?: "batch" | "none";
  activation?: string;
  /** Dropout before the output layer (and after each hidden dense layer of the head); default 0. */
  dropout?: number;
  /** Dense layers of the head between global pooling and the output (units each); default none. */
  hidden?: number[];
}

function checkCommon(o: CnnOptions): {
  widths: number[];
  act: ActivationName;
  c: number;
  h: number;
  w: number;
} {
  if (
    !Array.isArray(o.inputShape) ||
    o.inputShape.length !== 3 ||
    !o.inputShape.every((d) => Number.isInteger(d) && d > 0)
  )
    throw new UserError(
      `a CNN needs an input shape [channels, height, width], got ${JSON.stringify(o.inputShape)}`,
    );
  if (!Number.isInteger(o.outputs) || o.outputs < 1)
    throw new UserError(`outputs must be a whole number >= 1, got ${o.outputs}`);
  const widths = o.widths ?? [32, 64, 128];
  if (widths.length === 0 || !widths.every((v) => Number.isInteger(v) && v > 0))
    throw new UserError(
      `widths must be a non-empty list of whole numbers >= 1, got ${JSON.stringify(o.widths)}`,
    );
  if (o.dropout !== undefined && !(o.dropout >= 0 && o.dropout < 1))
    throw new UserError(`dropout must be in [0, 1), got ${o.dropout}`);
  const [c, h, w] = o.inputShape as [number, number, number];
  return { widths, act: parseActivation(o.activation ?? "relu"), c, h, w };
}

function head(layers: Layer[], o: CnnOptions): void {
  layers.push(new GlobalAvgPool2D("gap"));
  const act = parseActivation(o.activation ?? "relu");
  (o.hidden ?? []).forEach((units, i) => {
    if (o.dropout && o.dropout > 0) layers.push(new Dropout(`head_dropout_${i}`, o.dropout));
    layers.push(new Dense(`head_dense_${i}`, { units, activationHint: act }));
    layers.push(new Activation(`head_${act}_${i}`, act));
  });
  if (o.dropout && o.dropout > 0) layers.push(new Dropout("dropout", o.dropout));
  layers.push(new Dense("output", { units: o.outputs, activationHint: "linear" }));
}

/**
 * The plain CNN: for each stage s (1-based) `convsPerStage` blocks `block<s>.conv<i>` (same padding,
 * no bias when followed by batch norm) -> `block<s>.bn<i>` -> `block<s>.<act><i>`, with `block<s>.pool`
 * (2x2 max pooling) between stages while the image is at least 2x2; then `gap`, optional `dropout`,
 * `output`. For non-decreasing activations (relu, leaky_relu, tanh, sigmoid) the pooling comes just
 * before the stage's last activation instead of after it: the same function and gradients (max pooling
 * commutes with them), with the activation on a quarter of the values.
 *
 * @example cnn({ inputShape: [1, 28, 28], outputs: 10, widths: [16, 32, 64] })
 */
export function cnn(o: CnnOptions): Sequential {
  const { widths, act, h, w } = checkCommon(o);
  const per = o.convsPerStage ?? 1;
  if (!Number.isInteger(per) || per < 1)
    throw new UserError(`convsPerStage must be a whole number >= 1, got ${o.convsPerStage}`);
  const batch = (o.norm ?? "batch") === "batch";
  const layers: Layer[] = [];
  let size = Math.min(h, w);
  // max pooling commutes with non-decreasing activations (f(max(a, b)) = max(f(a), f(b)), and the
  // gradients agree too), so pooling goes first and the activation runs on a quarter of the values
  const poolFirst = MONOTONE.has(act);
  widths.forEach((filters, s) => {
    const b = `block${s + 1}`;
    const pool = s < widths.length - 1 && size >= 2;
    for (let i = 1; i <= per; i++) {
      const sfx = per === 1 ? "" : String(i);
      layers.push(
        new Conv2D(`${b}.conv${sfx}`, {
          filters,
          kernel: o.kernel ?? 3,
          padding: "same",
          useBias: !batch,
          activationHint: act,
        }),
      );
      if (batch) layers.push(new BatchNorm(`${b}.bn${sfx}`));
      if (pool && poolFirst && i === per) layers.push(new MaxPool2D(`${b}.pool`, { kernel: 2 }));
      layers.push(new Activation(`${b}.${act}${sfx}`, act));
    }
    if (pool) {
      if (!poolFirst) layers.push(new MaxPool2D(`${b}.pool`, { kernel: 2 }));
      size = Math.floor(size / 2);
    }
  });
  head(layers, o);
  return new Sequential([...o.inputShape], layers);
}

export interface ResidualCnnOptions extends Omit<CnnOptions, "convsPerStage" | "kernel"> {
  /** Residual blocks per stage; default 1. */
  blocksPerStage?: number;
}

/**
 * The residual CNN: `stem` (3x3 conv, bn, activation) with widths[0] filters, then per stage s and block
 * j the block `stage<s>.block<j>`: conv3x3 (stride 2 in the first block of stages after the first) ->
 * bn -> act -> conv3x3 -> bn, plus the shortcut (identity, or 1x1 conv + bn when the shape changes),
 * then act; then `gap`, optional `dropout`, `output`. Batch norm is always used here unless norm is
 * "none" (then convolutions get biases).
 */
export function residualCnn(o: ResidualCnnOptions): GraphModel {
  const { widths, act } = checkCommon(o);
  const blocks = o.blocksPerStage ?? 1;
  if (!Number.isInteger(blocks) || blocks < 1)
    throw new UserError(`blocksPerStage must be a whole number >= 1, got ${o.blocksPerStage}`);
  const batch = (o.norm ?? "batch") === "batch";
  const nodes: GraphNode[] = [];
  let last = MODEL_INPUT;
  const add = (layer: GraphNode["layer"], inputs = [last]): string => {
    nodes.push({ layer, inputs });
    last = layer.name;
    return last;
  };
  const convBn = (
    name: string,
    filters: number,
    kernel: number,
    stride: number,
    from: string,
    hint: string,
  ) => {
    add(
      new Conv2D(`${name}.conv`, {
        filters,
        kernel,
        strides: stride,
        padding: kernel === 1 ? "valid" : "same",
        useBias: !batch,
        activationHint: hint,
      }),
      [from],
    );
    if (batch) add(new BatchNorm(`${name}.bn`));
    return last;
  };
  convBn("stem", widths[0]!, 3, 1, MODEL_INPUT, act);
  add(new Activation(`stem.${act}`, act));
  let channels = widths[0]!;
  widths.forEach((filters, s) => {
    for (let j = 1; j <= blocks; j++) {
      const name = `stage${s + 1}.block${j}`;
      const stride = s > 0 && j === 1 ? 2 : 1;
      const input = last;
      convBn(`${name}.a`, filters, 3, stride, input, act);
      add(new Activation(`${name}.a.${act}`, act));
      const main = convBn(`${name}.b`, filters, 3, 1, last, "linear");
      const shortcut =
        stride !== 1 || channels !== filters
          ? convBn(`${name}.shortcut`, filters, 1, stride, input, "linear")
          : input;
      add(new Merge(`${name}.add`, "add"), [main, shortcut]);
      add(new Activation(`${name}.${act}`, act));
      channels = filters;
    }
  });
  const tail: Layer[] = [];
  head(tail, o);
  for (const l of tail) add(l);
  return new GraphModel([...o.inputShape], nodes);
}

/**
 * The benchmark CNN of bench/torch_train.py on 28x28x1 inputs: conv3x3(1->16, pad 1)+ReLU+maxpool2,
 * conv3x3(16->32)+ReLU+maxpool2, conv3x3(32->64)+ReLU, global average pool, linear 64->10 (all with biases).
 */
export function benchCnn(classes = 10): Sequential {
  return cnn({ inputShape: [1, 28, 28], outputs: classes, widths: [16, 32, 64], norm: "none" });
}
