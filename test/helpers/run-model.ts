import { emitModel } from "../../src/engine/emit.js";
import * as T from "../../src/engine/ops.js";
import { CompiledGraph, makeTensor } from "../../src/engine/runtime.js";
import { BuildContext } from "../../src/nn/build-context.js";
import type { Model } from "../../src/nn/model.js";

/**
 * Runs a model's inference graph (logits: the model's own output, no loss output function) on a batch,
 * with parameter and state values from `values` (default: the model's initial values).
 */
export async function runModel(
  model: Model,
  x: Float32Array,
  n: number,
  values: ReadonlyMap<string, ArrayLike<number>> = model.initialValues ?? new Map(),
): Promise<Float32Array> {
  const ctx = new BuildContext("float32", false, 0);
  const xIn = T.input("x", ["N", ...model.inputShape], "float32");
  const y = model.apply(ctx, xIn);
  const weights = [...ctx.params.values(), ...ctx.states.values()];
  const graph = await CompiledGraph.create(
    emitModel({ inputs: [xIn, ...weights.map((w) => w.node)], outputs: { y } }),
    { threads: 1 },
  );
  const feeds: Record<string, ReturnType<typeof makeTensor>> = {
    x: makeTensor("float32", x, [n, ...model.inputShape]),
  };
  for (const w of weights) {
    const v = values.get(w.spec.name);
    if (!v) throw new Error(`no value for ${w.spec.name}`);
    feeds[w.spec.name] = makeTensor("float32", Float32Array.from(v), w.spec.shape);
  }
  const out = await graph.run(feeds);
  await graph.release();
  return out.y!.data as Float32Array;
}
