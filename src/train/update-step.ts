/**
 * The backward half of the training step: gradients of the loss, their global and per-layer norms,
 * clipping, loss-scale removal and the optimizer update of every trainable parameter.
 */
import { gradients } from "../engine/autodiff.js";
import type { Tensor } from "../engine/graph.js";
import * as T from "../engine/ops.js";
import type { ParamSpec } from "../nn/build-context.js";
import { clipByValue, clipCoefficient } from "../optim/clipping.js";
import type { Optimizer } from "../optim/optimizer.js";

export interface UpdateInputs {
  params: { spec: ParamSpec; node: Tensor; lrScale?: number }[];
  loss: Tensor;
  optimizer: Optimizer;
  lr: Tensor;
  step: Tensor;
  lossScale: Tensor;
  clipNorm?: number;
  clipValue?: number;
}

export interface UpdateGraph {
  /** grad_norm, layer_grad_norms, and `new/<param>` / `new/<param>#<slot>` for each trainable parameter. */
  outputs: Record<string, Tensor>;
  /** Slot placeholders `<param>#<slot>`, to add to the graph inputs. */
  slotInputs: Tensor[];
  /** Layer order of layer_grad_norms. */
  layerNames: string[];
}

export function buildUpdate(u: UpdateInputs): UpdateGraph {
  const dtype = u.loss.dtype;
  const outputs: Record<string, Tensor> = {};
  const slotInputs: Tensor[] = [];
  if (u.params.length === 0) {
    outputs.grad_norm = T.constant(0, dtype);
    outputs.layer_grad_norms = T.constant([0], dtype, [1]);
    return { outputs, slotInputs, layerNames: [] };
  }
  const grads = gradients(
    T.mul(u.loss, u.lossScale),
    u.params.map((p) => p.node),
  ).map((g, i) => {
    if (!g) throw new Error(`parameter ${u.params[i]!.spec.name} does not influence the loss`);
    return g;
  });
  // squared norms per layer, stacked into one vector: per-layer norms and the global norm come from it
  const byLayer = new Map<string, Tensor>();
  u.params.forEach((p, i) => {
    const sq = T.reduceSumSquare(grads[i]!);
    const prev = byLayer.get(p.spec.layer);
    byLayer.set(p.spec.layer, prev ? T.add(prev, sq) : sq);
  });
  const layerSquares = T.concat(
    [...byLayer.values()].map((s) => T.reshape(s, [1])),
    0,
  );
  outputs.layer_grad_norms = T.div(T.sqrt(layerSquares), u.lossScale);
  const norm = T.div(T.sqrt(T.reduceSum(layerSquares)), u.lossScale);
  outputs.grad_norm = norm;
  let factor: Tensor = T.div(1, u.lossScale);
  if (u.clipNorm !== undefined) factor = T.mul(clipCoefficient(norm, u.clipNorm), factor);
  const h = { lr: u.lr, step: u.step };
  const names = u.optimizer.slotNames;
  u.params.forEach((p, i) => {
    const byValue = u.clipValue !== undefined;
    const g = byValue ? clipByValue(T.mul(grads[i]!, factor), u.clipValue!) : grads[i]!;
    const slots = names.map((s) => {
      const t = T.input(`${p.spec.name}#${s}`, p.spec.shape, dtype);
      slotInputs.push(t);
      return t;
    });
    const up = u.optimizer.update(
      p.node,
      g,
      slots,
      h,
      p.spec.decay,
      p.lrScale ?? 1,
      byValue ? undefined : factor,
    );
    outputs[`new/${p.spec.name}`] = up.param;
    up.slots.forEach((s, k) => {
      outputs[`new/${p.spec.name}#${names[k]}`] = s;
    });
  });
  return { outputs, slotInputs, layerNames: [...byLayer.keys()] };
}
