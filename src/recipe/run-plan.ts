import type { DataKind } from "../train/config-options.js";
import type { Decision } from "./decision.js";

/** The network a plan trains. */
export type ModelPlan =
  | { type: "mlp"; hidden: number[]; activation: string; norm: "none" | "batch" | "layer"; dropout: number }
  | {
      type: "cnn";
      architecture: "cnn" | "residual";
      widths: number[];
      depth: number;
      hidden: number[];
      activation: string;
      norm: "none" | "batch";
      dropout: number;
    }
  | {
      type: "ngram-bag";
      dim: number;
      hidden: number[];
      activation: string;
      norm: "none" | "batch" | "layer";
      dropout: number;
    }
  | {
      type: "pretrained";
      file: string;
      head: string;
      freeze: string | null;
      freezeSetByUser: boolean;
      fineTune: boolean;
      headEpochs: number;
      fineTuneFactor: number;
      pretrainedLrScale: number;
      activation: string;
      dropout: number;
    };

/**
 * Everything one training run does, fully decided: what the one runner (trainPlan) executes for every
 * data kind. A pure function of the data summary and the user's config (planRun) makes it; the coach
 * changes one field at a time and runs it again on the same prepared data.
 */
export interface RunPlan {
  kind: DataKind;
  task: "classification" | "regression";
  model: ModelPlan;
  loss: { name: string; labelSmoothing: number; huberDelta: number; focalGamma: number };
  optimizer: { name: string; lr: number; weightDecay: number; momentum: number };
  /** Learning-rate schedule spec for parseSchedule, warm-up included (e.g. "cosine+warmup:3"). */
  schedule: string;
  batchSize: number;
  epochs: number;
  /** Metric watched by early stopping, checkpoints and the plateau schedule (val_loss, val_f1_macro, ...). */
  monitor: string;
  /** Validation metrics computed each epoch (names from the metric registry). */
  metrics: string[];
  earlyStopping: number | false;
  classWeights: "none" | "balanced";
  clipNorm: number | null;
  clipValue: number | null;
  /** Data rows (of the loaded table) left out of training; validation and test rows are never left out. */
  excludeRows: number[];
  /** Augmentation spec for the data kind (see augmentation.ts), or null. */
  augment: string | null;
  seed: number;
  threads: number | null;
  logDir: string | null;
  checkpoint: string | null;
  resume: boolean | string;
  /** The decisions that made this plan. */
  decisions: Decision[];
}
