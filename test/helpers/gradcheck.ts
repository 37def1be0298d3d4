import assert from "node:assert/strict";
import { gradients } from "../../src/engine/autodiff.js";
import { emitModel } from "../../src/engine/emit.js";
import type { DType, Tensor } from "../../src/engine/graph.js";
import { input, mul, reduceSum } from "../../src/engine/ops.js";
import { CompiledGraph, makeTensor } from "../../src/engine/runtime.js";
import { Random } from "../../src/util/random.js";

export interface GradCase {
  /** Input shapes (every input is differentiated). */
  shapes: number[][];
  /** Builds the value to check; a non-scalar result is reduced with fixed random weights. */
  fn: (...xs: Tensor[]) => Tensor;
  dtype?: DType;
  /** Custom input values (else standard normal). */
  values?: (number[] | undefined)[];
  eps?: number;
  rtol?: number;
  atol?: number;
  seed?: number;
}

function typed(dtype: DType, v: ArrayLike<number>) {
  return dtype === "float64" ? Float64Array.from(v) : Float32Array.from(v);
}

/**
 * Checks the reverse-mode gradients of `c.fn` against central finite differences; both are computed by
 * ONNX Runtime from graphs the engine emits. Returns how many elements were checked.
 */
export async function gradCheck(c: GradCase): Promise<number> {
  const dtype = c.dtype ?? "float64";
  const rng = new Random(c.seed ?? 1);
  const xs = c.shapes.map((s, i) => input(`x${i}`, s, dtype));
  const out = c.fn(...xs);
  const inputs = [...xs];
  let weights: number[] | undefined;
  let y = out;
  if (out.rank > 0) {
    const shape = out.shape as number[];
    const w = input("w", shape, dtype);
    inputs.push(w);
    weights = Array.from({ length: shape.reduce((a, d) => a * d, 1) }, () => rng.normal());
    y = reduceSum(mul(out, w));
  }
  const outs: Record<string, Tensor> = { y };
  gradients(y, xs).forEach((g, i) => {
    if (g) outs[`g${i}`] = g;
  });
  const graph = await CompiledGraph.create(emitModel({ inputs, outputs: outs }), { threads: 1 });
  const values = c.shapes.map(
    (s, i) => c.values?.[i] ?? Array.from({ length: s.reduce((a, d) => a * d, 1) }, () => rng.normal()),
  );
  const feed = (vals: number[][]) => {
    const f: Record<string, ReturnType<typeof makeTensor>> = {};
    vals.forEach((v, i) => {
      f[`x${i}`] = makeTensor(dtype, typed(dtype, v), c.shapes[i]!);
    });
    if (weights) f.w = makeTensor(dtype, typed(dtype, weights), out.shape as number[]);
    return f;
  };
  const base = await graph.run(feed(values));
  const eps = c.eps ?? (dtype === "float64" ? 1e-6 : 1e-2);
  const rtol = c.rtol ?? (dtype === "float64" ? 1e-6 : 3e-2);
  const atol = c.atol ?? (dtype === "float64" ? 1e-8 : 3e-3);
  let checked = 0;
  for (let i = 0; i < xs.length; i++) {
    const gi = base[`g${i}`];
    for (let j = 0; j < values[i]!.length; j++) {
      const plus = values.map((v) => [...v]);
      const minus = values.map((v) => [...v]);
      plus[i]![j]! += eps;
      minus[i]![j]! -= eps;
      const yp = Number((await graph.run(feed(plus), ["y"])).y!.data[0]);
      const ym = Number((await graph.run(feed(minus), ["y"])).y!.data[0]);
      const numeric = (yp - ym) / (2 * eps);
      const analytic = gi ? Number(gi.data[j]) : 0;
      const err = Math.abs(analytic - numeric);
      assert.ok(
        err <= atol + rtol * Math.abs(numeric),
        `input ${i} element ${j}: analytic ${analytic} vs numeric ${numeric} (|diff| ${err})`,
      );
      checked++;
    }
  }
  await graph.release();
  return checked;
}
