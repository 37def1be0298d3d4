/**
 * Regression losses on a linear output, averaged over output columns per sample:
 * MSE (squared error), MAE (absolute error) and Huber with threshold δ (0.5·e² when |e| ≤ δ, else
 * δ·(|e| − 0.5·δ), as torch.nn.HuberLoss).
 */
import type { Tensor } from "../../engine/graph.js";
import * as T from "../../engine/ops.js";
import { UserError } from "../../errors.js";
import type { Loss } from "./loss.js";

export type RegressionLossName = "mse" | "mae" | "huber";

export class RegressionLoss implements Loss {
  readonly targetDType = "float" as const;

  constructor(
    readonly name: RegressionLossName,
    readonly delta = 1,
  ) {
    if (name === "huber" && !(delta > 0)) throw new UserError(`huber delta must be > 0, got ${delta}`);
  }

  targetShape(outputs: number): number[] {
    return [outputs];
  }

  perSample(pred: Tensor, target: Tensor): Tensor {
    const e = T.sub(pred, target);
    let l: Tensor;
    if (this.name === "mse") l = T.mul(e, e);
    else if (this.name === "mae") l = T.abs(e);
    else {
      const a = T.abs(e);
      l = T.where(
        T.lessOrEqual(a, this.delta),
        T.mul(T.mul(e, e), 0.5),
        T.mul(T.sub(a, 0.5 * this.delta), this.delta),
      );
    }
    return T.reduceMean(l, [-1]);
  }

  output(pred: Tensor): Tensor {
    return pred;
  }

  config() {
    return { name: this.name, delta: this.delta };
  }
}
