import assert from "node:assert/strict";
import fs from "node:fs";
import { test } from "node:test";
import { emitModel } from "../src/engine/emit.js";
import * as T from "../src/engine/ops.js";
import { CompiledGraph, makeTensor } from "../src/engine/runtime.js";
import type { ParamSpec } from "../src/nn/build-context.js";
import { Adam } from "../src/optim/adam.js";
import type { Optimizer } from "../src/optim/optimizer.js";
import { Rmsprop } from "../src/optim/rmsprop.js";
import { Sgd } from "../src/optim/sgd.js";
import { buildUpdate } from "../src/train/update-step.js";

interface Case {
  optimizer: string;
  hp: Record<string, number | boolean>;
  lrs: number[];
  trajectory: number[][][];
}
const gold = JSON.parse(
  fs.readFileSync(new URL("../../test/fixtures/optimizers.json", import.meta.url), "utf8"),
) as {
  shapes: number[][];
  steps: number;
  init: number[][];
  grads: number[][][];
  cases: Case[];
};

function optimizerFor(c: Case): Optimizer {
  const hp = c.hp as Record<string, number>;
  const wd = hp.weight_decay ?? 0;
  switch (c.optimizer) {
    case "sgd":
      return new Sgd({ momentum: hp.momentum ?? 0, nesterov: Boolean(c.hp.nesterov), weightDecay: wd });
    case "rmsprop":
      return new Rmsprop({
        alpha: hp.alpha,
        eps: hp.eps,
        momentum: hp.momentum,
        centered: Boolean(c.hp.centered),
        weightDecay: wd,
      });
    case "adam":
      return new Adam({ beta1: hp.beta1, beta2: hp.beta2, eps: hp.eps, weightDecay: wd });
    case "adamw":
      return new Adam({ beta1: hp.beta1, beta2: hp.beta2, eps: hp.eps, weightDecay: wd, decoupled: true });
  }
  throw new Error(c.optimizer);
}

const describeCase = (c: Case) => `${c.optimizer} ${JSON.stringify(c.hp)}`;

for (const c of gold.cases) {
  test(`${describeCase(c)} follows PyTorch's trajectory over ${gold.steps} steps`, async () => {
    const dtype = "float64";
    const opt = optimizerFor(c);
    // loss = sum(p0 * G0) + sum(p1 * G1): its gradient is exactly the fixture's gradient
    const specs: ParamSpec[] = gold.shapes.map((shape, i) => ({
      name: `p${i}`,
      layer: `layer${i}`,
      shape,
      init: "zeros",
      fans: { fanIn: 1, fanOut: 1 },
      decay: i === 0,
    }));
    const ps = specs.map((s) => T.input(s.name, s.shape, dtype));
    const gs = specs.map((s, i) => T.input(`G${i}`, s.shape, dtype));
    const loss = T.add(T.reduceSum(T.mul(ps[0]!, gs[0]!)), T.reduceSum(T.mul(ps[1]!, gs[1]!)));
    const lr = T.input("lr", [], dtype);
    const step = T.input("step", [], dtype);
    const lossScale = T.input("loss_scale", [], dtype);
    const upd = buildUpdate({
      params: specs.map((spec, i) => ({ spec, node: ps[i]! })),
      loss,
      optimizer: opt,
      lr,
      step,
      lossScale,
      clipNorm: c.hp.clip_norm as number | undefined,
      clipValue: c.hp.clip_value as number | undefined,
    });
    const graph = await CompiledGraph.create(
      emitModel({ inputs: [...ps, ...gs, lr, step, lossScale, ...upd.flatInputs], outputs: upd.outputs }),
      { threads: 1 },
    );
    const values = new Map<string, Float64Array>();
    specs.forEach((s, i) => {
      values.set(s.name, Float64Array.from(gold.init[i]!));
      for (const slot of opt.slotNames)
        values.set(`${s.name}#${slot}`, new Float64Array(gold.init[i]!.length));
    });
    const shapeOf = (name: string) => specs.find((s) => s.name === name.split("#")[0])!.shape;
    let worst = 0;
    for (let t = 0; t < gold.steps; t++) {
      const feeds: Record<string, ReturnType<typeof makeTensor>> = {
        lr: makeTensor(dtype, Float64Array.of(c.lrs[t]!), []),
        step: makeTensor(dtype, Float64Array.of(t + 1), []),
        // a loss scale other than 1 must cancel out exactly
        loss_scale: makeTensor(dtype, Float64Array.of(t % 2 ? 1 : 1024), []),
      };
      specs.forEach((s, i) => {
        feeds[`G${i}`] = makeTensor(dtype, Float64Array.from(gold.grads[t]![i]!), s.shape);
      });
      for (const s of specs) feeds[s.name] = makeTensor(dtype, values.get(s.name)!, shapeOf(s.name));
      // the update runs on flat group vectors (update-step.ts): pack each group's values, unpack the results
      for (const g of upd.groups)
        for (const suffix of ["", ...opt.slotNames.map((n) => `#${n}`)]) {
          const flat = new Float64Array(g.size);
          for (const m of g.members) flat.set(values.get(`${m.name}${suffix}`)!, m.offset);
          feeds[`${g.name}${suffix}`] = makeTensor(dtype, flat, [g.size]);
        }
      const out = await graph.run(feeds);
      for (const g of upd.groups)
        for (const suffix of ["", ...opt.slotNames.map((n) => `#${n}`)]) {
          const flat = out[`new/${g.name}${suffix}`]!.data as Float64Array;
          for (const m of g.members)
            values.set(`${m.name}${suffix}`, flat.slice(m.offset, m.offset + m.size));
        }
      specs.forEach((s, i) => {
        const got = values.get(s.name)!;
        const want = c.trajectory[t]![i]!;
        want.forEach((w, j) => {
          const rel = Math.abs(got[j]! - w) / Math.max(Math.abs(w), 1e-3);
          worst = Math.max(worst, rel);
          assert.ok(
            rel <= 1e-5,
            `step ${t + 1}, ${s.name}[${j}]: got ${got[j]}, PyTorch ${w} (relative error ${rel})`,
          );
        });
      });
    }
    await graph.release();
    assert.ok(worst < 1e-5);
  });
}

test("bad optimizer arguments are refused with the argument named", () => {
  assert.throws(() => new Sgd({ momentum: 1.5 }), /momentum must be in \[0, 1\), got 1.5/);
  assert.throws(() => new Adam({ beta2: 1 }), /beta2 must be in \[0, 1\), got 1/);
  assert.throws(() => new Adam({ weightDecay: -1 }), /weight decay must be >= 0, got -1/);
  assert.throws(() => new Rmsprop({ alpha: 0 }), /alpha must be in \(0, 1\), got 0/);
  assert.throws(() => new Sgd({ momentum: 0, nesterov: true }), /Nesterov momentum needs momentum > 0/);
});
