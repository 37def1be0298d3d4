/**
 * fit's handling of a non-finite loss (throw by default; "stop" keeps the partial history, chosen by the
 * option or by a callback through FitState.onNonFinite) and its diagnoseEvery hook.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { UserError } from "../src/errors.js";
import { makeLoss } from "../src/nn/losses/index.js";
import { mlp } from "../src/nn/sequential.js";
import { makeOptimizer } from "../src/optim/index.js";
import type { Callback } from "../src/train/callback.js";
import { type Dataset, fit } from "../src/train/fit.js";
import { Trainer } from "../src/train/trainer.js";
import { Random } from "../src/util/random.js";

/** 64 rows of 4 features, and the row that epoch 2's seeded shuffle puts third in its 3rd batch (step 11). */
function data(): { d: Dataset; row: number } {
  const n = 64;
  const rng = new Random(0);
  const x = Float32Array.from({ length: n * 4 }, () => rng.normal());
  const y = Int32Array.from({ length: n }, (_, i) => (x[i * 4]! > 0 ? 1 : 0));
  const shuffle = Random.derive(0, "shuffle");
  shuffle.permutation(n); // epoch 1
  return { d: { x, y, n }, row: shuffle.permutation(n)[18]! };
}

async function trainer(): Promise<Trainer> {
  const t = new Trainer(
    mlp({ inputs: 4, outputs: 2, hidden: [8] }),
    makeLoss("sparse_ce", "classification", 2),
    makeOptimizer("adam", {}),
    { threads: 1 },
  );
  await t.compile();
  return t;
}

/** Puts a NaN (a bad cell) into `row` when epoch 2 begins, so that epoch 1 completes. */
function nanAtEpoch2({ d, row }: { d: Dataset; row: number }): Callback {
  return {
    onEpochBegin(epoch) {
      if (epoch === 1) d.x[row * 4] = Number.NaN;
    },
  };
}

test("by default a NaN loss throws a UserError naming the step", async () => {
  const p = data();
  const d = p.d;
  const t = await trainer();
  await assert.rejects(
    fit(t, d, { epochs: 3, batchSize: 8, lr: 1e-2, callbacks: [nanAtEpoch2(p)] }),
    (e: unknown) =>
      e instanceof UserError &&
      /training stopped: the loss became NaN at step 11 \(epoch 2, batch 3\)/.test(e.message),
  );
  await t.release();
});

test('onNonFinite "stop" ends training and returns the completed epochs', async () => {
  const p = data();
  const d = p.d;
  const t = await trainer();
  const r = await fit(t, d, {
    epochs: 3,
    batchSize: 8,
    lr: 1e-2,
    callbacks: [nanAtEpoch2(p)],
    onNonFinite: "stop",
  });
  assert.match(
    r.stopReason!,
    /^non-finite loss at step 11 \(epoch 2, batch 3\): the loss became NaN; non-finite gradients in layers dense_0, output; learning rate 0.01$/,
  );
  assert.equal(r.history.length, 1);
  assert.ok(Number.isFinite(r.history[0]!.train_loss));
  await t.release();
});

test("a callback may choose stop through FitState.onNonFinite", async () => {
  const p = data();
  const d = p.d;
  const t = await trainer();
  const chooser: Callback = {
    onTrainBegin(s) {
      s.onNonFinite = "stop";
    },
  };
  const r = await fit(t, d, { epochs: 3, batchSize: 8, lr: 1e-2, callbacks: [chooser, nanAtEpoch2(p)] });
  assert.match(r.stopReason!, /^non-finite loss at step 11/);
  await t.release();
});

test("diagnoseEvery calls its hook every N epochs and after the last; the hook may stop training", async () => {
  const { d } = data();
  const t = await trainer();
  const seen: number[] = [];
  const r = await fit(t, d, {
    epochs: 5,
    batchSize: 16,
    lr: 1e-2,
    diagnoseEvery: { every: 2, hook: (s) => void seen.push(s.history.length) },
  });
  assert.deepEqual(seen, [2, 4, 5]);
  assert.equal(r.history.length, 5);
  const stopped = await fit(t, d, {
    epochs: 6,
    batchSize: 16,
    lr: 1e-2,
    diagnoseEvery: {
      every: 3,
      hook: (s) => {
        s.stop = true;
        s.stopReason = "early diagnosis: test";
      },
    },
  });
  assert.equal(stopped.history.length, 3);
  assert.equal(stopped.stopReason, "early diagnosis: test");
  await assert.rejects(
    fit(t, d, { epochs: 1, batchSize: 16, lr: 1e-2, diagnoseEvery: { every: 0, hook: () => {} } }),
    /diagnoseEvery.every must be a whole number >= 1, got 0/,
  );
  await t.release();
});
