/**
 * A real Redis for the queue tests: Debian's `redis-server` (installed by .ci/run) on 127.0.0.1 at a free
 * port, without persistence, optionally with a password; and real `nncoach worker` processes. Everything
 * started here is stopped by `stop()` (call it in `after`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import net from "node:net";
import { CLI, ROOT } from "./cli.js";

export const REDIS_SERVER = process.env.REDIS_SERVER ?? "redis-server";

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  port: number;
  /** redis://[:password@]127.0.0.1:port */
  url: string;
  stop(): Promise<void>;
}

export async function startRedis(password?: string, atPort?: number): Promise<RedisServer> {
  const port = atPort ?? (await freePort());
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  if (password) args.push("--requirepass", password);
  const child = spawn(REDIS_SERVER, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 15_000);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(
        new Error(
          `cannot start ${REDIS_SERVER} (Debian package redis-server; .ci/run installs it): ${e.message}`,
        ),
      );
    });
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (/Ready to accept connections/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    port,
    url: `redis://${password ? `:${password}@` : ""}127.0.0.1:${port}`,
    stop: () => stopChild(child),
  };
}

export function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it wrote to stderr so far. */
  log(): string;
  /** Resolves when its stderr matches `re` (rejects after `ms`). */
  waitFor(re: RegExp, ms?: number): Promise<RegExpExecArray>;
  stop(): Promise<void>;
}

/**
 * Worker options for the tests that kill a worker: one trial at a time on one thread, data under
 * `dataRoot`, and short locks so that a dead worker's trial is taken over within seconds.
 */
export function takeoverWorkerArgs(dataRoot: string): string[] {
  return [
    "--concurrency",
    "1",
    "--threads",
    "1",
    "--data-root",
    dataRoot,
    "--lock-duration",
    "3000",
    "--stalled-interval",
    "1000",
  ];
}

/** `nncoach worker --queue <url> ...args` in its own process. */
export function startWorker(url: string, args: string[] = []): WorkerProcess {
  const child = spawn(process.execPath, [CLI, "worker", "--queue", url, ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  const waiters: { re: RegExp; resolve(m: RegExpExecArray): void }[] = [];
  child.stderr!.on("data", (d: Buffer) => {
    err += d.toString();
    for (const w of [...waiters]) {
      const m = w.re.exec(err);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  child.stdout!.on("data", () => {});
  return {
    child,
    log: () => err,
    waitFor: (re, ms = 60_000) =>
      new Promise((resolve, reject) => {
        const m = re.exec(err);
        if (m) return resolve(m);
        const timer = setTimeout(() => reject(new Error(`worker log never matched ${re}:\n${err}`)), ms);
        waiters.push({
          re,
          resolve: (x) => {
            clearTimeout(timer);
            resolve(x);
          },
        });
      }),
    stop: () => stopChild(child),
  };
}
