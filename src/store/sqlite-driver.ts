/**
 * The SQLite driver: Node's built-in `node:sqlite` where the running Node has it (22.5 and later), else
 * `better-sqlite3` (an optional dependency: npm builds it from source where no prebuilt binary can be
 * downloaded, and leaves it out where there is no compiler). Both are synchronous and give the same small
 * interface here: exec, prepare (run/get/all with positional parameters), close.
 *
 * `loadSqliteDriver()` never throws: without a driver it says why, and the caller trains without the
 * store. `NNCOACH_SQLITE_DRIVER=better-sqlite3|node:sqlite` picks one driver (for testing both).
 */

export type SqlValue = string | number | bigint | null | Uint8Array;

export interface SqlStatement {
  run(...params: SqlValue[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: SqlValue[]): Record<string, SqlValue> | undefined;
  all(...params: SqlValue[]): Record<string, SqlValue>[];
}

export interface SqlDatabase {
  exec(sql: string): void;
  prepare(sql: string): SqlStatement;
  close(): void;
}

export interface SqliteDriver {
  /** "node:sqlite" or "better-sqlite3". */
  name: string;
  open(file: string, o: { timeoutMs: number }): SqlDatabase;
}

export type DriverResult = { driver: SqliteDriver } | { driver: null; reason: string };

let cached: Promise<DriverResult> | undefined;

/** The SQLite driver of this process (loaded once). */
export function loadSqliteDriver(): Promise<DriverResult> {
  cached ??= load();
  return cached;
}

async function load(): Promise<DriverResult> {
  const only = process.env.NNCOACH_SQLITE_DRIVER;
  const reasons: string[] = [];
  if (!only || only === "node:sqlite") {
    const builtin = await nodeSqlite();
    if ("driver" in builtin) return builtin;
    reasons.push(builtin.reason);
  }
  if (!only || only === "better-sqlite3") {
    const better = await betterSqlite();
    if ("driver" in better) return better;
    reasons.push(better.reason);
  }
  if (only && only !== "node:sqlite" && only !== "better-sqlite3")
    reasons.push(`NNCOACH_SQLITE_DRIVER=${only} is not a driver (node:sqlite or better-sqlite3)`);
  return { driver: null, reason: reasons.join("; ") };
}

async function nodeSqlite(): Promise<{ driver: SqliteDriver } | { reason: string }> {
  type NodeSqlite = {
    DatabaseSync: new (
      file: string,
      o?: { timeout?: number },
    ) => {
      exec(sql: string): void;
      prepare(sql: string): SqlStatement;
      close(): void;
    };
  };
  let mod: NodeSqlite;
  try {
    const getBuiltin = (process as unknown as { getBuiltinModule?: (id: string) => unknown })
      .getBuiltinModule;
    if (!getBuiltin) throw new Error("no process.getBuiltinModule");
    mod = getBuiltin("node:sqlite") as NodeSqlite;
    if (!mod?.DatabaseSync) throw new Error("no DatabaseSync");
  } catch {
    return { reason: `Node ${process.versions.node} has no node:sqlite (Node 22.5 and later have it)` };
  }
  return {
    driver: {
      name: "node:sqlite",
      open(file, o) {
        const db = new mod.DatabaseSync(file, { timeout: o.timeoutMs });
        // older node:sqlite builds ignore the option: set it as a pragma too
        db.exec(`PRAGMA busy_timeout = ${Math.round(o.timeoutMs)}`);
        return db;
      },
    },
  };
}

async function betterSqlite(): Promise<{ driver: SqliteDriver } | { reason: string }> {
  type BetterDb = {
    exec(sql: string): unknown;
    prepare(sql: string): SqlStatement;
    close(): unknown;
  };
  let Database: new (file: string, o?: { timeout?: number }) => BetterDb;
  try {
    const name = "better-sqlite3";
    const mod = (await import(name)) as { default: typeof Database };
    Database = mod.default;
    // the package loads without its compiled part; opening a database is what needs it
    new Database(":memory:").close();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const missing = err.code === "ERR_MODULE_NOT_FOUND" || /Cannot find (package|module)/.test(err.message);
    return {
      reason: missing
        ? "the optional package better-sqlite3 is not installed (npm leaves it out where it cannot be built: it needs g++, make and python3)"
        : `better-sqlite3 does not load (${err.message.split("\n")[0]})`,
    };
  }
  return {
    driver: {
      name: "better-sqlite3",
      open(file, o) {
        const db = new Database(file, { timeout: o.timeoutMs });
        return {
          exec: (sql) => {
            db.exec(sql);
          },
          prepare: (sql) => db.prepare(sql),
          close: () => {
            db.close();
          },
        };
      },
    },
  };
}
