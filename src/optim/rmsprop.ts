import type { Tensor } from "../engine/graph.js";
import * as T from "../engine/ops.js";
import { UserError } from "../errors.js";
import type { Optimizer, ParamUpdate, StepInputs } from "./optimizer.js";

export interface RmspropOptions {
  /** Smoothing constant of the squared-gradient average. Default 0.99. */
  alpha?: number;
  eps?: number;
  momentum?: number;
  centered?: boolean;
  /** Coupled L2 weight decay: g += wd·p. */
  weightDecay?: number;
}

/**
 * RMSprop as torch.optim.RMSprop: s = α·s + (1−α)·g²; avg = sqrt(s − ḡ²(centered)) + eps;
 * with momentum μ: buf = μ·buf + g/avg, p -= lr·buf; else p -= lr·g/avg.
 */
export class Rmsprop implements Optimizer {
  readonly name = "rmsprop";
  readonly slotNames: readonly string[];
  readonly alpha: number;
  readonly eps: number;
  readonly momentum: number;
  readonly centered: boolean;
  readonly weightDecay: number;

  constructor(o: RmspropOptions = {}) {
    this.alpha = o.alpha ?? 0.99;
    this.eps = o.eps ?? 1e-8;
    this.momentum = o.momentum ?? 0;
    this.centered = o.centered ?? false;
    this.weightDecay = o.weightDecay ?? 0;
    if (!(this.alpha > 0 && this.alpha < 1))
      throw new UserError(`rmsprop alpha must be in (0, 1), got ${this.alpha}`);
    if (!(this.momentum >= 0 && this.momentum < 1))
      throw new UserError(`momentum must be in [0, 1), got ${this.momentum}`);
    if (!(this.weightDecay >= 0)) throw new UserError(`weight decay must be >= 0, got ${this.weightDecay}`);
    this.slotNames = [
      "square_avg",
      ...(this.momentum > 0 ? ["momentum_buffer"] : []),
      ...(this.centered ? ["grad_avg"] : []),
    ];
  }

  update(
    p: Tensor,
    gRaw: Tensor,
    slots: readonly Tensor[],
    h: StepInputs,
    decay: boolean,
    lrScale = 1,
    gradScale?: Tensor,
  ): ParamUpdate {
    const g0 = gradScale ? T.mul(gRaw, gradScale) : gRaw;
    const g = decay && this.weightDecay > 0 ? T.add(g0, T.mul(p, this.weightDecay)) : g0;
    const sq = T.add(T.mul(slots[0]!, this.alpha), T.mul(T.mul(g, g), 1 - this.alpha));
    const out: Tensor[] = [sq];
    let variance = sq;
    let gradAvg: Tensor | undefined;
    if (this.centered) {
      gradAvg = T.add(T.mul(slots[slots.length - 1]!, this.alpha), T.mul(g, 1 - this.alpha));
      variance = T.sub(sq, T.mul(gradAvg, gradAvg));
    }
    const avg = T.add(T.sqrt(variance), this.eps);
    const lr = lrScale === 1 ? h.lr : T.mul(h.lr, lrScale);
    let param: Tensor;
    if (this.momentum > 0) {
      const buf = T.add(T.mul(slots[1]!, this.momentum), T.div(g, avg));
      out.push(buf);
      param = T.sub(p, T.mul(buf, lr));
    } else param = T.sub(p, T.mul(T.div(g, avg), lr));
    if (gradAvg) out.push(gradAvg);
    return { param, slots: out };
  }

  config() {
    return {
      name: this.name,
      alpha: this.alpha,
      eps: this.eps,
      momentum: this.momentum,
      centered: this.centered,
      weightDecay: this.weightDecay,
    };
  }
}
