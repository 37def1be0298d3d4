import { closestMatch, UserError } from "../errors.js";
import { Adam } from "./adam.js";
import type { Optimizer } from "./optimizer.js";
import { Rmsprop } from "./rmsprop.js";
import { Sgd } from "./sgd.js";

export { Adam } from "./adam.js";
export type { Optimizer, StepInputs } from "./optimizer.js";
export { Rmsprop } from "./rmsprop.js";
export { Sgd } from "./sgd.js";

export const OPTIMIZERS = ["adam", "adamw", "rmsprop", "sgd", "nesterov"] as const;

/** An optimizer by CLI name. `momentum` defaults to 0.9 for sgd/nesterov and 0 for rmsprop. */
export function makeOptimizer(name: string, o: { weightDecay?: number; momentum?: number } = {}): Optimizer {
  switch (name) {
    case "adam":
      return new Adam({ weightDecay: o.weightDecay ?? 0 });
    case "adamw":
      return new Adam({ weightDecay: o.weightDecay ?? 0.01, decoupled: true });
    case "rmsprop":
      return new Rmsprop({ weightDecay: o.weightDecay, momentum: o.momentum ?? 0 });
    case "sgd":
      return new Sgd({ weightDecay: o.weightDecay, momentum: o.momentum ?? 0.9 });
    case "nesterov":
      return new Sgd({ weightDecay: o.weightDecay, momentum: o.momentum ?? 0.9, nesterov: true });
    default: {
      const near = closestMatch(name, OPTIMIZERS);
      throw new UserError(
        `unknown optimizer '${name}'`,
        `${near ? `did you mean '${near}'? ` : ""}valid: ${OPTIMIZERS.join(", ")}`,
      );
    }
  }
}
