/**
 * The cache of a decoded image folder: ONE file holding every image as 8-bit pixels (N x H x W x C), the
 * labels, classes and file names, so that a later run reads one file instead of decoding tens of thousands.
 *
 * It lives next to the data, `<folder>/.nncoach-cache/images-<size>-<channels>.bin` (a hidden folder, which
 * the class-folder listing ignores); when the data folder cannot be written to (read-only, another
 * owner's), in the user cache folder instead ($NNCOACH_CACHE_DIR, else $XDG_CACHE_HOME/nncoach, else
 * ~/.cache/nncoach), under a hash of the folder's absolute path, and the load says so.
 *
 * A cache file is used only when its key matches the folder now: a hash of the listing (each file's path,
 * class, size and modification time) and the read options, so a changed, added or removed file rebuilds it.
 * The file is checked before it is believed: magic bytes, format version, the header's JSON, the exact
 * length the header implies and a hash of the pixels; a damaged or truncated file is rebuilt, never
 * trusted. It is written atomically (writeFileAtomic), so an interrupted run leaves the old file or none.
 *
 * Layout: "NNCIMG01" | header length (uint32 LE) | header JSON | labels (int32 LE, N) | pixels (uint8).
 */
import { createHash } from "node:crypto";
import { closeSync, fstatSync, mkdirSync, openSync, readSync } from "node:fs";
import { stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join, relative, resolve } from "node:path";
import { writeFileAtomic } from "../../util/atomic-write.js";

const MAGIC = "NNCIMG01";
const VERSION = 1;
const CACHE_FOLDER = ".nncoach-cache";

/** What a cache file holds (the header, plus the arrays). */
export interface CachedFolder {
  /** [N, C, H, W]. */
  shape: [number, number, number, number];
  classes: string[];
  /** Files of the images kept, relative to the folder. */
  files: string[];
  /** Warnings of the decode (skipped files). */
  warnings: string[];
  labels: Int32Array;
  /** N x H x W x C. */
  pixels: Uint8Array;
}

interface Header {
  version: number;
  key: string;
  shape: [number, number, number, number];
  classes: string[];
  files: string[];
  warnings: string[];
  pixelBytes: number;
  pixelHash: string;
}

/** The key of a folder's listing: paths, classes, sizes and modification times of the files, and `options`. */
export async function listingKey(
  dir: string,
  files: readonly { file: string; label: number }[],
  options: string,
): Promise<string> {
  const h = createHash("sha256");
  h.update(`${options}\n`);
  const BATCH = 64;
  for (let i = 0; i < files.length; i += BATCH) {
    const part = files.slice(i, i + BATCH);
    const stats = await Promise.all(part.map((f) => stat(f.file)));
    part.forEach((f, k) => {
      h.update(`${relative(dir, f.file)}\u001f${f.label}\u001f${stats[k]!.size}\u001f${stats[k]!.mtimeMs}\n`);
    });
  }
  return h.digest("hex");
}

/** The cache file name for these read options. */
export function cacheName(
  size: [number, number] | undefined,
  channels: 1 | 3 | undefined,
  skip: boolean,
): string {
  return `images-${size ? `${size[0]}x${size[1]}` : "own"}-${channels ?? "own"}${skip ? "-skip" : ""}.bin`;
}

/** Where a folder's cache file is looked for: next to the data, then in the user cache folder. */
export function cachePlaces(dir: string, name: string): { local: string; user: string } {
  const root =
    process.env.NNCOACH_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "nncoach");
  const tag = createHash("sha256").update(resolve(dir)).digest("hex").slice(0, 16);
  return { local: join(dir, CACHE_FOLDER, name), user: join(root, "images", tag, name) };
}

/**
 * Reads a cache file. Returns the folder when the file is whole and its key is `key`; otherwise why not
 * ("missing", "stale": made for other files or options, or a description of the damage).
 */
export function readCache(file: string, key: string): CachedFolder | { problem: string } {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return { problem: "missing" };
  }
  try {
    return readOpen(fd, key);
  } catch (e) {
    return { problem: `unreadable (${(e as Error).message})` };
  } finally {
    closeSync(fd);
  }
}

function readOpen(fd: number, key: string): CachedFolder | { problem: string } {
  const size = fstatSync(fd).size;
  const head = Buffer.alloc(12);
  if (readSync(fd, head, 0, 12, 0) !== 12 || head.toString("latin1", 0, 8) !== MAGIC)
    return { problem: "not an nncoach image cache (bad magic bytes)" };
  const headerBytes = head.readUInt32LE(8);
  if (headerBytes > size - 12) return { problem: "truncated (header)" };
  const hb = Buffer.alloc(headerBytes);
  readFully(fd, hb, 12);
  let header: Header;
  try {
    header = JSON.parse(hb.toString("utf8")) as Header;
  } catch {
    return { problem: "damaged header" };
  }
  if (header.version !== VERSION) return { problem: "stale" };
  if (header.key !== key) return { problem: "stale" };
  const [n, c, h, w] = header.shape;
  if (header.pixelBytes !== n * c * h * w || header.files.length !== n) return { problem: "damaged header" };
  const expected = 12 + headerBytes + 4 * n + header.pixelBytes;
  if (size !== expected)
    return { problem: `truncated or padded (${size} bytes, the header says ${expected})` };
  const labels = new Int32Array(n);
  readFully(fd, new Uint8Array(labels.buffer), 12 + headerBytes);
  const pixels = new Uint8Array(header.pixelBytes);
  readFully(fd, pixels, 12 + headerBytes + 4 * n);
  if (pixelHash(labels, pixels) !== header.pixelHash) return { problem: "damaged pixels (hash mismatch)" };
  if (labels.some((l) => l < 0 || l >= header.classes.length)) return { problem: "damaged labels" };
  return {
    shape: header.shape,
    classes: header.classes,
    files: header.files,
    warnings: header.warnings,
    labels,
    pixels,
  };
}

/** Writes a cache file atomically (its folder is created). Throws when it cannot be written. */
export function writeCache(file: string, key: string, folder: CachedFolder): void {
  const header: Header = {
    version: VERSION,
    key,
    shape: folder.shape,
    classes: folder.classes,
    files: folder.files,
    warnings: folder.warnings,
    pixelBytes: folder.pixels.length,
    pixelHash: pixelHash(folder.labels, folder.pixels),
  };
  const hb = Buffer.from(JSON.stringify(header), "utf8");
  const head = Buffer.alloc(12);
  head.write(MAGIC, 0, "latin1");
  head.writeUInt32LE(hb.length, 8);
  mkdirSync(join(file, ".."), { recursive: true });
  const labels = new Uint8Array(folder.labels.buffer, folder.labels.byteOffset, folder.labels.byteLength);
  writeFileAtomic(file, [head, hb, labels, folder.pixels]);
}

function pixelHash(labels: Int32Array, pixels: Uint8Array): string {
  return createHash("sha256")
    .update(new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength))
    .update(pixels)
    .digest("hex");
}

function readFully(fd: number, into: Uint8Array, position: number): void {
  let done = 0;
  while (done < into.length) {
    const n = readSync(fd, into, done, Math.min(into.length - done, 1 << 30), position + done);
    if (n === 0) throw new Error("unexpected end of file");
    done += n;
  }
}
