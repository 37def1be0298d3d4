/** Argument checks shared by the spatial layers (conv, pooling): sizes given as n or [h, w]. */
import { UserError } from "../../errors.js";

/** Throws a UserError naming the layer and argument unless `v` is a whole number >= 1. */
export function positiveInt(layer: string, arg: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1)
    throw new UserError(`layer '${layer}': ${arg} must be a whole number >= 1, got ${JSON.stringify(v)}`);
  return v;
}

/** A size given as n or [h, w], as [h, w]; each a whole number >= 1. */
export function pair2(layer: string, arg: string, v: unknown): [number, number] {
  const p = typeof v === "number" ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2)
    throw new UserError(
      `layer '${layer}': ${arg} must be a number or [height, width], got ${JSON.stringify(v)}`,
    );
  return [positiveInt(layer, arg, p[0]), positiveInt(layer, arg, p[1])];
}
