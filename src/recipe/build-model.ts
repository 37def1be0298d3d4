/**
 * The network of a plan, for every data kind: the MLP (tables), the small CNN (images, audio), the n-gram
 * embedding bag (text) or a pretrained model with the transfer recipe applied (cut, new head, frozen
 * layers). Output units and the loss come from the task (sigmoid + BCE for two classes, softmax + sparse
 * cross-entropy for more, linear + MSE for regression).
 */
import { UserError } from "../errors.js";
import { parseActivation } from "../nn/activations.js";
import { cnn, residualCnn } from "../nn/cnn.js";
import type { Layer } from "../nn/layer.js";
import { Activation } from "../nn/layers/activation.js";
import { BatchNorm } from "../nn/layers/batch-norm.js";
import { Dense } from "../nn/layers/dense.js";
import { Dropout } from "../nn/layers/dropout.js";
import { LayerNorm } from "../nn/layers/layer-norm.js";
import { NgramBagEmbedding } from "../nn/layers/ngram-bag.js";
import type { Loss } from "../nn/losses/index.js";
import { makeLoss, outputUnits } from "../nn/losses/index.js";
import type { Model } from "../nn/model.js";
import { mlp, Sequential } from "../nn/sequential.js";
import { parseHeadSpec, selectLayers, type TransferPlan, transfer } from "../nn/transfer.js";
import { makeOptimizer, type Optimizer } from "../optim/index.js";
import { Trainer } from "../train/trainer.js";
import type { PreparedData } from "./prepared-data.js";
import type { RunPlan } from "./run-plan.js";

export interface BuiltModel {
  model: Model;
  loss: Loss;
  /** Layers frozen in the first phase. */
  frozen: string[];
  /** With fine-tuning: the layers that stay frozen after the head phase. */
  unfrozenAfterHead?: string[];
  /** Learning-rate multipliers per layer (discriminative fine-tuning). */
  lrScales: Record<string, number>;
  transfer?: TransferPlan;
}

export function buildModel(data: PreparedData, plan: RunPlan): BuiltModel {
  const loss = makeLoss(plan.loss.name, plan.task, data.classes.length, {
    labelSmoothing: plan.loss.labelSmoothing,
    huberDelta: plan.loss.huberDelta,
    focalGamma: plan.loss.focalGamma,
  });
  const outputs = outputUnits(loss, data.classes.length);
  const m = plan.model;
  if (m.type === "mlp") {
    const model = mlp({
      inputs: data.inputShape[0]!,
      outputs,
      hidden: m.hidden,
      activation: m.activation,
      dropout: m.dropout,
      norm: m.norm,
    });
    return { model, loss, frozen: [], lrScales: {} };
  }
  if (m.type === "cnn") {
    const common = {
      inputShape: data.inputShape,
      outputs,
      widths: m.widths,
      norm: m.norm,
      activation: m.activation,
      dropout: m.dropout,
      hidden: m.hidden,
    };
    const model =
      m.architecture === "residual"
        ? residualCnn({ ...common, blocksPerStage: m.depth })
        : cnn({ ...common, convsPerStage: m.depth });
    return { model, loss, frozen: [], lrScales: {} };
  }
  if (m.type === "ngram-bag") {
    if (!data.ngrams) throw new Error("a text model needs prepared text data");
    const act = parseActivation(m.activation);
    const layers: Layer[] = [new NgramBagEmbedding("ngrams", data.ngrams.size, m.dim)];
    if (m.dropout > 0) layers.push(new Dropout("ngrams_dropout", m.dropout));
    m.hidden.forEach((units, i) => {
      layers.push(new Dense(`dense_${i}`, { units, activationHint: act, useBias: m.norm !== "batch" }));
      if (m.norm === "batch") layers.push(new BatchNorm(`batch_norm_${i}`));
      if (m.norm === "layer") layers.push(new LayerNorm(`layer_norm_${i}`));
      layers.push(new Activation(`${act}_${i}`, act));
      if (m.dropout > 0) layers.push(new Dropout(`dropout_${i}`, m.dropout));
    });
    layers.push(new Dense("output", { units: outputs, activationHint: "linear" }));
    return { model: new Sequential(data.inputShape, layers), loss, frozen: [], lrScales: {} };
  }
  // pretrained
  if (!data.pretrained) throw new UserError("--pretrained: the model could not be loaded for this data");
  const choice = parseHeadSpec(m.head);
  const keep = choice.cut === "keep";
  if (keep && m.fineTune)
    throw new UserError(
      "--fine-tune trains a new head first, but --head keep keeps the pretrained one",
      "drop --fine-tune to train the whole pretrained model, or let nncoach replace the head (--head auto)",
    );
  if (keep && data.pretrained.outputShape().join() !== String(outputs))
    throw new UserError(
      `--head keep: the pretrained model outputs [N, ${data.pretrained.outputShape().join(", ")}] but the data needs ${outputs} output(s)`,
      "let nncoach replace the head (--head auto)",
    );
  const tp = transfer(data.pretrained, {
    cut: keep || choice.cut === "auto" ? undefined : choice.cut,
    head: keep ? undefined : { outputs, hidden: choice.hidden, dropout: m.dropout, activation: m.activation },
    // "none" comes through the option table as null: set by the user, it means freeze nothing
    freeze: m.fineTune ? undefined : (m.freeze ?? (m.freezeSetByUser ? "none" : undefined)),
  });
  const lrScales: Record<string, number> = {};
  if (m.pretrainedLrScale !== 1) for (const l of tp.pretrainedLayers) lrScales[l] = m.pretrainedLrScale;
  return {
    model: tp.model,
    loss,
    frozen: m.fineTune ? tp.pretrainedLayers : tp.frozen,
    unfrozenAfterHead: m.fineTune ? (m.freeze ? selectLayers(tp.model, m.freeze) : []) : undefined,
    lrScales,
    transfer: tp,
  };
}

/** The optimizer a plan names, with its own settings (a fresh one per training phase). */
export function plannedOptimizer(plan: RunPlan): Optimizer {
  return makeOptimizer(plan.optimizer.name, {
    weightDecay: plan.optimizer.weightDecay,
    momentum: plan.optimizer.momentum,
  });
}

/** A compiled, freshly initialized Trainer for a built model under a plan (frozen layers, LR scales, clipping). */
export async function compileTrainer(built: BuiltModel, plan: RunPlan): Promise<Trainer> {
  const trainer = new Trainer(built.model, built.loss, plannedOptimizer(plan), {
    seed: plan.seed,
    threads: plan.threads ?? undefined,
    clipNorm: plan.clipNorm ?? undefined,
    clipValue: plan.clipValue ?? undefined,
    frozen: built.frozen,
    lrScales: built.lrScales,
  });
  await trainer.compile();
  return trainer;
}
