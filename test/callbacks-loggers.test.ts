import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { UserError } from "../src/errors.js";
import { listEventFiles, readEventFile } from "../src/track/tensorboard/index.js";
import type { BatchLogs, EpochLogs, FitState } from "../src/train/callback.js";
import { CsvLogger, ProgressDisplay, TensorBoardLogger } from "../src/train/callbacks/index.js";
import { fit } from "../src/train/fit.js";
import { prepareTabular } from "../src/train/prepare-tabular.js";
import { Random } from "../src/util/random.js";
import { ROOT } from "./helpers/cli.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-callbacks-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let count = 0;
const fresh = (name: string) => path.join(root, `${count++}`, name);

function fakeState(over: Partial<FitState> = {}): FitState {
  return {
    trainer: undefined as never,
    epochs: 20,
    stepsPerEpoch: 4,
    epoch: 0,
    history: [],
    lrScale: 1,
    lr: 1e-3,
    stop: false,
    shuffleRng: new Random(0),
    augmentRng: new Random(0),
    ...over,
  } as FitState;
}

const parseCsv = (file: string) => {
  const [header, ...rows] = fs.readFileSync(file, "utf8").trimEnd().split("\n");
  return { columns: header!.split(","), rows: rows.map((r) => r.split(",")) };
};

describe("CsvLogger", () => {
  const epochs: EpochLogs[] = [
    { epoch: 1, train_loss: 0.7012, val_loss: 0.6512, val_accuracy: 0.81, lr: 0.001 },
    { epoch: 2, train_loss: 0.5123456789012345, val_loss: 0.4, val_accuracy: 0.875, lr: 0.001 },
    { epoch: 3, train_loss: 0.41, val_loss: Number.NaN, val_accuracy: 0.9, lr: 0.0005 },
  ];

  test("one row per epoch, every key, stable order, on disk after each epoch", () => {
    const file = fresh("history.csv");
    const log = new CsvLogger(file);
    const s = fakeState();
    log.onTrainBegin();
    for (const [i, e] of epochs.entries()) {
      // keys in another order in a later epoch do not move the columns
      const logs =
        i === 1
          ? {
              lr: e.lr,
              val_accuracy: e.val_accuracy,
              epoch: e.epoch,
              val_loss: e.val_loss,
              train_loss: e.train_loss,
            }
          : e;
      log.onEpochEnd(i, logs as EpochLogs, s);
      const { columns, rows } = parseCsv(file);
      assert.deepEqual(columns, ["epoch", "train_loss", "val_loss", "val_accuracy", "lr"]);
      assert.equal(rows.length, i + 1, "flushed after each epoch");
    }
    const { columns, rows } = parseCsv(file);
    for (const [i, e] of epochs.entries())
      for (const [j, c] of columns.entries())
        assert.ok(Object.is(Number(rows[i]![j]), e[c]), `${c} of epoch ${i + 1}`);
    assert.equal(rows[2]![2], "NaN");
  });

  test("a key first logged later becomes a new column; missing cells are empty", () => {
    const file = fresh("history.csv");
    const log = new CsvLogger(file);
    log.onTrainBegin();
    log.onEpochEnd(0, { epoch: 1, train_loss: 1 }, fakeState());
    log.onEpochEnd(1, { epoch: 2, train_loss: 0.5, val_loss: 0.7 }, fakeState());
    log.onEpochEnd(2, { epoch: 3, val_loss: 0.6 } as EpochLogs, fakeState());
    assert.equal(fs.readFileSync(file, "utf8"), "epoch,train_loss,val_loss\n1,1,\n2,0.5,0.7\n3,,0.6\n");
  });

  test("append keeps the rows of an earlier run; otherwise the file starts afresh", () => {
    const file = fresh("history.csv");
    const first = new CsvLogger(file);
    first.onTrainBegin();
    first.onEpochEnd(0, epochs[0]!, fakeState());
    first.onEpochEnd(1, epochs[1]!, fakeState());
    const resumed = new CsvLogger(file, { append: true });
    resumed.onTrainBegin();
    resumed.onEpochEnd(2, epochs[2]!, fakeState());
    const { rows } = parseCsv(file);
    assert.deepEqual(
      rows.map((r) => r[0]),
      ["1", "2", "3"],
    );
    const again = new CsvLogger(file);
    again.onTrainBegin();
    again.onEpochEnd(0, epochs[0]!, fakeState());
    assert.equal(parseCsv(file).rows.length, 1);
  });

  test("resuming from a checkpoint drops rows logged after it", () => {
    const file = fresh("history.csv");
    const first = new CsvLogger(file);
    first.onTrainBegin();
    for (const [i, e] of epochs.entries()) first.onEpochEnd(i, e, fakeState());
    // the checkpoint was taken after epoch 2; epoch 3 was logged, then the run crashed
    const resumed = new CsvLogger(file, { append: true });
    resumed.onTrainBegin(fakeState({ history: epochs.slice(0, 2) }));
    assert.deepEqual(
      parseCsv(file).rows.map((r) => r[0]),
      ["1", "2"],
    );
    resumed.onEpochEnd(2, { ...epochs[2]!, train_loss: 0.4 }, fakeState());
    assert.deepEqual(
      parseCsv(file).rows.map((r) => [r[0], r[1]]),
      [
        ["1", "0.7012"],
        ["2", "0.5123456789012345"],
        ["3", "0.4"],
      ],
    );
  });

  test("bad arguments are refused", () => {
    assert.throws(
      () => new CsvLogger(""),
      (e: unknown) => e instanceof UserError && /file must be a path/.test(e.message),
    );
    assert.throws(
      () => new CsvLogger("x.csv", { append: 1 as never }),
      (e: unknown) => e instanceof UserError && /append must be true or false; received 1/.test(e.message),
    );
    assert.throws(
      () => new CsvLogger("x.csv", { separator: "." }),
      (e: unknown) => e instanceof UserError && /separator .* received "\."/.test(e.message),
    );
  });
});

describe("TensorBoardLogger", () => {
  test("epoch scalars, batch scalars every N steps and weight histograms parse back", async () => {
    const p = await prepareTabular({
      data: path.join(ROOT, "examples/wine.csv"),
      target: "cultivar",
      hidden: [8],
      norm: "batch",
      threads: 1,
    });
    const dir = fresh("tb");
    const tb = new TensorBoardLogger(dir, { histograms: true, batchEvery: 3 });
    const batches: { step: number; loss: number; gradNorm: number; lr: number }[] = [];
    const spy = {
      onBatchEnd: (_b: number, l: BatchLogs, s: FitState) => {
        batches.push({ step: s.trainer.step, loss: l.loss, gradNorm: l.gradNorm, lr: l.lr });
      },
    };
    const r = await fit(p.trainer, p.train, {
      epochs: 2,
      batchSize: 32,
      lr: 1e-2,
      seed: 0,
      validation: p.validation,
      callbacks: [tb, spy],
    });
    const files = listEventFiles(dir);
    assert.deepEqual(files, [tb.eventFile]);
    const { events, truncatedTail } = readEventFile(files[0]!); // checks both CRCs of every record
    assert.equal(truncatedTail, false, "closed cleanly");
    assert.equal(events[0]!.fileVersion, "brain.Event:2");
    const scalars = new Map<string, { step: number; value: number }[]>();
    const histograms = new Map<string, number[]>();
    for (const e of events)
      for (const v of e.values ?? []) {
        if (v.simpleValue !== undefined) {
          if (!scalars.has(v.tag)) scalars.set(v.tag, []);
          scalars.get(v.tag)!.push({ step: e.step, value: v.simpleValue });
        }
        if (v.histogram) {
          if (!histograms.has(v.tag)) histograms.set(v.tag, []);
          histograms.get(v.tag)!.push(e.step);
          assert.ok(v.histogram.num > 0);
        }
      }
    // every epoch log key, at step = epoch
    for (const key of Object.keys(r.history[0]!).filter((k) => k !== "epoch")) {
      const got = scalars.get(`epoch/${key}`);
      assert.ok(got, `epoch/${key} logged`);
      assert.deepEqual(
        got,
        r.history.map((h) => ({ step: h.epoch, value: Math.fround(h[key]!) })),
        key,
      );
    }
    // batch scalars every 3 optimizer steps
    const every3 = batches.filter((b) => b.step % 3 === 0);
    assert.ok(every3.length >= 2);
    assert.deepEqual(
      scalars.get("batch/loss"),
      every3.map((b) => ({ step: b.step, value: Math.fround(b.loss) })),
    );
    assert.deepEqual(
      scalars.get("batch/lr"),
      every3.map((b) => ({ step: b.step, value: Math.fround(b.lr) })),
    );
    assert.deepEqual(
      scalars.get("batch/grad_norm"),
      every3.map((b) => ({ step: b.step, value: Math.fround(b.gradNorm) })),
    );
    // parameters only: no optimizer slots, no running statistics
    assert.deepEqual(
      [...histograms.keys()].sort(),
      p.trainer.paramSpecs.map((s) => `weights/${s.name}`).sort(),
    );
    assert.ok(
      [...p.trainer.values.keys()].some(
        (k) => !k.includes("#") && !p.trainer.paramSpecs.some((s) => s.name === k),
      ),
      "the model has running statistics to leave out",
    );
    for (const steps of histograms.values()) assert.deepEqual(steps, [1, 2]);
  });

  test("bad arguments are refused", () => {
    assert.throws(
      () => new TensorBoardLogger("runs", { batchEvery: -1 }),
      (e: unknown) => e instanceof UserError && /batchEvery .* received -1/.test(e.message),
    );
    assert.throws(
      () => new TensorBoardLogger("runs", { histograms: "yes" as never }),
      (e: unknown) =>
        e instanceof UserError && /histograms must be true or false; received yes/.test(e.message),
    );
    assert.throws(
      () => new TensorBoardLogger(""),
      (e: unknown) => e instanceof UserError && /logDir/.test(e.message),
    );
  });
});

/** A stream that records what was written. */
function recorder(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, write: (t: string) => chunks.push(t) } };
}

/** A clock returning the given milliseconds in turn, then the last one. */
function clockOf(...ms: number[]): () => number {
  let i = 0;
  return () => ms[Math.min(i++, ms.length - 1)]!;
}

/** A clock advancing by the given milliseconds on each call. */
function steppingClock(msPerCall: number): () => number {
  let t = 0;
  return () => {
    t += msPerCall;
    return t;
  };
}

function runEpoch(d: ProgressDisplay, s: FitState, epoch: number, logs: EpochLogs): void {
  s.epoch = epoch;
  d.onEpochBegin();
  for (let b = 0; b < s.stepsPerEpoch; b++)
    d.onBatchEnd(
      b,
      { loss: 0.5 + b / 10, gradNorm: 1, lr: 1e-3, size: 32, layerGradNorms: [] } as BatchLogs,
      s,
    );
  d.onEpochEnd(epoch, logs, s);
}

describe("ProgressDisplay", () => {
  const logs: EpochLogs = { epoch: 3, train_loss: 0.41234, val_loss: 0.39118, val_accuracy: 0.963, lr: 1e-3 };

  test("not a terminal: plain per-epoch lines in the documented format", () => {
    const { chunks, stream } = recorder(false);
    const d = new ProgressDisplay({ stream, clock: clockOf(500, 1734) });
    const s = fakeState();
    runEpoch(d, s, 2, logs);
    // begin at 500 ms, end at 1734 ms: 1.2 s
    assert.deepEqual(chunks, [
      "epoch  3/20  train_loss 0.4123  val_loss 0.3912  val_accuracy 0.9630  lr 1.0e-3  1.2s\n",
    ]);
    s.stopReason = "early stopping: val_loss has not improved";
    d.onTrainEnd(s);
    assert.equal(chunks.at(-1), "stopped: early stopping: val_loss has not improved\n");
    const text = chunks.join("");
    assert.ok(!text.includes("\r") && !text.includes("\u001b"), "no control characters");
  });

  test("a terminal: a bar per batch redrawn in place, then the epoch line", () => {
    const { chunks, stream } = recorder(true);
    const d = new ProgressDisplay({ stream, clock: steppingClock(1000), barWidth: 8, redrawMs: 0 });
    const s = fakeState({ stepsPerEpoch: 4 });
    runEpoch(d, s, 0, { ...logs, epoch: 1 });
    assert.equal(chunks.length, 5);
    // after batch 1 of 4: 1 s per batch, 3 left; running loss 0.5
    assert.equal(chunks[0], "\repoch  1/20 [=>......] 1/4  loss 0.5000  ETA 3s\x1b[K");
    // running mean of 0.5, 0.6 (equal sizes)
    assert.equal(chunks[1], "\repoch  1/20 [===>....] 2/4  loss 0.5500  ETA 2s\x1b[K");
    assert.equal(chunks[3], "\repoch  1/20 [========] 4/4  loss 0.6500  ETA 0s\x1b[K");
    assert.ok(chunks[4]!.startsWith("\repoch  1/20  train_loss 0.4123  val_loss 0.3912"), chunks[4]);
    assert.ok(chunks[4]!.endsWith("  lr 1.0e-3  5.0s\u001b[K\n"), chunks[4]);
  });

  test("redraws at most every redrawMs, but always the last batch", () => {
    const { chunks, stream } = recorder(true);
    const d = new ProgressDisplay({ stream, clock: steppingClock(10), redrawMs: 100 });
    const s = fakeState({ stepsPerEpoch: 30 });
    runEpoch(d, s, 0, { ...logs, epoch: 1 });
    const bars = chunks.filter((c) => !c.endsWith("\n"));
    assert.ok(bars.length >= 3 && bars.length <= 4, `${bars.length} redraws`);
    assert.match(bars.at(-1)!, / 30\/30 /);
  });

  test("bad arguments are refused", () => {
    assert.throws(
      () => new ProgressDisplay({ barWidth: 0 }),
      (e: unknown) => e instanceof UserError && /barWidth .* received 0/.test(e.message),
    );
    assert.throws(
      () => new ProgressDisplay({ stream: {} as never }),
      (e: unknown) => e instanceof UserError && /stream must have a write/.test(e.message),
    );
  });
});
