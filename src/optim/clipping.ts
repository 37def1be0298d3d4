/**
 * Gradient clipping inside the training step.
 * - by global norm (torch.nn.utils.clip_grad_norm_): every gradient is multiplied by
 *   min(1, maxNorm / (‖g‖ + 1e-6)) where ‖g‖ is the norm of all gradients together (computed in
 *   update-step.ts from the per-layer squared norms);
 * - by value (clip_grad_value_): each element clamped to [−v, v].
 */
import type { Tensor } from "../engine/graph.js";
import * as T from "../engine/ops.js";

/** The factor min(1, maxNorm / (norm + 1e-6)). */
export function clipCoefficient(norm: Tensor, maxNorm: number): Tensor {
  const coef = T.div(T.constant(maxNorm, norm.dtype), T.add(norm, 1e-6));
  return T.where(T.less(coef, 1), coef, 1);
}

export function clipByValue(g: Tensor, v: number): Tensor {
  return T.clip(g, -v, v);
}
