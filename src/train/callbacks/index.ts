/**
 * Built-in training callbacks (pass them to `fit` in `callbacks`): early stopping, learning-rate
 * reduction on a plateau, CSV and TensorBoard logging, and a progress display.
 */
export { CsvLogger, type CsvLoggerOptions } from "./csv-logger.js";
export { EarlyStopping, type EarlyStoppingOptions, type EarlyStoppingState } from "./early-stopping.js";
export { type MonitorMode, monitoredValue, resolveMode } from "./monitor.js";
export { ProgressDisplay, type ProgressDisplayOptions, type ProgressStream } from "./progress-display.js";
export {
  type LrReduction,
  ReduceLROnPlateauCallback,
  type ReduceLROnPlateauCallbackOptions,
} from "./reduce-lr-on-plateau.js";
export { TensorBoardLogger, type TensorBoardLoggerOptions } from "./tensorboard-logger.js";
