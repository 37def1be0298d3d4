/**
 * Reverse-mode automatic differentiation: walk the graph from the output back to the inputs, asking each
 * op's gradient rule (ops.ts) for the gradient of its inputs, and sum the contributions per node.
 * Only nodes on a path from `wrt` to `y` are visited, so frozen parameters cost nothing.
 */
import { type Tensor, topoSort } from "./graph.js";
import { add, constant, opDef } from "./ops.js";

/**
 * Gradients of the scalar `y` with respect to each tensor of `wrt` (null where y does not depend on it).
 * `seed` is dy (defaults to 1).
 */
export function gradients(y: Tensor, wrt: readonly Tensor[], seed?: Tensor): (Tensor | null)[] {
  const order = topoSort([y]);
  // nodes that depend on some wrt tensor
  const wanted = new Set(wrt.map((t) => t.id));
  const live = new Set<number>();
  for (const t of order) if (wanted.has(t.id) || t.inputs.some((i) => live.has(i.id))) live.add(t.id);

  const grads = new Map<number, Tensor>();
  grads.set(y.id, seed ?? constant(1, y.dtype, y.shape as number[]));
  for (let k = order.length - 1; k >= 0; k--) {
    const t = order[k]!;
    const g = grads.get(t.id);
    if (!g || !live.has(t.id) || t.inputs.length === 0) continue;
    if (!t.inputs.some((i) => live.has(i.id))) continue;
    const rule = opDef(t.op).grad;
    if (!rule) throw new Error(`cannot differentiate through op '${t.op}' (it has no gradient rule)`);
    const gin = rule(g, t);
    t.inputs.forEach((inp, i) => {
      const gi = gin[i];
      if (!gi || !live.has(inp.id)) return;
      const prev = grads.get(inp.id);
      grads.set(inp.id, prev ? add(prev, gi) : gi);
    });
  }
  return wrt.map((t) => grads.get(t.id) ?? null);
}
