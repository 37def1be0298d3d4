/**
 * The training loop: a seeded shuffle each epoch, mini-batches through the compiled training step,
 * validation after each epoch, callbacks, and a history of losses and metrics per epoch.
 */
import { UserError } from "../errors.js";
import { predictedLabels } from "../nn/metrics/metric-inputs.js";
import type { LrSchedule } from "../optim/schedules/lr-schedule.js";
import type { PortableAugmenter } from "../recipe/augmentation.js";
import { Random } from "../util/random.js";
import { AugmentPipeline } from "./augment-pipeline.js";
import { BatchGatherer } from "./batch-gather.js";
import type { Callback, EpochLogs, FitState } from "./callback.js";
import { type Checkpoint, callbackKey, restoreTrainer } from "./checkpoint.js";
import type { Trainer } from "./trainer.js";

/** `NNCOACH_AUGMENT_WORKER=0` augments in the loop instead of the worker thread (same batches; for comparisons). */
export const AUGMENT_WORKER_ENV = "NNCOACH_AUGMENT_WORKER";

export interface Dataset {
  /** Features, row-major [n, ...inputShape]. */
  x: Float32Array;
  /** Targets: class indices, or regression values [n, targetColumns]. */
  y: Int32Array | Float32Array;
  n: number;
  /** Per-sample weights (class weights enter here). */
  weight?: Float32Array;
}

export interface FitOptions {
  epochs: number;
  batchSize: number;
  /** Constant learning rate when no schedule is given. */
  lr: number;
  schedule?: LrSchedule;
  seed?: number;
  validation?: Dataset;
  callbacks?: Callback[];
  /**
   * Validation metrics each epoch (logged with a val_ prefix), from the model outputs (probabilities or
   * values). Default: accuracy for classification (`classes` given), MAE for regression.
   */
  metrics?: (output: Float32Array | Float64Array, d: Dataset) => Record<string, number>;
  /** Number of classes, for the default metrics. */
  classes?: number;
  /** Continue from a checkpoint (see checkpoint.ts): weights, counters, generator and schedule states. */
  resume?: Checkpoint;
  /** Optional hook to transform each training batch (augmentation) in place. */
  augment?: (x: Float32Array, n: number, rng: Random) => void;
  /**
   * What a non-finite (NaN/Inf) loss or gradient norm does: "throw" (a UserError naming the step, the
   * layers and the learning rate; the default, as before) or "stop": training ends, `stopReason` says
   * "non-finite loss at step S (epoch E, batch B)" (plus what became non-finite) and the history of the
   * epochs completed is returned, so the run can still be diagnosed. Unset, a callback may choose through
   * `FitState.onNonFinite`.
   */
  onNonFinite?: "throw" | "stop";
  /**
   * Calls `hook` after every `every`-th epoch (and after the last), with the history so far: a place for
   * early warnings (the coach's EarlyDiagnosis uses the callback interface instead; this is the plain
   * function form). Setting `state.stop` (with a `stopReason`) ends training.
   */
  diagnoseEvery?: { every: number; hook: (state: FitState) => void | Promise<void> };
}

export interface FitResult {
  history: EpochLogs[];
  epochsRun: number;
  steps: number;
  /**
   * Training rows per second: rows trained on ÷ the wall time of the training part of the epochs, from
   * each epoch's start (its onEpochBegin callbacks included) to the start of its validation: batch
   * gathering, augmentation, the steps, health monitors, progress and batch callbacks all count; compile,
   * validation and epoch-end callbacks do not. `bench/real-loop.ts` times a PyTorch loop the same way.
   */
  trainSamplesPerSecond: number;
  stopReason?: string;
}

/**
 * Input values one evaluation chunk holds at most: activations grow with the input, and 2,048 images of
 * 28x28 at once peaked at 1.3 GB in a 60,000-image epoch (256 at once: 431 MB on 12,000 images, the same
 * losses). Small tables still evaluate 2,048 rows at a time.
 */
export const EVAL_CHUNK_VALUES = 256 * 784;

/** Evaluation of a dataset: mean loss and outputs (probabilities or values), in chunks. */
export async function evaluateDataset(
  trainer: Trainer,
  d: Dataset,
  chunkRows?: number,
): Promise<{ loss: number; output: Float32Array | Float64Array }> {
  const feat = d.n ? d.x.length / d.n : 1;
  const chunk = chunkRows ?? Math.max(32, Math.min(2048, Math.floor(EVAL_CHUNK_VALUES / Math.max(1, feat))));
  let total = 0;
  let outputs: Float32Array | Float64Array | undefined;
  let k = 0;
  for (let start = 0; start < d.n; start += chunk) {
    const n = Math.min(chunk, d.n - start);
    const r = await trainer.evaluate({
      x: d.x.subarray(start * feat, (start + n) * feat),
      y: targetSlice(trainer, d.y, start, n),
      n,
    });
    for (const v of r.perSampleLoss) total += v;
    if (!outputs) {
      k = r.output.length / n;
      outputs = r.output instanceof Float64Array ? new Float64Array(d.n * k) : new Float32Array(d.n * k);
    }
    outputs.set(r.output, start * k);
  }
  return { loss: total / d.n, output: outputs ?? new Float32Array(0) };
}

/** Targets for rows [start, start+n) in the dtype the compiled graph takes. */
export function targetSlice(trainer: Trainer, y: Int32Array | Float32Array, start: number, n: number) {
  if (trainer.loss.targetDType === "int64") {
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) out[i] = BigInt(y[start + i]!);
    return out;
  }
  const k = trainer.targetWidth;
  if (y instanceof Int32Array) {
    // class indices for a loss that takes one-hot targets
    const out = new Float32Array(n * k);
    for (let i = 0; i < n; i++) out[i * k + y[start + i]!] = 1;
    return out;
  }
  return y.subarray(start * k, (start + n) * k);
}

/**
 * Training steps per epoch for `n` rows in batches of `bs`. A last batch of a single row is left out when
 * the model normalizes with batch statistics (`batchStats`): the variance of one row is undefined (its
 * unbiased running variance divides by n - 1 = 0, which turned the running statistics into NaN and the
 * model into a constant; PyTorch refuses such a batch). The rows are reshuffled every epoch, so the row
 * left out is another one each time.
 */
export function stepsPerEpochOf(n: number, bs: number, batchStats: boolean): number {
  return batchStats && n > bs && n % bs === 1 ? Math.floor(n / bs) : Math.ceil(n / bs);
}

/** Accuracy (classification) or MAE in target units (regression) of outputs against targets. */
export function basicMetrics(
  output: ArrayLike<number>,
  y: Int32Array | Float32Array,
  n: number,
  o: { classes?: number },
): Record<string, number> {
  if (o.classes !== undefined) {
    // the one argmax of nncoach (class 1 when P > 0.5 for a single sigmoid output), as every metric uses
    const pred = predictedLabels(output, n, output.length / n);
    let correct = 0;
    for (let i = 0; i < n; i++) if (pred[i] === y[i]) correct++;
    return { accuracy: correct / n };
  }
  let abs = 0;
  for (let i = 0; i < y.length; i++) abs += Math.abs(output[i]! - y[i]!);
  return { mae: abs / y.length };
}

export async function fit(trainer: Trainer, data: Dataset, o: FitOptions): Promise<FitResult> {
  if (!(o.lr > 0)) throw new UserError(`learning rate must be > 0, got ${o.lr}`);
  if (!Number.isInteger(o.batchSize) || o.batchSize <= 0)
    throw new UserError(`batch size must be a positive whole number, got ${o.batchSize}`);
  if (!Number.isInteger(o.epochs) || o.epochs <= 0)
    throw new UserError(`epochs must be a positive whole number, got ${o.epochs}`);
  const rng = Random.derive(o.seed ?? 0, "shuffle");
  const augRng = Random.derive(o.seed ?? 0, "augment");
  let startEpoch = 0;
  const history: EpochLogs[] = [];
  let lrScale = 1;
  if (o.resume) {
    const h = o.resume.header;
    restoreTrainer(trainer, o.resume);
    rng.setState(h.rng.shuffle);
    augRng.setState(h.rng.augment);
    if (h.schedule) o.schedule?.restore(h.schedule);
    history.push(...h.history);
    lrScale = h.lrScale;
    startEpoch = h.epoch;
  }
  const bs = Math.min(o.batchSize, data.n);
  const stepsPerEpoch = stepsPerEpochOf(data.n, bs, trainer.stateSpecs.length > 0);
  const state: FitState = {
    trainer,
    epochs: o.epochs,
    stepsPerEpoch,
    epoch: startEpoch,
    history,
    stop: false,
    lrScale,
    lr: (o.schedule ? o.schedule.current() : o.lr) * lrScale,
    shuffleRng: rng,
    augmentRng: augRng,
    schedule: o.schedule,
    callbacks: o.callbacks ?? [],
  };
  const cbs = o.callbacks ?? [];
  if (o.diagnoseEvery && !(Number.isInteger(o.diagnoseEvery.every) && o.diagnoseEvery.every >= 1))
    throw new UserError(`diagnoseEvery.every must be a whole number >= 1, got ${o.diagnoseEvery.every}`);
  const gatherer = new BatchGatherer(trainer, data, bs);
  /** Wall seconds and rows of the training part of the epochs (see FitResult.trainSamplesPerSecond). */
  let trainTime = 0;
  let trainRows = 0;
  if (o.resume?.header.callbacks) {
    const saved = o.resume.header.callbacks;
    cbs.forEach((c, i) => {
      const st = saved[callbackKey(c, i)];
      if (st !== undefined && c.restore) c.restore(st as never);
    });
  }
  for (const c of cbs) await c.onTrainBegin?.(state);
  // image augmentation runs in a worker thread, one batch ahead of the step (augment-pipeline.ts)
  const portable = (o.augment as Partial<PortableAugmenter> | undefined)?.portable;
  const pipe =
    portable && process.env[AUGMENT_WORKER_ENV] !== "0"
      ? new AugmentPipeline(portable, augRng.getState())
      : undefined;
  try {
    await runEpochs();
  } finally {
    await pipe?.close();
    // also when training stops on an error (NaN loss): loggers close, restore-best runs
    for (const c of cbs) await c.onTrainEnd?.(state);
  }
  return {
    history: state.history,
    epochsRun: state.history.length,
    steps: trainer.step,
    trainSamplesPerSecond: trainRows / Math.max(trainTime, 1e-9),
    stopReason: state.stopReason,
  };

  async function runEpochs(): Promise<void> {
    for (let epoch = startEpoch; epoch < o.epochs && !state.stop; epoch++) {
      const epochStart = process.hrtime.bigint();
      state.epoch = epoch;
      for (const c of cbs) await c.onEpochBegin?.(epoch, state);
      const order = rng.permutation(data.n);
      let lossSum = 0;
      let seen = 0;
      /** Sends the rows of batch b to the augmentation worker. */
      const submit = (b: number) => {
        const n = Math.min(bs, data.n - b * bs);
        const rows = pipe!.buffer(n * gatherer.rowWidth);
        gatherer.copyRows(order, b * bs, n, rows);
        pipe!.submit(rows, n);
      };
      if (pipe) {
        pipe.reset(augRng.getState());
        submit(0);
      }
      for (let b = 0; b < stepsPerEpoch && !state.stop; b++) {
        // per batch, a callback's promise is awaited, a plain return costs no microtask turn
        for (const c of cbs) {
          const r = c.onBatchBegin?.(b, state);
          if (r) await r;
        }
        const start = b * bs;
        const n = Math.min(bs, data.n - start);
        const batch = gatherer.gather(order, start, n, pipe !== undefined);
        let augmented: Float32Array | undefined;
        if (pipe) {
          const r = await pipe.take();
          augRng.setState(r.rng);
          augmented = r.x;
          batch.x = r.x;
          // the worker augments the next batch while this step runs
          if (b + 1 < stepsPerEpoch) submit(b + 1);
        } else o.augment?.(batch.x, n, augRng);
        const lr = (o.schedule ? o.schedule.current() : o.lr) * state.lrScale;
        state.lr = lr;
        const res = await trainer.trainStep(batch, lr);
        if (augmented) pipe!.recycle(augmented);
        trainRows += n;
        if (!Number.isFinite(res.loss) || !Number.isFinite(res.gradNorm)) {
          const bad = trainer.layerNames.filter((_, i) => !Number.isFinite(res.layerGradNorms[i]!));
          const what = Number.isFinite(res.loss)
            ? `the gradient norm became ${res.gradNorm}`
            : `the loss became ${res.loss}`;
          const layers = bad.length
            ? `; non-finite gradients in layer${bad.length > 1 ? "s" : ""} ${bad.join(", ")}`
            : "";
          if ((o.onNonFinite ?? state.onNonFinite ?? "throw") === "stop") {
            state.stop = true;
            state.stopReason =
              `non-finite ${Number.isFinite(res.loss) ? "gradient norm" : "loss"} at step ${trainer.step} ` +
              `(epoch ${epoch + 1}, batch ${b + 1}): ${what}${layers}; learning rate ${lr}`;
            trainTime += Number(process.hrtime.bigint() - epochStart) / 1e9;
            return;
          }
          throw new UserError(
            `training stopped: ${what} at step ${trainer.step} (epoch ${epoch + 1}, batch ${b + 1})${layers}` +
              `; learning rate ${lr}`,
            "lower the learning rate, clip gradients (--clip-norm 1.0), or check the data for extreme values",
          );
        }
        lossSum += res.loss * n;
        seen += n;
        if (o.schedule?.interval === "batch") o.schedule.step();
        const batchLogs = {
          loss: res.loss,
          gradNorm: res.gradNorm,
          layerGradNorms: res.layerGradNorms,
          lr,
          size: n,
        };
        for (const c of cbs) {
          const r = c.onBatchEnd?.(b, batchLogs, state);
          if (r) await r;
        }
      }
      trainTime += Number(process.hrtime.bigint() - epochStart) / 1e9;
      const logs: EpochLogs = { epoch: epoch + 1, train_loss: lossSum / Math.max(1, seen) };
      if (o.validation) {
        const ev = await evaluateDataset(trainer, o.validation);
        logs.val_loss = ev.loss;
        const m = o.metrics
          ? o.metrics(ev.output, o.validation)
          : basicMetrics(ev.output, o.validation.y, o.validation.n, o);
        for (const [k, v] of Object.entries(m)) logs[`val_${k}`] = v;
      }
      logs.lr = state.lr;
      if (o.schedule?.interval === "epoch") o.schedule.step(logs.val_loss ?? logs.train_loss);
      state.history.push(logs);
      for (const c of cbs) await c.onEpochEnd?.(epoch, logs, state);
      const d = o.diagnoseEvery;
      if (d && ((epoch + 1) % d.every === 0 || epoch + 1 === o.epochs)) await d.hook(state);
    }
  }
}
