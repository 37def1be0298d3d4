import { readFile } from "node:fs/promises";
import { UserError } from "../../errors.js";
import { listClassFolder } from "../class-folder.js";
import { type DecodedImage, decodeImage } from "./decode-image.js";
import { resizeBilinear } from "./resize.js";

/** Options of readImageFolder and readImageFile. */
export interface ImageReadOptions {
  /**
   * Output [height, width]; every image is resized to it (bilinear). Default: the size of the images, when
   * they all have one; images of different sizes are then an error naming two of them (or, with
   * skipCorrupt, those unlike the first are skipped with a warning), since the first file's size would be
   * an arbitrary choice.
   */
  size?: [number, number];
  /**
   * Output channels: 1 (grayscale; color is converted with luma weights 0.299/0.587/0.114) or 3 (RGB;
   * grayscale is replicated). Default: the first image's channel count, and then an image with another
   * count is an error (or, with skipCorrupt, skipped with a warning).
   */
  channels?: 1 | 3;
  /** Skip unreadable (and, without `channels`, wrong-channel) images with a warning instead of failing. */
  skipCorrupt?: boolean;
}

/** Images of a folder, as a batch a CNN can take. */
export interface ImageFolder {
  /** N x C x H x W pixel values in [0, 1], row-major (NCHW). */
  images: Float32Array;
  /** [N, C, H, W]. */
  shape: [number, number, number, number];
  /** Class index of each image (into `classes`). */
  labels: Int32Array;
  /** Class names: the subfolder names, in natural order. */
  classes: string[];
  /** The file of each image. */
  files: string[];
  /** Files skipped and why (corrupt, unsupported format, empty class folders). */
  warnings: string[];
}

const IMAGE_EXTENSIONS = new Set([".png", ".jpg", ".jpeg"]);
const OTHER_IMAGE_EXTENSIONS = new Set([".gif", ".bmp", ".webp", ".tif", ".tiff", ".heic", ".avif"]);

/**
 * Reads an image classification folder: one subfolder per class (`dir/<class>/*.png|jpg`), PNG and JPEG
 * decoded, resized to `size`, scaled to [0, 1] and stacked as NCHW. Classes are the subfolder names in
 * natural order; files within a class are in natural order too. Hidden files are ignored; other image
 * formats, stray top-level files and empty class folders are reported in `warnings`.
 *
 * Errors (UserError): no such folder, no class subfolders, an empty class folder, no images, a file that
 * cannot be decoded, or (without `channels` / `size`) has another channel count or size than the first
 * image (naming both files; with skipCorrupt these become warnings).
 *
 * Example: `const { images, shape, labels, classes } = await readImageFolder("digits_png", { size: [8, 8] });`
 */
export async function readImageFolder(dir: string, opts: ImageReadOptions = {}): Promise<ImageFolder> {
  checkOptions(opts);
  const {
    classes,
    files: listed,
    warnings,
  } = await listClassFolder(dir, IMAGE_EXTENSIONS, OTHER_IMAGE_EXTENSIONS, "PNG or JPEG images");

  // Decode with a little concurrency; results keep the listed order.
  const decoded: (DecodedImage | Error)[] = new Array(listed.length);
  const BATCH = 16;
  for (let i = 0; i < listed.length; i += BATCH) {
    await Promise.all(
      listed.slice(i, i + BATCH).map(async ({ file }, k) => {
        try {
          decoded[i + k] = decodeImage(await readFile(file), file);
        } catch (e) {
          if (!(e instanceof UserError)) throw e;
          decoded[i + k] = e;
        }
      }),
    );
  }

  let size = opts.size;
  let channels = opts.channels;
  let firstFile = "";
  const keep: number[] = [];
  for (let i = 0; i < listed.length; i++) {
    const d = decoded[i]!;
    const file = listed[i]!.file;
    let problem: UserError | undefined;
    if (d instanceof UserError) problem = d;
    else {
      const d1 = d as DecodedImage;
      if (!firstFile) firstFile = file;
      const own = !size;
      size ??= [d1.height, d1.width];
      channels ??= d1.channels;
      if (opts.channels === undefined && d1.channels !== channels) {
        problem = new UserError(
          `${file}: has ${d1.channels} channel(s) but earlier images have ${channels} (e.g. ${firstFile})`,
          "give --channels 1 or 3 (channels: in the library) to convert every image, or remove the odd one",
        );
      } else if (!opts.size && !own && (d1.height !== size[0] || d1.width !== size[1])) {
        problem = new UserError(
          `${file}: is ${d1.width}x${d1.height} pixels but earlier images are ${size[1]}x${size[0]} (e.g. ${firstFile})`,
          `give --image-size ${size[0]},${size[1]} (height,width; size: in the library) to resize every image to one size, or remove the odd one`,
        );
      }
    }
    if (problem !== undefined) {
      if (!opts.skipCorrupt) throw problem;
      warnings.push(`skipped ${problem.message.split("\n")[0]}`);
      continue;
    }
    keep.push(i);
  }
  if (keep.length === 0)
    throw new UserError(`image folder '${dir}': every image was skipped`, warnings.slice(0, 3).join("; "));
  const [h, w] = size!;
  const c = channels!;
  const per = c * h * w;
  const images = new Float32Array(keep.length * per);
  const labels = new Int32Array(keep.length);
  const files: string[] = [];
  keep.forEach((i, n) => {
    images.set(toTensor(decoded[i] as DecodedImage, c, h, w), n * per);
    labels[n] = listed[i]!.label;
    files.push(listed[i]!.file);
  });
  return { images, shape: [keep.length, c, h, w], labels, classes, files, warnings };
}

/**
 * Reads one PNG or JPEG as a C x H x W array in [0, 1] (for prediction), converted to `channels` and
 * resized to `size` (both required here, as the model expects them).
 */
export async function readImageFile(
  path: string,
  opts: { size: [number, number]; channels: 1 | 3 },
): Promise<Float32Array> {
  checkOptions(opts);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    throw new UserError(`cannot read image '${path}': no such file`);
  }
  return toTensor(decodeImage(bytes, path), opts.channels, opts.size[0], opts.size[1]);
}

function checkOptions(opts: ImageReadOptions): void {
  if (opts.size !== undefined) {
    const s = opts.size;
    if (!Array.isArray(s) || s.length !== 2 || !s.every((v) => Number.isInteger(v) && v >= 1)) {
      throw new UserError(`size must be [height, width] with positive integers; got ${JSON.stringify(s)}`);
    }
  }
  if (opts.channels !== undefined && opts.channels !== 1 && opts.channels !== 3) {
    throw new UserError(`channels must be 1 or 3; got ${JSON.stringify(opts.channels)}`);
  }
}

/** RGBA bytes -> C x H x W floats in [0, 1] at the requested size and channel count (alpha is dropped). */
function toTensor(d: DecodedImage, channels: 1 | 3, h: number, w: number): Float32Array {
  const n = d.width * d.height;
  const chw = new Float32Array(channels * n);
  const px = d.rgba;
  if (channels === 1) {
    for (let i = 0; i < n; i++) {
      const r = px[4 * i]!;
      chw[i] =
        d.channels === 1 ? r / 255 : (0.299 * r + 0.587 * px[4 * i + 1]! + 0.114 * px[4 * i + 2]!) / 255;
    }
  } else {
    for (let i = 0; i < n; i++) {
      chw[i] = px[4 * i]! / 255;
      chw[n + i] = px[4 * i + 1]! / 255;
      chw[2 * n + i] = px[4 * i + 2]! / 255;
    }
  }
  return resizeBilinear(chw, channels, d.height, d.width, h, w);
}
