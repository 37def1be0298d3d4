/**
 * nncoach as a library. The main entry points:
 * - `trainTabular(config)`: a table (CSV/TSV/JSON Lines) in, a trained network and its report out;
 * - `Trainer` + `fit`: compile any model/loss/optimizer into ONNX train/eval/predict graphs and train it;
 * - the engine (`T` ops, `gradients`, `emitModel`) for building graphs directly.
 */

export { runAudit } from "./data/audit/run-audit.js";
export { readTableFile } from "./data/read-table-file.js";
export { groupSplit, kFold, randomSplit, stratifiedKFold, stratifiedSplit, timeSplit } from "./data/split.js";
export { TabularPreprocessor } from "./data/tabular-preprocessor.js";
export { gradients } from "./engine/autodiff.js";
export { emitModel } from "./engine/emit.js";
export { type DType, type Shape, Tensor } from "./engine/graph.js";
export * as T from "./engine/ops.js";
export { CompiledGraph, type RuntimeOptions } from "./engine/runtime.js";
export { UserError } from "./errors.js";
export { Activation } from "./nn/layers/activation.js";
export { BatchNorm } from "./nn/layers/batch-norm.js";
export { Dense } from "./nn/layers/dense.js";
export { Dropout } from "./nn/layers/dropout.js";
export { Embedding } from "./nn/layers/embedding.js";
export { LayerNorm } from "./nn/layers/layer-norm.js";
export {
  BinaryCrossEntropy,
  CategoricalCrossEntropy,
  makeLoss,
  RegressionLoss,
  SparseCrossEntropy,
} from "./nn/losses/index.js";
export * from "./nn/metrics/index.js";
export { type MlpOptions, mlp, Sequential } from "./nn/sequential.js";
export { Adam, makeOptimizer, Rmsprop, Sgd } from "./optim/index.js";
export * from "./optim/schedules/index.js";
export type { BatchLogs, Callback, EpochLogs, FitState } from "./train/callback.js";
export * from "./train/callbacks/index.js";
export { captureCheckpoint, readCheckpoint, writeCheckpoint } from "./train/checkpoint.js";
export { loadConfigFile, resolveConfig, TRAIN_OPTIONS, type TrainConfig } from "./train/config.js";
export { type Dataset, evaluateDataset, type FitOptions, type FitResult, fit } from "./train/fit.js";
export { type EpochHealth, HealthMonitor } from "./train/health-monitor.js";
export { findLearningRate, suggestLearningRates } from "./train/lr-finder.js";
export { ModelCheckpoint } from "./train/model-checkpoint.js";
export { prepareTabular } from "./train/prepare-tabular.js";
export { type TabularTrainConfig, type TabularTrainResult, trainTabular } from "./train/train-tabular.js";
export { Trainer, type TrainerOptions } from "./train/trainer.js";
export { Random } from "./util/random.js";
