/**
 * A `--queue redis://[user:password@]host:port[/db]` URL: parsed into BullMQ connection options, and
 * masked for every message nncoach prints (credentials never appear: `redis://***@host:6379`).
 *
 * @example
 * maskUrl("redis://app:s3cret@cache:6380/2"); // "redis://***@cache:6380/2"
 */
import { UserError } from "../errors.js";

export interface RedisTarget {
  /** The URL with its credentials masked (the only form that is printed). */
  masked: string;
  connection: { host: string; port: number; username?: string; password?: string; db?: number; tls?: object };
}

/** The URL with everything between "scheme://" and the last "@" replaced by "***" (also when malformed). */
export function maskUrl(url: string): string {
  const at = url.lastIndexOf("@");
  if (at < 0) return url;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0] ?? "";
  return `${scheme}***${url.slice(at)}`;
}

export function parseRedisUrl(url: string): RedisTarget {
  const masked = maskUrl(url);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(
      `--queue ${masked}: not a URL`,
      "give redis://host:port, e.g. --queue redis://127.0.0.1:6379",
    );
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:")
    throw new UserError(
      `--queue ${masked}: the scheme must be redis:// or rediss://, got ${u.protocol}//`,
      "give redis://host:port, e.g. --queue redis://127.0.0.1:6379",
    );
  if (!u.hostname) throw new UserError(`--queue ${masked}: no host`, "give redis://host:port");
  const port = u.port ? Number(u.port) : 6379;
  const dbPart = u.pathname.replace(/^\//, "");
  if (dbPart && !/^\d+$/.test(dbPart))
    throw new UserError(
      `--queue ${masked}: the path must be a database number, got /${dbPart}`,
      "give redis://host:port/0",
    );
  return {
    masked,
    connection: {
      host: u.hostname.replace(/^\[|\]$/g, ""),
      port,
      ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
      ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
      ...(dbPart ? { db: Number(dbPart) } : {}),
      ...(u.protocol === "rediss:" ? { tls: {} } : {}),
    },
  };
}
