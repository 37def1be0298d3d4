/**
 * `nncoach ui [--port 6006] [--host 127.0.0.1] [--store <file>]`: the dashboard of the experiment store,
 * served by nncoach itself (see src/ui/server.ts) until Ctrl-C. Runs table, run detail with live curves,
 * studies, comparisons.
 */
import fs from "node:fs";
import { UserError } from "../errors.js";
import { storePath } from "../store/session.js";
import { SqliteRunStore, StoreUnavailable } from "../store/sqlite-store.js";
import { isLoopback, startDashboard } from "../ui/server.js";
import { intOption, parseCommandArgs } from "./args.js";

export const UI_USAGE = `usage: nncoach ui [--port 6006] [--host 127.0.0.1] [--store <file>]

Serves the dashboard of the experiment store (runs table, run detail with live curves, studies,
comparisons) at http://127.0.0.1:6006/ until Ctrl-C. It binds to 127.0.0.1 unless --host says otherwise
(--host 0.0.0.0 shows your runs to the network). The store: --store <file>, else NNCOACH_STORE, else
.nncoach/runs.db in the working directory.`;

export async function uiCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseCommandArgs("ui", argv, {
    port: { type: "string" },
    host: { type: "string" },
    store: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (v.help) {
    process.stdout.write(`${UI_USAGE}\n`);
    return 0;
  }
  if (positionals.length)
    throw new UserError(`nncoach ui takes no arguments, got ${positionals.join(" ")}`, UI_USAGE);
  const port = intOption("port", v.port, 0) ?? 6006;
  if (port > 65535) throw new UserError(`--port must be at most 65535, got ${port}`);
  const host = v.host ?? "127.0.0.1";
  const file = storePath(v.store);
  const existed = fs.existsSync(file);
  let store: SqliteRunStore;
  try {
    store = await SqliteRunStore.open(file);
  } catch (e) {
    if (e instanceof StoreUnavailable)
      throw new UserError(
        e.message,
        "install the SQLite driver: npm install better-sqlite3 (builds with g++, make and python3), or use Node 22.5+",
      );
    throw new UserError(
      `${file}: cannot open the store (${(e as Error).message})`,
      "choose another with --store <file>",
    );
  }
  let ui: Awaited<ReturnType<typeof startDashboard>>;
  try {
    ui = await startDashboard({ store, port, host });
  } catch (e) {
    store.close();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE")
      throw new UserError(
        `port ${port} is in use on ${host}`,
        "choose another with --port <n> (or --port 0 for a free one)",
      );
    throw new UserError(`cannot serve on ${host}:${port} (${(e as Error).message})`);
  }
  process.stdout.write(
    `nncoach ui: ${ui.url} (store ${file}${existed ? `, ${store.countRuns()} runs` : ", no runs yet"}); Ctrl-C stops it\n`,
  );
  if (!isLoopback(host))
    process.stderr.write(
      `nncoach: note: bound to ${host}: anyone who can reach this machine can read your runs (the default, 127.0.0.1, keeps them local)\n`,
    );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await ui.close();
  store.close();
  return 0;
}
