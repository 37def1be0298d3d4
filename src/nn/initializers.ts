/**
 * Weight initializers. Each fills an array for a parameter of known fan-in and fan-out from a seeded
 * `Random`, following the definitions PyTorch and Keras use:
 * - He/Kaiming (for ReLU-family activations): normal with std sqrt(2/fan_in), uniform with limit sqrt(6/fan_in);
 * - Xavier/Glorot (for tanh, sigmoid and output layers): normal with std sqrt(2/(fan_in+fan_out)),
 *   uniform with limit sqrt(6/(fan_in+fan_out));
 * - zeros, ones.
 */
import { UserError } from "../errors.js";
import type { Random } from "../util/random.js";

export const INITIALIZERS = [
  "he_normal",
  "he_uniform",
  "xavier_normal",
  "xavier_uniform",
  "zeros",
  "ones",
] as const;
export type InitializerName = (typeof INITIALIZERS)[number];

export interface Fans {
  fanIn: number;
  fanOut: number;
}

/** Values for a parameter of `size` elements. */
export function initialize(name: InitializerName, size: number, fans: Fans, rng: Random): Float64Array {
  const out = new Float64Array(size);
  switch (name) {
    case "zeros":
      return out;
    case "ones":
      return out.fill(1);
    case "he_normal": {
      const std = Math.sqrt(2 / fans.fanIn);
      for (let i = 0; i < size; i++) out[i] = rng.normal(0, std);
      return out;
    }
    case "he_uniform": {
      const limit = Math.sqrt(6 / fans.fanIn);
      for (let i = 0; i < size; i++) out[i] = rng.uniform(-limit, limit);
      return out;
    }
    case "xavier_normal": {
      const std = Math.sqrt(2 / (fans.fanIn + fans.fanOut));
      for (let i = 0; i < size; i++) out[i] = rng.normal(0, std);
      return out;
    }
    case "xavier_uniform": {
      const limit = Math.sqrt(6 / (fans.fanIn + fans.fanOut));
      for (let i = 0; i < size; i++) out[i] = rng.uniform(-limit, limit);
      return out;
    }
    default:
      throw new UserError(`unknown initializer '${name}'`, `use one of ${INITIALIZERS.join(", ")}`);
  }
}

/** The recipe's default weight initializer for a layer followed by `activation`. */
export function defaultInitializer(activation: string | undefined): InitializerName {
  return activation === "tanh" ||
    activation === "sigmoid" ||
    activation === undefined ||
    activation === "linear"
    ? "xavier_uniform"
    : "he_normal";
}
