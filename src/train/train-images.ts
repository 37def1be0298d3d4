/**
 * Train a CNN on a folder of images end to end (what `nncoach train <folder>` runs): read the class
 * folders (decode, resize, scale to [0, 1]), split once (seeded, stratified 70/15/15 unless a validation
 * folder is given), standardize per channel with statistics of the training images only, build a CNN, or
 * load a pretrained ONNX model and apply the transfer recipe (cut, new head, frozen layers; with
 * fine-tuning: head first, then everything at a lower learning rate), train, evaluate the sealed test images
 * once at the end, and optionally save model.onnx + preprocess.json + config.json.
 */
import fs from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { augmentImages, type ImageAugmentOptions } from "../data/augment/image-augment.js";
import { listClassFolder } from "../data/class-folder.js";
import { sealTest } from "../data/held-out-test.js";
import { decodeImage } from "../data/image/decode-image.js";
import { type ImageFolder, readImageFolder } from "../data/image/image-folder.js";
import { ImageStandardizer } from "../data/image/image-standardizer.js";
import { stratifiedSplit } from "../data/split.js";
import { decodeModel } from "../engine/onnx/decode.js";
import { UserError } from "../errors.js";
import { cnn, residualCnn } from "../nn/cnn.js";
import type { GraphModel } from "../nn/graph-model.js";
import { SparseCrossEntropy } from "../nn/losses/cross-entropy.js";
import type { Model } from "../nn/model.js";
import { loadOnnx } from "../nn/onnx-import.js";
import { parseHeadSpec, selectLayers, type TransferPlan, transfer } from "../nn/transfer.js";
import { makeOptimizer } from "../optim/index.js";
import { parseSchedule } from "../optim/schedules/parse-schedule.js";
import { writeJsonAtomic } from "../util/atomic-write.js";
import type { Callback, EpochLogs } from "./callback.js";
import { EarlyStopping } from "./callbacks/early-stopping.js";
import { type ResolvedConfig, resolveConfig, writeResolvedConfig } from "./config.js";
import type { TrainConfig } from "./config-options.js";
import { type Dataset, evaluateDataset, fit } from "./fit.js";
import { retrain } from "./retrain.js";
import { Trainer } from "./trainer.js";

/** Options only image training has (the rest are `nncoach train`'s options). */
export interface ImageOptions {
  /** [height, width] to resize every image to; default: the pretrained model's input, else the first image's size. */
  imageSize?: [number, number];
  /** 1 (grayscale) or 3 (RGB); default: the pretrained model's input, else the first image's. */
  channels?: 1 | 3;
  /** The CNN built from scratch: "cnn" (plain conv blocks, default) or "residual". */
  architecture?: "cnn" | "residual";
  /** Filters per stage of the CNN built from scratch; default [32, 64, 128]. */
  widths?: number[];
  /** Conv blocks (or residual blocks) per stage; default 1. */
  depth?: number;
  /** With fine-tuning: epochs that train the head alone before everything is unfrozen; default half, rounded up. */
  headEpochs?: number;
  /** With fine-tuning: the learning rate after unfreezing is the base rate divided by this; default 10. */
  fineTuneFactor?: number;
  /**
   * Learning-rate multiplier of the pretrained layers that train (discriminative fine-tuning, e.g. 0.1 while
   * the new head learns at the full rate); default 1.
   */
  pretrainedLrScale?: number;
  /** Random augmentation of training batches. */
  augment?: ImageAugmentOptions;
}

export type ImageTrainConfig = Partial<TrainConfig> & ImageOptions & { data: string };

export interface ImageEvalSummary {
  loss: number;
  accuracy: number;
  samples: number;
}

export interface ImageTrainResult {
  classes: string[];
  /** [channels, height, width] the model takes. */
  imageShape: [number, number, number];
  epochsRun: number;
  trainSamplesPerSecond: number;
  history: EpochLogs[];
  stopReason?: string;
  val: ImageEvalSummary;
  test?: ImageEvalSummary;
  notices: string[];
  savedTo?: string;
  config: TrainConfig;
  /** The trainer of the last phase (after fine-tuning: the unfrozen one). */
  trainer: Trainer;
  standardizer: ImageStandardizer;
  /** Frozen layers of the last phase. */
  frozen: string[];
  transfer?: TransferPlan;
}

const IMAGE_KEYS = [
  "imageSize",
  "channels",
  "architecture",
  "widths",
  "depth",
  "headEpochs",
  "fineTuneFactor",
  "pretrainedLrScale",
  "augment",
] as const;

function checkImageOptions(o: ImageOptions): void {
  if (o.imageSize !== undefined) {
    const s = o.imageSize;
    if (!Array.isArray(s) || s.length !== 2 || !s.every((v) => Number.isInteger(v) && v >= 1))
      throw new UserError(
        `imageSize must be [height, width] with whole numbers >= 1, got ${JSON.stringify(s)}`,
      );
  }
  if (o.channels !== undefined && o.channels !== 1 && o.channels !== 3)
    throw new UserError(`channels must be 1 or 3, got ${JSON.stringify(o.channels)}`);
  if (o.architecture !== undefined && o.architecture !== "cnn" && o.architecture !== "residual")
    throw new UserError(`architecture must be "cnn" or "residual", got ${JSON.stringify(o.architecture)}`);
  if (o.headEpochs !== undefined && !(Number.isInteger(o.headEpochs) && o.headEpochs >= 0))
    throw new UserError(`headEpochs must be a whole number >= 0, got ${o.headEpochs}`);
  if (o.fineTuneFactor !== undefined && !(o.fineTuneFactor >= 1))
    throw new UserError(`fineTuneFactor must be >= 1, got ${o.fineTuneFactor}`);
  if (o.pretrainedLrScale !== undefined && !(o.pretrainedLrScale > 0))
    throw new UserError(`pretrainedLrScale must be > 0, got ${o.pretrainedLrScale}`);
}

const shapeText = (s: readonly number[]) => `[N, ${s.join(", ")}]`;

/** Rows of a folder's images as a standardized Dataset. */
function subset(f: ImageFolder, rows: readonly number[], norm: ImageStandardizer): Dataset {
  const per = f.shape[1] * f.shape[2] * f.shape[3];
  const x = new Float32Array(rows.length * per);
  rows.forEach((r, i) => {
    x.set(f.images.subarray(r * per, (r + 1) * per), i * per);
  });
  const y = Int32Array.from(rows, (r) => f.labels[r]!);
  return { x: norm.apply(x, [rows.length, f.shape[1], f.shape[2], f.shape[3]]), y, n: rows.length };
}

/**
 * Trains on an image folder. `config` takes the options of `nncoach train` (camelCase; unset = default) plus
 * the image options, e.g. `trainImages({ data: "digits_png", epochs: 15, widths: [16, 32] })`.
 */
export async function trainImages(
  config: ImageTrainConfig | (ResolvedConfig & ImageOptions),
  extra: { callbacks?: Callback[]; log?: (line: string) => void } = {},
): Promise<ImageTrainResult> {
  const img: ImageOptions = {};
  const rest: Record<string, unknown> = {};
  const isResolved = "sources" in config && "values" in config;
  for (const [k, v] of Object.entries(config)) {
    if ((IMAGE_KEYS as readonly string[]).includes(k)) (img as Record<string, unknown>)[k] = v;
    else if (v !== undefined) rest[k] = v;
  }
  checkImageOptions(img);
  const resolved = isResolved ? (config as ResolvedConfig) : resolveConfig(rest);
  const cfg = resolved.values;
  if (!cfg.data) throw new UserError("image training needs a data folder");
  const log = extra.log ?? (() => {});
  const notices: string[] = [];

  // ---- the pretrained model decides the input shape unless it is given
  let pretrained: GraphModel | undefined;
  let size = img.imageSize;
  let channels = img.channels;
  let pretrainedNorm: ImageStandardizer | undefined;
  if (cfg.pretrained) {
    pretrained = await loadPretrained(cfg.pretrained, cfg.data, size, channels);
    pretrainedNorm = await savedStandardizer(cfg.pretrained);
    const ms = pretrained.inputShape;
    if (ms.length !== 3 || (ms[0] !== 1 && ms[0] !== 3)) {
      const probe = await readImageFolder(cfg.data, { size, channels });
      throw new UserError(
        `the pretrained model ${cfg.pretrained} takes inputs ${shapeText(ms)}, but the images of ${cfg.data} are ${shapeText(probe.shape.slice(1))}`,
        "use a pretrained model made for images: input [N, channels, height, width] with 1 or 3 channels",
      );
    }
    const want: [number, number, number] = [ms[0]!, ms[1]!, ms[2]!];
    if ((size && (size[0] !== want[1] || size[1] !== want[2])) || (channels && channels !== want[0]))
      throw new UserError(
        `the pretrained model ${cfg.pretrained} takes inputs ${shapeText(want)}, but the images are set to ${shapeText([channels ?? want[0], ...(size ?? [want[1], want[2]])])}`,
        `leave the image size and channels unset (images are then resized to ${want[1]}x${want[2]} with ${want[0]} channel(s)) or set them to the model's`,
      );
    size = [want[1], want[2]];
    channels = want[0] as 1 | 3;
  }
  const folder = await readImageFolder(cfg.data, { size, channels });
  notices.push(...folder.warnings);
  const [, c, h, w] = folder.shape;
  const imageShape: [number, number, number] = [c, h, w];
  if (pretrained && folder.files.length > 0) {
    const first = decodeImage(await readFile(folder.files[0]!), folder.files[0]!);
    if (first.height !== h || first.width !== w)
      notices.push(
        `images resized from ${first.height}x${first.width} to ${h}x${w}, the pretrained model's input`,
      );
  }
  const classes = folder.classes;
  if (classes.length < 2)
    throw new UserError(
      `image folder '${cfg.data}' has ${classes.length} class; classification needs at least 2`,
    );

  // ---- split and standardize (statistics of the training images only)
  let trainRows: number[];
  let valFolder = folder;
  let valRows: number[];
  let sealed: ReturnType<typeof sealTest> | undefined;
  if (cfg.validationData) {
    valFolder = await readImageFolder(cfg.validationData, { size: [h, w], channels: c as 1 | 3 });
    notices.push(...valFolder.warnings);
    const unknown = valFolder.classes.filter((k) => !classes.includes(k));
    if (unknown.length)
      throw new UserError(
        `validation folder '${cfg.validationData}' has classes not in '${cfg.data}': ${unknown.join(", ")}`,
      );
    // labels of the validation folder in the training folder's class order
    const remap = valFolder.classes.map((k) => classes.indexOf(k));
    valFolder = { ...valFolder, labels: Int32Array.from(valFolder.labels, (l) => remap[l]!) };
    trainRows = [...folder.labels.keys()];
    valRows = [...valFolder.labels.keys()];
  } else {
    sealed = sealTest(stratifiedSplit(Array.from(folder.labels), undefined, cfg.seed));
    trainRows = sealed.train;
    valRows = sealed.val;
  }
  if (valRows.length === 0)
    throw new UserError("the validation set is empty", "add images or give --validation-data");
  // a model nncoach trained expects its own input standardization; other models get the data's
  let norm = ImageStandardizer.fit(folder.images, folder.shape, trainRows);
  if (pretrainedNorm && pretrainedNorm.mean.length === c) {
    norm = pretrainedNorm;
    notices.push(
      `images standardized with the pretrained model's statistics (mean ${norm.mean.map((v) => v.toFixed(3)).join(", ")}, std ${norm.std.map((v) => v.toFixed(3)).join(", ")})`,
    );
  }
  const train = subset(folder, trainRows, norm);
  const validation = subset(valFolder, valRows, norm);

  // ---- model
  let model: Model;
  let plan: TransferPlan | undefined;
  let frozen: string[] = [];
  let unfrozenAfterHead: string[] | undefined;
  if (pretrained) {
    const choice = parseHeadSpec(cfg.head ?? "auto");
    const keep = choice.cut === "keep";
    if (keep && cfg.fineTune)
      throw new UserError(
        "--fine-tune trains a new head first, but --head keep keeps the pretrained one",
        "drop --fine-tune to train the whole pretrained model, or let nncoach replace the head (--head auto)",
      );
    if (keep && pretrained.outputShape().join() !== String(classes.length))
      throw new UserError(
        `--head keep: the pretrained model outputs ${shapeText(pretrained.outputShape())} but the data has ${classes.length} classes`,
        "let nncoach replace the head (--head auto)",
      );
    plan = transfer(pretrained, {
      cut: keep || choice.cut === "auto" ? undefined : choice.cut,
      head: keep
        ? undefined
        : {
            outputs: classes.length,
            hidden: choice.hidden,
            dropout: cfg.dropout,
            activation: cfg.activation,
          },
      // "none" comes through the option table as null: set by the user, it means freeze nothing
      freeze: cfg.fineTune
        ? undefined
        : (cfg.freeze ?? (resolved.sources.freeze === "default" ? undefined : "none")),
    });
    model = plan.model;
    frozen = plan.frozen;
    if (cfg.fineTune) {
      frozen = plan.pretrainedLayers;
      unfrozenAfterHead = cfg.freeze ? selectLayers(model, cfg.freeze) : [];
      // (after the head phase only the layers named in --freeze stay frozen)
    }
    notices.push(...plan.notes);
  } else {
    const common = {
      inputShape: imageShape,
      outputs: classes.length,
      widths: img.widths,
      // batch norm unless set otherwise (the table's default "none" is the MLP's)
      norm:
        resolved.sources.norm !== "default" && cfg.norm !== "batch" ? ("none" as const) : ("batch" as const),
      activation: cfg.activation,
      dropout: cfg.dropout,
    };
    model =
      img.architecture === "residual"
        ? residualCnn({ ...common, blocksPerStage: img.depth })
        : cnn({ ...common, convsPerStage: img.depth });
  }

  const lrScales: Record<string, number> = {};
  if (plan && img.pretrainedLrScale !== undefined)
    for (const l of plan.pretrainedLayers) lrScales[l] = img.pretrainedLrScale;
  const loss = new SparseCrossEntropy({ labelSmoothing: cfg.labelSmoothing });
  const optimizer = () =>
    makeOptimizer(cfg.optimizer, { weightDecay: cfg.weightDecay, momentum: cfg.momentum });
  let trainer = new Trainer(model, loss, optimizer(), {
    seed: cfg.seed,
    threads: cfg.threads ?? undefined,
    clipNorm: cfg.clipNorm ?? undefined,
    clipValue: cfg.clipValue ?? undefined,
    frozen,
    lrScales,
  });
  await trainer.compile();

  const augment = img.augment;
  const fitPhase = async (t: Trainer, epochs: number, lr: number) => {
    const stepsPerEpoch = Math.ceil(train.n / Math.min(cfg.batchSize, train.n));
    const callbacks: Callback[] = [];
    if (cfg.earlyStopping !== false)
      callbacks.push(
        new EarlyStopping({ monitor: "val_loss", patience: cfg.earlyStopping, restoreBestWeights: true }),
      );
    callbacks.push(...(extra.callbacks ?? []));
    return fit(t, train, {
      epochs,
      batchSize: cfg.batchSize,
      lr,
      schedule: parseSchedule(cfg.schedule, lr, { epochs, stepsPerEpoch, higherIsBetter: false }),
      seed: cfg.seed,
      validation,
      callbacks,
      classes: classes.length,
      augment: augment
        ? (x, n, rng) => {
            x.set(augmentImages(x, [n, c, h, w], augment, rng));
          }
        : undefined,
    });
  };

  log(
    `training ${classes.length}-class image classifier on ${train.n} images ${shapeText(imageShape)}, validating on ${validation.n}` +
      `${sealed ? `, ${sealed.test.size} test images held out` : ""}; ${pretrained ? `pretrained ${cfg.pretrained}` : `${img.architecture ?? "cnn"} widths ${(img.widths ?? [32, 64, 128]).join(",")}`}` +
      `${frozen.length ? `, ${frozen.length} frozen layers` : ""}`,
  );
  const history: EpochLogs[] = [];
  let res: Awaited<ReturnType<typeof fitPhase>> | undefined;
  if (unfrozenAfterHead !== undefined) {
    const headEpochs = Math.min(img.headEpochs ?? Math.ceil(cfg.epochs / 2), cfg.epochs);
    const factor = img.fineTuneFactor ?? 10;
    const rest = cfg.epochs - headEpochs;
    notices.push(
      `fine-tuning: ${headEpochs} epoch(s) training the head alone, then ${rest} with ${unfrozenAfterHead.length ? `all but ${unfrozenAfterHead.length} layer(s)` : "every layer"} trainable at learning rate ${cfg.lr}/${factor}`,
    );
    if (headEpochs > 0) {
      res = await fitPhase(trainer, headEpochs, cfg.lr);
      history.push(...res.history);
    }
    if (rest > 0) {
      const next = await retrain(trainer, { frozen: unfrozenAfterHead, optimizer: optimizer() });
      await trainer.release();
      trainer = next;
      frozen = unfrozenAfterHead;
      const done = history.length;
      res = await fitPhase(trainer, rest, cfg.lr / factor);
      for (const h2 of res.history) history.push({ ...h2, epoch: h2.epoch + done });
    }
  } else {
    res = await fitPhase(trainer, cfg.epochs, cfg.lr);
    history.push(...res.history);
  }

  const summarize = async (d: Dataset): Promise<ImageEvalSummary> => {
    const ev = await evaluateDataset(trainer, d);
    return { loss: ev.loss, accuracy: accuracy(ev.output, d.y, d.n), samples: d.n };
  };
  const val = await summarize(validation);
  let test: ImageEvalSummary | undefined;
  if (sealed && sealed.test.size > 0)
    test = await summarize(
      subset(folder, sealed.test.unseal("final evaluation at the end of nncoach train"), norm),
    );
  let savedTo: string | undefined;
  if (cfg.save) {
    fs.mkdirSync(cfg.save, { recursive: true });
    await trainer.saveOnnx(path.join(cfg.save, "model.onnx"), {
      metadata: {
        task: "classification",
        classes: JSON.stringify(classes),
        input: "images",
        image_shape: JSON.stringify(imageShape),
        mean: JSON.stringify(norm.mean),
        std: JSON.stringify(norm.std),
      },
    });
    writeJsonAtomic(path.join(cfg.save, "preprocess.json"), {
      kind: "images",
      classes,
      imageShape,
      standardizer: norm.toJSON(),
    });
    writeResolvedConfig(cfg.save, cfg);
    savedTo = cfg.save;
  }
  return {
    classes,
    imageShape,
    epochsRun: history.length,
    trainSamplesPerSecond: res?.trainSamplesPerSecond ?? 0,
    history,
    stopReason: res?.stopReason,
    val,
    test,
    notices,
    savedTo,
    config: cfg,
    trainer,
    standardizer: norm,
    frozen,
    transfer: plan,
  };
}

function accuracy(output: ArrayLike<number>, y: ArrayLike<number>, n: number): number {
  const k = output.length / n;
  let right = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (output[i * k + j]! > output[i * k + best]!) best = j;
    if (best === y[i]) right++;
  }
  return right / n;
}

/** The input standardization saved in an nncoach model's metadata (mean and std per channel), if any. */
async function savedStandardizer(file: string): Promise<ImageStandardizer | undefined> {
  const meta = decodeModel(await readFile(file), file).metadata;
  const mean = meta.get("mean");
  const std = meta.get("std");
  if (meta.get("input") !== "images" || mean === undefined || std === undefined) return undefined;
  try {
    return ImageStandardizer.fromJSON({ mean: JSON.parse(mean), std: JSON.parse(std) });
  } catch {
    return undefined;
  }
}

/**
 * Loads a pretrained model; a model whose input height and width are not fixed in the file (exported with
 * dynamic axes) takes the image size and channels given, or else those of the folder's first image.
 */
async function loadPretrained(
  file: string,
  dir: string,
  size: [number, number] | undefined,
  channels: 1 | 3 | undefined,
): Promise<GraphModel> {
  try {
    return await loadOnnx(file);
  } catch (e) {
    if (!(e instanceof UserError) || !/no fixed size/.test(e.message)) throw e;
    const listing = await listClassFolder(
      dir,
      new Set([".png", ".jpg", ".jpeg"]),
      new Set(),
      "PNG or JPEG images",
    );
    const first = listing.files[0]!.file;
    const img = decodeImage(await readFile(first), first);
    const model = await loadOnnx(file, {
      inputShape: [channels ?? img.channels, ...(size ?? [img.height, img.width])],
    });
    return model;
  }
}
