/**
 * `nncoach worker --queue redis://host:port [--concurrency N] [--threads T] [--data-root DIR ...]`: takes
 * the trials of every open study from the queue's Redis and trains them (src/scale/queue-worker.ts), until
 * Ctrl-C or SIGTERM. Start it on any number of machines; they share the work.
 */
import os from "node:os";
import { UserError } from "../errors.js";
import { DEFAULT_LOCK_MS, DEFAULT_STALLED_MS, startQueueWorker } from "../scale/queue-worker.js";
import { intOption, parseCommandArgs } from "./args.js";

export const WORKER_USAGE =
  "usage: nncoach worker --queue redis://host:port [--concurrency N] [--threads T] [--data-root DIR ...]\n" +
  "         [--cache DIR] [--lock-duration ms] [--stalled-interval ms]";

function help(): string {
  return [
    WORKER_USAGE,
    "",
    "Trains the trials that `nncoach improve --queue` enqueues, on this machine, until Ctrl-C.",
    "",
    "  --queue <url>           redis://[user:password@]host:port[/db] (the password is never printed)",
    "  --concurrency <n>       trials at once, each in its own process (default: 1)",
    "  --threads <n>           ONNX Runtime threads per trial (default: cores / concurrency)",
    "  --data-root <dir>       a folder whose files trials may read (repeatable); files elsewhere are",
    "                          taken only as bytes through Redis, checked by SHA-256",
    "  --cache <dir>           where files received through Redis are kept (default: the temp folder)",
    `  --lock-duration <ms>    a trial's lock; a dead worker's trial is taken over after it (default ${DEFAULT_LOCK_MS})`,
    `  --stalled-interval <ms> how often to look for trials of dead workers (default ${DEFAULT_STALLED_MS})`,
  ].join("\n");
}

export async function workerCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("worker", argv, {
    queue: { type: "string" },
    concurrency: { type: "string" },
    threads: { type: "string" },
    "data-root": { type: "string", multiple: true },
    cache: { type: "string" },
    "lock-duration": { type: "string" },
    "stalled-interval": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    process.stdout.write(`${help()}\n`);
    return 0;
  }
  if (positionals.length)
    throw new UserError(`nncoach worker takes no arguments, got ${positionals.join(" ")}`, WORKER_USAGE);
  if (!values.queue) throw new UserError("nncoach worker needs --queue redis://host:port", WORKER_USAGE);
  const concurrency = intOption("concurrency", values.concurrency) ?? 1;
  const threads =
    intOption("threads", values.threads) ?? Math.max(1, Math.floor(os.availableParallelism() / concurrency));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const worker = await startQueueWorker({
    url: values.queue,
    concurrency,
    threads,
    dataRoots: values["data-root"] ?? [],
    cacheDir: values.cache,
    lockDuration: intOption("lock-duration", values["lock-duration"], 100),
    stalledInterval: intOption("stalled-interval", values["stalled-interval"], 100),
    log,
  });
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log(`worker: ${signal}, stopping (running trials go back to the queue)`);
      void worker.close(true).finally(resolve);
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
  return 0;
}
