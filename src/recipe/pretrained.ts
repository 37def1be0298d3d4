/**
 * A pretrained ONNX model for transfer learning: loaded as a trainable GraphModel, its input shape
 * deciding how images are read (a model exported with dynamic height and width takes the first image's
 * size), and the input standardization saved in an nncoach model's metadata.
 */
import { readFile } from "node:fs/promises";
import { listClassFolder } from "../data/class-folder.js";
import { decodeImage } from "../data/image/decode-image.js";
import { ImageStandardizer } from "../data/image/image-standardizer.js";
import { decodeModel } from "../engine/onnx/decode.js";
import { UserError } from "../errors.js";
import type { GraphModel } from "../nn/graph-model.js";
import { loadOnnx } from "../nn/onnx-import.js";

const shapeText = (s: readonly number[]) => `[N, ${s.join(", ")}]`;

/** The input standardization saved in an nncoach model's metadata (mean and std per channel), if any. */
export async function savedStandardizer(file: string): Promise<ImageStandardizer | undefined> {
  const meta = decodeModel(await readFile(file), file).metadata;
  const mean = meta.get("mean");
  const std = meta.get("std");
  if (mean === undefined || std === undefined) return undefined;
  try {
    return ImageStandardizer.fromJSON({ mean: JSON.parse(mean), std: JSON.parse(std) });
  } catch {
    return undefined;
  }
}

/**
 * Loads the pretrained model for a class folder and returns it with the image size and channels it takes;
 * refuses a model that does not take [N, C, H, W] inputs, or a size/channels setting that contradicts it.
 */
export async function loadPretrainedFor(
  file: string,
  dir: string,
  size: [number, number] | undefined,
  channels: 1 | 3 | undefined,
): Promise<{ model: GraphModel; size: [number, number]; channels: 1 | 3 }> {
  let model: GraphModel;
  try {
    model = await loadOnnx(file);
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
    model = await loadOnnx(file, {
      inputShape: [channels ?? img.channels, ...(size ?? [img.height, img.width])],
    });
  }
  const ms = model.inputShape;
  if (ms.length !== 3 || (ms[0] !== 1 && ms[0] !== 3))
    throw new UserError(
      `the pretrained model ${file} takes inputs ${shapeText(ms)}, not images`,
      "use a pretrained model made for images: input [N, channels, height, width] with 1 or 3 channels",
    );
  const want: [number, number, number] = [ms[0]!, ms[1]!, ms[2]!];
  if ((size && (size[0] !== want[1] || size[1] !== want[2])) || (channels && channels !== want[0]))
    throw new UserError(
      `the pretrained model ${file} takes inputs ${shapeText(want)}, but the images are set to ${shapeText([channels ?? want[0], ...(size ?? [want[1], want[2]])])}`,
      `leave --image-size and --channels unset (images are then resized to ${want[1]}x${want[2]} with ${want[0]} channel(s)) or set them to the model's`,
    );
  return { model, size: [want[1], want[2]], channels: want[0] as 1 | 3 };
}
