/**
 * Every option of `nncoach train`, as data: name, type, default, description and validator. The
 * CLI parser, `--help`, the README table and config-file loading all read this one table.
 */

import { closestMatch } from "../errors.js";
import { LOSSES } from "../nn/losses/index.js";
import { OPTIMIZERS } from "../optim/index.js";

/** The choices of the enumerated options. */
export const TASKS = ["classification", "regression"] as const;
export const ACTIVATIONS = ["relu", "leaky_relu", "gelu", "gelu_tanh", "tanh", "sigmoid"] as const;
export const NORMS = ["none", "batch", "layer"] as const;
export { LOSSES } from "../nn/losses/index.js";
export { OPTIMIZERS } from "../optim/index.js";
export const STANDARDIZE = ["standard", "minmax", "none"] as const;
export const ARCHITECTURES = ["cnn", "residual"] as const;
/** The kinds of data `nncoach train` takes (detected from what the user points at). */
export const DATA_KINDS = ["table", "images", "audio", "text"] as const;
export type DataKind = (typeof DATA_KINDS)[number];
export const CLASS_WEIGHTS = ["none", "balanced"] as const;
export const PRECISIONS = ["float32", "mixed"] as const;

/** All settings of a training run, fully resolved (every key present). Paths are absolute. */
export interface TrainConfig {
  data: string | null;
  target: string | null;
  validationData: string | null;
  task: (typeof TASKS)[number] | null;
  testData: string | null;
  text: string | null;
  drop: string[];
  excludeRows: number[];
  dropSplitDuplicates: boolean;
  id: string | null;
  group: string | null;
  time: string | null;
  cv: number | null;
  standardize: (typeof STANDARDIZE)[number];
  evaluateTest: boolean;
  imageSize: number[] | null;
  channels: number | null;
  architecture: (typeof ARCHITECTURES)[number];
  widths: number[];
  depth: number;
  embeddingDim: number;
  hidden: number[];
  activation: (typeof ACTIVATIONS)[number];
  dropout: number;
  norm: (typeof NORMS)[number];
  optimizer: (typeof OPTIMIZERS)[number];
  lr: number;
  weightDecay: number;
  momentum: number;
  batchSize: number;
  epochs: number;
  clipNorm: number | null;
  clipValue: number | null;
  labelSmoothing: number;
  loss: (typeof LOSSES)[number];
  huberDelta: number;
  focalGamma: number;
  classWeights: (typeof CLASS_WEIGHTS)[number];
  augment: string | null;
  schedule: string;
  warmup: string | null;
  earlyStopping: number | false;
  monitor: string;
  diagnoseEvery: number | null;
  seed: number;
  threads: number | null;
  precision: (typeof PRECISIONS)[number];
  save: string | null;
  logDir: string | null;
  checkpoint: string | null;
  resume: boolean | string;
  json: boolean;
  pretrained: string | null;
  freeze: string | null;
  head: string | null;
  fineTune: boolean;
  headEpochs: number | null;
  fineTuneFactor: number;
  pretrainedLrScale: number;
}

/** The name of one option, camelCase as in {@link TrainConfig}. */
export type OptionName = keyof TrainConfig;

/**
 * Thrown by a validator: `expected` completes "<option> must be ...", e.g. "> 0" or
 * "a whole number >= 1". The caller adds the option name, the value received and where it came from.
 */
export class InvalidOptionValue extends Error {
  override readonly name = "InvalidOptionValue";
  constructor(
    readonly expected: string,
    /** A suggestion such as "did you mean 'relu'?". */
    readonly hint?: string,
  ) {
    super(`must be ${expected}`);
  }
}

/** Turns a raw value (from YAML/JSON, or a command-line string) into the option's value, or throws InvalidOptionValue. */
export type OptionValidator<T> = (raw: unknown) => T;

/** How an option appears on the command line. */
export type OptionArity =
  /** `--json`: a switch; `--json=false` also accepted. */
  | "flag"
  /** `--lr 0.01` */
  | "value"
  /** `--resume` or `--resume path/to/checkpoint` */
  | "optional-value";

/** Sections of `nncoach train --help`. */
export type OptionGroup = "data" | "model" | "optimization" | "loss" | "regularization" | "run" | "transfer";

/** One option of `nncoach train`. */
export interface TrainOption<K extends OptionName = OptionName> {
  /** camelCase key, as in config files and {@link TrainConfig}. */
  readonly name: K;
  /** kebab-case spelling: `--batch-size` on the command line; also accepted in files. */
  readonly flag: string;
  /** Other accepted names (for example `patience` for earlyStopping). */
  readonly aliases: readonly string[];
  /** Human-readable type, e.g. "number > 0", "relu|gelu|...", for help text. */
  readonly type: string;
  /** Placeholder in usage lines, e.g. "<n>", "<path>". Empty for flags. */
  readonly valueName: string;
  readonly arity: OptionArity;
  readonly group: OptionGroup;
  /** The value used when neither the config file nor the command line sets it. */
  readonly default: TrainConfig[K];
  /** What the default means, for help text when the value alone does not say (null -> "the last column"). */
  readonly defaultText?: string;
  /** One sentence for help text. */
  readonly description: string;
  /** The allowed values, for enumerated options. */
  readonly choices?: readonly string[];
  /** True for options holding file-system paths (made absolute when loaded). */
  readonly isPath: boolean;
  /**
   * The data kinds the option means something for (all when absent). Setting it for another kind is
   * refused with a message naming the option and the kind, never silently ignored.
   */
  readonly kinds?: readonly DataKind[];
  readonly validate: OptionValidator<TrainConfig[K]>;
}

// ---- validators -----------------------------------------------------------------------------------

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

function toNumber(raw: unknown): number | undefined {
  if (typeof raw === "number") return raw;
  if (typeof raw === "string" && NUMERIC.test(raw.trim())) return Number(raw.trim());
  return undefined;
}

const isNoneWord = (raw: unknown) =>
  raw === null || (typeof raw === "string" && ["none", "null", "off"].includes(raw.trim().toLowerCase()));

interface Bounds {
  gt?: number;
  ge?: number;
  lt?: number;
  le?: number;
}

function boundsText(b: Bounds): string {
  const parts: string[] = [];
  if (b.gt !== undefined) parts.push(`> ${b.gt}`);
  if (b.ge !== undefined) parts.push(`>= ${b.ge}`);
  if (b.lt !== undefined) parts.push(`< ${b.lt}`);
  if (b.le !== undefined) parts.push(`<= ${b.le}`);
  return parts.join(" and ");
}

function inBounds(v: number, b: Bounds): boolean {
  return (
    (b.gt === undefined || v > b.gt) &&
    (b.ge === undefined || v >= b.ge) &&
    (b.lt === undefined || v < b.lt) &&
    (b.le === undefined || v <= b.le)
  );
}

/** A finite number within `bounds`; numeric strings ("0.01", "1e-3") are accepted. */
export function numberIn(bounds: Bounds): OptionValidator<number> {
  const range = boundsText(bounds);
  return (raw) => {
    const v = toNumber(raw);
    if (v === undefined || !Number.isFinite(v)) throw new InvalidOptionValue(`a number ${range}`.trim());
    if (!inBounds(v, bounds)) throw new InvalidOptionValue(range);
    return v;
  };
}

/** A whole number >= `min` (and <= `max`). */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): OptionValidator<number> {
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
  return (raw) => {
    const v = toNumber(raw);
    if (v === undefined || !Number.isSafeInteger(v)) throw new InvalidOptionValue(`a whole number ${range}`);
    if (v < min || v > max) throw new InvalidOptionValue(`a whole number ${range}`);
    return v;
  };
}

/** `inner`, or null when given null / "none" / "null" / "off". */
export function orNull<T>(inner: OptionValidator<T>, what: string): OptionValidator<T | null> {
  return (raw) => {
    if (isNoneWord(raw)) return null;
    try {
      return inner(raw);
    } catch (e) {
      if (e instanceof InvalidOptionValue) throw new InvalidOptionValue(`${e.expected} or ${what}`);
      throw e;
    }
  };
}

/** One of `choices` (case-insensitive; "-" and "_" interchangeable). */
export function oneOf<const C extends readonly string[]>(choices: C): OptionValidator<C[number]> {
  return (raw) => {
    if (typeof raw === "string") {
      const norm = raw.trim().toLowerCase().replace(/-/g, "_");
      const hit = choices.find((c) => c.replace(/-/g, "_") === norm);
      if (hit !== undefined) return hit;
      const near = closestMatch(raw.trim(), choices);
      throw new InvalidOptionValue(
        `one of ${choices.join("|")}`,
        near ? `did you mean '${near}'?` : undefined,
      );
    }
    throw new InvalidOptionValue(`one of ${choices.join("|")}`);
  };
}

/** true/false (also the strings "true"/"false"/"yes"/"no"). */
export const booleanValue: OptionValidator<boolean> = (raw) => {
  if (typeof raw === "boolean") return raw;
  if (typeof raw === "string") {
    const t = raw.trim().toLowerCase();
    if (t === "true" || t === "yes") return true;
    if (t === "false" || t === "no") return false;
  }
  throw new InvalidOptionValue("true or false");
};

/** A non-empty string. */
export const text: OptionValidator<string> = (raw) => {
  if (typeof raw === "number") return String(raw);
  if (typeof raw !== "string" || raw.trim() === "") throw new InvalidOptionValue("a non-empty string");
  return raw.trim();
};

/** A non-empty path string (made absolute later, relative to the file or working directory). */
export const pathValue: OptionValidator<string> = (raw) => {
  if (typeof raw !== "string" || raw.trim() === "") throw new InvalidOptionValue("a path");
  return raw.trim();
};

/** Hidden layer sizes: a list of whole numbers >= 1, or a comma-separated string "256,128"; [] or "none" for no hidden layer. */
export const layerSizes: OptionValidator<number[]> = (raw) => {
  const expected = 'a list of whole numbers >= 1, like [256, 128] or "256,128" ([] for none)';
  let items: unknown[];
  if (Array.isArray(raw)) items = raw;
  else if (typeof raw === "number") items = [raw];
  else if (typeof raw === "string") {
    const t = raw.trim();
    items = t === "" || t.toLowerCase() === "none" ? [] : t.split(",").map((s) => s.trim());
  } else throw new InvalidOptionValue(expected);
  return items.map((item) => {
    const v = toNumber(item);
    if (v === undefined || !Number.isSafeInteger(v) || v < 1) throw new InvalidOptionValue(expected);
    return v;
  });
};

/** Warm-up length: "N" epochs or "Ns" optimizer steps (N a whole number); a bare number means epochs. */
export const warmupLength: OptionValidator<string | null> = (raw) => {
  if (isNoneWord(raw)) return null;
  const t = typeof raw === "number" ? String(raw) : typeof raw === "string" ? raw.trim().toLowerCase() : "";
  if (!/^\d+s?$/.test(t)) throw new InvalidOptionValue('a number of epochs like "2" or of steps like "500s"');
  return t;
};

/** The warm-up option split into its count and unit: "500s" -> { count: 500, unit: "steps" }. */
export function parseWarmup(spec: string): { count: number; unit: "epochs" | "steps" } {
  const t = warmupLength(spec);
  if (t === null) return { count: 0, unit: "epochs" };
  return t.endsWith("s")
    ? { count: Number(t.slice(0, -1)), unit: "steps" }
    : { count: Number(t), unit: "epochs" };
}

/** Early-stopping patience in epochs (a whole number >= 0), or false to train all epochs. */
export const patience: OptionValidator<number | false> = (raw) => {
  if (raw === false || isNoneWord(raw) || (typeof raw === "string" && raw.trim().toLowerCase() === "false")) {
    return false;
  }
  const v = toNumber(raw);
  if (v === undefined || !Number.isSafeInteger(v) || v < 0) {
    throw new InvalidOptionValue("a whole number of epochs >= 0, or false to turn early stopping off");
  }
  return v;
};

/** `true`/`false`, or a checkpoint path to resume from. */
export const resumeValue: OptionValidator<boolean | string> = (raw) => {
  if (typeof raw === "boolean") return raw;
  if (typeof raw === "string" && raw.trim() !== "") {
    const t = raw.trim().toLowerCase();
    if (t === "true" || t === "yes") return true;
    if (t === "false" || t === "no") return false;
    return raw.trim();
  }
  throw new InvalidOptionValue("true, false or a checkpoint path");
};

/** A non-empty result of `inner` (a list). */
function nonEmpty<T>(inner: OptionValidator<T[]>): OptionValidator<T[]> {
  return (raw) => {
    const v = inner(raw);
    if (v.length === 0) throw new InvalidOptionValue("a non-empty list");
    return v;
  };
}

/** Column names: a list, or a comma-separated string "a,b"; [] or "none" for none. */
export const columnList: OptionValidator<string[]> = (raw) => {
  if (isNoneWord(raw)) return [];
  const items = Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(",") : [raw];
  return items.map((item) => {
    if (typeof item !== "string" && typeof item !== "number")
      throw new InvalidOptionValue('a list of column names, like "a,b"');
    const t = String(item).trim();
    if (t === "") throw new InvalidOptionValue('a list of column names without empty items, like "a,b"');
    return t;
  });
};

/** Data row numbers (0-based, as `nncoach audit` prints them): a list or "3,17,40"; [] or "none" for none. Sorted, unique. */
export const rowList: OptionValidator<number[]> = (raw) => {
  if (isNoneWord(raw)) return [];
  const items = Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(",") : [raw];
  const rows = items.map((item) => {
    const t = String(item).trim();
    if (!/^\d+$/.test(t))
      throw new InvalidOptionValue('data row numbers (whole numbers >= 0), like "3,17,40"');
    return Number(t);
  });
  return [...new Set(rows)].sort((a, b) => a - b);
};

/** "height,width" (or [h, w]) of whole numbers >= 1; one number means a square. */
export const sizePair: OptionValidator<number[]> = (raw) => {
  const v = layerSizes(raw);
  if (v.length === 1) return [v[0]!, v[0]!];
  if (v.length !== 2) throw new InvalidOptionValue('"height,width" with whole numbers >= 1, like "32,32"');
  return v;
};

function oneOfNumbers(choices: readonly number[]): OptionValidator<number> {
  return (raw) => {
    const v = toNumber(raw);
    if (v === undefined || !choices.includes(v)) throw new InvalidOptionValue(choices.join(" or "));
    return v;
  };
}

/**
 * An augmentation spec: comma-separated `name` or `name:value[:value]` items with numeric values. Which
 * names a data kind takes is checked by the planner (src/recipe/augmentation.ts), which knows the kind.
 */
export const augmentSpec: OptionValidator<string> = (raw) => {
  const t = typeof raw === "string" ? raw.trim().toLowerCase() : "";
  const item = /^[a-z]+(:(\d*\.?\d+(e-?\d+)?))*$/;
  if (t === "" || !t.split(",").every((p) => item.test(p.trim())))
    throw new InvalidOptionValue('items like "noise:0.05" or "flip,crop:2" (name[:number], comma-separated)');
  return t
    .split(",")
    .map((p) => p.trim())
    .join(",");
};

// ---- the table ------------------------------------------------------------------------------------

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

type Spec<K extends OptionName> = Omit<
  TrainOption<K>,
  "name" | "flag" | "aliases" | "valueName" | "arity" | "isPath"
> &
  Partial<Pick<TrainOption<K>, "aliases" | "valueName" | "arity" | "isPath">>;

function option<K extends OptionName>(name: K, spec: Spec<K>): TrainOption<K> {
  const arity = spec.arity ?? "value";
  return {
    ...spec,
    name,
    flag: kebab(name),
    aliases: spec.aliases ?? [],
    valueName: spec.valueName ?? (arity === "flag" ? "" : spec.isPath ? "<path>" : "<value>"),
    arity,
    isPath: spec.isPath ?? false,
  };
}

const enumOption = <K extends OptionName, C extends readonly string[]>(
  name: K,
  choices: C,
  spec: Omit<Spec<K>, "type" | "validate" | "choices">,
) =>
  option(name, {
    ...spec,
    type: choices.join("|"),
    choices,
    validate: oneOf(choices) as OptionValidator<TrainConfig[K]>,
    valueName: spec.valueName ?? "<name>",
  });

/** Every option of `nncoach train`, in help order. */
export const TRAIN_OPTIONS: readonly TrainOption[] = [
  // data
  option("data", {
    group: "data",
    type: "path",
    isPath: true,
    default: null,
    description:
      "Training data (also the first argument of `nncoach train`): a CSV/TSV/JSONL or Parquet table (a table whose one input is free text trains a text model), a folder of images or of WAV files with one subfolder per class.",
    validate: orNull(pathValue, "null"),
  }),
  option("target", {
    group: "data",
    aliases: ["label", "target_column", "label_column"],
    type: "column name",
    valueName: "<column>",
    default: null,
    defaultText: "the last column",
    kinds: ["table", "text"],
    description: "Column to predict (tables and text; a class folder's classes are its subfolders).",
    validate: orNull(text, "null for the last column"),
  }),
  option("validationData", {
    group: "data",
    aliases: ["validation", "val_data", "valid_data"],
    type: "path",
    isPath: true,
    default: null,
    description:
      "Separate validation data (same kind as the training data); without it a seeded split of the training data is held out.",
    validate: orNull(pathValue, "null"),
  }),
  option("testData", {
    group: "data",
    type: "path",
    isPath: true,
    default: null,
    description:
      "Separate test data; sealed like the held-out split: evaluated only with --evaluate-test. With it, the training data is split 85/15 into training and validation.",
    validate: orNull(pathValue, "null"),
  }),
  option("task", {
    group: "data",
    type: TASKS.join("|"),
    choices: TASKS,
    valueName: "<name>",
    default: null,
    defaultText: "inferred from the target column",
    description: "Kind of problem.",
    validate: orNull(oneOf(TASKS), "null to infer it"),
  }),
  option("text", {
    group: "data",
    type: "column name",
    valueName: "<column>",
    default: null,
    defaultText: "detected: a table whose one input column is free text",
    kinds: ["text"],
    description:
      "The text column to learn from: trains a text model (n-gram bag of embeddings) on it; other input columns are left out.",
    validate: orNull(text, "null to detect it"),
  }),
  option("drop", {
    group: "data",
    type: "list of column names",
    valueName: "<cols>",
    default: [],
    kinds: ["table", "text"],
    description:
      'Columns to leave out of the inputs, e.g. "leaky_col,row_id" (the fix for a leakage finding).',
    validate: columnList,
  }),
  option("excludeRows", {
    group: "data",
    type: "list of data row numbers",
    valueName: "<rows>",
    default: [],
    kinds: ["table", "text"],
    description:
      'Training rows to leave out, by the data row numbers `nncoach audit` prints, e.g. its likely mislabeled rows: "106,119". Only training rows are left out; validation and test rows stay as they are.',
    validate: rowList,
  }),
  option("dropSplitDuplicates", {
    group: "data",
    type: "boolean",
    arity: "flag",
    default: false,
    kinds: ["table", "text"],
    description:
      "Drop validation and test rows whose inputs repeat a training row exactly (and test rows repeating a validation row), so no score is measured on rows the model trained on. `nncoach improve` turns it on when the audit finds such rows.",
    validate: booleanValue,
  }),
  option("id", {
    group: "data",
    type: "column name",
    valueName: "<column>",
    default: null,
    kinds: ["table", "text"],
    description: "Identifier column: never an input; `nncoach predict` copies it into the predictions.",
    validate: orNull(text, "null"),
  }),
  option("group", {
    group: "data",
    type: "column name",
    valueName: "<column>",
    default: null,
    kinds: ["table", "text"],
    description:
      "Group split: rows sharing a value of this column (a patient, a user) all land in the same split. Not an input.",
    validate: orNull(text, "null"),
  }),
  option("time", {
    group: "data",
    type: "column name",
    valueName: "<column>",
    default: null,
    kinds: ["table", "text"],
    description:
      "Time-ordered split: validation and test rows come after the training rows in this column. Not an input.",
    validate: orNull(text, "null"),
  }),
  option("cv", {
    group: "data",
    type: "whole number >= 2 or null",
    valueName: "<k>",
    default: null,
    description:
      "Also estimate the validation metric by K-fold cross-validation over the training and validation rows (mean ± standard error; for little data). The test rows stay sealed.",
    validate: orNull(wholeNumber(2, 50), "null"),
  }),
  enumOption("standardize", STANDARDIZE, {
    group: "data",
    default: "standard",
    kinds: ["table", "images", "audio"],
    description:
      "Input scaling fitted on the training rows: standard (mean 0, std 1), minmax ([0, 1]) or none (raw values; for diagnosis).",
  }),
  // model
  option("hidden", {
    group: "model",
    aliases: ["hidden_layers", "hidden_sizes", "hidden_units"],
    type: "list of whole numbers >= 1",
    valueName: "<sizes>",
    default: [256, 256],
    description: 'Hidden layer sizes, e.g. "256,128" or [256, 128]; [] for a linear model.',
    validate: layerSizes,
  }),
  enumOption("activation", ACTIVATIONS, {
    group: "model",
    default: "relu",
    description: "Activation after each hidden layer.",
  }),
  enumOption("norm", NORMS, {
    group: "model",
    default: "none",
    defaultText: "none for tables and text, batch for images and audio",
    description: "Normalization after each hidden layer (or conv layer).",
  }),
  enumOption("architecture", ARCHITECTURES, {
    group: "model",
    default: "cnn",
    kinds: ["images", "audio"],
    description: "The CNN built from scratch: plain conv blocks (cnn) or residual blocks.",
  }),
  option("widths", {
    group: "model",
    type: "list of whole numbers >= 1",
    valueName: "<sizes>",
    default: [32, 64, 128],
    kinds: ["images", "audio"],
    description: 'Filters per stage of the CNN built from scratch, e.g. "16,32".',
    validate: nonEmpty(layerSizes),
  }),
  option("depth", {
    group: "model",
    type: "whole number >= 1",
    valueName: "<n>",
    default: 1,
    kinds: ["images", "audio"],
    description: "Conv blocks (or residual blocks) per stage of the CNN.",
    validate: wholeNumber(1, 16),
  }),
  option("imageSize", {
    group: "model",
    type: "height,width",
    valueName: "<h,w>",
    default: null,
    defaultText: "the pretrained model's input, else the first image's size",
    kinds: ["images"],
    description: 'Size every image is resized to, e.g. "32,32".',
    validate: orNull(sizePair, "null"),
  }),
  option("channels", {
    group: "model",
    type: "1 or 3",
    valueName: "<n>",
    default: null,
    defaultText: "the pretrained model's input, else the first image's",
    kinds: ["images"],
    description: "Color channels: 1 (grayscale) or 3 (RGB).",
    validate: orNull(oneOfNumbers([1, 3]), "null"),
  }),
  option("embeddingDim", {
    group: "model",
    type: "whole number >= 1",
    valueName: "<n>",
    default: 64,
    kinds: ["text"],
    description: "Size of the n-gram embeddings of a text model (averaged into one vector per text).",
    validate: wholeNumber(1, 4096),
  }),
  // optimization
  enumOption("optimizer", OPTIMIZERS, {
    group: "optimization",
    aliases: ["optim"],
    default: "adamw",
    description: "Update rule (adamw: Adam with decoupled weight decay, the recipe's default).",
  }),
  option("lr", {
    group: "optimization",
    aliases: ["learning_rate", "learning-rate", "learningRate", "eta"],
    type: "number > 0",
    valueName: "<rate>",
    default: 1e-3,
    description: "Base learning rate (`nncoach lr-find` suggests one).",
    validate: numberIn({ gt: 0 }),
  }),
  option("momentum", {
    group: "optimization",
    type: "number from 0 to 1",
    valueName: "<m>",
    default: 0.9,
    defaultText: "0.9 for sgd and nesterov, 0 for rmsprop",
    description: "Momentum of sgd and nesterov (and rmsprop's momentum term).",
    validate: numberIn({ ge: 0, le: 1 }),
  }),
  option("batchSize", {
    group: "optimization",
    aliases: ["batch", "bs", "mini_batch_size"],
    type: "whole number >= 1",
    valueName: "<n>",
    default: 32,
    description:
      "Examples per optimizer step. Above 64, the default learning rate scales linearly with it (lr x batch/64) and a warm-up is added.",
    validate: wholeNumber(1),
  }),
  option("epochs", {
    group: "optimization",
    aliases: [
      "epoch",
      "num_epochs",
      "num-epochs",
      "numEpochs",
      "n_epochs",
      "n-epochs",
      "max_epochs",
      "max-epochs",
    ],
    type: "whole number >= 1",
    valueName: "<n>",
    default: 20,
    description: "Passes over the training data (early stopping may end sooner).",
    validate: wholeNumber(1),
  }),
  option("schedule", {
    group: "optimization",
    type: "schedule spec",
    valueName: "<spec>",
    default: "cosine",
    description:
      "Learning-rate schedule: constant, step:E[:G], multistep:E1,E2[:G], exponential:G, cosine[:MIN], cosine-restarts:T0[:M[:MIN]], onecycle[:PCT], plateau[:F[:P]].",
    validate: text,
  }),
  option("warmup", {
    group: "optimization",
    type: '"N" epochs or "Ns" steps',
    valueName: "<len>",
    default: "3",
    defaultText: "3 epochs (at most a fifth of the epochs)",
    description:
      'Linear learning-rate warm-up before the schedule: "2" epochs or "500s" optimizer steps; "none" for none.',
    validate: warmupLength,
  }),
  option("clipNorm", {
    group: "optimization",
    aliases: ["max_grad_norm", "gradient_clip_val", "clipnorm"],
    type: "number > 0 or null",
    valueName: "<max>",
    default: null,
    description: "Clip the global gradient norm to this value.",
    validate: orNull(numberIn({ gt: 0 }), "null to turn it off"),
  }),
  option("clipValue", {
    group: "optimization",
    aliases: ["clipvalue"],
    type: "number > 0 or null",
    valueName: "<max>",
    default: null,
    description: "Clip every gradient element to [-value, value].",
    validate: orNull(numberIn({ gt: 0 }), "null to turn it off"),
  }),
  // loss
  enumOption("loss", LOSSES, {
    group: "loss",
    default: "auto",
    description: "Loss function (auto: cross-entropy for classification, mse for regression).",
  }),
  option("labelSmoothing", {
    group: "loss",
    type: "number >= 0 and < 1",
    valueName: "<eps>",
    default: 0.05,
    kinds: ["table", "images", "audio", "text"],
    description: "Label smoothing for classification losses (ignored for regression).",
    validate: numberIn({ ge: 0, lt: 1 }),
  }),
  option("huberDelta", {
    group: "loss",
    type: "number > 0",
    valueName: "<delta>",
    default: 1,
    description: "Where the huber loss turns from quadratic to linear.",
    validate: numberIn({ gt: 0 }),
  }),
  option("focalGamma", {
    group: "loss",
    type: "number >= 0",
    valueName: "<gamma>",
    default: 2,
    description: "Focusing parameter of the focal loss (0 gives cross-entropy).",
    validate: numberIn({ ge: 0 }),
  }),
  enumOption("classWeights", CLASS_WEIGHTS, {
    group: "loss",
    default: "none",
    description: "balanced weighs each class by the inverse of its frequency.",
  }),
  option("augment", {
    group: "regularization",
    type: "augmentation spec",
    valueName: "<spec>",
    default: null,
    defaultText: "off",
    description:
      "Augmentation of training batches, comma-separated NAME[:VALUE] items per data kind. Tables: noise:STD (Gaussian noise on standardized numeric features; rarely helps). Images: flip, vflip, crop:PX, translate:FRAC, rotate:DEG, brightness:B, contrast:C. Audio: specaugment[:F:T] (frequency/time masks), noise:STD, shift:FRAC. Text: drop:P (drops n-grams).",
    validate: orNull(augmentSpec, "none"),
  }),
  // regularization
  option("dropout", {
    group: "regularization",
    aliases: ["dropout_rate", "drop_rate"],
    type: "number >= 0 and < 1",
    valueName: "<p>",
    default: 0.1,
    description: "Dropout probability after each hidden layer (and before the head of a CNN or text model).",
    validate: numberIn({ ge: 0, lt: 1 }),
  }),
  option("weightDecay", {
    group: "regularization",
    aliases: ["wd", "l2", "l2_regularization", "weight_decay_rate"],
    type: "number >= 0",
    valueName: "<wd>",
    default: 1e-4,
    description:
      "Weight decay (decoupled for adamw, L2 in the gradient otherwise); not applied to biases and normalization.",
    validate: numberIn({ ge: 0 }),
  }),
  option("earlyStopping", {
    group: "regularization",
    type: "whole number >= 0 or false",
    aliases: ["patience"],
    valueName: "<epochs>",
    default: 10,
    description: "Stop after this many epochs without improvement of the monitored metric (false: never).",
    validate: patience,
  }),
  option("monitor", {
    group: "regularization",
    type: "metric name",
    valueName: "<metric>",
    default: "val_loss",
    description: "Metric watched by early stopping, checkpoints and the plateau schedule.",
    validate: text,
  }),
  option("diagnoseEvery", {
    group: "regularization",
    type: "whole number >= 1 or null",
    valueName: "<n>",
    default: null,
    defaultText: "off",
    kinds: ["table", "images", "audio", "text"],
    description:
      "Every N epochs, run the diagnosis rules that read the curves and health records so far, print a warning for each problem found, and stop a run that has diverged.",
    validate: orNull(wholeNumber(1), "null to turn it off"),
  }),
  // run
  option("seed", {
    group: "run",
    aliases: ["random_state", "random_seed", "random-seed"],
    type: "whole number >= 0",
    valueName: "<n>",
    default: 0,
    description: "Seed of every random choice (weights, shuffles, splits, dropout).",
    validate: wholeNumber(0, 0xffffffff),
  }),
  option("threads", {
    group: "run",
    type: "whole number >= 1 or null",
    valueName: "<n>",
    default: null,
    defaultText: "the number of CPU cores",
    description: "Compute threads.",
    validate: orNull(wholeNumber(1, 1024), "null for all cores"),
  }),
  enumOption("precision", PRECISIONS, {
    group: "run",
    default: "float32",
    description:
      "Arithmetic of the train step. mixed is refused on the CPU (no float16 kernels); it needs the CUDA provider.",
  }),
  option("evaluateTest", {
    group: "run",
    type: "boolean",
    arity: "flag",
    default: false,
    description:
      "Unseal the held-out test rows (or --test-data) and evaluate the final model on them once; recorded with the run. Off by default: tune on validation, test once at the end.",
    validate: booleanValue,
  }),
  option("save", {
    group: "run",
    type: "path",
    isPath: true,
    default: null,
    description:
      "Folder to write the trained model into: model.onnx, preprocess.json, config.json and run.json (history, health, plan, decisions).",
    validate: orNull(pathValue, "null"),
  }),
  option("logDir", {
    group: "run",
    aliases: ["log_dir", "logdir", "tensorboard_dir"],
    type: "path",
    isPath: true,
    default: null,
    description: "Folder for this run's TensorBoard event files and history.csv (one row per epoch).",
    validate: orNull(pathValue, "null"),
  }),
  option("checkpoint", {
    group: "run",
    type: "path",
    isPath: true,
    default: null,
    description:
      "Folder for checkpoints: last.ckpt after every epoch, best.ckpt for the best monitored epoch (continue with --resume).",
    validate: orNull(pathValue, "null"),
  }),
  option("resume", {
    group: "run",
    type: "true, false or path",
    arity: "optional-value",
    valueName: "[<path>]",
    default: false,
    description: "Resume from the checkpoint (true: the --checkpoint file; or a path).",
    validate: resumeValue,
  }),
  option("json", {
    group: "run",
    type: "boolean",
    arity: "flag",
    default: false,
    description: "Print the result as one JSON object on the last line of stdout (progress goes to stderr).",
    validate: booleanValue,
  }),
  // transfer
  option("pretrained", {
    group: "transfer",
    type: "path",
    isPath: true,
    default: null,
    kinds: ["images", "audio"],
    description: "Start from this ONNX model's weights (transfer learning).",
    validate: orNull(pathValue, "null"),
  }),
  option("freeze", {
    group: "transfer",
    type: "layer spec",
    valueName: "<layers>",
    default: null,
    kinds: ["images", "audio"],
    description: "Layers of the pretrained model to keep frozen.",
    validate: orNull(text, "null"),
  }),
  option("head", {
    group: "transfer",
    type: "layer spec",
    valueName: "<spec>",
    default: null,
    kinds: ["images", "audio"],
    description: "New output head to put on the pretrained model.",
    validate: orNull(text, "null"),
  }),
  option("fineTune", {
    group: "transfer",
    type: "boolean",
    arity: "flag",
    default: false,
    kinds: ["images", "audio"],
    description: "After training the head, unfreeze everything and train on at a lower learning rate.",
    validate: booleanValue,
  }),
  option("headEpochs", {
    group: "transfer",
    type: "whole number >= 0",
    valueName: "<n>",
    default: null,
    defaultText: "half the epochs, rounded up",
    kinds: ["images", "audio"],
    description: "With --fine-tune: epochs that train the head alone before everything is unfrozen.",
    validate: orNull(wholeNumber(0), "null"),
  }),
  option("fineTuneFactor", {
    group: "transfer",
    type: "number >= 1",
    valueName: "<f>",
    default: 10,
    kinds: ["images", "audio"],
    description: "With --fine-tune: the learning rate after unfreezing is the base rate divided by this.",
    validate: numberIn({ ge: 1 }),
  }),
  option("pretrainedLrScale", {
    group: "transfer",
    type: "number > 0",
    valueName: "<s>",
    default: 1,
    kinds: ["images", "audio"],
    description:
      "Learning-rate multiplier of the pretrained layers that train (discriminative fine-tuning, e.g. 0.1).",
    validate: numberIn({ gt: 0 }),
  }),
];
