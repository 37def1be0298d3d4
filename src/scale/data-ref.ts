/**
 * A data reference: how another process or machine rebuilds exactly the prepared data a study trains on,
 * without receiving the data itself. It holds the `nncoach train` options the data is prepared with (paths
 * absolute on the coordinator), how the study's evaluation units are cut (seeds on one split, or k folds of
 * the training + validation rows, as src/recipe/cross-validate.ts `prepareFolds` cuts them), every input
 * file with its SHA-256 and size, and the study's content hash (data-hash.ts: files and split seed), which
 * a worker recomputes on its own copy before it trains.
 *
 * @example
 * const ref = dataRefOf({ data: "/data/wine.csv", target: "cultivar", seed: 0 }, { mode: "cv", k: 5 }, hash);
 * ref.files; // [{ option: "data", path: "/data/wine.csv", kind: "file", sha256: "…", size: 11187 }]
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Options } from "../coach/improve/trial.js";
import { UserError } from "../errors.js";

/** The options that name files the data is read from (the only paths a data reference may hold). */
export const INPUT_PATH_OPTIONS = ["data", "validationData", "testData", "pretrained"] as const;
export type InputPathOption = (typeof INPUT_PATH_OPTIONS)[number];

export interface FileRef {
  option: InputPathOption;
  /** Absolute path on the coordinator (workers on a shared filesystem read it there). */
  path: string;
  kind: "file" | "dir";
  /** SHA-256 of a file's bytes (hex); a folder is checked through the study hash only. */
  sha256?: string;
  /** Bytes (a folder: the sum of its files). */
  size: number;
}

/** How a study's evaluation units are cut: seeds on one split, or k folds dealt `repeats` times (default 1). */
export type UnitLayout = { mode: "seeds" } | { mode: "cv"; k: number; repeats?: number };

export interface DataRef {
  /** The options the data is prepared with (resolveConfig input; paths absolute). */
  options: Options;
  units: UnitLayout;
  /** data-hash.ts `dataHash` of the data, validation and test files and the split seed. */
  hash: string;
  files: FileRef[];
}

export function sha256File(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

function folderSize(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) n += folderSize(full);
    else if (e.isFile()) n += fs.statSync(full).size;
  }
  return n;
}

/** The data reference of prepared data: `options` as given to resolveConfig, the unit layout, the study hash. */
export function dataRefOf(options: Options, units: UnitLayout, hash: string): DataRef {
  const abs: Options = { ...options };
  const files: FileRef[] = [];
  for (const option of INPUT_PATH_OPTIONS) {
    const p = options[option];
    if (p === undefined || p === null) continue;
    if (typeof p !== "string") throw new UserError(`${option} must be a path, got ${JSON.stringify(p)}`);
    const full = path.resolve(p);
    abs[option] = full;
    const st = fs.statSync(full, { throwIfNoEntry: false });
    if (!st) throw new UserError(`${option} ${full} does not exist`, "check the path");
    files.push(
      st.isDirectory()
        ? { option, path: full, kind: "dir", size: folderSize(full) }
        : { option, path: full, kind: "file", sha256: sha256File(full), size: st.size },
    );
  }
  return { options: abs, units, hash, files };
}
