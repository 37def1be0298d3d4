import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  BalancedBatchSampler,
  balancedClassWeights,
  classCounts,
  imbalanceRatio,
} from "../src/data/imbalance.js";

const gold = JSON.parse(
  readFileSync(new URL("../../test/fixtures/class_weights.json", import.meta.url), "utf8"),
) as {
  cases: { counts: number[]; weights: number[] }[];
};

test("balanced class weights equal scikit-learn's compute_class_weight('balanced')", () => {
  for (const { counts, weights } of gold.cases) {
    const w = balancedClassWeights(counts);
    w.forEach((v, k) => {
      assert.ok(Math.abs(v - weights[k]!) < 1e-12, `${counts}: ${v} vs ${weights[k]}`);
    });
  }
  assert.deepEqual(balancedClassWeights([4, 0]), [1, 0]);
  assert.throws(
    () => balancedClassWeights([3, -1]),
    /count of class 1 must be a non-negative integer; got -1/,
  );
});

test("imbalance ratio and class counts", () => {
  assert.equal(imbalanceRatio([90, 10]), 9);
  assert.equal(imbalanceRatio([5, 0, 20]), 4);
  assert.deepEqual(classCounts([0, 2, 2, 1, 2], 3), [1, 1, 3]);
  assert.throws(() => classCounts([0, 3], 3), /label 1 must be a class index in 0\.\.2; got 3/);
});

test("balanced batch sampler: balanced batches, minority oversampled, seeded", () => {
  const labels: number[] = [];
  for (let i = 0; i < 200; i++) labels.push(i % 20 === 0 ? 1 : 0); // 190 vs 10
  const sampler = new BalancedBatchSampler(labels, 32, 7);
  const epoch = sampler.epoch();
  assert.equal(epoch.length, Math.ceil(200 / 32));
  const seenMinority = new Set<number>();
  for (const batch of epoch) {
    assert.equal(batch.length, 32);
    const minority = batch.filter((i) => labels[i] === 1);
    assert.equal(minority.length, 16);
    for (const i of minority) seenMinority.add(i);
  }
  assert.equal(seenMinority.size, 10, "every minority row is drawn");
  assert.deepEqual(new BalancedBatchSampler(labels, 32, 7).epoch(), epoch);
  assert.notDeepEqual(new BalancedBatchSampler(labels, 32, 8).epoch(), epoch);
  // odd batch size: the spare slot goes to one class
  const odd = new BalancedBatchSampler([0, 0, 0, 1, 2, 2], 4, 1).nextBatch();
  const perClass = [0, 1, 2].map((k) => odd.filter((i) => [0, 0, 0, 1, 2, 2][i] === k).length).sort();
  assert.deepEqual(perClass, [1, 1, 2]);
});

test("balanced batch sampler resumes from a saved state", () => {
  const labels = [0, 1, 1, 0, 0, 0, 2, 0, 1, 0];
  const a = new BalancedBatchSampler(labels, 3, 5);
  a.nextBatch();
  const saved = JSON.parse(JSON.stringify(a.getState()));
  const next = [a.nextBatch(), a.nextBatch()];
  const b = new BalancedBatchSampler(labels, 3, 99);
  b.setState(saved);
  assert.deepEqual([b.nextBatch(), b.nextBatch()], next);
  assert.throws(() => new BalancedBatchSampler(labels, 0), /batchSize must be a positive integer; got 0/);
});
