/**
 * Classification losses computed from logits:
 * - `BinaryCrossEntropy`: one logit per sample, l = softplus(z) − z·y (stable for any z), sigmoid output;
 * - `SparseCrossEntropy`: integer class targets, log-softmax of k logits, softmax output;
 * - `CategoricalCrossEntropy`: one-hot (or soft) float targets [N, k].
 * All take label smoothing ε (targets become (1−ε)·onehot + ε/k; binary: (1−ε)·y + ε/2) and focal loss
 * (γ > 0 multiplies by (1 − p_t)^γ; α weights the positive class in the binary case as torchvision's
 * sigmoid_focal_loss, and multiplies all classes in the multi-class case).
 */
import type { Tensor } from "../../engine/graph.js";
import * as T from "../../engine/ops.js";
import { UserError } from "../../errors.js";
import type { Loss } from "./loss.js";

export interface ClassificationLossOptions {
  labelSmoothing?: number;
  focalGamma?: number;
  /** Focal α (binary: weight of the positive class; default none). */
  focalAlpha?: number;
}

function check(
  o: ClassificationLossOptions,
): Required<Pick<ClassificationLossOptions, "labelSmoothing" | "focalGamma">> {
  const labelSmoothing = o.labelSmoothing ?? 0;
  const focalGamma = o.focalGamma ?? 0;
  if (!(labelSmoothing >= 0 && labelSmoothing < 1))
    throw new UserError(`label smoothing must be in [0, 1), got ${labelSmoothing}`);
  if (!(focalGamma >= 0)) throw new UserError(`focal gamma must be >= 0, got ${focalGamma}`);
  if (o.focalAlpha !== undefined && !(o.focalAlpha >= 0 && o.focalAlpha <= 1))
    throw new UserError(`focal alpha must be in [0, 1], got ${o.focalAlpha}`);
  return { labelSmoothing, focalGamma };
}

/** One-hot [N, k] float matrix of int64 class indices [N]. */
export function oneHot(target: Tensor, k: number, dtype: Tensor["dtype"]): Tensor {
  const classes = T.constant(
    Array.from({ length: k }, (_, i) => i),
    "int64",
    [1, k],
  );
  return T.cast(T.equal(T.reshape(target, [-1, 1]), classes), dtype);
}

export class BinaryCrossEntropy implements Loss {
  readonly name = "bce";
  readonly targetDType = "int64" as const;
  private readonly ls: number;
  private readonly gamma: number;

  constructor(readonly opts: ClassificationLossOptions = {}) {
    const c = check(opts);
    this.ls = c.labelSmoothing;
    this.gamma = c.focalGamma;
  }

  targetShape(): number[] {
    return [];
  }

  perSample(logits: Tensor, target: Tensor): Tensor {
    const z = T.reshape(logits, [-1]);
    const y = T.cast(target, z.dtype);
    const ys = this.ls > 0 ? T.add(T.mul(y, 1 - this.ls), this.ls / 2) : y;
    let l = T.sub(T.softplus(z), T.mul(z, ys));
    if (this.gamma > 0) {
      const p = T.sigmoid(z);
      const pt = T.add(T.mul(p, y), T.mul(T.sub(1, p), T.sub(1, y)));
      l = T.mul(l, T.pow(T.sub(1, pt), this.gamma));
    }
    const a = this.opts.focalAlpha;
    if (a !== undefined) l = T.mul(l, T.add(T.mul(y, a), T.mul(T.sub(1, y), 1 - a)));
    return l;
  }

  output(logits: Tensor): Tensor {
    return T.sigmoid(logits);
  }

  config() {
    return { name: this.name, ...this.opts };
  }
}

abstract class SoftmaxCrossEntropy implements Loss {
  abstract readonly name: string;
  abstract readonly targetDType: "int64" | "float";
  protected readonly ls: number;
  protected readonly gamma: number;

  constructor(readonly opts: ClassificationLossOptions = {}) {
    const c = check(opts);
    this.ls = c.labelSmoothing;
    this.gamma = c.focalGamma;
  }

  abstract targetShape(outputs: number): number[];
  protected abstract targetDistribution(target: Tensor, k: number, like: Tensor): Tensor;

  perSample(logits: Tensor, target: Tensor): Tensor {
    const k = logits.shape[logits.rank - 1] as number;
    const logp = T.logSoftmax(logits, -1);
    let q = this.targetDistribution(target, k, logits);
    if (this.ls > 0) q = T.add(T.mul(q, 1 - this.ls), this.ls / k);
    let l = T.neg(T.reduceSum(T.mul(q, logp), [-1]));
    if (this.gamma > 0) {
      // p_t of the (hard) target class
      const hard = this.targetDistribution(target, k, logits);
      const pt = T.exp(T.reduceSum(T.mul(hard, logp), [-1]));
      l = T.mul(l, T.pow(T.sub(1, pt), this.gamma));
    }
    if (this.opts.focalAlpha !== undefined) l = T.mul(l, this.opts.focalAlpha);
    return l;
  }

  output(logits: Tensor): Tensor {
    return T.softmax(logits, -1);
  }

  config() {
    return { name: this.name, ...this.opts };
  }
}

/** Cross-entropy with integer class labels [N] (PyTorch's CrossEntropyLoss with class indices). */
export class SparseCrossEntropy extends SoftmaxCrossEntropy {
  readonly name = "sparse_ce";
  readonly targetDType = "int64" as const;
  targetShape(): number[] {
    return [];
  }
  protected targetDistribution(target: Tensor, k: number, like: Tensor): Tensor {
    return oneHot(target, k, like.dtype);
  }
}

/** Cross-entropy with one-hot or probability targets [N, k] (Keras' categorical_crossentropy). */
export class CategoricalCrossEntropy extends SoftmaxCrossEntropy {
  readonly name = "ce";
  readonly targetDType = "float" as const;
  targetShape(outputs: number): number[] {
    return [outputs];
  }
  protected targetDistribution(target: Tensor): Tensor {
    return target;
  }
}
