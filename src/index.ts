/**
 * nncoach as a library. The main entry points:
 * - `trainTabular(config)`: a table (CSV/TSV/JSON Lines) in, a trained network and its report out;
 * - `trainImages(config)`: a folder of images in, a trained (or fine-tuned pretrained) CNN out;
 * - the recipe, step by step (what `nncoach train` runs for every data kind): `prepareData(resolved)`,
 *   `fastAudit(data, config)`, `planRun(data.summary, resolved)` (decisions as records), or all of it with
 *   `trainRun(config)`; `saveRun(dir, result)` writes the model folder;
 * - the diagnosis: `diagnose(runRecordOf(result))` names what is wrong with a run (findings with evidence
 *   and actions as commands), `renderDiagnosis(findings)` prints it; `EarlyDiagnosis` runs it during
 *   training; `saveRunRecord`/`readRunRecord` keep it as run.json;
 * - `loadOnnx(file)` + `transfer(model, spec)`: a pretrained ONNX model as a trainable model, cut, new head, frozen layers;
 * - `Trainer` + `fit`: compile any model/loss/optimizer into ONNX train/eval/predict graphs and train it;
 * - the engine (`T` ops, `gradients`, `emitModel`) for building graphs directly; `ortBackend` says which
 *   ONNX Runtime build runs them (onnxruntime-node, or the onnxruntime-web fallback).
 */

export {
  type Action,
  type AuditSummary,
  applyChange,
  auditSummary,
  baseArgv,
  baseCommand,
  commandFor,
  type DataSummary as RunDataSummary,
  type DiagnoseOptions,
  diagnose,
  type EarlyContext,
  EarlyDiagnosis,
  type EarlyDiagnosisOptions,
  type EvidenceValue,
  type FeatureScale,
  type Finding,
  isTrainFlag,
  type LossInfo,
  nextAction,
  type OptionValue,
  type RenderOptions,
  RULES,
  RUN_FILE,
  RUN_RECORD_FORMAT,
  type Rule,
  type RuleFinding,
  type RunDiagnosis,
  type RunPlanInfo,
  type RunRecord,
  readRunRecord,
  renderDiagnosis,
  runDiagnosis,
  runRecordFromTabular,
  SEVERITIES,
  type Severity,
  SYMPTOMS,
  type Symptom,
  saveRunRecord,
  type TabularRecordExtras,
} from "./coach/diagnosis/index.js";
export {
  type ImproveOptions,
  type ImproveSummary,
  improve,
  type LedgerStep,
  type StudyState,
} from "./coach/improve/improve.js";
export { compare as compareTrials, keepThreshold } from "./coach/improve/keep-rule.js";
export { FileStudyStore, MemoryStudyStore, type StudyStore } from "./coach/improve/study-store.js";
export {
  LocalTrialRunner,
  type TrialResult,
  type TrialRunner,
  type TrialSpec,
} from "./coach/improve/trial.js";
export type { AuditFinding, AuditReport } from "./data/audit/audit-report.js";
export { runAudit } from "./data/audit/run-audit.js";
export { isParquetFile, readParquet } from "./data/parquet.js";
export { readTableFile } from "./data/read-table-file.js";
export { groupSplit, kFold, randomSplit, stratifiedKFold, stratifiedSplit, timeSplit } from "./data/split.js";
export { TabularPreprocessor } from "./data/tabular-preprocessor.js";
export { gradients } from "./engine/autodiff.js";
export { emitModel } from "./engine/emit.js";
export { type DType, type Shape, Tensor } from "./engine/graph.js";
export * as T from "./engine/ops.js";
export * as S from "./engine/ops-spatial.js";
export { type OrtBackendInfo, ortBackend } from "./engine/ort-backend.js";
export { CompiledGraph, type RuntimeOptions } from "./engine/runtime.js";
export { UserError } from "./errors.js";
export { benchCnn, type CnnOptions, cnn, type ResidualCnnOptions, residualCnn } from "./nn/cnn.js";
export { GraphModel, type GraphModelSpec, type GraphNode, MODEL_INPUT } from "./nn/graph-model.js";
export { Activation } from "./nn/layers/activation.js";
export { BatchNorm } from "./nn/layers/batch-norm.js";
export { Conv2D } from "./nn/layers/conv2d.js";
export { Dense } from "./nn/layers/dense.js";
export { Dropout } from "./nn/layers/dropout.js";
export { Clip, Elementwise, Softmax, Unary } from "./nn/layers/elementwise.js";
export { Embedding } from "./nn/layers/embedding.js";
export { Flatten } from "./nn/layers/flatten.js";
export { LayerNorm } from "./nn/layers/layer-norm.js";
export { Concatenate, Merge } from "./nn/layers/merge.js";
export { AvgPool2D, GlobalAvgPool2D, MaxPool2D } from "./nn/layers/pool2d.js";
export { Permute, Reshape } from "./nn/layers/reshape.js";
export {
  BinaryCrossEntropy,
  CategoricalCrossEntropy,
  makeLoss,
  RegressionLoss,
  SparseCrossEntropy,
} from "./nn/losses/index.js";
export * from "./nn/metrics/index.js";
export type { Model } from "./nn/model.js";
export { importOnnx, type LoadOnnxOptions, loadOnnx, SUPPORTED_ONNX_OPS } from "./nn/onnx-import.js";
export { type MlpOptions, mlp, Sequential } from "./nn/sequential.js";
export {
  attachHead,
  cutModel,
  type HeadSpec,
  parseHeadSpec,
  selectLayers,
  type TransferPlan,
  type TransferSpec,
  transfer,
} from "./nn/transfer.js";
export { Adam, makeOptimizer, Rmsprop, Sgd } from "./optim/index.js";
export * from "./optim/schedules/index.js";
export type { DataSummary } from "./recipe/data-summary.js";
export { type Decision, type DecisionSource, formatDecision } from "./recipe/decision.js";
export { fastAudit } from "./recipe/fast-audit.js";
export { planRun } from "./recipe/plan-run.js";
export { prepareData } from "./recipe/prepare-data.js";
export type { PreparedData } from "./recipe/prepared-data.js";
export { OUTPUT_OPTIONS, reproducibleConfig } from "./recipe/reproducible-config.js";
export type { ModelPlan, RunPlan } from "./recipe/run-plan.js";
export { type PlannedRun, type RunContext, runContextOf, runRecordOf } from "./recipe/run-record-of.js";
export { MODEL_FILES, savedFiles, saveRun } from "./recipe/save-run.js";
export type { EvalSummary, PlanResult } from "./recipe/train-plan.js";
export {
  type RunResult,
  stoppedOnNonFinite,
  type TrainRunConfig,
  type TrainRunExtras,
  trainRun,
} from "./recipe/train-run.js";
export { MemoryRunStore } from "./store/memory-store.js";
export { SqliteRunStore, StoreUnavailable } from "./store/sqlite-store.js";
export type { RunDetail, RunFilter, RunStore, RunSummary } from "./store/types.js";
export { loadSpace, parseSpace, type SearchSpace } from "./sweep/space.js";
export { type SweepOptions, type SweepSummary, type SweepTrial, sweep } from "./sweep/sweep.js";
export type { BatchLogs, Callback, EpochLogs, FitState } from "./train/callback.js";
export * from "./train/callbacks/index.js";
export { captureCheckpoint, readCheckpoint, writeCheckpoint } from "./train/checkpoint.js";
export { loadConfigFile, resolveConfig, TRAIN_OPTIONS, type TrainConfig } from "./train/config.js";
export { type Dataset, evaluateDataset, type FitOptions, type FitResult, fit } from "./train/fit.js";
export { type EpochHealth, HealthMonitor } from "./train/health-monitor.js";
export { findLearningRate, suggestLearningRates } from "./train/lr-finder.js";
export { ModelCheckpoint } from "./train/model-checkpoint.js";
export { prepareTabular } from "./train/prepare-tabular.js";
export { type RetrainOptions, retrain } from "./train/retrain.js";
export { type ImageTrainConfig, type ImageTrainResult, trainImages } from "./train/train-images.js";
export { type TabularTrainConfig, type TabularTrainResult, trainTabular } from "./train/train-tabular.js";
export { Trainer, type TrainerOptions } from "./train/trainer.js";
export { Random } from "./util/random.js";
