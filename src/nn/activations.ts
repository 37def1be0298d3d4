/**
 * Activation functions as graph builders. GELU comes exact (0.5·x·(1+erf(x/√2))) and with the tanh
 * approximation (0.5·x·(1+tanh(√(2/π)·(x+0.044715·x³)))), as in PyTorch's `approximate="tanh"`.
 */

import type { Tensor } from "../engine/graph.js";
import * as T from "../engine/ops.js";
import { closestMatch, UserError } from "../errors.js";

export const ACTIVATIONS = ["relu", "leaky_relu", "gelu", "gelu_tanh", "tanh", "sigmoid", "linear"] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

export function gelu(x: Tensor): Tensor {
  return T.mul(T.mul(x, 0.5), T.add(T.erf(T.mul(x, Math.SQRT1_2)), 1));
}

export function geluTanh(x: Tensor): Tensor {
  const inner = T.mul(T.add(x, T.mul(T.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return T.mul(T.mul(x, 0.5), T.add(T.tanh(inner), 1));
}

export function activate(name: ActivationName, x: Tensor, leakyAlpha = 0.01): Tensor {
  switch (name) {
    case "relu":
      return T.relu(x);
    case "leaky_relu":
      return T.leakyRelu(x, leakyAlpha);
    case "gelu":
      return gelu(x);
    case "gelu_tanh":
      return geluTanh(x);
    case "tanh":
      return T.tanh(x);
    case "sigmoid":
      return T.sigmoid(x);
    case "linear":
      return x;
  }
}

/** Validates an activation name from user input. */
export function parseActivation(name: string): ActivationName {
  if ((ACTIVATIONS as readonly string[]).includes(name)) return name as ActivationName;
  const near = closestMatch(name, ACTIVATIONS);
  throw new UserError(
    `unknown activation '${name}'`,
    `${near ? `did you mean '${near}'? ` : ""}valid: ${ACTIVATIONS.join(", ")}`,
  );
}
