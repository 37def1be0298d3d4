/**
 * Decoding many image files at once: the files are cut into tasks of a few hundred and decoded on worker
 * threads (one per core, at most 8; decode-worker.ts), results written into one N x H x W x C pixel array
 * in the files' order. Small folders (or `workers: 0`) are decoded on this thread, which is faster than
 * starting workers.
 */
import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { UserError } from "../../errors.js";
import { decodeImage } from "./decode-image.js";
import { toPixels } from "./pixels.js";

/** A task for a worker: files to decode to `channels` x height x width. */
export interface DecodeTask {
  id: number;
  files: string[];
  channels: 1 | 3;
  height: number;
  width: number;
}

/** What one file turned out to be: its own size and channels, or why it could not be decoded. */
export type FileOutcome =
  | { width: number; height: number; channels: 1 | 3 }
  | { error: string; hint?: string };

/** A worker's answer: one outcome per file of the task, and their pixels back to back. */
export interface DecodeReply {
  id: number;
  outcomes: FileOutcome[];
  pixels: Uint8Array;
}

/** Folders with fewer files than this are decoded on the calling thread (unless `workers` says otherwise). */
export const WORKERS_FROM_FILES = 512;
const TASK_FILES = 256;

export interface DecodeOptions {
  /** Worker threads; default one per core (at most 8), 0 for folders under WORKERS_FROM_FILES files. */
  workers?: number;
  /** Called after each task with the files decoded so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Decodes `files` to `channels` x h x w pixels (see toPixels); `pixels` holds file i at i * h * w *
 * channels (zeros for a file that failed), `outcomes[i]` says what it was. Only errors of this machine (a
 * worker that dies) are thrown; unreadable or damaged files are outcomes.
 */
export async function decodeFiles(
  files: readonly string[],
  channels: 1 | 3,
  h: number,
  w: number,
  o: DecodeOptions = {},
): Promise<{ pixels: Uint8Array; outcomes: FileOutcome[] }> {
  const per = channels * h * w;
  const pixels = new Uint8Array(files.length * per);
  const outcomes: FileOutcome[] = new Array(files.length);
  const workers =
    o.workers ?? (files.length < WORKERS_FROM_FILES ? 0 : Math.min(8, Math.max(1, availableParallelism())));
  if (workers === 0 || files.length === 0) {
    for (let i = 0; i < files.length; i++) {
      const file = files[i]!;
      try {
        const d = decodeImage(await readFile(file), file);
        pixels.set(toPixels(d, channels, h, w), i * per);
        outcomes[i] = { width: d.width, height: d.height, channels: d.channels };
      } catch (e) {
        outcomes[i] =
          e instanceof UserError
            ? { error: e.message.split("\n")[0]!, hint: e.hint }
            : { error: `${file}: cannot read the file (${(e as Error).message})` };
      }
      if ((i + 1) % TASK_FILES === 0) o.onProgress?.(i + 1, files.length);
    }
    o.onProgress?.(files.length, files.length);
    return { pixels, outcomes };
  }
  const tasks: DecodeTask[] = [];
  for (let start = 0; start < files.length; start += TASK_FILES)
    tasks.push({ id: start, files: files.slice(start, start + TASK_FILES), channels, height: h, width: w });
  let next = 0;
  let done = 0;
  const pool = Array.from(
    { length: Math.min(workers, tasks.length) },
    () => new Worker(new URL("./decode-worker.js", import.meta.url)),
  );
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const send = () => {
              if (next >= tasks.length) return resolve();
              worker.postMessage(tasks[next++]);
            };
            worker.on("message", (r: DecodeReply) => {
              pixels.set(r.pixels, r.id * per);
              for (let k = 0; k < r.outcomes.length; k++) outcomes[r.id + k] = r.outcomes[k]!;
              done += r.outcomes.length;
              o.onProgress?.(done, files.length);
              send();
            });
            worker.on("error", reject);
            worker.on("exit", (code) => {
              if (next < tasks.length || done < files.length)
                reject(new Error(`an image decoding worker stopped (exit code ${code})`));
            });
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((worker) => worker.terminate()));
  }
  return { pixels, outcomes };
}
