import type { Tensor } from "../engine/graph.js";
import * as T from "../engine/ops.js";
import { UserError } from "../errors.js";
import type { AdamKernel } from "./adam-kernel.js";
import type { Optimizer, ParamUpdate, StepInputs } from "./optimizer.js";

export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /**
   * true (AdamW): decoupled weight decay, p ← p·(1 − lr·wd) before the Adam step (torch.optim.AdamW).
   * false (Adam with L2): the decay is added to the gradient, g ← g + wd·p (torch.optim.Adam).
   */
  decoupled?: boolean;
}

/**
 * Adam / AdamW exactly as PyTorch computes them: m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
 * p -= (lr / (1−β1^t)) · m / (sqrt(v)/sqrt(1−β2^t) + eps).
 */
export class Adam implements Optimizer {
  readonly name: string;
  readonly slotNames = ["exp_avg", "exp_avg_sq"] as const;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly decoupled: boolean;
  private cache?: { h: StepInputs; stepSize: Tensor; epsHat: Tensor };
  private coefCache?: { scale: Tensor; c1: Tensor; c2: Tensor };

  constructor(o: AdamOptions = {}) {
    this.beta1 = o.beta1 ?? 0.9;
    this.beta2 = o.beta2 ?? 0.999;
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? (o.decoupled ? 0.01 : 0);
    this.decoupled = o.decoupled ?? false;
    for (const [k, v] of [
      ["beta1", this.beta1],
      ["beta2", this.beta2],
    ] as const)
      if (!(v >= 0 && v < 1)) throw new UserError(`adam ${k} must be in [0, 1), got ${v}`);
    if (!(this.eps > 0)) throw new UserError(`adam eps must be > 0, got ${this.eps}`);
    if (!(this.weightDecay >= 0)) throw new UserError(`weight decay must be >= 0, got ${this.weightDecay}`);
    this.name = this.decoupled ? "adamw" : "adam";
  }

  /** Bias-correction scalars, shared by all parameters of one step graph. */
  private scalars(h: StepInputs) {
    if (this.cache?.h !== h) {
      const bc1 = T.sub(1, T.powScalar(this.beta1, h.step));
      const bc2Sqrt = T.sqrt(T.sub(1, T.powScalar(this.beta2, h.step)));
      // p -= lr/bc1 · m / (sqrt(v)/sqrt(bc2) + eps)  ==  p -= (lr·sqrt(bc2)/bc1) · m / (sqrt(v) + eps·sqrt(bc2))
      this.cache = { h, stepSize: T.div(T.mul(h.lr, bc2Sqrt), bc1), epsHat: T.mul(bc2Sqrt, this.eps) };
    }
    return this.cache;
  }

  /** (1−β1)·s and (1−β2)·s² for a gradient scale s, built once per step graph. */
  private coefficients(scale: Tensor | undefined): { c1: Tensor | number; c2: Tensor | number } {
    if (!scale) return { c1: 1 - this.beta1, c2: 1 - this.beta2 };
    if (this.coefCache?.scale !== scale)
      this.coefCache = {
        scale,
        c1: T.mul(scale, 1 - this.beta1),
        c2: T.mul(T.mul(scale, scale), 1 - this.beta2),
      };
    return this.coefCache;
  }

  /** The parameter (decoupled decay applied), the gradient (L2 decay applied) and the moment coefficients. */
  private prepare(
    p0: Tensor,
    gRaw: Tensor,
    h: StepInputs,
    decay: boolean,
    lrScale: number,
    gradScale: Tensor | undefined,
  ) {
    const wd = decay ? this.weightDecay : 0;
    let p = p0;
    let g = gRaw;
    let scale: Tensor | undefined = gradScale;
    let decayFactor: Tensor | undefined;
    if (wd > 0 && this.decoupled) {
      decayFactor = T.sub(1, T.mul(h.lr, wd * lrScale));
      p = T.mul(p, decayFactor);
    } else if (wd > 0) {
      g = T.add(scale ? T.mul(g, scale) : g, T.mul(p, wd));
      scale = undefined;
    }
    // the gradient scale folds into the moment coefficients: no extra pass over the gradient
    const { c1, c2 } = this.coefficients(scale);
    const { stepSize, epsHat } = this.scalars(h);
    const step = lrScale === 1 ? stepSize : T.mul(stepSize, lrScale);
    return { p, g, c1, c2, step, epsHat, decayFactor };
  }

  update(
    p0: Tensor,
    gRaw: Tensor,
    slots: readonly Tensor[],
    h: StepInputs,
    decay: boolean,
    lrScale = 1,
    gradScale?: Tensor,
  ): ParamUpdate {
    const { p, g, c1, c2, step, epsHat } = this.prepare(p0, gRaw, h, decay, lrScale, gradScale);
    const m = T.add(T.mul(slots[0]!, this.beta1), T.mul(g, c1));
    const v = T.add(T.mul(slots[1]!, this.beta2), T.mul(T.mul(g, g), c2));
    return { param: T.sub(p, T.mul(T.div(m, T.add(T.sqrt(v), epsHat)), step)), slots: [m, v] };
  }

  /**
   * For the fused kernel (adam-kernel.ts), which does `update`'s elementwise work outside the graph on the
   * raw gradient: its scalars [decay factor, c1, c2, ε̂, stepSize, s, wd], computed exactly as `update`
   * computes them (float32 only). With L2 decay (wd ≠ 0) the kernel first makes the gradient g·s + p·wd.
   */
  fusedInputs(h: StepInputs, decay: boolean, lrScale = 1, gradScale?: Tensor): Tensor {
    const wd = decay ? this.weightDecay : 0;
    const l2 = wd > 0 && !this.decoupled;
    const { c1, c2 } = this.coefficients(l2 ? undefined : gradScale);
    const { stepSize, epsHat } = this.scalars(h);
    const step = lrScale === 1 ? stepSize : T.mul(stepSize, lrScale);
    const decayFactor = wd > 0 && this.decoupled ? T.sub(1, T.mul(h.lr, wd * lrScale)) : 1;
    const dtype = h.lr.dtype;
    const scalar = (v: Tensor | number) => T.reshape(typeof v === "number" ? T.constant(v, dtype) : v, [1]);
    const parts = [decayFactor, c1, c2, epsHat, step, (l2 && gradScale) || 1, l2 ? wd : 0];
    return T.concat(parts.map(scalar), 0);
  }

  fusedStep(
    kernel: AdamKernel,
    p: Float32Array,
    g: Float32Array,
    slots: readonly Float32Array[],
    coefs: ArrayLike<number>,
  ): void {
    kernel.step(p, g, slots[0]!, slots[1]!, this.beta1, this.beta2, coefs);
  }

  config() {
    return {
      name: this.name,
      beta1: this.beta1,
      beta2: this.beta2,
      eps: this.eps,
      weightDecay: this.weightDecay,
    };
  }
}
