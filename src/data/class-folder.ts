import { readdir, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { UserError } from "../errors.js";
import { naturalCompare } from "./natural-order.js";

/** The files of a classification folder: one subfolder per class. */
export interface ClassFolderListing {
  /** Class names (subfolders holding at least one accepted file), in natural order. */
  classes: string[];
  /** Accepted files with their class index, class by class, each class's files in natural order. */
  files: { file: string; label: number }[];
  /** Stray top-level files, files of known but unsupported formats. */
  warnings: string[];
}

/**
 * Lists `dir/<class>/<file>` for files whose extension is in `accept` (lower case, with the dot). Hidden
 * entries are ignored; files with an extension in `unsupported` are reported in warnings (with `what` as
 * advice). `what` names the kind of file in messages ("PNG or JPEG images", "WAV files").
 *
 * Throws a UserError when `dir` is not a folder, has no subfolders, holds no accepted file at all, or has a
 * class folder without an accepted file (a class with no examples cannot be learned or judged; leaving it
 * out silently would train a model that never predicts it).
 */
export async function listClassFolder(
  dir: string,
  accept: ReadonlySet<string>,
  unsupported: ReadonlySet<string>,
  what: string,
): Promise<ClassFolderListing> {
  let entries: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error("not a folder");
    entries = await readdir(dir);
  } catch {
    throw new UserError(
      `cannot read folder '${dir}': no such folder`,
      "pass a folder with one subfolder per class",
    );
  }
  const warnings: string[] = [];
  const classDirs: string[] = [];
  const strays: string[] = [];
  for (const name of entries.filter((e) => !e.startsWith(".")).sort(naturalCompare)) {
    if ((await stat(join(dir, name))).isDirectory()) classDirs.push(name);
    else strays.push(name);
  }
  if (classDirs.length === 0) {
    throw new UserError(
      `folder '${dir}' has no subfolders; expected one subfolder per class (e.g. ${join(dir, "cat")})`,
    );
  }
  if (strays.length > 0)
    warnings.push(`ignored ${strays.length} file(s) outside class folders, e.g. ${strays[0]}`);
  const classes: string[] = [];
  const files: { file: string; label: number }[] = [];
  const empty: { cls: string; other: string[]; files: number }[] = [];
  for (const cls of classDirs) {
    const names = (await readdir(join(dir, cls))).filter((f) => !f.startsWith(".")).sort(naturalCompare);
    const ok = names.filter((f) => accept.has(extname(f).toLowerCase()));
    const other = names.filter((f) => unsupported.has(extname(f).toLowerCase()));
    if (other.length > 0) {
      warnings.push(
        `skipped ${other.length} file(s) in an unsupported format in '${cls}', e.g. ${other[0]} (use ${what})`,
      );
    }
    if (ok.length === 0) {
      empty.push({ cls, other, files: names.length });
      continue;
    }
    const label = classes.length;
    classes.push(cls);
    for (const f of ok) files.push({ file: join(dir, cls, f), label });
  }
  if (files.length === 0) throw new UserError(`folder '${dir}' has no ${what} in its class subfolders`);
  if (empty.length > 0) {
    const first = empty[0]!;
    const holds =
      first.files === 0
        ? "is empty"
        : first.other.length > 0
          ? `holds no ${what} (only ${first.other.length} file(s) in another format, e.g. ${first.other[0]})`
          : `holds no ${what} (${first.files} other file(s))`;
    throw new UserError(
      `class folder ${join(dir, first.cls)} ${holds}` +
        (empty.length > 1
          ? `; so do ${empty.length - 1} more: ${empty
              .slice(1)
              .map((e) => e.cls)
              .join(", ")}`
          : "") +
        `: a class without examples cannot be learned`,
      `put the class's ${what} into it, or remove the folder`,
    );
  }
  return { classes, files, warnings };
}
