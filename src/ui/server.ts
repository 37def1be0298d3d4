/**
 * The dashboard server: node:http, serving the front end in src/ui/client/ (plain files shipped in the
 * npm package: no CDN, no build step) and a small JSON API over a RunStore. Curves follow a training run
 * live through server-sent events: one timer watches the store's change counter (SQLite's data_version
 * moves when any process commits) and sends each open stream the epochs it has not seen.
 *
 * Safe by default: it binds to 127.0.0.1; bound to a loopback address it answers only requests whose Host
 * header names a loopback address with its port (no DNS rebinding); it is read-only except deleting runs,
 * which takes a POST with a confirmation header from the dashboard's own origin; every response carries a
 * Content-Security-Policy that allows no inline script and nothing from elsewhere, and the front end puts
 * store text into the page as text only. Artifact downloads serve only files inside the run's folder.
 *
 * @example
 * const ui = await startDashboard({ store: await SqliteRunStore.open(".nncoach/runs.db"), port: 6006 });
 * console.log(ui.url); // http://127.0.0.1:6006/
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compareRuns } from "../store/compare.js";
import { RUN_KINDS, RUN_STATUSES, type RunDetail, type RunFilter, type RunStore } from "../store/types.js";

export interface DashboardOptions {
  store: RunStore;
  /** Default 6006; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** How often live views check the store for new epochs (ms, default 300). */
  pollMs?: number;
}

export interface Dashboard {
  url: string;
  port: number;
  host: string;
  close(): Promise<void>;
}

/** The front end's files, served by name only. */
const CLIENT_FILES: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/index.html": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/charts.js": { file: "charts.js", type: "text/javascript; charset=utf-8" },
  "/app.css": { file: "app.css", type: "text/css; charset=utf-8" },
};

/** src/ui/client, from dist/src/ui/server.js or src/ui/server.ts. */
export function clientDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, "client"), path.resolve(here, "../../../src/ui/client")];
  return candidates.find((d) => fs.existsSync(path.join(d, "index.html"))) ?? candidates[1]!;
}

const SECURITY_HEADERS = {
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
};

/** How often the server looks for runs whose process died (see RunStore.markInterrupted). */
const SWEEP_MS = 10_000;

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** Whether `host` (as bound) is a loopback address. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The host name and port of a Host header ("[::1]:6006", "localhost:6006", "example.com"). */
function parseHostHeader(h: string | undefined): { name: string; port: string | null } | null {
  if (!h) return null;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(h.trim().toLowerCase());
  return m ? { name: m[1]!, port: m[2] ?? null } : null;
}

/**
 * The file `rel` (a path below the run's folder) of run `r`, or null when it is outside the folder (`..`,
 * an absolute path, a link pointing out) or not a file.
 */
export function artifactPath(r: Pick<RunDetail, "folder">, rel: string): string | null {
  if (!r.folder || !rel || rel.includes("\0")) return null;
  const root = path.resolve(r.folder);
  const target = path.resolve(root, rel);
  const inside = (p: string, base: string) => p.startsWith(base + path.sep);
  if (!inside(target, root)) return null;
  try {
    const realRoot = fs.realpathSync(root);
    const real = fs.realpathSync(target);
    if (!inside(real, realRoot) || !fs.statSync(real).isFile()) return null;
    return real;
  } catch {
    return null;
  }
}

function send(res: http.ServerResponse, status: number, body: string | Buffer, type: string): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    "Content-Type": type,
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), "application/json; charset=utf-8");
}

function intParam(v: string | null): number | undefined {
  if (v === null || v === "") return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

interface Stream {
  res: http.ServerResponse;
  /** Null: the runs list (a "change" event on any change). */
  runId: number | null;
  lastEpoch: number;
  status: string | null;
}

export async function startDashboard(o: DashboardOptions): Promise<Dashboard> {
  const store = o.store;
  const host = o.host ?? "127.0.0.1";
  const dir = clientDir();
  const streams = new Set<Stream>();
  let counter = store.changeCounter();
  let boundPort = 0;

  const checkHost = (req: http.IncomingMessage): boolean => {
    if (!isLoopback(host)) return true;
    const h = parseHostHeader(req.headers.host);
    return (
      h !== null &&
      LOOPBACK.has(h.name) &&
      (h.port === null ? boundPort === 80 : Number(h.port) === boundPort)
    );
  };

  const push = (s: Stream, event: string, data: unknown) => {
    s.res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };

  /** Sends a run stream what it has not seen; ends it once the run has ended. */
  const feed = (s: Stream) => {
    if (s.runId === null) return;
    const epochs = store.epochsAfter(s.runId, s.lastEpoch);
    if (epochs.length) {
      s.lastEpoch = epochs[epochs.length - 1]!.epoch;
      push(s, "epochs", epochs);
    }
    const r = store.getRun(s.runId);
    const status = r?.status ?? "deleted";
    if (status !== s.status) {
      s.status = status;
      push(s, "status", { status, metrics: r?.metrics ?? {}, endedAt: r?.endedAt ?? null });
    }
  };

  let sweep = Date.now();
  const timer = setInterval(() => {
    // a training process that died while the dashboard is open: its run becomes interrupted here too
    if (Date.now() - sweep > SWEEP_MS) {
      sweep = Date.now();
      try {
        store.markInterrupted();
      } catch {
        // a read-only or busy store: the runs stay as they are
      }
    }
    if (!streams.size) return;
    let now: number;
    try {
      now = store.changeCounter();
    } catch {
      return;
    }
    if (now === counter) return;
    counter = now;
    for (const s of streams) {
      try {
        if (s.runId === null) push(s, "change", { counter: now });
        else feed(s);
      } catch {
        // a busy store: the next tick tries again
      }
    }
  }, o.pollMs ?? 300);
  timer.unref();

  const api = (req: http.IncomingMessage, res: http.ServerResponse, url: URL): void => {
    const p = url.pathname;
    const q = url.searchParams;
    let m: RegExpExecArray | null;
    if (req.method === "POST" && p === "/api/runs/delete") {
      deleteRuns(req, res);
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      send(res, 405, "the dashboard is read-only", "text/plain; charset=utf-8");
      return;
    }
    if (p === "/api/runs") {
      const status = q.get("status");
      const kind = q.get("kind");
      const filter: RunFilter = {
        status: (RUN_STATUSES as readonly string[]).includes(status ?? "")
          ? (status as RunFilter["status"])
          : undefined,
        kind: (RUN_KINDS as readonly string[]).includes(kind ?? "") ? (kind as RunFilter["kind"]) : undefined,
        text: q.get("q") || undefined,
        studyId: intParam(q.get("study")),
      };
      const sort = q.get("sort") || undefined;
      const runs = store.listRuns({
        ...filter,
        sort,
        descending: sort === undefined ? undefined : q.get("dir") !== "asc",
        limit: intParam(q.get("limit")),
      });
      const counts: Record<string, number> = {};
      for (const s of RUN_STATUSES) counts[s] = store.countRuns({ ...filter, status: s });
      sendJson(res, 200, { runs, total: store.countRuns(filter), counts, store: store.location });
      return;
    }
    m = /^\/api\/runs\/(\d+)$/.exec(p);
    if (m) {
      const r = store.getRun(Number(m[1]));
      if (!r) sendJson(res, 404, { error: `no run ${m[1]}` });
      else sendJson(res, 200, r);
      return;
    }
    m = /^\/api\/runs\/(\d+)\/events$/.exec(p);
    if (m) {
      const runId = Number(m[1]);
      const r = store.getRun(runId);
      if (!r) {
        sendJson(res, 404, { error: `no run ${runId}` });
        return;
      }
      const after = intParam(q.get("after")) ?? 0;
      openStream(res, { res, runId, lastEpoch: after, status: null });
      return;
    }
    if (p === "/api/events") {
      openStream(res, { res, runId: null, lastEpoch: 0, status: null });
      return;
    }
    m = /^\/api\/runs\/(\d+)\/files\/(.+)$/.exec(p);
    if (m) {
      const r = store.getRun(Number(m[1]));
      let rel: string;
      try {
        rel = decodeURIComponent(m[2]!);
      } catch {
        rel = "";
      }
      const file = r ? artifactPath(r, rel) : null;
      if (!file) {
        send(res, 403, "refused: not a file of this run's folder", "text/plain; charset=utf-8");
        return;
      }
      const body = fs.readFileSync(file);
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        "Content-Type": "application/octet-stream",
        "Content-Length": body.length,
        "Content-Disposition": `attachment; filename="${path.basename(file).replace(/[^\w.-]/g, "_")}"`,
      });
      res.end(body);
      return;
    }
    if (p === "/api/studies") {
      sendJson(res, 200, store.listStudies());
      return;
    }
    m = /^\/api\/studies\/(\d+)$/.exec(p);
    if (m) {
      const s = store.getStudy(Number(m[1]));
      if (!s) sendJson(res, 404, { error: `no study ${m[1]}` });
      else
        sendJson(res, 200, {
          ...s,
          runList: store.listRuns({ studyId: s.id, sort: "id", descending: false }),
        });
      return;
    }
    if (p === "/api/compare") {
      const ids = (q.get("ids") ?? "")
        .split(",")
        .map(Number)
        .filter((n) => Number.isInteger(n) && n > 0);
      const runs = ids.map((id) => store.getRun(id)).filter((r): r is RunDetail => r !== undefined);
      if (runs.length < 2) {
        sendJson(res, 400, { error: "compare needs two or more existing run ids" });
        return;
      }
      sendJson(res, 200, {
        ...compareRuns(runs),
        runs: runs.map(({ epochs: _x, ...r }) => ({ ...r, epochs: r.epochsRun })),
      });
      return;
    }
    sendJson(res, 404, { error: `no such API: ${p}` });
  };

  const openStream = (res: http.ServerResponse, s: Stream) => {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      "Content-Type": "text/event-stream; charset=utf-8",
      Connection: "keep-alive",
    });
    res.write(": nncoach dashboard\n\n");
    streams.add(s);
    res.on("close", () => streams.delete(s));
    try {
      feed(s);
    } catch {
      // the next tick tries again
    }
  };

  const deleteRuns = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const origin = req.headers.origin;
    const expected = `http://${req.headers.host}`;
    if (req.headers["x-nncoach-confirm"] !== "delete" || (origin !== undefined && origin !== expected)) {
      sendJson(res, 403, { error: "deleting runs needs the dashboard's confirmation" });
      return;
    }
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => {
      body += c;
      if (body.length > 100_000) req.destroy();
    });
    req.on("end", () => {
      try {
        const ids = (JSON.parse(body) as { ids?: unknown }).ids;
        if (!Array.isArray(ids) || !ids.every((i) => Number.isInteger(i) && i > 0)) throw new Error("ids");
        sendJson(res, 200, { deleted: store.deleteRuns(ids as number[]) });
      } catch {
        sendJson(res, 400, { error: 'send {"ids": [1, 2]}' });
      }
    });
  };

  const server = http.createServer((req, res) => {
    try {
      if (!checkHost(req)) {
        send(
          res,
          403,
          "refused: this dashboard answers only requests for 127.0.0.1 or localhost (Host header)",
          "text/plain; charset=utf-8",
        );
        return;
      }
      const url = new URL(req.url ?? "/", "http://dashboard.invalid");
      if (url.pathname.startsWith("/api/")) {
        api(req, res, url);
        return;
      }
      if (url.pathname === "/favicon.ico") {
        res.writeHead(204, SECURITY_HEADERS);
        res.end();
        return;
      }
      const f = CLIENT_FILES[url.pathname];
      if (!f || (req.method !== "GET" && req.method !== "HEAD")) {
        send(res, 404, "not found", "text/plain; charset=utf-8");
        return;
      }
      send(res, 200, fs.readFileSync(path.join(dir, f.file)), f.type);
    } catch (e) {
      if (!res.headersSent) sendJson(res, 500, { error: (e as Error).message });
      else res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port ?? 6006, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  boundPort = (server.address() as AddressInfo).port;
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shown}:${boundPort}/`,
    port: boundPort,
    host,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        for (const s of streams) s.res.end();
        streams.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
