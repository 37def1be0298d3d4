/**
 * Connections to the queue's Redis: BullMQ connection options that retry a lost connection with
 * exponential backoff and say so ("redis …: connection lost, retrying in 800 ms"), and a first check
 * that fails fast with a clear error naming the URL (credentials masked) when Redis cannot be reached.
 */
import { Queue } from "bullmq";
import { UserError } from "../errors.js";
import type { RedisTarget } from "./redis-url.js";

/** Reconnect delays grow from BACKOFF_MS to MAX_BACKOFF_MS. */
export const BACKOFF_MS = 100;
export const MAX_BACKOFF_MS = 5000;
/** How long the first connection may take before Redis counts as unreachable. */
export const CONNECT_TIMEOUT_MS = 5000;

/**
 * Options for every BullMQ object of one process. `log` hears one "retrying" line per attempt (at most
 * one a second: a process holds several connections that all retry).
 */
export function connectionOptions(t: RedisTarget, log?: (line: string) => void): Record<string, unknown> {
  let last = 0;
  return {
    ...t.connection,
    maxRetriesPerRequest: null,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (times: number) => {
      const ms = Math.min(MAX_BACKOFF_MS, BACKOFF_MS * 2 ** Math.min(10, times - 1));
      if (Date.now() - last > 1000) {
        last = Date.now();
        log?.(`redis ${t.masked}: connection lost, retrying in ${ms} ms (attempt ${times})`);
      }
      return ms;
    },
  };
}

/** Throws a UserError (exit 2) naming the masked URL when Redis does not answer a PING. */
export async function checkRedis(t: RedisTarget, timeoutMs = CONNECT_TIMEOUT_MS): Promise<void> {
  const q = new Queue("nncoach-connection-check", {
    connection: {
      ...t.connection,
      connectTimeout: timeoutMs,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
    },
  });
  q.on("error", () => {});
  let timer: NodeJS.Timeout | undefined;
  try {
    const client = await Promise.race([
      q.waitUntilReady(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    await client.runCommand("ping", []);
  } catch (e) {
    const why = (e as Error).message.replace(/\/\/[^@\s]*@/g, "//***@");
    throw new UserError(
      `cannot reach Redis at ${t.masked}: ${why}`,
      "start Redis there (redis-server --port <port>) or give the right --queue redis://host:port",
    );
  } finally {
    clearTimeout(timer);
    await q.close().catch(() => {});
  }
}
