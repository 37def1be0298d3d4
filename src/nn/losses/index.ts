import { closestMatch, UserError } from "../../errors.js";
import {
  BinaryCrossEntropy,
  CategoricalCrossEntropy,
  type ClassificationLossOptions,
  SparseCrossEntropy,
} from "./cross-entropy.js";
import type { Loss } from "./loss.js";
import { RegressionLoss } from "./regression.js";

export { BinaryCrossEntropy, CategoricalCrossEntropy, SparseCrossEntropy } from "./cross-entropy.js";
export type { Loss } from "./loss.js";
export { RegressionLoss } from "./regression.js";

export const LOSSES = ["auto", "bce", "ce", "sparse_ce", "focal", "mse", "mae", "huber"] as const;

export interface LossOptions extends ClassificationLossOptions {
  huberDelta?: number;
}

/**
 * The loss for a task. "auto" picks the recipe's match: binary -> sigmoid + BCE, multi-class -> softmax +
 * sparse CE, regression -> MSE. "focal" is the focal variant of the matching cross-entropy (γ default 2).
 */
export function makeLoss(
  name: string,
  task: "classification" | "regression",
  classes: number,
  o: LossOptions = {},
): Loss {
  if (!(LOSSES as readonly string[]).includes(name)) {
    const near = closestMatch(name, LOSSES);
    throw new UserError(
      `unknown loss '${name}'`,
      `${near ? `did you mean '${near}'? ` : ""}valid: ${LOSSES.join(", ")}`,
    );
  }
  if (task === "regression") {
    if (name === "auto" || name === "mse") return new RegressionLoss("mse");
    if (name === "mae" || name === "huber") return new RegressionLoss(name, o.huberDelta ?? 1);
    throw new UserError(
      `loss '${name}' is for classification, but the task is regression`,
      "use mse, mae or huber",
    );
  }
  if (name === "mse" || name === "mae" || name === "huber")
    throw new UserError(
      `loss '${name}' is for regression, but the task is classification`,
      "use auto, bce, sparse_ce, ce or focal",
    );
  // the focal modulation applies only to the focal loss (its gamma option has a default even when unused)
  const opts =
    name === "focal"
      ? { ...o, focalGamma: o.focalGamma || 2 }
      : { ...o, focalGamma: 0, focalAlpha: undefined };
  if (classes === 2 && (name === "auto" || name === "bce" || name === "focal"))
    return new BinaryCrossEntropy(opts);
  if (name === "bce")
    throw new UserError(`loss 'bce' needs 2 classes, the target has ${classes}`, "use sparse_ce or ce");
  if (name === "ce") return new CategoricalCrossEntropy(opts);
  return new SparseCrossEntropy(opts);
}

/** Number of model outputs for a task: 1 logit for binary, k for multi-class, target columns for regression. */
export function outputUnits(loss: Loss, classes: number, targetColumns = 1): number {
  if (loss instanceof BinaryCrossEntropy) return 1;
  return loss instanceof RegressionLoss ? targetColumns : classes;
}
