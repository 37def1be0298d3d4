/**
 * One process of the local worker pool (worker-pool.ts), started with child_process.fork: it runs the
 * trial jobs its parent sends, one at a time, with the thread count it was started with, reports each
 * epoch, and keeps its prepared data between trials. It exits when its parent goes away (IPC closed).
 *
 * Messages in: {type: "run", key, job} and {type: "cancel", key}. Out: {type: "ready"},
 * {type: "epoch", key, e}, {type: "result", key, result} and {type: "error", key, message}.
 */
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { executeTrial } from "./execute-trial.js";
import type { TrialJob } from "./trial-job.js";

type In = { type: "run"; key: number; job: TrialJob } | { type: "cancel"; key: number };

/** Started as a worker thread (WorkerPool mode "thread") rather than a process. */
const port = isMainThread ? null : parentPort;
const threads =
  Number(port ? (workerData as { threads: number }).threads : process.env.NNCOACH_POOL_THREADS) || 1;
const running = new Map<number, AbortController>();

function send(m: unknown): void {
  if (port) port.postMessage(m);
  else if (process.connected) process.send!(m);
}

const onMessage = (m: In) => {
  if (m.type === "cancel") {
    running.get(m.key)?.abort(new Error("trial cancelled"));
    return;
  }
  const ac = new AbortController();
  running.set(m.key, ac);
  executeTrial(m.job, threads, { onEpoch: (e) => send({ type: "epoch", key: m.key, e }) }, ac.signal)
    .then((result) => send({ type: "result", key: m.key, result }))
    .catch((e: Error) => send({ type: "error", key: m.key, message: e.message, name: e.name }))
    .finally(() => running.delete(m.key));
};
if (port) port.on("message", onMessage);
else {
  process.on("disconnect", () => process.exit(0));
  process.on("message", onMessage);
}
send({ type: "ready" });
