/** Small helpers of the store: the package version, process liveness, file hashes. */
import crypto from "node:crypto";
import fs from "node:fs";

/**
 * A `running` run whose heartbeat is older than this is taken for dead on the next open, whatever its
 * pid (a process on another machine, or a reused pid). Running processes beat every HEARTBEAT_SECONDS.
 */
export const STALE_SECONDS = 300;
export const HEARTBEAT_SECONDS = 10;

let version: string | undefined;

/** nncoach's version, from its package.json. */
export function packageVersion(): string {
  if (version === undefined) {
    try {
      // dist/src/store/util.js -> package.json at the package root
      const file = new URL("../../../package.json", import.meta.url);
      version = String((JSON.parse(fs.readFileSync(file, "utf8")) as { version?: string }).version ?? "");
    } catch {
      version = "";
    }
  }
  return version;
}

/** Whether a process with this pid exists on this machine. */
export function processAlive(pid: number | null): boolean {
  if (pid === null || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, owned by someone else
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** SHA-256 (hex) and size of a file, read in chunks. */
export function fileDigest(file: string): { sha256: string; size: number } {
  const h = crypto.createHash("sha256");
  const fd = fs.openSync(file, "r");
  const buf = Buffer.alloc(1 << 20);
  let size = 0;
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
      size += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { sha256: h.digest("hex"), size };
}
