import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { PNG } from "pngjs";
import { UserError } from "../src/errors.js";
import { layoutLinePlot, rectsOverlap } from "../src/report/index.js";
import { evaluateDataset, fit } from "../src/train/fit.js";
import {
  findLearningRate,
  type LrFinderResult,
  lrFinderPlotSpec,
  renderLrFinderPlot,
  suggestLearningRates,
} from "../src/train/lr-finder.js";
import { prepareTabular } from "../src/train/prepare-tabular.js";
import { ROOT } from "./helpers/cli.js";

const wine = { data: path.join(ROOT, "examples/wine.csv"), target: "cultivar" };

describe("suggestLearningRates (fastai rules on a hand-made curve)", () => {
  // 20 points, log-spaced from 1e-7 to 10; the rules read points 2..14 (steps / 10 = 2 left out, and the last 5)
  const lrs = Array.from({ length: 20 }, (_, i) => 1e-7 * 1e8 ** (i / 19));
  const losses = [5, 5, 4.0, 3.5, 3.0, 2.5, 1.0, 0.9, 0.8, 0.85, 0.7, 0.6, 0.65, 0.9, 1.5, 9, 9, 9, 9, 9];

  test("steepest: the largest drop per log step", () => {
    const d = suggestLearningRates(lrs, losses, 20);
    // the drop 2.5 -> 1.0 from point 5 to 6 (every other drop is at most 0.5)
    assert.equal(d.suggestions.steepest, lrs[5]);
    assert.equal(d.steepestIndex, 5);
    assert.ok(Math.abs(d.steepestSlope - -1.5 / Math.log(lrs[6]! / lrs[5]!)) < 1e-9);
  });

  test("valley: 2/3 down the longest falling run", () => {
    const d = suggestLearningRates(lrs, losses, 20);
    // longest decreasing run 4.0 3.5 3.0 2.5 1.0 0.9 0.8 0.7 0.6 (9 long, from read point 0 to 9):
    // sections = 3, index 0 + 3 + 1 = 4 of the read points, i.e. point 6
    assert.equal(d.suggestions.valley, lrs[6]);
    assert.deepEqual(d.valley, { from: 2, to: 11 });
  });

  test("minimum/10: a tenth of the learning rate at the lowest loss", () => {
    const d = suggestLearningRates(lrs, losses, 20);
    assert.equal(d.minimumIndex, 11);
    assert.equal(d.suggestions["minimum/10"], lrs[11]! / 10);
    // the marker sits on the curve at that learning rate: one decade (2.4 points) below point 11, between 8 and 9
    assert.ok(
      d.points["minimum/10"].loss > 0.8 && d.points["minimum/10"].loss < 0.85,
      `${d.points["minimum/10"].loss}`,
    );
  });

  test("a loss that never falls has no valley", () => {
    const rising = lrs.map((_, i) => 1 + i);
    const d = suggestLearningRates(lrs, rising, 20);
    assert.equal(d.valley.from, d.valley.to);
    assert.equal(d.suggestions.valley, lrs[2]);
  });

  test("the plot marks each rule's point, labels the minimum rule min/10, and keeps labels apart", () => {
    const d = suggestLearningRates(lrs, losses, 20);
    const r: LrFinderResult = {
      lrs,
      losses,
      smoothed: losses,
      suggestions: d.suggestions,
      chosen: "minimum/10",
      suggestion: d.suggestions["minimum/10"],
      explanation: "",
      stopped: "completed",
      steps: 20,
    };
    const spec = lrFinderPlotSpec(r, { skipEnd: 0 });
    const label = (prefix: string) => spec.markers!.find((m) => m.label!.startsWith(prefix))!;
    const min = label("min/10 ");
    assert.equal(min.label, `min/10 ${d.suggestions["minimum/10"].toExponential(1)}`);
    assert.equal(min.x, d.suggestions["minimum/10"], "the marker sits at a tenth of the lowest point's rate");
    assert.equal(min.color, "#d62728", "the chosen rule is red");
    assert.equal(label("valley ").x, d.suggestions.valley);
    assert.equal(label("steepest ").x, d.suggestions.steepest);
    const boxes = layoutLinePlot(spec).markers.map((m) => m.labelBox!);
    assert.equal(boxes.length, 3);
    for (const [i, b] of boxes.entries())
      for (const [j, o] of boxes.entries()) assert.ok(i === j || !rectsOverlap(b, o), `labels ${i}, ${j}`);
  });

  test("too few points is an error saying what to do", () => {
    assert.throws(
      () => suggestLearningRates([1e-7, 1e-6], [1, 2], 100),
      (e: unknown) =>
        e instanceof UserError && /only 2 finite losses/.test(e.message) && /--start/.test(e.message),
    );
  });
});

describe("findLearningRate", () => {
  test("sweeps exponentially, smooths with bias correction, stops on divergence, restores everything", async () => {
    // dropout (noise generator) and batch norm (running statistics) so that every kind of state is exercised
    const p = await prepareTabular({
      ...wine,
      hidden: [32],
      dropout: 0.2,
      norm: "batch",
      labelSmoothing: 0,
      threads: 1,
    });
    const t = p.trainer;
    // a few steps first so the optimizer slots and step counter are not all zero
    await fit(t, p.train, { epochs: 1, batchSize: 32, lr: 1e-3, seed: 1 });
    const before = t.snapshot();
    const noise = t.noiseRng.getState();
    assert.ok(before.step > 0);
    assert.ok(
      [...before.values.keys()].some((k) => k.includes("#")),
      "has optimizer slots",
    );

    const r = await findLearningRate(t, p.train, { steps: 60, batchSize: 16, seed: 3 });
    // restored: every value bit for bit, the step counter and the dropout generator
    assert.equal(t.step, before.step);
    assert.deepEqual(t.noiseRng.getState(), noise);
    assert.deepEqual([...t.values.keys()].sort(), [...before.values.keys()].sort());
    for (const [k, v] of before.values) assert.deepEqual(t.values.get(k), v, k);

    // the sweep
    assert.equal(r.steps, 60);
    r.lrs.forEach((lr, i) => {
      const expected = 1e-7 * 1e8 ** (i / 59);
      assert.ok(Math.abs(lr - expected) <= 1e-12 * expected, `lr ${i}`);
    });
    let avg = 0;
    r.losses.forEach((loss, i) => {
      avg = 0.98 * avg + 0.02 * loss;
      assert.ok(Math.abs(r.smoothed[i]! - avg / (1 - 0.98 ** (i + 1))) < 1e-12, `smoothed ${i}`);
    });
    assert.equal(r.stopped, "diverged", "a sweep to lr 10 diverges");
    const min = Math.min(...r.smoothed);
    assert.ok(r.smoothed.at(-1)! > 4 * min);
    assert.ok(r.smoothed.slice(0, -1).every((s, i) => s <= 4 * Math.min(...r.smoothed.slice(0, i + 1))));
    assert.equal(r.chosen, "valley");
    assert.equal(r.suggestion, r.suggestions.valley);
    assert.match(r.explanation, /^valley \d\.\de-\d+: /);
    assert.match(r.explanation, /passed 4x its minimum/);

    // same seed, same curve
    const again = await findLearningRate(t, p.train, { steps: 60, batchSize: 16, seed: 3 });
    assert.deepEqual(again.losses, r.losses);
    // and training after the finder is the same as training without it
    const restoredFit = await fit(t, p.train, { epochs: 1, batchSize: 32, lr: 1e-3, seed: 2 });
    t.restore(before);
    t.noiseRng.setState(noise);
    const plainFit = await fit(t, p.train, { epochs: 1, batchSize: 32, lr: 1e-3, seed: 2 });
    assert.deepEqual(restoredFit.history, plainFit.history);

    // the plot: a real PNG of the asked size with the chosen suggestion in red; and the same as SVG
    const png = PNG.sync.read(renderLrFinderPlot(r, { width: 480, height: 300 }));
    assert.equal(png.width, 480);
    assert.equal(png.height, 300);
    let red = 0;
    for (let i = 0; i < png.data.length; i += 4)
      if (png.data[i]! > 200 && png.data[i + 1]! < 70 && png.data[i + 2]! < 70) red++;
    assert.ok(red > 20, `${red} red pixels`);
    const svg = renderLrFinderPlot(r, { format: "svg" });
    assert.ok(svg.startsWith("<svg") || svg.startsWith("<?xml"));
    assert.ok(svg.includes(`valley ${r.suggestion.toExponential(1)}`));
    await t.release();
  });

  test("bad options are refused, naming the option and the value", async () => {
    const fake = { values: new Map([["w", new Float32Array(1)]]) } as never;
    const data = { x: new Float32Array(4), y: new Float32Array(4), n: 4 };
    const bad: [object, RegExp][] = [
      [{ steps: 5 }, /steps must be a whole number from 10 to 10000; received 5/],
      [{ steps: 20.5 }, /steps .* received 20\.5/],
      [{ start: 0 }, /start must be a number > 0; received 0/],
      [{ start: 1e-3, end: 1e-4 }, /end must be a number greater than start \(0\.001\); received 0\.0001/],
      [{ beta: 1 }, /beta must be a number in \[0, 1\); received 1/],
      [{ divergeFactor: 1 }, /divergeFactor .* received 1/],
      [{ batchSize: 0 }, /batchSize .* received 0/],
      [{ rule: "best" }, /rule must be one of valley, steepest, minimum\/10; received "best"/],
    ];
    for (const [o, msg] of bad)
      await assert.rejects(
        findLearningRate(fake, data, o as never),
        (e: unknown) => e instanceof UserError && msg.test(e.message),
      );
  });
});

/** Trains `epochs` from fresh weights at `lr`; returns the training-set loss before and after, and the epoch losses. */
async function trainWith(p: Awaited<ReturnType<typeof prepareTabular>>, lr: number, epochs: number) {
  p.trainer.initialize();
  const initial = (await evaluateDataset(p.trainer, p.train)).loss;
  const r = await fit(p.trainer, p.train, { epochs, batchSize: 32, lr, seed: 0 });
  const final = (await evaluateDataset(p.trainer, p.train)).loss;
  return { initial, final, history: r.history.map((h) => h.train_loss) };
}

describe("the suggestion lies where training with it converges (default model)", () => {
  const datasets = [
    { data: "examples/wine.csv", target: "cultivar" },
    { data: "examples/breast_cancer.csv", target: "diagnosis" },
    { data: "examples/diabetes.csv", target: "progression" },
  ];
  for (const d of datasets) {
    test(d.data, async (t) => {
      const p = await prepareTabular({ data: path.join(ROOT, d.data), target: d.target, threads: 2 });
      const r: LrFinderResult = await findLearningRate(p.trainer, p.train, { batchSize: 32 });
      assert.ok(r.suggestion > 1e-6 && r.suggestion < 1, `suggestion ${r.suggestion}`);
      const run = await trainWith(p, r.suggestion, 5);
      assert.ok(run.history.every(Number.isFinite), `finite losses: ${run.history}`);
      assert.ok(run.final < 0.5 * run.initial, `loss ${run.initial} -> ${run.final} at lr ${r.suggestion}`);
      t.diagnostic(
        `# ${d.data}: valley ${r.suggestion.toExponential(2)} (steepest ${r.suggestions.steepest.toExponential(2)}, minimum/10 ${r.suggestions["minimum/10"].toExponential(2)}); train loss ${run.initial.toFixed(4)} -> ${run.final.toFixed(4)} in 5 epochs`,
      );
      await p.trainer.release();
    });
  }
});
