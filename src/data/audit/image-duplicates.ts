import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { decodeImage } from "../image/decode-image.js";
import type { ImageFolder } from "../image/image-folder.js";
import type { SplitName } from "./audit-data.js";

/** An image file to compare, with the split and class it belongs to when known. */
export interface ImageRef {
  path: string;
  split?: SplitName;
  label?: string;
}

/** Image files with the same content. */
export interface ImageDuplicateGroup {
  /** Every file involved, in input order. */
  files: ImageRef[];
  /** SHA-256 (hex) of the content compared. */
  hash: string;
  /** "pixels": decoded size and RGBA pixels (PNG, JPEG); "bytes": the file bytes (other formats). */
  by: "pixels" | "bytes";
  /** True when the files are in more than one split. */
  cross_split: boolean;
  /** True when all files have the same label (or none has one). */
  same_label: boolean;
}

/**
 * A content hash of an image file: for PNG and JPEG, SHA-256 of the decoded width, height and RGBA pixels
 * (so the same picture saved twice, or as grayscale and as gray RGB, matches even when the files differ);
 * for anything that does not decode, SHA-256 of the file bytes.
 */
export async function imageContentHash(path: string): Promise<{ hash: string; by: "pixels" | "bytes" }> {
  const bytes = new Uint8Array(await readFile(path));
  try {
    const image = decodeImage(bytes, path);
    const hash = createHash("sha256")
      .update(`${image.width}x${image.height}:`)
      .update(image.rgba)
      .digest("hex");
    return { hash, by: "pixels" };
  } catch {
    return { hash: createHash("sha256").update(bytes).digest("hex"), by: "bytes" };
  }
}

/**
 * The content hash of each image of a folder as read for training (readImageFolder, from its cache when it
 * has one): SHA-256 of the size and channels and the image's 8-bit pixels, by file path. Nothing is decoded.
 */
export function folderPixelHashes(folder: ImageFolder): Map<string, { hash: string; by: "pixels" }> {
  const [n, channels, height, width] = folder.shape;
  const per = channels * height * width;
  const out = new Map<string, { hash: string; by: "pixels" }>();
  for (let i = 0; i < n; i++) {
    const hash = createHash("sha256")
      .update(`${width}x${height}x${channels}:`)
      .update(folder.pixels.subarray(i * per, (i + 1) * per))
      .digest("hex");
    out.set(folder.files[i]!, { hash, by: "pixels" });
  }
  return out;
}

/**
 * Groups image files whose content is identical (see imageContentHash; `known`: hashes already made, e.g.
 * by folderPixelHashes, by path — those files are not read). Groups spanning splits come first,
 * then groups whose files carry different labels.
 *
 * @param files paths, or `{ path, split, label }` to know which groups cross splits or disagree on labels
 * @example
 *   const groups = await findDuplicateImages(["a/1.png", "b/1.png", "b/2.png"]);
 *   groups[0]?.files.map((f) => f.path); // ["a/1.png", "b/1.png"] when those two hold the same pixels
 */
export async function findDuplicateImages(
  files: readonly (string | ImageRef)[],
  known: ReadonlyMap<string, { hash: string; by: "pixels" | "bytes" }> = new Map(),
): Promise<ImageDuplicateGroup[]> {
  const refs = files.map((f) => (typeof f === "string" ? { path: f } : f));
  const byHash = new Map<string, { by: "pixels" | "bytes"; files: ImageRef[] }>();
  for (const ref of refs) {
    const { hash, by } = known.get(ref.path) ?? (await imageContentHash(ref.path));
    const group = byHash.get(hash);
    if (group) group.files.push(ref);
    else byHash.set(hash, { by, files: [ref] });
  }
  const groups: ImageDuplicateGroup[] = [];
  for (const [hash, { by, files: members }] of byHash) {
    if (members.length < 2) continue;
    const splits = new Set(members.map((m) => m.split));
    groups.push({
      files: members,
      hash,
      by,
      cross_split: splits.size > 1,
      same_label: members.every((m) => m.label === members[0]!.label),
    });
  }
  return groups.sort(
    (a, b) => Number(b.cross_split) - Number(a.cross_split) || Number(a.same_label) - Number(b.same_label),
  );
}
