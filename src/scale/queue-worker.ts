/**
 * The worker's side of BullMQ (`nncoach worker --queue redis://host:port`): it watches the set of open
 * studies, serves each study's queue with a BullMQ Worker, and runs every job it takes on its own local
 * worker pool (`concurrency` processes × `threads` threads). Before anything is read or trained a job is
 * checked against the trial schema (trial-job.ts; a job that fails is refused, never retried) and its data
 * is found by content (data-source.ts: a path inside `dataRoots`, or bytes from Redis) and verified by
 * hash. Each epoch goes back as job progress; a trial cancelled by its coordinator stops at the next epoch.
 *
 * Jobs are locked for `lockDuration` ms and the lock is renewed while the trial runs (the training runs in
 * pool processes, so this process's event loop stays free to renew it). When a worker dies, its lock
 * expires and another worker's stalled-job check (every `stalledInterval` ms) puts the job back into
 * the queue, where the next free worker takes it.
 */
import os from "node:os";
import path from "node:path";
import { type Job, Queue, UnrecoverableError, Worker } from "bullmq";
import type { TrialResult } from "../coach/improve/trial.js";
import { localizeData } from "./data-source.js";
import { checkRedis, connectionOptions } from "./redis-connection.js";
import { parseRedisUrl } from "./redis-url.js";
import { ALIVE_TTL_S, aliveKey, cancelKey, dataKey, isStudyQueueName, STUDIES_KEY } from "./study-queue.js";
import { InvalidTrialJob, type TrialJob, validateTrialJob } from "./trial-job.js";
import { WorkerPool } from "./worker-pool.js";

export interface QueueWorkerOptions {
  url: string;
  /** Trials at once (pool processes). */
  concurrency: number;
  /** ONNX Runtime threads per trial (when the trial leaves it to the worker). */
  threads: number;
  /** Folders whose files a job may name; files elsewhere come only as bytes through Redis. */
  dataRoots: string[];
  /** Where files received through Redis are kept. */
  cacheDir?: string;
  /** Job lock (ms): how long a dead worker's trial waits before another worker may take it. */
  lockDuration?: number;
  /** How often (ms) this worker looks for stalled jobs. */
  stalledInterval?: number;
  /** How often (ms) the set of open studies is read. */
  pollMs?: number;
  log?: (line: string) => void;
}

export const DEFAULT_LOCK_MS = 30_000;
export const DEFAULT_STALLED_MS = 30_000;
/** A job whose worker died more often than this fails instead of going back into the queue. */
export const MAX_STALLED = 3;

export interface QueueWorker {
  /** Stops taking jobs; `force` abandons running ones (they go back to the queue when their lock expires). */
  close(force?: boolean): Promise<void>;
}

export async function startQueueWorker(o: QueueWorkerOptions): Promise<QueueWorker> {
  const t = parseRedisUrl(o.url);
  await checkRedis(t);
  const log = (line: string) => o.log?.(line);
  const connection = connectionOptions(t, log);
  const cacheDir = o.cacheDir ?? path.join(os.tmpdir(), "nncoach-worker-cache");
  const dataRoots = o.dataRoots.map((r) => path.resolve(r));
  const pool = new WorkerPool({ size: o.concurrency, threads: o.threads, log });
  const admin = new Queue("nncoach-worker-admin", { connection });
  admin.on("error", () => {});
  const client = await admin.waitUntilReady();
  const workers = new Map<string, Worker>();
  const name = `${os.hostname()}:${process.pid}`;

  const process_ = async (job: Job): Promise<TrialResult> => {
    const queue = job.queueName;
    let valid: TrialJob;
    try {
      valid = validateTrialJob(job.data);
      valid = {
        ...valid,
        data: await localizeData(valid.data, {
          dataRoots,
          cacheDir,
          fetchBytes: async (sha) => {
            const b64 = await client.get(dataKey(sha));
            return b64 === null ? null : Buffer.from(b64, "base64");
          },
        }),
      };
    } catch (e) {
      if (!(e instanceof InvalidTrialJob)) throw e;
      log(`worker ${name}: refused job ${job.id} of ${queue}: ${e.message}`);
      throw new UnrecoverableError(e.message);
    }
    const id = valid.spec.id;
    log(`worker ${name}: trial ${id} (${valid.spec.step}) of ${queue} started`);
    const ac = new AbortController();
    const r = await pool.execute(
      valid,
      {
        onEpoch: (e) => {
          void job.updateProgress(e).catch(() => {});
          void client.get(cancelKey(queue, job.id!)).then((v) => {
            if (v !== null) ac.abort(new Error("cancelled by the coordinator"));
          });
        },
      },
      ac.signal,
    );
    log(
      `worker ${name}: trial ${id} of ${queue} finished: ${r.status}, ${valid.metric} ${Number.isFinite(r.mean) ? r.mean.toPrecision(4) : "–"} (${r.seconds.toFixed(1)} s)`,
    );
    return r;
  };

  const serve = (queue: string) => {
    const w = new Worker(queue, process_, {
      connection,
      concurrency: o.concurrency,
      lockDuration: o.lockDuration ?? DEFAULT_LOCK_MS,
      stalledInterval: o.stalledInterval ?? DEFAULT_STALLED_MS,
      maxStalledCount: MAX_STALLED,
      name,
    });
    w.on("error", (e) => log(`worker ${name}: ${queue}: ${e.message.replace(/\/\/[^@\s]*@/g, "//***@")}`));
    w.on("failed", (job, e) => {
      if (job && !(e instanceof UnrecoverableError))
        log(`worker ${name}: trial job ${job.id} of ${queue} failed: ${e.message}`);
    });
    workers.set(queue, w);
    log(`worker ${name}: serving study queue ${queue}`);
  };

  let stopped = false;
  const poll = async () => {
    const open = new Set((await client.smembers(STUDIES_KEY)).filter(isStudyQueueName));
    // a study whose coordinator has given no sign of life for ALIVE_TTL_S leaves the set (its jobs stay
    // for a coordinator restarted with --resume, which puts it back)
    for (const q of open)
      if ((await client.get(aliveKey(q))) === null) {
        open.delete(q);
        await client.runCommand("srem", [STUDIES_KEY, q]);
        log(
          `worker ${name}: study queue ${q} has had no coordinator for ${ALIVE_TTL_S} s; no longer watched (a coordinator started with --resume brings it back)`,
        );
      }
    for (const q of open) if (!workers.has(q)) serve(q);
    for (const [q, w] of workers)
      if (!open.has(q)) {
        workers.delete(q);
        await w.close();
        log(`worker ${name}: study queue ${q} closed`);
      }
  };
  await poll();
  let timer: NodeJS.Timeout;
  const loop = () => {
    timer = setTimeout(() => {
      poll()
        .catch((e: Error) => log(`worker ${name}: ${e.message}`))
        .finally(() => {
          if (!stopped) loop();
        });
    }, o.pollMs ?? 1000);
  };
  loop();
  log(
    `worker ${name}: waiting for trials on ${t.masked} (${o.concurrency} at once, ${o.threads} thread(s) each; data roots: ${dataRoots.join(", ") || "none, files come through Redis"})`,
  );
  return {
    close: async (force = false) => {
      stopped = true;
      clearTimeout(timer);
      await Promise.all([...workers.values()].map((w) => w.close(force)));
      await pool.close();
      await admin.close();
    },
  };
}
