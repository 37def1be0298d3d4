import type { HeldOutTest } from "../data/held-out-test.js";
import type { ImageStandardizer } from "../data/image/image-standardizer.js";
import type { TabularPreprocessor } from "../data/tabular-preprocessor.js";
import type { NgramBag } from "../data/text/ngram-bag.js";
import type { GraphModel } from "../nn/graph-model.js";
import type { DataKind } from "../train/config-options.js";
import type { Dataset } from "../train/fit.js";
import type { DataSummary } from "./data-summary.js";
import type { LoadedData } from "./load-data.js";

/** Test rows that stay unreadable until unsealed once, with a reason that is recorded. */
export interface SealedDataset {
  readonly size: number;
  readonly rows: HeldOutTest;
  /** The test rows as a Dataset; works once (see HeldOutTest.unseal). */
  unseal(reason: string): Dataset;
}

/** Raw statistics of one input feature over the training rows, before scaling (for diagnosis). */
export interface FeatureStats {
  name: string;
  mean: number;
  std: number;
  min: number;
  max: number;
}

/**
 * Data made ready to train on many times: split once (test rows sealed), preprocessing fitted on the
 * training rows only, training and validation rows as Datasets. `trainPlan` runs any RunPlan on it;
 * nothing here reads a file again.
 */
export interface PreparedData {
  kind: DataKind;
  source: string;
  task: "classification" | "regression";
  /** Class names in output order (empty for regression). */
  classes: string[];
  /** Training rows per class. */
  classCounts: number[];
  train: Dataset;
  validation: Dataset;
  test: SealedDataset | null;
  summary: DataSummary;
  /** One row's shape as the model takes it. */
  inputShape: number[];
  /** Table features by name (tables). */
  featureNames?: string[];
  /** Raw training statistics of the numeric input features (tables). */
  featureStats?: FeatureStats[];
  /** Regression targets are standardized; predictions are mapped back with these. */
  targetScale?: { mean: number; std: number };
  /** What `predict` needs to turn raw inputs into model inputs (written as preprocess.json). */
  preprocessing: Record<string, unknown>;
  /** Metadata stored in model.onnx. */
  metadata: Record<string, string>;
  notices: string[];
  /** One line: what is trained on, e.g. "3-class classifier on 124 rows; 13 features". */
  describe: string;
  /** The loaded data this was prepared from (for cross-validation folds). */
  loaded: LoadedData;
  /** Rows of the loaded data in the training and validation splits (validation rows index the validation data when it is a separate file). */
  rows: {
    train: number[];
    val: number[];
    valIsSeparate: boolean;
    /** Rows of the training file in no split: dropped as duplicates across splits (--drop-split-duplicates). */
    dropped?: number[];
  };
  preprocessor?: TabularPreprocessor;
  standardizer?: ImageStandardizer;
  ngrams?: NgramBag;
  /** The pretrained model given with --pretrained (images, audio). */
  pretrained?: GraphModel;
}
