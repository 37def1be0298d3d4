/**
 * The recipe's planner: one pure function from (a summary of the prepared data, the user's config with
 * where each value came from) to a RunPlan and the decisions that made it. No file is read, nothing is
 * trained; the same inputs always give the same plan. Every data kind goes through here, so an option
 * means the same thing for tables, images, audio and text, or is refused for a kind where it has no
 * meaning (the option table's `kinds`), never silently ignored.
 *
 * The defaults are RECIPE.md §11's: AdamW (Adam with decoupled weight decay 1e-4), LR 1e-3, a 3-epoch
 * warm-up then cosine decay, batch 32, dropout 0.1, label smoothing 0.05 for classification, He init
 * (the layers' default for ReLU-family activations), early stopping with patience 10. The rules that adapt
 * them to the data are below, each producing a decision record.
 *
 * @example
 * const { plan, decisions } = planRun(prepared.summary, resolveConfig(null, { lr: "0.003" }));
 */
import { UserError } from "../errors.js";
import { getMetric } from "../nn/metrics/metric-registry.js";
import { parseSchedule } from "../optim/schedules/parse-schedule.js";
import type { ResolvedConfig } from "../train/config.js";
import { type OptionName, parseWarmup, TRAIN_OPTIONS } from "../train/config-options.js";
import { checkAugmentation } from "./augmentation.js";
import { type DataSummary, imbalanceOf } from "./data-summary.js";
import type { Decision, DecisionSource } from "./decision.js";
import type { ModelPlan, RunPlan } from "./run-plan.js";

/** Imbalance ratio (largest class / smallest) from which accuracy-like monitoring misleads (RECIPE.md §4). */
export const IMBALANCE_RATIO = 3;
/** Batch size the default learning rate is tuned for; larger batches scale it linearly (Goyal et al. 2017). */
export const REFERENCE_BATCH = 64;
/**
 * The fewest optimizer steps a default run gets. RECIPE.md's "20-30 epochs" assumes epochs of many steps;
 * on a table of 105 rows at batch 32 that is 80 Adam steps, and the network stops far from converged
 * (iris: 0.86 cross-validated accuracy at 20 epochs, 0.94 with this rule; bench/results/defaults-ablation.md).
 */
export const MIN_DEFAULT_STEPS = 1000;
/** The fewest optimizer steps of early stopping's default patience (10 epochs of 4 steps are noise). */
export const MIN_PATIENCE_STEPS = 200;
/** Where the defaults were measured, each against its absence, on the shared tables (cited by the decisions). */
export const DEFAULTS_ABLATION = "bench/results/defaults-ablation.md";
const NOT_WORSE = `; on the 7 shared tables never worse than without it beyond noise (${DEFAULTS_ABLATION})`;
/** The most epochs the step rule gives a default run. */
export const MAX_DEFAULT_EPOCHS = 500;

const KIND_WORD = { table: "a table", images: "an image folder", audio: "an audio folder", text: "text" };

function sourceOf(cfg: ResolvedConfig, name: OptionName): DecisionSource {
  return cfg.sources[name] === "default" ? "default" : "user";
}

/** Refuses every option the user set that has no meaning for this kind of data. */
function refuseForeignOptions(s: DataSummary, cfg: ResolvedConfig): void {
  for (const o of TRAIN_OPTIONS) {
    if (cfg.sources[o.name] === "default" || !o.kinds || o.kinds.includes(s.kind)) continue;
    throw new UserError(
      `--${o.flag} has no meaning for ${KIND_WORD[s.kind]} (it applies to ${o.kinds.map((k) => KIND_WORD[k]).join(" and ")})`,
      `remove --${o.flag}${cfg.configFile ? ` (set in ${cfg.configFile})` : ""}`,
    );
  }
  const v = cfg.values;
  const user = (n: OptionName) => cfg.sources[n] !== "default";
  if (s.task === "regression") {
    for (const n of ["labelSmoothing", "classWeights", "focalGamma"] as const)
      if (user(n))
        throw new UserError(
          `--${TRAIN_OPTIONS.find((o) => o.name === n)!.flag} applies to classification, but this task is regression (${s.taskReason})`,
          "remove it, or give --task classification if the target holds class codes",
        );
  }
  if (user("precision") && v.precision === "mixed")
    throw new UserError(
      "--precision mixed needs float16 kernels, which the CPU execution provider does not have",
      "train in float32 (the default) on the CPU; mixed precision needs a GPU with the CUDA provider",
    );
  if ((s.kind === "images" || s.kind === "audio") && user("norm") && v.norm === "layer")
    throw new UserError(
      `--norm layer is not available for the CNN of ${KIND_WORD[s.kind]}`,
      "use --norm batch (the default for CNNs) or --norm none",
    );
  if (user("huberDelta") && v.loss !== "huber")
    throw new UserError(
      "--huber-delta applies to --loss huber only",
      "add --loss huber, or remove --huber-delta",
    );
  if (user("focalGamma") && v.loss !== "focal")
    throw new UserError(
      "--focal-gamma applies to --loss focal only",
      "add --loss focal, or remove --focal-gamma",
    );
  if (s.kind === "text" && v.norm !== "none" && user("norm") && !user("hidden"))
    throw new UserError(
      `--norm ${v.norm} normalizes hidden layers, and this text model has none`,
      "add hidden layers (e.g. --hidden 64) or remove --norm",
    );
}

/** Metrics reported on validation data each epoch. */
function epochMetrics(s: DataSummary, monitor: string): string[] {
  const names =
    s.task === "classification"
      ? ["accuracy", ...(s.classes.length === 2 ? ["roc_auc", "f1"] : ["f1_macro"])]
      : ["mae", "rmse", "r2"];
  const m = monitor.replace(/^val_/, "");
  if (monitor.startsWith("val_") && m !== "loss" && !names.includes(getMetric(m).name))
    names.push(getMetric(m).name);
  return names;
}

/**
 * Epochs and early-stopping patience: the user's, else the defaults stretched so that a small table gets
 * MIN_DEFAULT_STEPS optimizer steps and a patience of MIN_PATIENCE_STEPS steps.
 */
function runLength(
  s: DataSummary,
  cfg: ResolvedConfig,
): { epochs: number; earlyStopping: number | false; stepsPerEpoch: number } {
  const v = cfg.values;
  const stepsPerEpoch = Math.max(1, Math.ceil(s.trainRows / Math.max(1, Math.min(v.batchSize, s.trainRows))));
  const epochs =
    sourceOf(cfg, "epochs") === "user"
      ? v.epochs
      : Math.max(v.epochs, Math.min(MAX_DEFAULT_EPOCHS, Math.ceil(MIN_DEFAULT_STEPS / stepsPerEpoch)));
  const earlyStopping =
    sourceOf(cfg, "earlyStopping") === "user" || v.earlyStopping === false || epochs === v.epochs
      ? v.earlyStopping
      : Math.max(v.earlyStopping, Math.ceil(MIN_PATIENCE_STEPS / stepsPerEpoch));
  return { epochs, earlyStopping, stepsPerEpoch };
}

export function planRun(s: DataSummary, cfg: ResolvedConfig): { plan: RunPlan; decisions: Decision[] } {
  refuseForeignOptions(s, cfg);
  const v = cfg.values;
  const decisions: Decision[] = [];
  const decide = (key: string, value: unknown, source: DecisionSource, rule: string, reason: string) =>
    decisions.push({ key, value, source, rule, reason });
  const keep = (name: OptionName, reason: string) => {
    const src = sourceOf(cfg, name);
    decide(
      name,
      v[name],
      src,
      src === "user" ? "user" : "recipe-default",
      src === "user" ? "set by the user" : reason,
    );
  };
  const isClass = s.task === "classification";
  const user = (n: OptionName) => cfg.sources[n] !== "default";
  const { epochs, earlyStopping, stepsPerEpoch } = runLength(s, cfg);

  decide("task", s.task, cfg.sources.task === "default" ? "recipe" : "user", "task", s.taskReason);

  // ---- the model
  let model: ModelPlan;
  if (v.pretrained) {
    model = {
      type: "pretrained",
      file: v.pretrained,
      head: v.head ?? "auto",
      freeze: v.freeze,
      freezeSetByUser: user("freeze"),
      fineTune: v.fineTune,
      headEpochs: Math.min(v.headEpochs ?? Math.ceil(epochs / 2), epochs),
      fineTuneFactor: v.fineTuneFactor,
      pretrainedLrScale: v.pretrainedLrScale,
      activation: v.activation,
      dropout: v.dropout,
    };
    decide(
      "model",
      `pretrained ${v.pretrained}`,
      "user",
      "transfer",
      "transfer learning from the given model (RECIPE.md §3, §10)",
    );
  } else if (s.kind === "images" || s.kind === "audio") {
    const norm = user("norm") ? (v.norm as "none" | "batch") : "batch";
    model = {
      type: "cnn",
      architecture: v.architecture,
      widths: v.widths,
      depth: v.depth,
      hidden: user("hidden") ? v.hidden : [],
      activation: v.activation,
      norm,
      dropout: v.dropout,
    };
    decide(
      "model",
      `${v.architecture} widths ${v.widths.join(",")} x${v.depth}${model.hidden.length ? `, head ${model.hidden.join(",")}` : ""}`,
      user("widths") || user("depth") || user("architecture") || user("hidden") ? "user" : "default",
      "small-cnn",
      `a small CNN for ${s.inputShape.join("x")} inputs: conv blocks, pooling, global average pooling, linear output (RECIPE.md §3: start small)`,
    );
    if (!user("norm"))
      decide(
        "norm",
        "batch",
        "recipe",
        "cnn-batch-norm",
        "batch normalization between each convolution and its activation (RECIPE.md §7.5)",
      );
  } else if (s.kind === "text") {
    const hidden = user("hidden") ? v.hidden : [];
    model = {
      type: "ngram-bag",
      dim: v.embeddingDim,
      hidden,
      activation: v.activation,
      norm: v.norm,
      dropout: v.dropout,
    };
    decide(
      "model",
      `n-gram embedding bag ${v.embeddingDim}${hidden.length ? `, hidden ${hidden.join(",")}` : ", linear head"}`,
      user("hidden") || user("embeddingDim") ? "user" : "recipe",
      "text-embedding-bag",
      `${s.text ? `${s.text.mode === "chars" ? "character 2-4-grams" : "word 1-2-grams"} (median ${s.text.medianWords} words per text), ${s.text.vocab} n-grams, ` : ""}TF-IDF-weighted mean of learned embeddings and a linear output (fastText); --hidden adds layers`,
    );
  } else {
    model = { type: "mlp", hidden: v.hidden, activation: v.activation, norm: v.norm, dropout: v.dropout };
    keep("hidden", "two hidden layers of 256: depth before width, moderate size (RECIPE.md §3)");
  }
  keep("activation", "ReLU with He initialization (RECIPE.md §3, §11)");
  keep("dropout", `dropout 0.1 after each hidden layer (RECIPE.md §11)${NOT_WORSE}`);

  // ---- loss and output
  const lossName = v.loss;
  let lossReason: string;
  if (lossName !== "auto") lossReason = "set by the user";
  else if (!isClass) lossReason = "regression: linear output and mean squared error (RECIPE.md §3, §4)";
  else if (s.classes.length === 2)
    lossReason = "two classes: one sigmoid output and binary cross-entropy (RECIPE.md §4)";
  else
    lossReason = `${s.classes.length} classes: softmax output and sparse categorical cross-entropy (RECIPE.md §4)`;
  decide(
    "loss",
    lossName === "auto" ? (isClass ? (s.classes.length === 2 ? "bce" : "sparse_ce") : "mse") : lossName,
    sourceOf(cfg, "loss"),
    lossName === "auto" ? "task-matched-loss" : "user",
    lossReason,
  );
  const labelSmoothing = isClass ? v.labelSmoothing : 0;
  if (isClass)
    keep("labelSmoothing", `label smoothing 0.05 for classification (RECIPE.md §6, §11)${NOT_WORSE}`);

  // ---- the monitored metric
  const ratio = imbalanceOf(s);
  let monitor = v.monitor;
  if (user("monitor")) {
    const m = monitor.replace(/^val_/, "");
    if (monitor !== "val_loss" && monitor !== "train_loss") {
      const spec = getMetric(m);
      if (spec.task !== s.task)
        throw new UserError(
          `--monitor ${monitor} is a ${spec.task} metric, but this task is ${s.task}`,
          s.task === "regression"
            ? "monitor val_loss, val_mae, val_rmse or val_r2"
            : "monitor val_loss, val_accuracy, val_f1_macro or val_roc_auc",
        );
      monitor = `val_${spec.name}`;
    }
    decide("monitor", monitor, "user", "user", "set by the user");
  } else if (isClass && ratio >= IMBALANCE_RATIO) {
    monitor = s.classes.length === 2 ? "val_roc_auc" : "val_f1_macro";
    decide(
      "monitor",
      monitor,
      "recipe",
      "imbalance-monitor",
      `classes are imbalanced (ratio ${ratio.toFixed(1)}:1 >= ${IMBALANCE_RATIO}): accuracy would mislead; ${monitor.slice(4)} is the task-relevant metric (RECIPE.md §4, §9)`,
    );
  } else decide("monitor", monitor, "default", "recipe-default", "validation loss (RECIPE.md §7.8)");

  // ---- class weights
  const classWeights = v.classWeights;
  if (isClass) {
    if (user("classWeights")) keep("classWeights", "");
    else
      decide(
        "classWeights",
        "none",
        "default",
        "recipe-default",
        ratio >= IMBALANCE_RATIO
          ? `none by default; with imbalance ${ratio.toFixed(1)}:1, --class-weights balanced is worth a try (RECIPE.md §2)`
          : `classes are balanced enough (ratio ${ratio.toFixed(2)}:1)`,
      );
  }

  // ---- optimizer
  const momentum = user("momentum") ? v.momentum : v.optimizer === "rmsprop" ? 0 : 0.9;
  keep(
    "optimizer",
    `AdamW: Adam (beta1 0.9, beta2 0.999, eps 1e-8) with decoupled weight decay (RECIPE.md §5, §11)${NOT_WORSE}`,
  );
  keep(
    "weightDecay",
    `weight decay 1e-4 on weights, not on biases or normalization (RECIPE.md §6, §11)${NOT_WORSE}`,
  );
  if (v.optimizer === "sgd" || v.optimizer === "nesterov" || v.optimizer === "rmsprop")
    decide(
      "momentum",
      momentum,
      sourceOf(cfg, "momentum"),
      user("momentum") ? "user" : "optimizer-default",
      user("momentum") ? "set by the user" : `${v.optimizer}'s usual momentum`,
    );

  // ---- batch size and learning rate
  const effectiveBatch = Math.min(v.batchSize, s.trainRows);
  if (effectiveBatch < v.batchSize)
    decide(
      "batchSize",
      effectiveBatch,
      "recipe",
      "batch-fits-data",
      `--batch-size ${v.batchSize} exceeds the ${s.trainRows} training rows: every step sees all of them`,
    );
  else keep("batchSize", "batch size 32 (RECIPE.md §5, §11)");
  let lr = v.lr;
  let warmupSpec = v.warmup;
  const scaled = effectiveBatch > REFERENCE_BATCH && !user("lr");
  if (scaled) {
    lr = v.lr * (effectiveBatch / REFERENCE_BATCH);
    decide(
      "lr",
      lr,
      "recipe",
      "linear-lr-scaling",
      `batch size ${effectiveBatch} > ${REFERENCE_BATCH}: learning rate scaled linearly (${v.lr} x ${effectiveBatch}/${REFERENCE_BATCH}), with warm-up (RECIPE.md §5, Goyal et al. 2017); set --lr to override`,
    );
  } else keep("lr", "Adam's learning rate 1e-3 (RECIPE.md §7.1, §11); `nncoach lr-find` suggests one");

  // ---- schedule and warm-up
  const ownWarmup = v.schedule.startsWith("onecycle");
  if (!user("warmup")) {
    if (ownWarmup) {
      warmupSpec = null;
      decide("warmup", "none", "recipe", "onecycle-warmup", "the one-cycle schedule warms up by itself");
    } else {
      const w = Math.min(parseWarmup(v.warmup ?? "0").count, Math.floor(epochs / 5));
      warmupSpec = w >= 1 ? String(w) : null;
      if (w === 3)
        decide(
          "warmup",
          "3",
          "default",
          "recipe-default",
          `3 warm-up epochs (RECIPE.md §5, §11)${NOT_WORSE}`,
        );
      else
        decide(
          "warmup",
          warmupSpec ?? "none",
          "recipe",
          "warmup-fits-epochs",
          w >= 1
            ? `${w} warm-up epoch(s): at most a fifth of the ${epochs} epochs`
            : `no warm-up: ${epochs} epoch(s) are too few for one (at most a fifth of the run)`,
        );
    }
  } else keep("warmup", "");
  keep(
    "schedule",
    `cosine decay after the warm-up (RECIPE.md §5, §11); against a constant LR on the 7 shared tables: no clear difference on 6, boston_housing RMSE 0.08 ± 0.03 worse (2.9 SE, 1 of 56 comparisons in ${DEFAULTS_ABLATION}, within what chance gives over 56; kept)`,
  );
  const schedule = warmupSpec ? `${v.schedule}+warmup:${warmupSpec}` : v.schedule;
  // fail now, not after the data is read twice: the spec must parse for this run's length
  parseSchedule(schedule, lr, { epochs, stepsPerEpoch });
  if (epochs !== v.epochs)
    decide(
      "epochs",
      epochs,
      "recipe",
      "min-optimizer-steps",
      `${v.epochs} epochs of ${stepsPerEpoch} step(s) are only ${v.epochs * stepsPerEpoch} optimizer steps; ${epochs} epochs give at least ${MIN_DEFAULT_STEPS} (measured against 20 epochs on the shared tables: iris accuracy +0.078 ± 0.017, digits +0.003 ± 0.001, boston_housing RMSE 0.32 ± 0.11 lower, nowhere worse; ${DEFAULTS_ABLATION}); set --epochs to override`,
    );
  else keep("epochs", "20 epochs with early stopping (RECIPE.md §7.1)");
  if (earlyStopping !== v.earlyStopping)
    decide(
      "earlyStopping",
      earlyStopping,
      "recipe",
      "min-patience-steps",
      `patience of ${earlyStopping} epochs (${MIN_PATIENCE_STEPS} optimizer steps at least: ${v.earlyStopping} epochs of ${stepsPerEpoch} step(s) are noise), best weights kept; measured with the step rule in ${DEFAULTS_ABLATION}; set --early-stopping to override`,
    );
  else
    keep(
      "earlyStopping",
      `stop after 10 epochs without improvement and keep the best weights (RECIPE.md §6, §7.8); better than none on diabetes (RMSE 7.9 ± 1.7 lower) and boston_housing (0.07 ± 0.01), nowhere worse (${DEFAULTS_ABLATION})`,
    );

  if (v.excludeRows.length)
    decide(
      "excludeRows",
      v.excludeRows,
      "user",
      "user",
      `${v.excludeRows.length} data row(s) left out of training (validation and test rows stay)`,
    );

  if (v.dropSplitDuplicates)
    decide(
      "dropSplitDuplicates",
      true,
      sourceOf(cfg, "dropSplitDuplicates"),
      "user",
      "validation and test rows that repeat a training row exactly are dropped (RECIPE.md §2)",
    );

  // ---- augmentation
  if (v.augment) {
    const note = checkAugmentation(s.kind, v.augment);
    decide("augment", v.augment, "user", "user", note);
  }
  if (v.clipNorm !== null) keep("clipNorm", "");
  if (v.clipValue !== null) keep("clipValue", "");

  const plan: RunPlan = {
    kind: s.kind,
    task: s.task,
    model,
    loss: { name: lossName, labelSmoothing, huberDelta: v.huberDelta, focalGamma: v.focalGamma },
    optimizer: { name: v.optimizer, lr, weightDecay: v.weightDecay, momentum },
    schedule,
    batchSize: effectiveBatch,
    epochs,
    monitor,
    metrics: epochMetrics(s, monitor),
    earlyStopping,
    classWeights: isClass ? classWeights : "none",
    clipNorm: v.clipNorm,
    clipValue: v.clipValue,
    excludeRows: v.excludeRows,
    augment: v.augment,
    seed: v.seed,
    threads: v.threads,
    logDir: v.logDir,
    checkpoint: v.checkpoint,
    resume: v.resume,
    decisions,
  };
  return { plan, decisions };
}
