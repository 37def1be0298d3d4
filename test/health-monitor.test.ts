/**
 * The health monitors the diagnosis reads: robust loss-spike detection (silent on the noise of a healthy
 * 100,000-row run, where the old "3x the median" rule fired on every fourth batch), saturation of
 * sigmoid/tanh layers, dead ReLUs, per-layer RMS gradients, decimated per-batch losses, and the partial
 * epoch kept when a run stops on a non-finite loss.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { SHARED, writeCsv } from "../bench/planted-pathologies.js";
import { diagnose } from "../src/coach/diagnosis/diagnose.js";
import { runRecordFromTabular } from "../src/coach/diagnosis/from-tabular.js";
import { readTableFile } from "../src/data/read-table-file.js";
import { makeLoss } from "../src/nn/losses/index.js";
import { mlp } from "../src/nn/sequential.js";
import { makeOptimizer } from "../src/optim/index.js";
import type { Callback } from "../src/train/callback.js";
import { fit } from "../src/train/fit.js";
import { deadShare, HealthMonitor, SATURATION_MARGIN, saturatedShare } from "../src/train/health-monitor.js";
import { LossSpikeDetector } from "../src/train/loss-spike-detector.js";
import { trainTabular } from "../src/train/train-tabular.js";
import { Trainer } from "../src/train/trainer.js";
import { Random } from "../src/util/random.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-health-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The rule the monitor used before: a batch loss above 3x the median of the previous 20. */
function oldRuleCount(losses: readonly number[]): number {
  let n = 0;
  const recent: number[] = [];
  for (const l of losses) {
    if (recent.length >= 5) {
      const s = [...recent].sort((a, b) => a - b);
      const m = s[Math.floor(s.length / 2)]!;
      if (l > 3 * m && l - m > 1e-6) n++;
    }
    recent.push(l);
    if (recent.length > 20) recent.shift();
  }
  return n;
}

describe("LossSpikeDetector", () => {
  /** Batch means of 32 per-row losses, 3% of rows "hard" (loss 3), the rest exponential around `level`. */
  function batchLoss(rng: Random, level: number): number {
    let s = 0;
    for (let i = 0; i < 32; i++) s += rng.next() < 0.03 ? 3 : -level * Math.log(1 - rng.next());
    return s / 32;
  }

  test("heavy-tailed batch noise over 20,000 steps: almost nothing, where the old rule fires hundreds of times", () => {
    const rng = new Random(3);
    const losses = Array.from({ length: 20_000 }, (_, i) => batchLoss(rng, 0.7 * Math.exp(-i / 2000) + 0.01));
    const d = new LossSpikeDetector();
    for (const [i, l] of losses.entries()) d.push(l, i + 1);
    assert.ok(d.spikes.length <= 2, `${d.spikes.length} spikes`);
    assert.ok(oldRuleCount(losses) > 100, `old rule: ${oldRuleCount(losses)}`);
  });

  test("planted jumps are found at their steps, a 3-batch episode once", () => {
    const rng = new Random(4);
    const losses = Array.from({ length: 3000 }, (_, i) => batchLoss(rng, 0.7 * Math.exp(-i / 500) + 0.02));
    for (const s of [800, 1500]) losses[s - 1] = 2.5;
    losses.splice(2199, 3, 3, 3.2, 2.9);
    const d = new LossSpikeDetector();
    for (const [i, l] of losses.entries()) d.push(l, i + 1);
    assert.deepEqual(
      d.spikes.map((s) => [s.step, s.batches]),
      [
        [800, 1],
        [1500, 1],
        [2200, 3],
      ],
    );
    assert.equal(d.spikes[2]!.loss, 3.2);
  });

  test("bad options are refused with the value received", () => {
    assert.throws(() => new LossSpikeDetector({ window: 2 }), /window must be a whole number >= 5, got 2/);
    assert.throws(() => new LossSpikeDetector({ minRatio: 0.5 }), /minRatio must be >= 1, got 0.5/);
  });
});

describe("HealthMonitor on real runs", () => {
  test("a healthy 100,000-row run: no loss-spike pattern, batch losses kept compactly", async () => {
    // breast cancer rows resampled with 10% jitter: a large, easy, healthy training set
    const table = await readTableFile(path.join(SHARED, "breast_cancer.csv"));
    const t = table.columns.indexOf("diagnosis");
    const sd = table.columns.map((_, j) => {
      if (j === t) return 0;
      const v = table.rows.map((r) => Number(r[j]));
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
    });
    const rng = new Random(1);
    const rows = Array.from({ length: 100_000 }, () => {
      const r = table.rows[rng.int(table.rows.length)]!;
      return r.map((c, j) => (j === t ? c : (Number(c) + rng.normal(0, 0.1 * sd[j]!)).toPrecision(5)));
    });
    const file = path.join(tmp, "big.csv");
    writeCsv(file, table.columns, rows);
    const losses: number[] = [];
    const collect: Callback = { onBatchEnd: (_b, logs) => void losses.push(logs.loss) };
    const result = await trainTabular(
      // without label smoothing the losses of an easy task near 0, where the old rule's 3x median fires
      { data: file, target: "diagnosis", epochs: 1, threads: 1, labelSmoothing: 0 },
      { callbacks: [collect] },
    );
    const h = result.health[0]!;
    assert.equal(h.steps, losses.length);
    assert.ok(h.spikes.length < 0.01 * losses.length, `${h.spikes.length} spikes in ${losses.length} steps`);
    assert.ok(oldRuleCount(losses) > 100, `old rule: ${oldRuleCount(losses)}`);
    // at most 200 points per epoch, each the mean of `every` consecutive batch losses
    assert.ok(h.batchLoss.values.length <= 200 && h.batchLoss.every === Math.ceil(losses.length / 200));
    const firstMean = losses.slice(0, h.batchLoss.every).reduce((a, b) => a + b, 0) / h.batchLoss.every;
    assert.ok(Math.abs(h.batchLoss.values[0]! - firstMean) < 1e-4 * firstMean);
    const record = await runRecordFromTabular(result);
    assert.ok(!diagnose(record).some((f) => f.symptom === "loss_spikes" && f.severity !== "low"));
    await result.trainer.release();
  });

  test("saturation of tanh layers and per-layer RMS gradients on wine", async () => {
    const r = await trainTabular({
      data: path.join(SHARED, "wine.csv"),
      target: "cultivar",
      hidden: [64, 64, 64],
      activation: "tanh",
      lr: 0.05,
      epochs: 4,
      threads: 1,
    });
    const last = r.health[r.health.length - 1]!;
    assert.deepEqual(Object.keys(last.saturation), ["tanh_0", "tanh_1", "tanh_2"]);
    assert.deepEqual(last.deadRelu, {});
    for (const v of Object.values(last.saturation)) assert.ok(v >= 0 && v <= 1);
    assert.ok(
      Object.values(last.saturation).some((v) => v > 0.2),
      JSON.stringify(last.saturation),
    );
    assert.deepEqual(Object.keys(last.layerGradRms), ["dense_0", "dense_1", "dense_2", "output"]);
    // dense_0 has 13x64 + 64 weights: RMS = norm / sqrt(896)
    assert.ok(
      Math.abs(last.layerGradRms.dense_0! - last.layerGradNorm.dense_0! / Math.sqrt(896)) <
        1e-3 * last.layerGradRms.dense_0!,
    );
    await r.trainer.release();
  });

  test("a run that stops on a NaN loss keeps its partial epoch", async () => {
    const n = 64;
    const rng = new Random(0);
    const x = Float32Array.from({ length: n * 4 }, () => rng.normal());
    // the row the seeded shuffle puts third in batch 3 of epoch 1 holds a NaN (a bad cell)
    const bad = Random.derive(0, "shuffle").permutation(n)[18]!;
    x[bad * 4] = Number.NaN;
    const y = Int32Array.from({ length: n }, (_, i) => i % 2);
    const loss = makeLoss("auto", "classification", 3);
    const trainer = new Trainer(
      mlp({ inputs: 4, outputs: 3, hidden: [8] }),
      loss,
      makeOptimizer("adam", {}),
      { threads: 1 },
    );
    await trainer.compile();
    const health = new HealthMonitor({ probe: { x: x.subarray(0, 16 * 4), n: 16 } });
    const res = await fit(
      trainer,
      { x, y, n },
      { epochs: 3, batchSize: 8, lr: 1e-3, callbacks: [health], onNonFinite: "stop" },
    );
    assert.match(res.stopReason!, /^non-finite (loss|gradient norm) at step 3 \(epoch 1, batch 3\)/);
    assert.equal(res.history.length, 0);
    assert.equal(health.records.length, 1);
    assert.equal(health.records[0]!.partial, true);
    assert.equal(health.records[0]!.steps, 2);
    await trainer.release();
  });
});

describe("probe measurements", () => {
  test("deadShare counts units with no positive output for any row", () => {
    // 3 rows x 4 units: unit 1 never fires, unit 3 fires once
    const v = [1, 0, 0, 0, 2, -1, 0, 0, 0, 0, 0, 0.5];
    assert.equal(deadShare(v, 3), 0.5);
  });
  test("saturatedShare counts outputs within the margin of the bounds", () => {
    const eps = SATURATION_MARGIN / 2;
    assert.equal(saturatedShare([eps, 0.5, 1 - eps, 0.3], "sigmoid"), 0.5);
    assert.equal(saturatedShare([-1 + eps, 0, 0.99, 0.5], "tanh"), 0.5);
  });
});
