import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { before, describe, test } from "node:test";
import { UserError } from "../src/errors.js";
import { ReduceLROnPlateau } from "../src/optim/schedules/index.js";
import type { EpochLogs, FitState } from "../src/train/callback.js";
import { EarlyStopping, ReduceLROnPlateauCallback, resolveMode } from "../src/train/callbacks/index.js";
import { evaluateDataset, fit } from "../src/train/fit.js";
import { type PreparedTabular, prepareTabular } from "../src/train/prepare-tabular.js";
import { Random } from "../src/util/random.js";
import { ROOT } from "./helpers/cli.js";

/** A loop state for driving callbacks by hand (no trainer needed by the code under test). */
function fakeState(over: Partial<FitState> = {}): FitState {
  return {
    trainer: undefined as never,
    epochs: 100,
    stepsPerEpoch: 4,
    epoch: 0,
    history: [],
    lrScale: 1,
    lr: 0.1,
    stop: false,
    shuffleRng: new Random(0),
    augmentRng: new Random(0),
    ...over,
  } as FitState;
}

/** Feeds `values` of `monitor` to an EarlyStopping epoch by epoch; returns the epochs run. */
function drive(cb: EarlyStopping, values: number[], monitor = "val_loss"): { epochs: number; s: FitState } {
  const s = fakeState();
  cb.onTrainBegin();
  let epochs = 0;
  for (const [i, v] of values.entries()) {
    const logs: EpochLogs = { epoch: i + 1, train_loss: 1, [monitor]: v, lr: 0.1 };
    s.history.push(logs);
    cb.onEpochEnd(i, logs, s);
    epochs = i + 1;
    if (s.stop) break;
  }
  return { epochs, s };
}

describe("EarlyStopping", () => {
  test("stops after `patience` epochs without improvement and says why", () => {
    const es = new EarlyStopping({ patience: 3 });
    const { epochs, s } = drive(es, [1.0, 0.8, 0.85, 0.9, 0.95, 0.7]);
    assert.equal(epochs, 5);
    assert.equal(es.bestEpoch, 2);
    assert.equal(es.best, 0.8);
    assert.equal(es.stoppedEpoch, 5);
    assert.match(s.stopReason ?? "", /val_loss has not improved on 0\.8000 \(epoch 2\) for 3 epochs/);
  });

  test("an improvement resets the count", () => {
    const { epochs } = drive(
      new EarlyStopping({ patience: 3 }),
      [1, 0.9, 0.95, 0.95, 0.8, 0.85, 0.85, 0.85, 0.1],
    );
    assert.equal(epochs, 8);
  });

  test("patience 0 stops at the first epoch that does not improve", () => {
    const { epochs } = drive(new EarlyStopping({ patience: 0 }), [3, 2, 1, 1.5, 0.5]);
    assert.equal(epochs, 4);
  });

  test("minDelta: smaller changes are not improvements", () => {
    const es = new EarlyStopping({ patience: 2, minDelta: 0.05 });
    const { epochs } = drive(es, [1.0, 0.97, 0.96, 0.5]);
    assert.equal(epochs, 3);
    assert.equal(es.best, 1.0);
  });

  test("auto mode maximizes accuracy-like metrics", () => {
    const es = new EarlyStopping({ monitor: "val_accuracy", patience: 2 });
    assert.equal(es.mode, "max");
    const { epochs } = drive(es, [0.5, 0.6, 0.6, 0.55, 0.9], "val_accuracy");
    assert.equal(epochs, 4);
    assert.equal(es.bestEpoch, 2);
  });

  test("auto mode from the name and the metric registry", () => {
    const cases: [string, "min" | "max"][] = [
      ["val_loss", "min"],
      ["train_loss", "min"],
      ["val_mae", "min"],
      ["val_rmse", "min"],
      ["val_log_loss", "min"],
      ["val_my_error", "min"],
      ["val_accuracy", "max"],
      ["val_roc_auc", "max"],
      ["val_f1_macro", "max"],
      ["val_r2", "max"],
      ["val_custom_score", "max"],
    ];
    for (const [name, mode] of cases) assert.equal(resolveMode("test", name, "auto"), mode, name);
    assert.equal(resolveMode("test", "val_accuracy", "min"), "min");
  });

  test("baseline: improving without beating it does not reset the count", () => {
    const es = new EarlyStopping({ patience: 2, baseline: 0.5 });
    const { epochs, s } = drive(es, [0.9, 0.8, 0.7, 0.75, 0.1]);
    assert.equal(epochs, 4);
    assert.match(s.stopReason ?? "", /baseline 0\.5/);
    const es2 = new EarlyStopping({ patience: 2, baseline: 0.5 });
    assert.equal(drive(es2, [0.9, 0.4, 0.45, 0.46, 0.47]).epochs, 4);
  });

  test("a NaN value never improves", () => {
    const es = new EarlyStopping({ patience: 1 });
    assert.equal(drive(es, [1, Number.NaN, 0.5]).epochs, 2);
  });

  test("a missing monitored metric is an error listing the metrics the logs hold", () => {
    const es = new EarlyStopping({ monitor: "val_acuracy" });
    const s = fakeState();
    es.onTrainBegin();
    const logs: EpochLogs = { epoch: 1, train_loss: 0.5, val_loss: 0.4, val_accuracy: 0.9, lr: 0.01 };
    assert.throws(
      () => es.onEpochEnd(0, logs, s),
      (e: unknown) =>
        e instanceof UserError &&
        /"val_acuracy" is not in the epoch logs; available: train_loss, val_loss, val_accuracy, lr/.test(
          e.message,
        ) &&
        /did you mean "val_accuracy"/.test(e.message),
    );
  });

  test("bad arguments are refused, naming the option and the value", () => {
    const bad: [() => unknown, RegExp][] = [
      [() => new EarlyStopping({ patience: 2.5 }), /patience must be a whole number >= 0; received 2\.5/],
      [() => new EarlyStopping({ patience: -1 }), /patience .* received -1/],
      [() => new EarlyStopping({ minDelta: -0.1 }), /minDelta must be a finite number >= 0; received -0\.1/],
      [() => new EarlyStopping({ mode: "up" as never }), /mode must be one of .*received "up"/],
      [() => new EarlyStopping({ monitor: "" }), /monitor must be/],
      [() => new EarlyStopping({ baseline: Number.NaN }), /baseline must be a finite number; received NaN/],
      [() => new EarlyStopping({ restoreBestWeights: "yes" as never }), /restoreBestWeights .* received yes/],
      [() => new ReduceLROnPlateauCallback({ factor: 1 }), /factor must be a number in \(0, 1\); received 1/],
      [() => new ReduceLROnPlateauCallback({ patience: 0.5 }), /patience .* received 0\.5/],
      [() => new ReduceLROnPlateauCallback({ minLr: -1 }), /minLr .* received -1/],
      [
        () => new ReduceLROnPlateauCallback({ thresholdMode: "relative" as never }),
        /thresholdMode .*"relative"/,
      ],
      [() => new ReduceLROnPlateauCallback({ cooldown: -2 }), /cooldown .* received -2/],
    ];
    for (const [make, msg] of bad)
      assert.throws(make, (e: unknown) => e instanceof UserError && msg.test(e.message));
  });
});

// biome-ignore lint/suspicious/noExplicitAny: fixture specs carry the schedule's options as plain JSON
type Spec = { type: string; lr: number; [option: string]: any };
const plateauCases = (
  JSON.parse(readFileSync(new URL("../../test/fixtures/schedules.json", import.meta.url), "utf8")) as {
    cases: { name: string; schedule: Spec; lrs: number[]; metrics?: number[] }[];
  }
).cases.filter((c) => c.schedule.type === "ReduceLROnPlateau");

describe("ReduceLROnPlateauCallback", () => {
  test("the fixture has plateau cases", () => assert.ok(plateauCases.length >= 5, `${plateauCases.length}`));

  for (const c of plateauCases) {
    test(`lowers the rate on the same epochs as PyTorch: ${c.name}`, () => {
      const { lr: base, type: _t, ...opts } = c.schedule;
      const cb = new ReduceLROnPlateauCallback({ monitor: "val_loss", mode: opts.mode ?? "min", ...opts });
      const schedule = new ReduceLROnPlateau(c.schedule as never);
      const s = fakeState({ lr: base });
      cb.onTrainBegin();
      const got = [base];
      const fromSchedule = [schedule.current()];
      for (const [i, m] of (c.metrics ?? []).entries()) {
        s.lr = base * s.lrScale;
        cb.onEpochEnd(i, { epoch: i + 1, train_loss: 0, val_loss: m }, s);
        got.push(base * s.lrScale);
        schedule.step(m);
        fromSchedule.push(schedule.current());
      }
      assert.equal(got.length, c.lrs.length);
      for (let i = 0; i < got.length; i++) {
        const rel = Math.abs(got[i]! - c.lrs[i]!) / c.lrs[i]!;
        assert.ok(rel < 1e-9, `step ${i}: callback ${got[i]}, PyTorch ${c.lrs[i]}`);
        // the same epochs reduce as with the schedule class
        assert.equal(got[i]! < got[i - 1]!, fromSchedule[i]! < fromSchedule[i - 1]!, `step ${i}`);
      }
      assert.equal(
        cb.reductions.length,
        got.filter((v, i) => i > 0 && v < got[i - 1]!).length,
        "one record per reduction",
      );
    });
  }

  test("minLr bounds the absolute learning rate under a non-unit base rate", () => {
    const cb = new ReduceLROnPlateauCallback({ patience: 0, factor: 0.5, minLr: 3e-4 });
    const s = fakeState({ lr: 1e-3 });
    cb.onTrainBegin();
    const lrs: number[] = [];
    for (let i = 0; i < 5; i++) {
      s.lr = 1e-3 * s.lrScale;
      cb.onEpochEnd(i, { epoch: i + 1, train_loss: 0, val_loss: 1 }, s);
      lrs.push(1e-3 * s.lrScale);
    }
    // the first epoch improves on +inf; then 5e-4, then the floor
    assert.deepEqual(
      lrs.map((v) => Number(v.toPrecision(6))),
      [1e-3, 5e-4, 3e-4, 3e-4, 3e-4],
    );
  });
});

describe("callbacks in real training (wine)", () => {
  let p: PreparedTabular;
  before(async () => {
    p = await prepareTabular({
      data: path.join(ROOT, "examples/wine.csv"),
      target: "cultivar",
      hidden: [32],
      threads: 1,
    });
  });

  test("EarlyStopping with restoreBestWeights leaves the best epoch's weights", async () => {
    p.trainer.initialize();
    const es = new EarlyStopping({ patience: 3, restoreBestWeights: true });
    const r = await fit(p.trainer, p.train, {
      epochs: 100,
      batchSize: 16,
      lr: 1e-2,
      seed: 0,
      validation: p.validation,
      callbacks: [es],
    });
    const vals = r.history.map((h) => h.val_loss!);
    assert.ok(r.epochsRun < 100, "stopped early");
    assert.equal(r.epochsRun, es.bestEpoch + 3, "stopped `patience` epochs after the best");
    assert.equal(Math.min(...vals), vals[es.bestEpoch - 1], "best epoch has the lowest val_loss");
    assert.notEqual(vals.at(-1), vals[es.bestEpoch - 1]);
    const ev = await evaluateDataset(p.trainer, p.validation);
    assert.equal(ev.loss, vals[es.bestEpoch - 1], "val_loss after restore equals the best epoch's");
    assert.equal(es.restoredEpoch, es.bestEpoch);
    assert.match(r.stopReason ?? "", new RegExp(`restored the weights of epoch ${es.bestEpoch}$`));
    // the optimizer's step counter is not rolled back
    assert.equal(p.trainer.step, r.epochsRun * Math.ceil(p.train.n / 16));
  });

  test("ReduceLROnPlateauCallback: the next epoch trains at the lowered rate", async () => {
    p.trainer.initialize();
    const plateau = new ReduceLROnPlateauCallback({ monitor: "val_loss", patience: 1, factor: 0.5 });
    const r = await fit(p.trainer, p.train, {
      epochs: 30,
      batchSize: 16,
      lr: 3e-2,
      seed: 0,
      validation: p.validation,
      callbacks: [plateau],
    });
    assert.ok(plateau.reductions.length >= 1, "a plateau was found");
    let expected = 3e-2;
    for (const h of r.history) {
      assert.ok(
        Math.abs(h.lr! - expected) <= 1e-12 * expected,
        `epoch ${h.epoch}: lr ${h.lr}, expected ${expected}`,
      );
      const red = plateau.reductions.find((x) => x.epoch === h.epoch);
      if (red) {
        assert.ok(Math.abs(red.from - expected) <= 1e-12 * expected);
        expected *= 0.5;
      }
    }
  });
});
