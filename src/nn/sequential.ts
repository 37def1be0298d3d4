/**
 * A stack of layers applied in order, with a fixed input shape (batch dimension excluded).
 * `mlp()` builds the recipe's default tabular network: Dense -> [norm] -> activation -> [dropout] per hidden
 * layer, then a linear output layer (logits; the loss picks the output function).
 */
import type { Tensor } from "../engine/graph.js";
import { UserError } from "../errors.js";
import { type ActivationName, parseActivation } from "./activations.js";
import type { BuildContext } from "./build-context.js";
import type { Layer, LayerConfig } from "./layer.js";
import { Activation } from "./layers/activation.js";
import { BatchNorm } from "./layers/batch-norm.js";
import { CNN_LAYER_TYPES } from "./layers/cnn-layer-types.js";
import { Dense } from "./layers/dense.js";
import { Dropout } from "./layers/dropout.js";
import { Embedding } from "./layers/embedding.js";
import { LayerNorm } from "./layers/layer-norm.js";
import { NgramBagEmbedding } from "./layers/ngram-bag.js";

export interface ModelSpec {
  inputShape: number[];
  layers: LayerConfig[];
}

/** Layer constructors by config type, for rebuilding saved models. Other layer families register here. */
export const LAYER_TYPES: Record<string, (c: LayerConfig) => Layer> = {
  dense: (c) => new Dense(c.name, c as never),
  activation: (c) => new Activation(c.name, c.activation as ActivationName, (c.leakyAlpha as number) ?? 0.01),
  dropout: (c) => new Dropout(c.name, c.rate as number),
  batch_norm: (c) => new BatchNorm(c.name, c as never),
  layer_norm: (c) => new LayerNorm(c.name, c.eps as number),
  embedding: (c) => new Embedding(c.name, c.vocab as number, c.dim as number),
  ngram_bag: (c) => new NgramBagEmbedding(c.name, c.vocab as number, c.dim as number),
  ...CNN_LAYER_TYPES,
};

export class Sequential {
  constructor(
    readonly inputShape: number[],
    readonly layers: Layer[],
  ) {
    const names = new Set<string>();
    for (const l of layers) {
      if (names.has(l.name))
        throw new UserError(`two layers are named '${l.name}'; layer names must be unique`);
      names.add(l.name);
    }
    this.outputShape(); // validates shapes layer by layer
  }

  /** Output shape (batch excluded); throws naming the first layer whose input does not fit. */
  outputShape(): number[] {
    let s = this.inputShape;
    for (const l of this.layers) s = l.outputShape(s);
    return s;
  }

  apply(ctx: BuildContext, x: Tensor): Tensor {
    let h = x;
    for (const l of this.layers) {
      h = l.apply(ctx, h);
      ctx.taps.set(l.name, h);
    }
    return h;
  }

  spec(): ModelSpec {
    return { inputShape: this.inputShape, layers: this.layers.map((l) => l.config()) };
  }

  static fromSpec(spec: ModelSpec): Sequential {
    return new Sequential(
      spec.inputShape,
      spec.layers.map((c) => {
        const make = LAYER_TYPES[c.type];
        if (!make) throw new UserError(`unknown layer type '${c.type}' in saved model (layer '${c.name}')`);
        return make(c);
      }),
    );
  }
}

export interface MlpOptions {
  inputs: number;
  outputs: number;
  hidden?: number[];
  activation?: string;
  dropout?: number;
  norm?: "none" | "batch" | "layer";
}

/** The default tabular network. */
export function mlp(o: MlpOptions): Sequential {
  const act = parseActivation(o.activation ?? "relu");
  const layers: Layer[] = [];
  (o.hidden ?? [256, 256]).forEach((units, i) => {
    layers.push(new Dense(`dense_${i}`, { units, activationHint: act, useBias: o.norm !== "batch" }));
    if (o.norm === "batch") layers.push(new BatchNorm(`batch_norm_${i}`));
    if (o.norm === "layer") layers.push(new LayerNorm(`layer_norm_${i}`));
    layers.push(new Activation(`${act}_${i}`, act));
    if (o.dropout && o.dropout > 0) layers.push(new Dropout(`dropout_${i}`, o.dropout));
  });
  layers.push(new Dense("output", { units: o.outputs, activationHint: "linear" }));
  return new Sequential([o.inputs], layers);
}
