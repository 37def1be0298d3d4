/**
 * Small hand-made run records for unit tests of single diagnosis rules: a 3-class table run with balanced
 * classes (chance loss ln 3 = 1.0986), healthy health records, and the curves each test gives.
 */
import type { RunRecord } from "../../src/coach/diagnosis/run-record.js";
import type { EpochLogs } from "../../src/train/callback.js";
import type { EpochHealth } from "../../src/train/health-monitor.js";

/** A healthy run's curves: training and validation loss falling together, accuracy rising to 0.9. */
export const HEALTHY = {
  train: [1.0, 0.6, 0.4, 0.3, 0.25, 0.22, 0.2, 0.19, 0.18, 0.17],
  val: [0.95, 0.65, 0.45, 0.36, 0.32, 0.3, 0.29, 0.285, 0.28, 0.279],
  acc: [0.5, 0.7, 0.8, 0.85, 0.87, 0.88, 0.89, 0.9, 0.9, 0.9],
};

export interface RecordSpec {
  train: number[];
  val?: number[];
  acc?: number[];
  /** Extra log entries per epoch (e.g. val_roc_auc). */
  logs?: Partial<EpochLogs>[];
  /** Overrides of each epoch's health record. */
  health?: (epoch: number) => Partial<EpochHealth>;
  /** The learning rate logged (default 1e-3). */
  lr?: number;
}

/** One epoch's health record of a healthy ReLU MLP, with its batch losses all at `loss`. */
export function healthyEpoch(epoch: number, loss: number): EpochHealth {
  return {
    epoch,
    steps: 4,
    gradNorm: { mean: 1, max: 1.5, first: 1.2 },
    layerGradNorm: { dense_0: 0.6, dense_1: 2.5, output: 1.1 },
    layerGradRms: { dense_0: 0.01, dense_1: 0.01, output: 0.05 },
    updateRatio: { dense_0: 3e-3, dense_1: 5e-3, output: 8e-3 },
    deadRelu: { relu_0: 0.02, relu_1: 0.03 },
    saturation: {},
    spikes: [],
    batchLoss: { every: 1, values: [loss * 1.02, loss * 0.99, loss * 1.01, loss * 0.98] },
  };
}

/** A run record from curves; everything else healthy and balanced unless `over` says otherwise. */
export function makeRecord(spec: RecordSpec, over: Partial<RunRecord> = {}): RunRecord {
  const history: EpochLogs[] = spec.train.map((t, i) => ({
    epoch: i + 1,
    train_loss: t,
    ...(spec.val ? { val_loss: spec.val[i] } : {}),
    ...(spec.acc ? { val_accuracy: spec.acc[i] } : {}),
    lr: spec.lr ?? 1e-3,
    ...spec.logs?.[i],
  }));
  const health = spec.train.map((t, i) => ({ ...healthyEpoch(i + 1, t), ...spec.health?.(i + 1) }));
  return {
    task: "classification",
    classes: ["a", "b", "c"],
    classCounts: [40, 40, 40],
    loss: { name: "sparse_ce" },
    monitor: "val_loss",
    epochs: spec.train.length,
    history,
    health,
    data: {
      kind: "table",
      source: "data.csv",
      target: "label",
      rows: { train: 120, validation: 60, test: 30 },
      features: 4,
      featureScales: [
        { name: "x1", mean: 0.5, std: 1.1, min: -2, max: 3 },
        { name: "x2", mean: 3.2, std: 0.8, min: 1, max: 5 },
      ],
      standardization: "standard",
    },
    ...over,
  };
}
