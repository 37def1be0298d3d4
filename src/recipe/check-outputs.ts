/**
 * Output paths are checked before any work is spent: a folder option that names an existing file, a
 * folder that cannot be created or written, a checkpoint to resume that does not exist. The error says
 * which option, which path and what to do; no training has run and nothing was written.
 */
import fs from "node:fs";
import path from "node:path";
import { UserError } from "../errors.js";

/** The nearest existing ancestor of `p` (itself if it exists). */
function existingAncestor(p: string): string {
  let cur = path.resolve(p);
  while (!fs.existsSync(cur)) {
    const up = path.dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  return cur;
}

/** Refuses `dir` for `--flag` unless it is (or can become) a writable folder. */
export function checkOutputFolder(flag: string, dir: string | null): void {
  if (!dir) return;
  const st = fs.statSync(dir, { throwIfNoEntry: false });
  if (st && !st.isDirectory())
    throw new UserError(
      `--${flag} ${dir} is a file, but ${flag} names a folder`,
      `give a folder path (e.g. ${dir.replace(/\.[a-z]+$/i, "")}_run)`,
    );
  const base = existingAncestor(dir);
  if (!fs.statSync(base).isDirectory())
    throw new UserError(
      `--${flag} ${dir}: ${base} is a file, so the folder cannot be created`,
      "choose another path",
    );
  try {
    fs.accessSync(base, fs.constants.W_OK);
  } catch {
    throw new UserError(
      `--${flag} ${dir}: cannot write into ${base} (permission denied)`,
      "choose a folder you can write to",
    );
  }
}

/** Refuses an output file whose folder is missing, is a file, or is not writable, or that names a folder. */
export function checkOutputFile(flag: string, file: string | null): void {
  if (!file) return;
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (st?.isDirectory()) throw new UserError(`--${flag} ${file} is a folder`, "give a file path");
  const dir = path.dirname(path.resolve(file));
  const d = fs.statSync(dir, { throwIfNoEntry: false });
  if (!d)
    throw new UserError(
      `--${flag} ${file}: the folder ${dir} does not exist`,
      "create it first, or give another path",
    );
  if (!d.isDirectory()) throw new UserError(`--${flag} ${file}: ${dir} is not a folder`);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new UserError(
      `--${flag} ${file}: cannot write into ${dir} (permission denied)`,
      "choose a folder you can write to",
    );
  }
}
