/**
 * ASHA's rung logic (Optuna's SuccessiveHalvingPruner: min_resource 1, reduction factor 3, min early
 * stopping rate 0): rungs at epochs 1, 3, 9, 27; at a rung a trial goes on only in the top 1/3 of the
 * values recorded there so far, its own included.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AshaPruner } from "../src/sweep/asha.js";

describe("ASHA", () => {
  test("rungs at min_resource * eta^r", () => {
    const p = new AshaPruner(true);
    assert.deepEqual(
      [0, 1, 2, 3].map((r) => p.rungEpoch(r)),
      [1, 3, 9, 27],
    );
    const q = new AshaPruner(true, { minResource: 2, reductionFactor: 2, minEarlyStoppingRate: 1 });
    assert.deepEqual(
      [0, 1, 2].map((r) => q.rungEpoch(r)),
      [4, 8, 16],
    );
  });

  test("maximizing: with fewer than eta values at a rung only the best goes on; then the top third", () => {
    const p = new AshaPruner(true);
    // trial 0 is alone at every rung: never stopped
    for (let e = 1; e <= 20; e++) assert.equal(p.shouldPrune(0, e, 0.5), false, `epoch ${e}`);
    // trial 1 at epoch 1: competing [0.5, 0.4] -> needs to be the best: 0.4 < 0.5, stopped
    assert.equal(p.shouldPrune(1, 1, 0.4), true);
    // trial 2 at epoch 1: competing [0.5, 0.4, 0.6]: 3 // 3 - 1 = 0 -> the best, 0.6: goes on
    assert.equal(p.shouldPrune(2, 1, 0.6), false);
    // epoch 2 is no rung
    assert.equal(p.shouldPrune(2, 2, 0.1), false);
    // at epoch 3 (rung 1): competing [0.5 (trial 0), 0.45]: not the best -> stopped
    assert.equal(p.shouldPrune(2, 3, 0.45), true);
    // 6 values at rung 0 -> top 2 go on
    assert.equal(p.shouldPrune(3, 1, 0.45), true); // [0.5, 0.4, 0.6, 0.45]: top 1 is 0.6
    assert.equal(p.shouldPrune(4, 1, 0.3), true);
    assert.equal(p.shouldPrune(5, 1, 0.5), false); // 6 values: 0.6, 0.5, 0.5 -> 2nd best is 0.5, ties go on
  });

  test("minimizing: smaller is better; a NaN objective stops the trial at its rung", () => {
    const p = new AshaPruner(false);
    assert.equal(p.shouldPrune(0, 1, 1.0), false);
    assert.equal(p.shouldPrune(1, 1, 0.8), false);
    assert.equal(p.shouldPrune(2, 1, 1.2), true);
    assert.equal(p.shouldPrune(3, 1, Number.NaN), true);
    // a trial between rungs is not judged
    assert.equal(p.shouldPrune(1, 2, Number.NaN), false, "no rung at epoch 2");
  });

  test("a trial that skips past rungs (reports at epoch 4 first) is judged at each rung it passed", () => {
    const p = new AshaPruner(true);
    assert.equal(p.shouldPrune(0, 1, 0.9), false);
    assert.equal(p.shouldPrune(0, 3, 0.9), false);
    // trial 1 reports first at epoch 4 with 0.95: rung 0 (best) and rung 1 (best) both passed
    assert.equal(p.shouldPrune(1, 4, 0.95), false);
    // trial 2 at epoch 4 with 0.92: rung 0 competing [0.9, 0.95, 0.92] -> top 1 = 0.95: stopped
    assert.equal(p.shouldPrune(2, 4, 0.92), true);
  });
});
