/**
 * The backward half of the training step: gradients of the loss, their global and per-layer norms,
 * clipping, loss-scale removal and the optimizer update of every trainable parameter.
 *
 * The update runs on flat buffers: trainable parameters that share their update rule (weight decay on or
 * off, learning-rate scale) form one group, whose parameters, gradients and optimizer slots are each one
 * vector. The optimizer's elementwise update is then a handful of large kernels per group instead of a
 * handful per parameter (an Adam step of a 6-parameter MLP ran 72 elementwise kernels, now 24), and the
 * step returns a few large outputs instead of three per parameter. Every element goes through the same
 * operations as before, so the numbers are the same. The model reads each parameter from its own input,
 * which the trainer feeds as a view into the group's flat buffer (no copy).
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
  /**
   * The optimizer's elementwise update runs outside the graph (Optimizer.fusedStep): for each group the
   * graph outputs the gradient of its k-th parameter as `grad/<group>/<k>` (clipped by value where asked)
   * and the update's scalars as `coef/<group>`, instead of the new parameters and slots, and takes no slot
   * inputs.
   */
  fused?: boolean;
}

/** One group of trainable parameters updated as one flat vector. */
export interface FlatGroup {
  /** The graph input of the group's parameters, `flat/<i>`; its slots are `flat/<i>#<slot>`. */
  name: string;
  /** Elements in all. */
  size: number;
  /** The parameters in order, each at `offset` in the flat vector. */
  members: { name: string; offset: number; size: number }[];
}

export interface UpdateGraph {
  /** grad_norm, layer_grad_norms, and `new/flat/<i>` / `new/flat/<i>#<slot>` for each group. */
  outputs: Record<string, Tensor>;
  /** The groups' flat inputs (parameters, then slots), to add to the graph inputs. */
  flatInputs: Tensor[];
  groups: FlatGroup[];
  /** Layer order of layer_grad_norms. */
  layerNames: string[];
}

/** The prefix of flat group inputs (parameter and slot names never contain "/"). */
export const FLAT_PREFIX = "flat/";

export function buildUpdate(u: UpdateInputs): UpdateGraph {
  const dtype = u.loss.dtype;
  const outputs: Record<string, Tensor> = {};
  const flatInputs: Tensor[] = [];
  if (u.params.length === 0) {
    outputs.grad_norm = T.constant(0, dtype);
    outputs.layer_grad_norms = T.constant([0], dtype, [1]);
    return { outputs, flatInputs, groups: [], layerNames: [] };
  }
  const grads = gradients(
    T.mul(u.loss, u.lossScale),
    u.params.map((p) => p.node),
  ).map((g, i) => {
    if (!g) throw new Error(`parameter ${u.params[i]!.spec.name} does not influence the loss`);
    return g;
  });
  // each gradient as a vector: the update's concatenation and the norms read it, so that ONNX Runtime can
  // reshape in place (a gradient read by another node too is copied by its Reshape); the fused update
  // writes each gradient out as it is, and the norms read it there
  const flatGrads = grads.map((g, i) => T.reshape(g, [u.params[i]!.spec.shape.reduce((a, d) => a * d, 1)]));
  // squared norms per layer, stacked into one vector: per-layer norms and the global norm come from it
  const byLayer = new Map<string, Tensor>();
  u.params.forEach((p, i) => {
    const sq = T.reduceSumSquare(u.fused ? grads[i]! : flatGrads[i]!);
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
  const byValue = u.clipValue !== undefined;
  // parameters sharing an update rule, in order of first appearance
  const byRule = new Map<string, number[]>();
  u.params.forEach((p, i) => {
    const key = `${p.spec.decay}|${p.lrScale ?? 1}`;
    byRule.set(key, [...(byRule.get(key) ?? []), i]);
  });
  const groups: FlatGroup[] = [];
  for (const idx of byRule.values()) {
    const name = `${FLAT_PREFIX}${groups.length}`;
    const members: FlatGroup["members"] = [];
    let size = 0;
    for (const i of idx) {
      const n = u.params[i]!.spec.shape.reduce((a, d) => a * d, 1);
      members.push({ name: u.params[i]!.spec.name, offset: size, size: n });
      size += n;
    }
    groups.push({ name, size, members });
    const gFlat =
      idx.length === 1
        ? flatGrads[idx[0]!]!
        : T.concat(
            idx.map((i) => flatGrads[i]!),
            0,
          );
    const p0 = T.input(name, [size], dtype);
    flatInputs.push(p0);
    const g = byValue ? clipByValue(T.mul(gFlat, factor), u.clipValue!) : gFlat;
    const first = u.params[idx[0]!]!;
    if (u.fused) {
      // each parameter's gradient straight into its place in the group's gradient buffer: no concatenation
      idx.forEach((i, k) => {
        outputs[`grad/${name}/${k}`] = byValue
          ? clipByValue(T.mul(grads[i]!, factor), u.clipValue!)
          : grads[i]!;
      });
      outputs[`coef/${name}`] = u.optimizer.fusedInputs!(
        h,
        first.spec.decay,
        first.lrScale ?? 1,
        byValue ? undefined : factor,
      );
      continue;
    }
    const slots = names.map((s) => {
      const t = T.input(`${name}#${s}`, [size], dtype);
      flatInputs.push(t);
      return t;
    });
    const up = u.optimizer.update(
      p0,
      g,
      slots,
      h,
      first.spec.decay,
      first.lrScale ?? 1,
      byValue ? undefined : factor,
    );
    outputs[`new/${name}`] = up.param;
    up.slots.forEach((s, k) => {
      outputs[`new/${name}#${names[k]}`] = s;
    });
  }
  return { outputs, flatInputs, groups, layerNames: [...byLayer.keys()] };
}
