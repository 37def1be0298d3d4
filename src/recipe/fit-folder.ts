/**
 * Preparation of image and audio folders: per-channel standardization fitted on the training examples
 * (images: pixel values; audio: log-mel values), or the pretrained model's own statistics when it was
 * trained by nncoach; rows turned into Datasets.
 */
import { ImageStandardizer } from "../data/image/image-standardizer.js";
import { PIXEL_VALUE } from "../data/image/pixels.js";
import { UserError } from "../errors.js";
import type { TrainConfig } from "../train/config-options.js";
import type { Dataset } from "../train/fit.js";
import type { LoadedData } from "./load-data.js";

export type FolderData = Extract<LoadedData, { kind: "images" | "audio" }>;

/** The arrays of a folder; images keep 8-bit `pixels` (NHWC), audio float `x` (NCHW). */
export function folderArrays(d: FolderData): {
  x?: Float32Array;
  pixels?: Uint8Array;
  shape: [number, number, number, number];
  labels: Int32Array;
  classes: string[];
} {
  return d.kind === "images"
    ? { pixels: d.folder.pixels, shape: d.folder.shape, labels: d.folder.labels, classes: d.folder.classes }
    : { x: d.folder.spectrograms, shape: d.folder.shape, labels: d.folder.labels, classes: d.folder.classes };
}

export interface FittedFolder {
  inputShape: number[];
  classes: string[];
  classCounts: number[];
  standardizer: ImageStandardizer;
  notices: string[];
  dataset(d: FolderData, rows: readonly number[], weighted?: boolean): Dataset;
}

/** Labels of another folder (validation, test) mapped to the training folder's class order. */
function remap(d: FolderData, classes: string[]): Int32Array {
  const own = folderArrays(d);
  const unknown = own.classes.filter((k) => !classes.includes(k));
  if (unknown.length)
    throw new UserError(
      `${d.source} has classes that the training data does not: ${unknown.join(", ")}`,
      `training classes: ${classes.join(", ")}`,
    );
  const map = own.classes.map((k) => classes.indexOf(k));
  return Int32Array.from(own.labels, (l) => map[l]!);
}

export function fitFolder(
  d: FolderData,
  trainRows: readonly number[],
  cfg: TrainConfig,
  weightsFor: (counts: number[]) => number[] | undefined,
  pretrainedNorm?: ImageStandardizer,
): FittedFolder {
  const { x, pixels, shape, labels, classes } = folderArrays(d);
  if (classes.length < 2)
    throw new UserError(
      `${d.source} has ${classes.length} class folder; classification needs at least 2`,
      "add a subfolder per class",
    );
  const notices: string[] = [];
  let norm: ImageStandardizer;
  if (pretrainedNorm && pretrainedNorm.mean.length === shape[1]) {
    norm = pretrainedNorm;
    notices.push(
      `inputs standardized with the pretrained model's statistics (mean ${norm.mean.map((v) => v.toFixed(3)).join(", ")}, std ${norm.std.map((v) => v.toFixed(3)).join(", ")})`,
    );
  } else if (cfg.standardize === "none")
    norm = ImageStandardizer.fromJSON({ mean: Array(shape[1]).fill(0), std: Array(shape[1]).fill(1) });
  else if (cfg.standardize === "minmax") {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    const per = shape[1] * shape[2] * shape[3];
    const value = pixels ? (i: number) => PIXEL_VALUE[pixels[i]!]! : (i: number) => x![i]!;
    for (const r of trainRows)
      for (let i = r * per; i < (r + 1) * per; i++) {
        const v = value(i);
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    norm = ImageStandardizer.fromJSON({
      mean: Array(shape[1]).fill(lo),
      std: Array(shape[1]).fill(hi - lo || 1),
    });
  } else
    norm = pixels
      ? ImageStandardizer.fitPixels(pixels, shape, trainRows)
      : ImageStandardizer.fit(x!, shape, trainRows);
  const counts = new Array(classes.length).fill(0);
  for (const r of trainRows) counts[labels[r]!]++;
  const weights = weightsFor(counts);
  const per = shape[1] * shape[2] * shape[3];
  return {
    inputShape: shape.slice(1),
    classes,
    classCounts: counts,
    standardizer: norm,
    notices,
    dataset(src, rows, weighted) {
      const a = folderArrays(src);
      if (a.shape[1] !== shape[1] || a.shape[2] !== shape[2] || a.shape[3] !== shape[3])
        throw new UserError(
          `${src.source}: examples are [${a.shape.slice(1).join(", ")}], the training data's are [${shape.slice(1).join(", ")}]`,
        );
      const lab = src === d ? labels : remap(src, classes);
      // 8-bit images become standardized floats here, only the rows asked for; audio is copied, then
      // standardized
      let features: Float32Array;
      if (a.pixels) features = norm.applyPixels(a.pixels, a.shape, rows);
      else {
        const out = new Float32Array(rows.length * per);
        for (let i = 0; i < rows.length; i++)
          out.set(a.x!.subarray(rows[i]! * per, (rows[i]! + 1) * per), i * per);
        features = norm.apply(out, [rows.length, shape[1], shape[2], shape[3]]);
      }
      const y = Int32Array.from(rows, (r) => lab[r]!);
      const ds: Dataset = { x: features, y, n: rows.length };
      if (weighted && weights) ds.weight = Float32Array.from(y, (c) => weights[c]!);
      return ds;
    },
  };
}
