/**
 * The store as a command uses it while it trains: opened once, and never allowed to cost the user a
 * result. Without a SQLite driver, or when the file cannot be opened or written (a read-only folder, a
 * full disk, a file locked by another program), the command says so once (on stderr, with what to do) and
 * goes on training and printing its results without the store.
 *
 * Where the store is: `--store <file>`, else `NNCOACH_STORE`, else `.nncoach/runs.db` in the working
 * directory.
 */
import path from "node:path";
import { SqliteRunStore, StoreUnavailable } from "./sqlite-store.js";
import type { RunStore } from "./types.js";

export const DEFAULT_STORE = path.join(".nncoach", "runs.db");

/** The store file: the --store value, else NNCOACH_STORE, else .nncoach/runs.db here. */
export function storePath(option?: string | null): string {
  return path.resolve(option || process.env.NNCOACH_STORE || DEFAULT_STORE);
}

/** What to do when the store cannot be used, for the note. */
function advice(file: string, e: unknown): string {
  const code = (e as { code?: string }).code ?? "";
  const msg = (e as Error).message ?? String(e);
  const dir = path.dirname(file);
  if (/FULL|ENOSPC/.test(code) || /disk is full|ENOSPC/i.test(msg))
    return `free disk space on the drive of ${dir}, or choose another store with --store <file>`;
  if (/BUSY|LOCKED/.test(code) || /locked|busy/i.test(msg))
    return "another program holds the file locked: close it (or wait), or choose another store with --store <file>";
  if (
    /READONLY|CANTOPEN|EACCES|EPERM|EROFS|ENOTDIR/.test(code) ||
    /read-?only|permission|unable to open/i.test(msg)
  )
    return `make ${dir} writable, or choose another store with --store <file> (or NNCOACH_STORE)`;
  return "choose another store with --store <file> (or NNCOACH_STORE)";
}

/** The reason in one line (driver errors carry their SQLite code). */
function reason(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const msg = (err.message ?? String(e)).split("\n")[0]!;
  return err.code && !msg.includes(err.code) ? `${err.code}: ${msg}` : msg;
}

export class StoreSession {
  private failed = false;

  private constructor(
    private store: RunStore | null,
    readonly file: string,
    private readonly note: (line: string) => void,
  ) {}

  /**
   * Opens the store for a command. Never throws: without a driver, or when the file cannot be opened, it
   * notes why (once) and returns a session that records nothing.
   * @param note where the one note goes (default: stderr, as `nncoach: note: ...`)
   */
  static async open(
    o: { file?: string | null; store?: RunStore; note?: (line: string) => void } = {},
  ): Promise<StoreSession> {
    const note = o.note ?? ((l: string) => process.stderr.write(`nncoach: note: ${l}\n`));
    if (o.store) return new StoreSession(o.store, o.store.location, note);
    const file = storePath(o.file);
    try {
      return new StoreSession(await SqliteRunStore.open(file), file, note);
    } catch (e) {
      const s = new StoreSession(null, file, note);
      s.failed = true;
      if (e instanceof StoreUnavailable && /no SQLite driver/.test(e.message))
        note(
          `runs are not recorded (${e.message}); training and results go on without the store. ` +
            "To record runs: npm install better-sqlite3 (builds with g++, make and python3), or use Node 22.5+ (node:sqlite); --no-track turns tracking off.",
        );
      else
        note(
          `the run store ${file} cannot be opened (${reason(e)}): this run is not recorded; training and results go on. ` +
            `To record runs: ${advice(file, e)}; --no-track turns tracking off.`,
        );
      return s;
    }
  }

  /** The open store, or null when it could not be opened or a write failed. */
  get active(): RunStore | null {
    return this.failed ? null : this.store;
  }

  /**
   * Runs a write (or read) on the store; on failure notes it once, stops using the store for the rest of
   * the command, and returns `fallback`.
   */
  use<T>(fn: (s: RunStore) => T, fallback: T): T {
    const s = this.active;
    if (!s) return fallback;
    try {
      return fn(s);
    } catch (e) {
      this.failed = true;
      this.note(
        `the run store ${this.file} cannot be written (${reason(e)}): the rest of this run is not recorded; training and results go on. ` +
          `To record runs: ${advice(this.file, e)}; --no-track turns tracking off.`,
      );
      return fallback;
    }
  }

  close(): void {
    try {
      this.store?.close();
    } catch {
      // closing a store that failed: nothing left to save
    }
    this.store = null;
  }
}
