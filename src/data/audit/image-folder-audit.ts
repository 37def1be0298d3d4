import { readdir, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { UserError } from "../../errors.js";
import { type ImageFolder, readImageFolder } from "../image/image-folder.js";
import { naturalCompare } from "../natural-order.js";
import { DEFAULT_FRACTIONS, stratifiedSplit } from "../split.js";
import type { SplitName } from "./audit-data.js";
import { collectFindings } from "./audit-findings.js";
import type { AuditReport } from "./audit-report.js";
import { summarizeDuplicates } from "./duplicate-summary.js";
import type { DuplicateGroup } from "./duplicates.js";
import { findDuplicateImages, folderPixelHashes } from "./image-duplicates.js";
import { classImbalance } from "./imbalance.js";
import { skippedLabelCheck } from "./label-issues.js";

/** One image of a class folder. */
export interface LabeledImage {
  path: string;
  /** The class: the name of the subfolder. */
  label: string;
}

const IMAGE_EXTENSIONS = new Set([".png", ".jpg", ".jpeg"]);

/**
 * The images of a classification folder (`dir/<class>/*.png|jpg|jpeg`), classes and files in natural
 * order and hidden files ignored, as readImageFolder orders them (so index i here is image i there).
 * @throws UserError when `dir` is not a folder or holds no class subfolder with images.
 */
export async function listImageFolder(dir: string): Promise<LabeledImage[]> {
  let entries: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error("not a folder");
    entries = await readdir(dir);
  } catch {
    throw new UserError(`cannot read image folder '${dir}': no such folder`);
  }
  const images: LabeledImage[] = [];
  for (const name of entries.filter((e) => !e.startsWith(".")).sort(naturalCompare)) {
    const classDir = join(dir, name);
    if (!(await stat(classDir)).isDirectory()) continue;
    const files = (await readdir(classDir)).filter((f) => !f.startsWith(".")).sort(naturalCompare);
    for (const f of files) {
      if (IMAGE_EXTENSIONS.has(extname(f).toLowerCase()))
        images.push({ path: join(classDir, f), label: name });
    }
  }
  if (images.length === 0) {
    throw new UserError(
      `image folder '${dir}' has no images`,
      "put one subfolder per class in it, each holding that class's PNG or JPEG files",
    );
  }
  return images;
}

/**
 * Audits image classification folders: identical images (by decoded pixels) within and across
 * train/validation/test, identical images filed under different classes, and class imbalance. A single
 * folder's images are tagged with the seeded stratified 70/15/15 split nncoach would use. Checks that need
 * columns (leakage, scales) or a model of the images (label issues) do not apply and are left empty.
 *
 * In the report, a duplicate row's `file` is the image path and `row` its index in its folder's listing.
 *
 * Images are compared by their pixels as training reads them (readImageFolder at the training size and
 * channels, from the folder's cache when it has one, or the folders `loaded` already): one way of reading a
 * folder, and nothing decoded twice. A folder training cannot read as one batch (images of other sizes or
 * channels, files that do not decode) is compared file by file instead (see imageContentHash).
 *
 * @param folders the training folder, and optionally the user's validation and test folders
 * @param options.seed seed of the split of a single folder (default 0)
 * @param options.loaded the folders as the caller read them already (train does), by split; the others are
 *   read at the training folder's size and channels
 */
export async function runImageFolderAudit(
  folders: { train: string; validation?: string | undefined; test?: string | undefined },
  options: {
    seed?: number;
    loaded?: Partial<Record<SplitName, ImageFolder>>;
  } = {},
): Promise<AuditReport> {
  const seed = options.seed ?? 0;
  const parts: [SplitName, string | undefined][] = [
    ["train", folders.train],
    ["validation", folders.validation],
    ["test", folders.test],
  ];
  const userSplits = folders.validation !== undefined || folders.test !== undefined;
  const items: { path: string; label: string; split: SplitName; row: number }[] = [];
  const files: AuditReport["files"] = [];
  const hashes = new Map<string, { hash: string; by: "pixels" | "bytes" }>();
  // the size and channels of the training folder as read, for the validation and test folders
  let image: { size: [number, number]; channels: 1 | 3 } | undefined;
  for (const [split, dir] of parts) {
    if (dir === undefined) continue;
    const listed = await listImageFolder(dir);
    const folder = options.loaded?.[split] ?? (await readAsTrainingDoes(dir, image));
    if (folder) {
      for (const [path, h] of folderPixelHashes(folder)) hashes.set(path, h);
      // validation and test folders are read at the training folder's size and channels, as train does
      const [, channels, height, width] = folder.shape;
      image ??= { size: [height, width], channels: channels as 1 | 3 };
    }
    listed.forEach((image, row) => {
      items.push({ ...image, split, row });
    });
    files.push({ path: dir, split: userSplits ? split : "all", rows: listed.length });
  }
  if (!userSplits) {
    const split = stratifiedSplit(
      items.map((i) => i.label),
      DEFAULT_FRACTIONS,
      seed,
    );
    for (const i of split.val) items[i]!.split = "validation";
    for (const i of split.test) items[i]!.split = "test";
  }
  const classes = [...new Set(items.map((i) => i.label))].sort(naturalCompare);
  const classIndex = new Map(classes.map((c, k) => [c, k]));
  const byPath = new Map(items.map((i) => [i.path, i]));
  const groups = await findDuplicateImages(
    items.map((i) => ({ path: i.path, split: i.split, label: i.label })),
    hashes,
  );
  const duplicates: DuplicateGroup[] = groups.map((g) => {
    const rows = g.files.map((f) => {
      const item = byPath.get(f.path)!;
      return { file: item.path, split: item.split, row: item.row, target: item.label };
    });
    const order: SplitName[] = ["train", "validation", "test"];
    const splits = order.filter((s) => rows.some((r) => r.split === s));
    return { kind: "exact", rows, splits, cross_split: g.cross_split, same_target: g.same_label };
  });
  const report: AuditReport = {
    target: "class folder",
    task: "classification",
    files,
    split_source: userSplits
      ? "the folders given (train, validation, test)"
      : `the seeded 70/15/15 stratified split nncoach uses (seed ${seed})`,
    rows: items.length,
    findings: [],
    columns: [],
    scales: null,
    duplicates,
    duplicate_summary: { ...summarizeDuplicates(duplicates, [], 0, false), ignored_columns: [] },
    leakage: [],
    single_column_scores: [],
    label_issues: [],
    label_issue_summary: skippedLabelCheck(
      classes,
      "image folders: label issues need a trained image model (see nncoach train)",
    ),
    imbalance: classImbalance(
      classes,
      items.map((i) => classIndex.get(i.label)!),
      items.map((i) => i.split),
    ),
  };
  report.findings = collectFindings(report);
  return report;
}

/** The folder as training reads it (through its cache), or undefined when it cannot be read as one batch. */
async function readAsTrainingDoes(
  dir: string,
  image: { size?: [number, number]; channels?: 1 | 3 } = {},
): Promise<ImageFolder | undefined> {
  try {
    return await readImageFolder(dir, image);
  } catch (e) {
    if (e instanceof UserError) return undefined;
    throw e;
  }
}
