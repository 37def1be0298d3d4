/**
 * A model whose layers form a directed acyclic graph: each node is a layer applied to the model input or
 * to earlier nodes' outputs (residual blocks, branches, imported ONNX graphs). Same surface as
 * `Sequential` (input shape, apply, output shape, spec), so the Trainer takes either.
 */
import type { Tensor } from "../engine/graph.js";
import { UserError } from "../errors.js";
import type { BuildContext } from "./build-context.js";
import type { Layer, LayerConfig } from "./layer.js";
import { MULTI_INPUT_LAYER_TYPES, type MultiInputLayer } from "./layers/merge.js";
import type { Model } from "./model.js";
import { LAYER_TYPES, type Sequential } from "./sequential.js";

/** The name by which nodes refer to the model input. */
export const MODEL_INPUT = "input";

export interface GraphNode {
  layer: Layer | MultiInputLayer;
  /** Node names (or MODEL_INPUT) whose outputs feed this layer, in order. */
  inputs: string[];
}

export interface GraphModelSpec {
  format: "graph";
  inputShape: number[];
  nodes: { layer: LayerConfig; inputs: string[] }[];
  output: string;
}

export function isMultiInput(l: Layer | MultiInputLayer): l is MultiInputLayer {
  return "applyMany" in l;
}

/**
 * Layers wired as a DAG, listed so that every node comes after its inputs. `output` names the node whose
 * value the model returns (default: the last node); nodes it does not depend on are not built.
 *
 * @example
 * new GraphModel([16, 8, 8], [
 *   { layer: new Conv2D("conv", { filters: 16, kernel: 3, padding: "same" }), inputs: ["input"] },
 *   { layer: new Merge("add", "add"), inputs: ["input", "conv"] },
 * ]);
 */
export class GraphModel implements Model {
  readonly output: string;
  private readonly byName = new Map<string, GraphNode>();

  constructor(
    readonly inputShape: number[],
    readonly nodes: readonly GraphNode[],
    output?: string,
    readonly initialValues?: ReadonlyMap<string, ArrayLike<number>>,
  ) {
    if (nodes.length === 0) throw new UserError("a graph model needs at least one layer");
    for (const n of nodes) {
      const name = n.layer.name;
      if (name === MODEL_INPUT)
        throw new UserError(`a layer cannot be named '${MODEL_INPUT}' (reserved for the model input)`);
      if (this.byName.has(name))
        throw new UserError(`two layers are named '${name}'; layer names must be unique`);
      if (n.inputs.length === 0) throw new UserError(`layer '${name}' has no inputs`);
      for (const i of n.inputs)
        if (i !== MODEL_INPUT && !this.byName.has(i))
          throw new UserError(
            `layer '${name}' takes '${i}', which is not an earlier layer`,
            "list layers after the layers they read from",
          );
      if (!isMultiInput(n.layer) && n.inputs.length !== 1)
        throw new UserError(
          `layer '${name}' takes one input, got ${n.inputs.length} (${n.inputs.join(", ")})`,
        );
      this.byName.set(name, n);
    }
    this.output = output ?? nodes[nodes.length - 1]!.layer.name;
    if (!this.byName.has(this.output))
      throw new UserError(`the output '${this.output}' is not a layer of the model`);
    this.outputShape(); // validates shapes node by node
  }

  /** The layers, in node order. */
  get layers(): (Layer | MultiInputLayer)[] {
    return this.nodes.map((n) => n.layer);
  }

  node(name: string): GraphNode | undefined {
    return this.byName.get(name);
  }

  /** Names of the nodes the output depends on (itself included), in node order. */
  liveNodes(output = this.output): string[] {
    const live = new Set<string>([output]);
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const n = this.nodes[i]!;
      if (live.has(n.layer.name)) for (const inp of n.inputs) live.add(inp);
    }
    return this.nodes.filter((n) => live.has(n.layer.name)).map((n) => n.layer.name);
  }

  /** Output shape of every node (batch excluded); throws naming the first layer whose input does not fit. */
  shapes(): Map<string, number[]> {
    const shapes = new Map<string, number[]>([[MODEL_INPUT, this.inputShape]]);
    for (const n of this.nodes) {
      const ins = n.inputs.map((i) => shapes.get(i)!);
      shapes.set(
        n.layer.name,
        isMultiInput(n.layer) ? n.layer.outputShapeOf(ins) : n.layer.outputShape(ins[0]!),
      );
    }
    return shapes;
  }

  outputShape(): number[] {
    return this.shapes().get(this.output)!;
  }

  apply(ctx: BuildContext, x: Tensor): Tensor {
    const values = new Map<string, Tensor>([[MODEL_INPUT, x]]);
    const live = new Set(this.liveNodes());
    for (const n of this.nodes) {
      if (!live.has(n.layer.name)) continue;
      const ins = n.inputs.map((i) => values.get(i)!);
      const y = isMultiInput(n.layer) ? n.layer.applyMany(ctx, ins) : n.layer.apply(ctx, ins[0]!);
      values.set(n.layer.name, y);
      ctx.taps.set(n.layer.name, y);
    }
    return values.get(this.output)!;
  }

  spec(): GraphModelSpec {
    return {
      format: "graph",
      inputShape: [...this.inputShape],
      nodes: this.nodes.map((n) => ({ layer: n.layer.config(), inputs: [...n.inputs] })),
      output: this.output,
    };
  }

  /** The same graph starting from the given weights (e.g. pretrained ones). */
  withInitialValues(values: ReadonlyMap<string, ArrayLike<number>>): GraphModel {
    return new GraphModel(this.inputShape, this.nodes, this.output, values);
  }

  /** Rebuilds a saved graph model (layer types from LAYER_TYPES and the multi-input layer registry). */
  static fromSpec(spec: GraphModelSpec, initialValues?: ReadonlyMap<string, ArrayLike<number>>): GraphModel {
    if (spec?.format !== "graph" || !Array.isArray(spec.nodes) || !Array.isArray(spec.inputShape))
      throw new UserError("not a saved graph model (needs format 'graph', inputShape and nodes)");
    const nodes = spec.nodes.map(({ layer: c, inputs }) => {
      const single = LAYER_TYPES[c.type];
      const multi = MULTI_INPUT_LAYER_TYPES[c.type];
      if (!single && !multi)
        throw new UserError(`unknown layer type '${c.type}' in saved model (layer '${c.name}')`);
      return { layer: single ? single(c) : multi!(c), inputs: [...inputs] };
    });
    return new GraphModel(spec.inputShape, nodes, spec.output, initialValues);
  }

  /** A chain of `seq`'s layers as a graph model. */
  static fromSequential(seq: Sequential, initialValues?: ReadonlyMap<string, ArrayLike<number>>): GraphModel {
    const nodes = seq.layers.map((layer, i) => ({
      layer,
      inputs: [i === 0 ? MODEL_INPUT : seq.layers[i - 1]!.name],
    }));
    return new GraphModel(seq.inputShape, nodes, undefined, initialValues);
  }
}
