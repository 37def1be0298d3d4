/**
 * Names in Redis: one BullMQ queue per study (named from the study's id), the set of open studies that
 * workers watch to find queues, each open study's sign of life from its coordinator, the data files sent as bytes (by SHA-256), and the flags that cancel a
 * running trial. A coordinator and its workers agree on them and on nothing else.
 */
import crypto from "node:crypto";

/** The set of queue names with a coordinator (workers serve every queue in it). */
export const STUDIES_KEY = "nncoach:studies";
/** Files sent through Redis are kept this long (seconds) after the last study that sent them started. */
export const DATA_TTL_S = 24 * 3600;
/**
 * A coordinator keeps `aliveKey(queue)` set with this lifetime (seconds), renewing it every third of it.
 * A queue in the studies set without that key has had no coordinator for that long (killed, machine
 * lost): workers stop serving it and take it out of the set. Its jobs stay in Redis, so a coordinator
 * restarted with --resume puts it back and re-attaches.
 */
export const ALIVE_TTL_S = 60;

/** Files up to this size travel through Redis when a worker cannot read them (--max-data-bytes). */
export const DEFAULT_MAX_DATA_BYTES = 64 * 1024 * 1024;

const NAME = /^nncoach-study-[A-Za-z0-9_-]{1,80}$/;

/**
 * A study's id from what makes it that study (data hash, output folder, options, seeds): the same study
 * restarted with --resume gets the same id, so the same queue.
 */
export function studyIdOf(identity: Record<string, unknown>): string {
  return crypto.createHash("sha256").update(JSON.stringify(identity)).digest("hex").slice(0, 16);
}

export function studyQueueName(studyId: string): string {
  const name = `nncoach-study-${studyId.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  if (!NAME.test(name)) throw new Error(`study id ${studyId} makes no queue name`);
  return name;
}

/** Whether a name from the studies set is one of ours (workers ignore anything else). */
export function isStudyQueueName(name: string): boolean {
  return NAME.test(name);
}

export function dataKey(sha256: string): string {
  return `nncoach:data:${sha256}`;
}

export function aliveKey(queue: string): string {
  return `nncoach:alive:${queue}`;
}

export function cancelKey(queue: string, jobId: string): string {
  return `nncoach:cancel:${queue}:${jobId}`;
}

/** BullMQ job ids must not be plain numbers. */
export function trialJobId(trialId: number): string {
  return `trial-${trialId}`;
}
