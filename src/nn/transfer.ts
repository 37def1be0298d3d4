/**
 * Transfer learning on pretrained models: cut a network at a named layer or before its last N layers,
 * attach a new head (global pooling or flatten, optional hidden layers, a new output layer), choose the
 * layers to freeze by name, prefix, or index range, and turn those choices into Trainer options. Freezing
 * happens in the compiled training step (frozen parameters get no gradient; frozen BatchNorm layers keep
 * their running statistics), so a frozen weight is bit-identical after training. `retrain()` (train/retrain.ts)
 * continues from a trained model with other frozen layers or learning-rate scales (unfreeze, then fine-tune).
 */
import { closestMatch, UserError } from "../errors.js";
import { parseActivation } from "./activations.js";
import { GraphModel, type GraphNode, MODEL_INPUT } from "./graph-model.js";
import { Activation } from "./layers/activation.js";
import { Dense } from "./layers/dense.js";
import { Dropout } from "./layers/dropout.js";
import { Flatten } from "./layers/flatten.js";
import { GlobalAvgPool2D } from "./layers/pool2d.js";
import type { Model } from "./model.js";
import { Sequential } from "./sequential.js";

/** A Sequential or GraphModel as a GraphModel (the form transfer operations work on). */
export function asGraphModel(model: Model): GraphModel {
  if (model instanceof GraphModel) return model;
  if (model instanceof Sequential) return GraphModel.fromSequential(model, (model as Model).initialValues);
  throw new UserError("transfer needs a Sequential or GraphModel");
}

/** Where to cut: after the named layer (which is kept), or a number n >= 1: before the last n layers. */
export type CutPoint = string | number;

function unknownLayer(model: GraphModel, name: string, what: string): UserError {
  const names = model.layers.map((l) => l.name);
  const near = closestMatch(name, names);
  return new UserError(
    `${what}: the model has no layer '${name}'`,
    `${near ? `did you mean '${near}'? ` : ""}layers: ${names.join(", ")}`,
  );
}

/**
 * The model truncated so that layer `at` is its output (layers it does not depend on are dropped), or,
 * for a number n, without its last n layers. Pretrained weights are kept.
 *
 * @example cutModel(model, "features.8")  // keep up to features.8
 * @example cutModel(model, 2)             // drop the last two layers
 */
export function cutModel(model: Model, at: CutPoint): GraphModel {
  const g = asGraphModel(model);
  let output: string;
  if (typeof at === "number") {
    if (!Number.isInteger(at) || at < 1 || at >= g.nodes.length)
      throw new UserError(
        `cut: the number of layers to remove must be a whole number from 1 to ${g.nodes.length - 1}, got ${at}`,
      );
    output = g.nodes[g.nodes.length - 1 - at]!.layer.name;
  } else {
    if (!g.node(at)) throw unknownLayer(g, at, "cut");
    output = at;
  }
  const live = new Set(g.liveNodes(output));
  return new GraphModel(
    g.inputShape,
    g.nodes.filter((n) => live.has(n.layer.name)),
    output,
    g.initialValues,
  );
}

/** The new layers put on top of a cut model. */
export interface HeadSpec {
  /** Output units (number of classes). */
  outputs: number;
  /** Hidden dense layers before the output; default none. */
  hidden?: number[];
  /** Activation of the hidden layers; default relu. */
  activation?: string;
  /** Dropout before each dense layer of the head; default 0. */
  dropout?: number;
  /** Name prefix of the head's layers; default "head". */
  prefix?: string;
}

/**
 * Appends a head: global average pooling when the features are images [C, H, W], flatten when they have
 * another shape of rank > 1, then the hidden layers and the output layer `<prefix>.output` (logits).
 */
export function attachHead(model: Model, head: HeadSpec): GraphModel {
  const g = asGraphModel(model);
  if (!Number.isInteger(head.outputs) || head.outputs < 1)
    throw new UserError(`head: outputs must be a whole number >= 1, got ${head.outputs}`);
  const hidden = head.hidden ?? [];
  if (!hidden.every((h) => Number.isInteger(h) && h > 0))
    throw new UserError(`head: hidden sizes must be whole numbers >= 1, got [${hidden.join(", ")}]`);
  const drop = head.dropout ?? 0;
  if (!(drop >= 0 && drop < 1)) throw new UserError(`head: dropout must be in [0, 1), got ${drop}`);
  const act = parseActivation(head.activation ?? "relu");
  let prefix = head.prefix ?? "head";
  const taken = new Set(g.layers.map((l) => l.name));
  const clashes = (p: string) => [...taken].some((n) => n === p || n.startsWith(`${p}.`));
  for (let k = 1; clashes(prefix); k++) prefix = `${head.prefix ?? "head"}_${k}`;
  const nodes: GraphNode[] = [...g.nodes];
  let last = g.output;
  const push = (layer: GraphNode["layer"]) => {
    nodes.push({ layer, inputs: [last] });
    last = layer.name;
  };
  const shape = g.outputShape();
  if (shape.length === 3) push(new GlobalAvgPool2D(`${prefix}.gap`));
  else if (shape.length > 1) push(new Flatten(`${prefix}.flatten`));
  hidden.forEach((units, i) => {
    if (drop > 0) push(new Dropout(`${prefix}.dropout${i + 1}`, drop));
    push(new Dense(`${prefix}.dense${i + 1}`, { units, activationHint: act }));
    push(new Activation(`${prefix}.${act}${i + 1}`, act));
  });
  if (drop > 0) push(new Dropout(`${prefix}.dropout`, drop));
  push(new Dense(`${prefix}.output`, { units: head.outputs, activationHint: "linear" }));
  return new GraphModel(g.inputShape, nodes, last, g.initialValues);
}

/**
 * Layer names selected by a spec: comma-separated items, each
 * - `all` (every layer) or `none`;
 * - a layer name, which also selects the layers under it (`features` selects `features.0`, `features.1`, ...);
 * - a prefix with `*` (`block*`, `features.1*`);
 * - an index range `a:b` over the layers in order, end excluded, negatives counting from the end
 *   (`0:6`, `:-2` = all but the last two, `-3:`).
 * Throws a UserError naming an item that selects nothing.
 *
 * @example selectLayers(model, "block1,block2")  // both conv blocks of cnn()
 */
export function selectLayers(model: Model, spec: string): string[] {
  const g = asGraphModel(model);
  const names = g.layers.map((l) => l.name);
  const picked = new Set<string>();
  for (const raw of spec.split(",")) {
    const item = raw.trim();
    if (item === "" || item === "none") continue;
    let hit: string[];
    if (item === "all") hit = names;
    else if (/^-?\d*:-?\d*$/.test(item)) {
      const [a, b] = item.split(":");
      const idx = (v: string | undefined, def: number) => {
        if (v === undefined || v === "") return def;
        const k = Number(v);
        return Math.min(Math.max(k < 0 ? k + names.length : k, 0), names.length);
      };
      hit = names.slice(idx(a, 0), idx(b, names.length));
    } else if (item.endsWith("*")) {
      const p = item.slice(0, -1);
      hit = names.filter((n) => n.startsWith(p));
    } else hit = names.filter((n) => n === item || n.startsWith(`${item}.`));
    if (hit.length === 0) {
      const near = closestMatch(item.replace(/\*$/, ""), names);
      throw new UserError(
        `freeze spec item '${item}' selects no layer`,
        `${near ? `did you mean '${near}'? ` : ""}use layer names, prefixes with *, or index ranges like 0:6; layers: ${names.join(", ")}`,
      );
    }
    for (const h of hit) picked.add(h);
  }
  return names.filter((n) => picked.has(n));
}

/** A transfer recipe: where to cut the pretrained model, the new head, and what to freeze. */
export interface TransferSpec {
  /** Cut point; default: before the last Dense layer (the pretrained classifier and what follows it). */
  cut?: CutPoint;
  /** The new head; absent: keep the pretrained model's own output layers. */
  head?: HeadSpec;
  /** Layers to freeze (selectLayers spec); default: every pretrained layer kept (the new head trains). */
  freeze?: string;
}

export interface TransferPlan {
  model: GraphModel;
  /** Layer names to pass as the Trainer's `frozen`. */
  frozen: string[];
  /** Layers kept from the pretrained model. */
  pretrainedLayers: string[];
  /** The new head's layers. */
  headLayers: string[];
  /** What was done, for the log ("cut after features.8", "dropped the trailing softmax"). */
  notes: string[];
}

/** The default cut: the input of the last Dense layer (dropping it and everything after it). */
export function defaultCut(model: Model): string {
  const g = asGraphModel(model);
  const live = g.liveNodes();
  for (let i = live.length - 1; i >= 0; i--) {
    const node = g.node(live[i]!)!;
    if (node.layer.config().type === "dense") {
      const from = node.inputs[0]!;
      if (from === MODEL_INPUT)
        throw new UserError(
          `the pretrained model's only layer before its output is '${node.layer.name}'; there is nothing to transfer`,
        );
      return from;
    }
  }
  throw new UserError(
    "the pretrained model has no Dense (Gemm/MatMul) layer to replace",
    "give the cut point with --head <layer>[:hidden] or --head -<n>",
  );
}

/**
 * Applies a transfer recipe to a pretrained model: cut, new head, frozen layers.
 *
 * @example
 * const plan = transfer(await loadOnnx("digits04.onnx"), { head: { outputs: 5 }, freeze: "block*" });
 * const trainer = new Trainer(plan.model, loss, new Adam(), { frozen: plan.frozen });
 */
export function transfer(pretrained: Model, spec: TransferSpec = {}): TransferPlan {
  const notes: string[] = [];
  let base = asGraphModel(pretrained);
  let model: GraphModel;
  if (spec.head) {
    const cut = spec.cut ?? defaultCut(base);
    base = cutModel(base, cut);
    notes.push(
      typeof cut === "number"
        ? `removed the last ${cut} layer(s)`
        : `kept the pretrained layers up to '${cut}'`,
    );
    model = attachHead(base, spec.head);
  } else {
    if (spec.cut !== undefined) base = cutModel(base, spec.cut);
    const out = base.node(base.output)!;
    if (out.layer.config().type === "softmax") {
      base = cutModel(base, out.inputs[0]!);
      notes.push(`dropped the trailing softmax '${out.layer.name}' (the loss applies it)`);
    }
    model = base;
  }
  const pretrainedLayers = base.layers.map((l) => l.name);
  const headLayers = model.layers.map((l) => l.name).filter((n) => !pretrainedLayers.includes(n));
  const frozen =
    spec.freeze === undefined ? (spec.head ? pretrainedLayers : []) : selectLayers(model, spec.freeze);
  if (frozen.length) notes.push(`froze ${frozen.length} layer(s): ${summarize(frozen)}`);
  return { model, frozen, pretrainedLayers, headLayers, notes };
}

function summarize(names: string[]): string {
  return names.length <= 6
    ? names.join(", ")
    : `${names.slice(0, 3).join(", ")} ... ${names.slice(-2).join(", ")}`;
}

/** The parsed form of the CLI's `--head` value. */
export interface HeadChoice {
  /** "auto": cut before the last Dense layer; "keep": keep the pretrained output layers. */
  cut: CutPoint | "auto" | "keep";
  hidden: number[];
}

/**
 * Parses `--head`: `<cut>[:<hidden sizes>]` where cut is `auto` (before the last Dense layer), `keep`
 * (keep the pretrained head), a layer name (keep up to it) or `-<n>` (remove the last n layers), and the
 * hidden sizes are comma-separated, e.g. `auto`, `-2:128`, `features.8:256,128`.
 */
export function parseHeadSpec(text: string): HeadChoice {
  const colon = text.lastIndexOf(":");
  const hasHidden = colon > 0 && /^[\d,\s]+$/.test(text.slice(colon + 1));
  const cutText = (hasHidden ? text.slice(0, colon) : text).trim();
  const hidden = hasHidden
    ? text
        .slice(colon + 1)
        .split(",")
        .map((s) => Number(s.trim()))
    : [];
  if (hidden.some((h) => !Number.isInteger(h) || h < 1))
    throw new UserError(`--head: hidden sizes must be whole numbers >= 1, got '${text}'`);
  if (cutText === "")
    throw new UserError(`--head: no cut point in '${text}'`, "e.g. auto, -1, features.8:128");
  let cut: HeadChoice["cut"];
  if (cutText === "auto" || cutText === "keep") cut = cutText;
  else if (/^-\d+$/.test(cutText)) cut = -Number(cutText);
  else cut = cutText;
  if (cut === "keep" && hidden.length)
    throw new UserError(`--head keep cannot add hidden layers, got '${text}'`);
  return { cut, hidden };
}
