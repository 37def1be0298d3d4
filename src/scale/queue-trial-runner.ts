/**
 * The coordinator's side of BullMQ: a TrialRunner that enqueues each trial as a job of the study's own
 * queue (one queue per study, named from its id; job id from the trial id, so a trial is enqueued once
 * however often it is submitted), hears its per-epoch progress (job.updateProgress, through QueueEvents),
 * and returns the result a worker recorded. Workers find the queue in the set of open studies
 * (study-queue.ts). Files a worker may not be able to read (up to `maxDataBytes`) are put into Redis by
 * content hash.
 *
 * A coordinator restarted with --resume opens the same queue and re-attaches: a trial already queued,
 * running or finished there is not enqueued again; its job is waited for (a finished one returns at once).
 * A worker killed mid-trial loses its lock; BullMQ's stalled-job check puts the job back for another
 * worker (the workers' --lock-duration and --stalled-interval). `close()` removes the study's queue.
 */
import fs from "node:fs";
import { type Job, Queue, QueueEvents } from "bullmq";
import type { MedianPruner } from "../coach/improve/median-pruner.js";
import type { Objective } from "../coach/improve/objective.js";
import type { TrialEvents, TrialResult, TrialRunner, TrialSpec, UnitResult } from "../coach/improve/trial.js";
import { UserError } from "../errors.js";
import type { DataRef } from "./data-ref.js";
import { checkRedis, connectionOptions } from "./redis-connection.js";
import { parseRedisUrl } from "./redis-url.js";
import {
  ALIVE_TTL_S,
  aliveKey,
  cancelKey,
  DATA_TTL_S,
  DEFAULT_MAX_DATA_BYTES,
  dataKey,
  STUDIES_KEY,
  studyQueueName,
  trialJobId,
} from "./study-queue.js";
import { failedTrial, type TrialJob, trialJob } from "./trial-job.js";

/** After this long without a worker taking a trial, the coordinator says how to start one. */
export const IDLE_HINT_MS = 15_000;
/** Trials a coordinator keeps queued at once: they wait in Redis until any worker is free. */
export const QUEUE_IN_FLIGHT = 64;

export interface QueueRunnerOptions {
  url: string;
  studyId: string;
  ref: DataRef;
  objective: Objective;
  pruner?: MedianPruner;
  maxDataBytes?: number;
  log?: (line: string) => void;
}

const num = (v: unknown): number => (typeof v === "number" ? v : Number.NaN);
const nums = (a: unknown[] | undefined): number[] => (a ?? []).map(num);

/** A result that travelled as JSON (NaN became null) with its numbers restored. */
export function reviveResult(r: TrialResult): TrialResult {
  return {
    ...r,
    mean: num(r.mean),
    se: num(r.se),
    values: nums(r.values),
    units: r.units.map(
      (u): UnitResult => ({
        ...u,
        value: num(u.value),
        curve: nums(u.curve),
        trainLoss: nums(u.trainLoss),
        valLoss: nums(u.valLoss),
      }),
    ),
  };
}

export class QueueTrialRunner implements TrialRunner {
  readonly concurrency = QUEUE_IN_FLIGHT;
  private readonly progress = new Map<string, TrialEvents["onEpoch"]>();
  private hinted = false;

  private constructor(
    readonly masked: string,
    readonly name: string,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly o: QueueRunnerOptions,
  ) {
    events.on("progress", ({ jobId, data }) => {
      const on = this.progress.get(jobId);
      if (on && typeof data === "object" && data !== null) on(data as never);
    });
  }

  static async open(o: QueueRunnerOptions): Promise<QueueTrialRunner> {
    const t = parseRedisUrl(o.url);
    await checkRedis(t);
    const connection = connectionOptions(t, o.log);
    const name = studyQueueName(o.studyId);
    const queue = new Queue(name, { connection });
    const events = new QueueEvents(name, { connection });
    // every trial in flight waits on both (BullMQ adds a listener per waiting job)
    queue.setMaxListeners(QUEUE_IN_FLIGHT * 2 + 10);
    events.setMaxListeners(QUEUE_IN_FLIGHT * 2 + 10);
    const quiet = (e: Error) => o.log?.(`redis ${t.masked}: ${e.message.replace(/\/\/[^@\s]*@/g, "//***@")}`);
    queue.on("error", quiet);
    events.on("error", quiet);
    await queue.waitUntilReady();
    await events.waitUntilReady();
    const client = await queue.client;
    const max = o.maxDataBytes ?? DEFAULT_MAX_DATA_BYTES;
    let sent = 0;
    for (const f of o.ref.files) {
      if (f.kind !== "file" || f.size > max) continue;
      await client.set(dataKey(f.sha256!), fs.readFileSync(f.path).toString("base64"), { EX: DATA_TTL_S });
      sent++;
    }
    await client.set(aliveKey(name), "1", { EX: ALIVE_TTL_S });
    await client.runCommand("sadd", [STUDIES_KEY, name]);
    o.log?.(
      `queue: trials go to queue ${name} on ${t.masked} (${sent} of ${o.ref.files.length} data file(s) also sent through Redis, up to ${Math.round(max / 1048576)} MB each)`,
    );
    const runner = new QueueTrialRunner(t.masked, name, queue, events, o);
    // the sign of life that keeps workers serving this queue (study-queue.ts ALIVE_TTL_S)
    runner.alive = setInterval(
      () => {
        void client.set(aliveKey(name), "1", { EX: ALIVE_TTL_S }).catch(() => {});
      },
      (ALIVE_TTL_S * 1000) / 3,
    );
    runner.alive.unref();
    return runner;
  }

  async run(spec: TrialSpec, events: TrialEvents = {}, signal?: AbortSignal): Promise<TrialResult> {
    const jobId = trialJobId(spec.id);
    const data = trialJob(spec, this.o.ref, this.o.objective.metric, this.o.pruner);
    let job = (await this.queue.getJob(jobId)) as Job<TrialJob, TrialResult> | undefined;
    if (job) {
      const state = await job.getState();
      const same = JSON.stringify(job.data.spec) === JSON.stringify(data.spec);
      if (!same && state === "active")
        throw new UserError(
          `queue ${this.name}: trial ${spec.id} is running on a worker with other settings than this study would run now`,
          "resume with the same options as the first run, or start a new study in another --out folder",
        );
      if (!same || state === "failed" || state === "unknown") {
        await job.remove();
        job = undefined;
      } else this.o.log?.(`queue: trial ${spec.id} is already ${state} on ${this.name}; waiting for it`);
    }
    job ??= (await this.queue.add("trial", data, {
      jobId,
      attempts: 1,
      removeOnComplete: false,
      removeOnFail: false,
    })) as Job<TrialJob, TrialResult>;
    if (events.onEpoch) this.progress.set(jobId, events.onEpoch);
    // a trial nobody takes: say how to start a worker (once per study)
    const idle = setTimeout(() => {
      void job!.getState().then((state) => {
        if (state !== "waiting" || this.hinted) return;
        this.hinted = true;
        this.o.log?.(
          `queue: no worker has taken trial ${spec.id} after ${IDLE_HINT_MS / 1000} s; start one with: nncoach worker --queue ${this.masked} --data-root <folder with the data>`,
        );
      });
    }, IDLE_HINT_MS);
    let onAbort: (() => void) | undefined;
    try {
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => {
          void this.cancel(job!).finally(() => reject(signal!.reason ?? new Error("trial cancelled")));
        };
        if (signal?.aborted) onAbort();
        else signal?.addEventListener("abort", onAbort, { once: true });
      });
      const r = await Promise.race([job.waitUntilFinished(this.events) as Promise<TrialResult>, aborted]);
      return reviveResult({ ...r, id: spec.id });
    } catch (e) {
      if (signal?.aborted) throw signal.reason ?? e;
      return failedTrial(spec.id, `the worker failed the trial: ${(e as Error).message}`);
    } finally {
      clearTimeout(idle);
      this.progress.delete(jobId);
      if (onAbort) signal?.removeEventListener("abort", onAbort);
    }
  }

  /** A waiting trial leaves the queue; a running one is told to stop (its worker checks every epoch). */
  private async cancel(job: Job): Promise<void> {
    const state = await job.getState();
    if (state === "waiting" || state === "delayed" || state === "prioritized") await job.remove();
    else await (await this.queue.client).set(cancelKey(this.name, job.id!), "1", { EX: 3600 });
  }

  private closed = false;
  private alive: NodeJS.Timeout | undefined;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.alive);
    try {
      const client = await this.queue.client;
      await client.runCommand("srem", [STUDIES_KEY, this.name]);
      await client.del(aliveKey(this.name));
      await this.queue.obliterate({ force: true });
    } finally {
      await this.events.close();
      await this.queue.close();
    }
  }
}
