import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { UserError } from "../../errors.js";
import { listClassFolder } from "../class-folder.js";
import { type DecodedImage, decodeImage } from "./decode-image.js";
import { decodeFiles } from "./decode-pool.js";
import { cacheName, cachePlaces, listingKey, readCache, writeCache } from "./image-cache.js";
import { pixelsToFloat, toPixels } from "./pixels.js";

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
  /**
   * Keep the decoded folder in a cache file and read it from there when the folder has not changed (see
   * image-cache.ts). Default: as the environment variable NNCOACH_IMAGE_CACHE says ("on", "off"), else for
   * folders of CACHE_FROM_FILES images or more.
   */
  cache?: boolean;
  /** Decoding threads (see decode-pool.ts); default one per core for big folders. */
  workers?: number;
  /** Called as files are decoded: files done, files in all. */
  onProgress?: (done: number, total: number) => void;
}

/** Images of a folder, as a batch a CNN can take. */
export interface ImageFolder {
  /**
   * N x H x W x C 8-bit pixels (NHWC): how the folder is kept in memory and in its cache file. The training
   * path turns the rows it needs into floats (pixelsToFloat) without a float copy of the whole folder.
   */
  pixels: Uint8Array;
  /**
   * N x C x H x W pixel values in [0, 1], row-major (NCHW): made from `pixels` on first use and kept (4x
   * their memory), for code that wants the whole folder as floats.
   */
  readonly images: Float32Array;
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
  /** What the cache did, when one was used: read, written (and where, when not next to the data), rebuilt. */
  notes: string[];
}

const IMAGE_EXTENSIONS = new Set([".png", ".jpg", ".jpeg"]);
const OTHER_IMAGE_EXTENSIONS = new Set([".gif", ".bmp", ".webp", ".tif", ".tiff", ".heic", ".avif"]);

/** Folders with at least this many images are cached by default (see ImageReadOptions.cache). */
export const CACHE_FROM_FILES = 4000;

/**
 * Reads an image classification folder: one subfolder per class (`dir/<class>/*.png|jpg`), PNG and JPEG
 * decoded (on worker threads for big folders, see decode-pool.ts), converted to the channels and resized
 * to `size`, kept as 8-bit pixels (`pixels`, NHWC; `images` gives NCHW floats in [0, 1]). Classes are the
 * subfolder names in natural order; files within a class are in natural order too. Hidden files are
 * ignored; other image formats, stray top-level files and empty class folders are reported in `warnings`.
 * Big folders are cached as one file (image-cache.ts): a later read of the unchanged folder reads that file
 * instead of decoding.
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
  const env = process.env.NNCOACH_IMAGE_CACHE;
  const useCache =
    opts.cache ?? (env === "on" ? true : env === "off" ? false : listed.length >= CACHE_FROM_FILES);
  const notes: string[] = [];
  let key = "";
  let places: { local: string; user: string } | undefined;
  if (useCache) {
    const name = cacheName(opts.size, opts.channels, !!opts.skipCorrupt);
    key = await listingKey(dir, listed, `${name}\u001f${classes.join("\u001f")}`);
    places = cachePlaces(dir, name);
    for (const place of [places.local, places.user]) {
      const c = readCache(place, key);
      if ("problem" in c) {
        if (c.problem !== "missing" && c.problem !== "stale")
          notes.push(`image cache ${place} is ${c.problem}: rebuilt from the images`);
        continue;
      }
      notes.push(`read ${c.shape[0]} decoded images from the cache ${place}`);
      return folderOf(
        c.pixels,
        c.shape,
        c.labels,
        c.classes,
        c.files.map((f) => join(dir, f)),
        [...warnings, ...c.warnings],
        notes,
      );
    }
  }

  // the output size and channels: the options', else the first decodable image's
  let size = opts.size;
  let channels = opts.channels;
  let firstFile = "";
  if (!size || !channels) {
    for (const { file } of listed) {
      let d: DecodedImage;
      try {
        d = decodeImage(await readFile(file), file);
      } catch {
        continue;
      }
      firstFile = file;
      size ??= [d.height, d.width];
      channels ??= d.channels;
      break;
    }
  }
  const decodeWarnings: string[] = [];
  // nothing decodes: every file fails below (an error, or with skipCorrupt "every image was skipped")
  size ??= [1, 1];
  channels ??= 1;
  const [h, w] = size!;
  const c = channels!;
  const per = c * h * w;
  const { pixels: all, outcomes } = await decodeFiles(
    listed.map((l) => l.file),
    c,
    h,
    w,
    { workers: opts.workers, onProgress: opts.onProgress },
  );
  const keep: number[] = [];
  for (let i = 0; i < listed.length; i++) {
    const o = outcomes[i]!;
    const file = listed[i]!.file;
    let problem: UserError | undefined;
    if ("error" in o) problem = new UserError(o.error, o.hint);
    else if (opts.channels === undefined && o.channels !== c) {
      problem = new UserError(
        `${file}: has ${o.channels} channel(s) but earlier images have ${c} (e.g. ${firstFile})`,
        "give --channels 1 or 3 (channels: in the library) to convert every image, or remove the odd one",
      );
    } else if (!opts.size && (o.height !== h || o.width !== w)) {
      problem = new UserError(
        `${file}: is ${o.width}x${o.height} pixels but earlier images are ${w}x${h} (e.g. ${firstFile})`,
        `give --image-size ${h},${w} (height,width; size: in the library) to resize every image to one size, or remove the odd one`,
      );
    }
    if (problem !== undefined) {
      if (!opts.skipCorrupt) throw problem;
      decodeWarnings.push(`skipped ${problem.message.split("\n")[0]}`);
      continue;
    }
    keep.push(i);
  }
  warnings.push(...decodeWarnings);
  if (keep.length === 0)
    throw new UserError(`image folder '${dir}': every image was skipped`, warnings.slice(0, 3).join("; "));
  let pixels = all;
  if (keep.length < listed.length) {
    pixels = new Uint8Array(keep.length * per);
    keep.forEach((i, n) => {
      pixels.set(all.subarray(i * per, (i + 1) * per), n * per);
    });
  }
  const labels = Int32Array.from(keep, (i) => listed[i]!.label);
  const files = keep.map((i) => listed[i]!.file);
  const shape: [number, number, number, number] = [keep.length, c, h, w];
  if (places) {
    const cached = {
      shape,
      classes,
      files: files.map((f) => relative(dir, f)),
      warnings: decodeWarnings,
      labels,
      pixels,
    };
    try {
      writeCache(places.local, key, cached);
    } catch {
      try {
        writeCache(places.user, key, cached);
        notes.push(`the folder '${dir}' cannot be written to: its image cache is in ${places.user} instead`);
      } catch (e) {
        notes.push(`could not write the image cache (${(e as Error).message}); the next run decodes again`);
      }
    }
  }
  return folderOf(pixels, shape, labels, classes, files, warnings, notes);
}

/** An ImageFolder over `pixels`, with `images` made on first use. */
function folderOf(
  pixels: Uint8Array,
  shape: [number, number, number, number],
  labels: Int32Array,
  classes: string[],
  files: string[],
  warnings: string[],
  notes: string[],
): ImageFolder {
  let images: Float32Array | undefined;
  return {
    pixels,
    get images() {
      images ??= pixelsToFloat(pixels, shape, null);
      return images;
    },
    shape,
    labels,
    classes,
    files,
    warnings,
    notes,
  };
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
  const [h, w] = opts.size;
  const px = toPixels(decodeImage(bytes, path), opts.channels, h, w);
  return pixelsToFloat(px, [1, opts.channels, h, w], null);
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
