import assert from "node:assert/strict";
import fs from "node:fs";
import { describe, test } from "node:test";
import { compare, keepThreshold, keptForSpeed, tQuantile } from "../src/coach/improve/keep-rule.js";
import { subsetRows } from "../src/coach/improve/learning-curve.js";
import { ridge } from "../src/coach/improve/reference-model.js";

const gold = JSON.parse(
  fs.readFileSync(new URL("../../test/fixtures/improve_statistics.json", import.meta.url), "utf8"),
) as {
  t_quantiles: { p: number; df: number; t: number }[];
  ridge: { alpha: number; x: number[][]; y: number[]; coef: number[]; intercept: number };
};

describe("improve's statistics against SciPy and scikit-learn", () => {
  test("Student's t upper quantiles match scipy.stats.t.ppf", () => {
    for (const q of gold.t_quantiles)
      assert.ok(
        Math.abs(tQuantile(q.p, q.df) - q.t) < 1e-6 * Math.max(1, q.t),
        `p ${q.p} df ${q.df}: ${tQuantile(q.p, q.df)} vs ${q.t}`,
      );
  });

  test("the keep threshold is at least 2 SE, and grows with candidates and shrinks with units", () => {
    assert.equal(keepThreshold(1), Number.POSITIVE_INFINITY);
    assert.ok(Math.abs(keepThreshold(5, 1) - 2.776) < 1e-3);
    assert.ok(keepThreshold(5, 4) > keepThreshold(5, 1));
    assert.ok(keepThreshold(30, 1) >= 2 && keepThreshold(30, 1) < 2.1);
  });

  test("the speed keep rule: a larger batch is kept only when faster and the paired mean does not fall", () => {
    // five folds: the current best, and a candidate one validation row lower on one fold
    const before = [0.9429, 0.9286, 0.9571, 0.9429, 0.9353];
    const slightlyLower = [0.9429, 0.9286, 0.9571, 0.9429, 0.9339];
    const c = compare(before, slightlyLower, true);
    assert.ok(c.diff < 0 && c.diff > -c.threshold * c.se, "a within-noise loss");
    assert.equal(keptForSpeed(c, 0.45, 0.2), false, "a within-noise loss is still a loss");
    const same = compare(before, before, true);
    assert.equal(keptForSpeed(same, 0.45, 0.2), true, "as good and 45% faster");
    assert.equal(keptForSpeed(same, 0.1, 0.2), false, "as good but only 10% faster");
    // lower is better (RMSE): an equal or lower error with a faster epoch is kept
    assert.equal(keptForSpeed(compare([3.1, 2.9, 3.3], [3.0, 2.9, 3.3], false), 0.3, 0.2), true);
  });

  test("paired comparison: a consistent gain is kept, noise and losses are not, direction follows the metric", () => {
    const before = [0.9, 0.92, 0.91, 0.93, 0.9];
    assert.equal(
      compare(
        before,
        before.map((v) => v + 0.02),
        true,
      ).kept,
      true,
    );
    assert.equal(compare(before, before, true).kept, false);
    assert.equal(compare(before, [0.91, 0.91, 0.92, 0.92, 0.9], true).kept, false);
    assert.equal(
      compare(
        before,
        before.map((v) => v - 0.02),
        true,
      ).kept,
      false,
    );
    // lower is better (RMSE): a drop is the gain
    const rmse = [50, 52, 51, 53, 50];
    const c = compare(
      rmse,
      rmse.map((v) => v - 3),
      false,
    );
    assert.equal(c.kept, true);
    assert.ok(Math.abs(c.diff - 3) < 1e-9);
    assert.throws(() => compare([1, 2], [1, 2, 3], true), /same units/);
  });

  test("ridge regression equals scikit-learn's Ridge(alpha=1) on the standardized diabetes table", () => {
    const r = gold.ridge;
    const n = r.x.length;
    const f = r.x[0]!.length;
    const w = ridge(Float64Array.from(r.x.flat()), Float64Array.from(r.y), n, f, r.alpha);
    for (const [j, c] of r.coef.entries())
      assert.ok(Math.abs(w[j]! - c) < 1e-6 * Math.max(1, Math.abs(c)), `coef ${j}: ${w[j]} vs ${c}`);
    assert.ok(Math.abs(w[f]! - r.intercept) < 1e-6 * Math.abs(r.intercept));
  });

  test("learning-curve subsets keep class proportions, are seeded and nested in size", () => {
    const rows = Array.from({ length: 100 }, (_, i) => i * 2);
    const labels = rows.map((_, i) => (i < 80 ? 0 : 1));
    const half = subsetRows(rows, labels, 0.5, 3);
    assert.equal(half.length, 50);
    assert.equal(half.filter((r) => r >= 160).length, 10);
    assert.deepEqual(subsetRows(rows, labels, 0.5, 3), half);
    assert.notDeepEqual(subsetRows(rows, labels, 0.5, 4), half);
    assert.ok(half.every((r) => rows.includes(r)));
  });
});
