/**
 * The one atomic file write of nncoach: the bytes go to a temporary file in the target's folder, are
 * flushed to disk (fsync), then renamed over the target, so a reader (or a run interrupted by a crash or
 * Ctrl-C) sees either the old file or the new one, never half of one. The temporary file is removed when
 * anything fails. Every file nncoach writes (models, configs, checkpoints, predictions, plots, logs that
 * are rewritten whole) goes through here.
 *
 * @example
 * writeFileAtomic("run/config.json", JSON.stringify(config));
 * writeJsonAtomic("run/preprocess.json", pre.toJSON());
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/**
 * Writes `data` to `file` atomically (temp file in the same folder, fsync, rename). The folder must exist.
 * `data` may be given in parts (written one after the other, without joining them in memory first).
 */
export function writeFileAtomic(file: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  const parts =
    typeof data === "string" ? [Buffer.from(data, "utf8")] : data instanceof Uint8Array ? [data] : data;
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, "wx");
    for (const body of parts) {
      let written = 0;
      while (written < body.length) written += writeSync(fd, body, written, body.length - written);
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, file);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw e;
  }
}

/** Writes `value` as indented JSON (with a final newline) to `file` atomically. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}
