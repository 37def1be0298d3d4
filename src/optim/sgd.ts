import type { Tensor } from "../engine/graph.js";
import * as T from "../engine/ops.js";
import { UserError } from "../errors.js";
import type { Optimizer, ParamUpdate, StepInputs } from "./optimizer.js";

export interface SgdOptions {
  /** Momentum factor (0 = plain SGD). Default 0.9. */
  momentum?: number;
  /** Nesterov momentum (needs momentum > 0). */
  nesterov?: boolean;
  dampening?: number;
  /** Coupled L2 weight decay: g += wd·p. */
  weightDecay?: number;
}

/**
 * Stochastic gradient descent as torch.optim.SGD: d = g + wd·p; buf = μ·buf + (1−dampening)·d;
 * d = nesterov ? d + μ·buf : buf; p -= lr·d. The buffer starts at zero, which equals PyTorch's first step
 * (buf = d) when dampening is 0.
 */
export class Sgd implements Optimizer {
  readonly name: string;
  readonly slotNames: readonly string[];
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly dampening: number;
  readonly weightDecay: number;

  constructor(o: SgdOptions = {}) {
    this.momentum = o.momentum ?? 0.9;
    this.nesterov = o.nesterov ?? false;
    this.dampening = o.dampening ?? 0;
    this.weightDecay = o.weightDecay ?? 0;
    if (!(this.momentum >= 0 && this.momentum < 1))
      throw new UserError(`momentum must be in [0, 1), got ${this.momentum}`);
    if (this.nesterov && (this.momentum === 0 || this.dampening !== 0))
      throw new UserError("Nesterov momentum needs momentum > 0 and dampening 0");
    if (!(this.weightDecay >= 0)) throw new UserError(`weight decay must be >= 0, got ${this.weightDecay}`);
    this.name = this.nesterov ? "nesterov" : "sgd";
    this.slotNames = this.momentum > 0 ? ["momentum_buffer"] : [];
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
    const g = gradScale ? T.mul(gRaw, gradScale) : gRaw;
    let d = decay && this.weightDecay > 0 ? T.add(g, T.mul(p, this.weightDecay)) : g;
    const newSlots: Tensor[] = [];
    if (this.momentum > 0) {
      const buf = T.add(T.mul(slots[0]!, this.momentum), this.dampening ? T.mul(d, 1 - this.dampening) : d);
      newSlots.push(buf);
      d = this.nesterov ? T.add(d, T.mul(buf, this.momentum)) : buf;
    }
    const lr = lrScale === 1 ? h.lr : T.mul(h.lr, lrScale);
    return { param: T.sub(p, T.mul(d, lr)), slots: newSlots };
  }

  config() {
    return {
      name: this.name,
      momentum: this.momentum,
      nesterov: this.nesterov,
      dampening: this.dampening,
      weightDecay: this.weightDecay,
    };
  }
}
