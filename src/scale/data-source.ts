/**
 * Where a worker finds a data reference's files, by content: the coordinator's path when this machine can
 * read it (a shared filesystem) and it lies inside one of the worker's data roots, else the bytes the
 * coordinator put into Redis (files up to a size limit, keyed by SHA-256), copied into the worker's cache
 * folder under their hash. Every file's SHA-256 and then the study hash (data-hash.ts) are checked on the
 * worker's copy before any training; a path outside the data roots is never opened.
 *
 * @example
 * const local = await localizeData(job.data, { dataRoots: ["/srv/data"], cacheDir, fetchBytes });
 * local.options.data; // "/srv/data/wine.csv", or "<cacheDir>/<sha256>/wine.csv"
 */
import fs from "node:fs";
import path from "node:path";
import { dataHash } from "../coach/improve/data-hash.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { type DataRef, type FileRef, sha256File } from "./data-ref.js";
import { InvalidTrialJob } from "./trial-job.js";

export interface DataSourceOptions {
  /** Folders whose files the worker may read; "any" on the coordinator's own machine (the local pool). */
  dataRoots: string[] | "any";
  /** Where files received through Redis are kept (by hash). */
  cacheDir?: string;
  /** The bytes of a file by SHA-256 (from Redis), or null when the coordinator did not send them. */
  fetchBytes?: (sha256: string) => Promise<Buffer | null>;
}

/** Whether `p` (resolved through symbolic links) lies inside one of `roots`. */
export function insideRoots(p: string, roots: string[]): boolean {
  let real: string;
  try {
    real = fs.realpathSync(p);
  } catch {
    return false;
  }
  return roots.some((r) => {
    let root: string;
    try {
      root = fs.realpathSync(r);
    } catch {
      return false;
    }
    return real === root || real.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
  });
}

async function localFile(f: FileRef, o: DataSourceOptions): Promise<string> {
  const readable = o.dataRoots === "any" || insideRoots(f.path, o.dataRoots);
  if (readable && fs.existsSync(f.path)) {
    if (f.kind === "dir" || sha256File(f.path) === f.sha256) return f.path;
  } else if (!readable && fs.existsSync(f.path) && !o.fetchBytes)
    throw new InvalidTrialJob(
      `trial job data.files: ${f.option} ${f.path} is outside this worker's data roots (${(o.dataRoots as string[]).join(", ") || "none given"})`,
    );
  if (f.kind === "dir")
    throw new InvalidTrialJob(
      `trial job data.files: the folder ${f.option} ${f.path} is not readable inside this worker's data roots (${o.dataRoots === "any" ? "any" : o.dataRoots.join(", ") || "none given"}); folders reach workers only through a shared filesystem`,
    );
  const sha = f.sha256!;
  const cached = o.cacheDir ? path.join(o.cacheDir, sha, path.basename(f.path)) : undefined;
  if (cached && fs.existsSync(cached) && sha256File(cached) === sha) return cached;
  const bytes = o.fetchBytes ? await o.fetchBytes(sha) : null;
  if (!bytes || !cached)
    throw new InvalidTrialJob(
      `trial job data.files: ${f.option} ${f.path} is ${readable ? "not readable here or has other contents" : "outside this worker's data roots"}, and its bytes (sha256 ${sha.slice(0, 12)}…) were not sent through the queue`,
    );
  fs.mkdirSync(path.dirname(cached), { recursive: true });
  writeFileAtomic(cached, bytes);
  if (sha256File(cached) !== sha) {
    fs.rmSync(cached, { force: true });
    throw new InvalidTrialJob(
      `trial job data.files: the bytes received for ${f.option} do not have sha256 ${sha}`,
    );
  }
  return cached;
}

/** The data reference with its paths replaced by readable local copies, verified by content. */
export async function localizeData(ref: DataRef, o: DataSourceOptions): Promise<DataRef> {
  const options = { ...ref.options };
  for (const f of ref.files) options[f.option] = await localFile(f, o);
  const seed = typeof options.seed === "number" ? options.seed : 0;
  const got = dataHash(
    [options.data as string | undefined, options.validationData as string, options.testData as string],
    seed,
  );
  if (got !== ref.hash)
    throw new InvalidTrialJob(
      `trial job data.hash: the data here hashes to ${got}, the study's to ${ref.hash}; the worker trains only on the same data`,
    );
  return { ...ref, options };
}
