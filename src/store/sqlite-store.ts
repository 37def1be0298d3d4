/**
 * The experiment store in a SQLite file (default `.nncoach/runs.db`). WAL mode, so the dashboard reads
 * while several training processes write; every write is one `BEGIN IMMEDIATE` transaction (a writer
 * waits for the lock up to the busy timeout instead of failing half-way); the schema migrates on open
 * (schema.ts); and a run left `running` by a process that died (SIGKILL, power loss) is marked
 * `interrupted` on the next open, its completed epochs kept.
 *
 * @example
 * const store = await SqliteRunStore.open(".nncoach/runs.db");
 * for (const r of store.listRuns({ sort: "val_accuracy", descending: true, limit: 5 })) console.log(r);
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { MIGRATIONS, SCHEMA_VERSION } from "./schema.js";
import { loadSqliteDriver, type SqlDatabase, type SqlValue } from "./sqlite-driver.js";
import {
  type ArtifactRecord,
  type EpochRecord,
  type FindingRecord,
  type LedgerRecord,
  type LrFinderRecord,
  type NewRun,
  type NewStudy,
  type RunDetail,
  type RunEnd,
  type RunFilter,
  type RunKind,
  type RunStatus,
  type RunStore,
  type RunSummary,
  SORT_COLUMNS,
  type StudyDetail,
  type StudySummary,
  type TestEvaluation,
} from "./types.js";
import { packageVersion, processAlive, STALE_SECONDS } from "./util.js";

/** How long a write waits for another process's lock before giving up (SQLITE_BUSY). */
export const BUSY_TIMEOUT_MS = 15_000;

/** Thrown when a store cannot be used at all: no driver, or a store from a newer nncoach. */
export class StoreUnavailable extends Error {
  override readonly name = "StoreUnavailable";
}

type Row = Record<string, SqlValue>;

const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));
const parse = <T>(v: SqlValue | undefined, fallback: T): T =>
  typeof v === "string" ? (JSON.parse(v) as T) : fallback;
const num = (v: SqlValue | undefined): number | null =>
  v === null || v === undefined ? null : typeof v === "bigint" ? Number(v) : Number(v);
const str = (v: SqlValue | undefined): string | null => (typeof v === "string" ? v : null);
const now = () => new Date().toISOString();

/** The SQL expression a runs-table sort key orders by, with its parameter (a metric's JSON path). */
export function sortExpression(sort: string | undefined): { sql: string; param?: string } {
  switch (sort ?? "id") {
    case "id":
      return { sql: "r.id" };
    case "name":
      return { sql: "r.name" };
    case "kind":
      return { sql: "r.kind" };
    case "status":
      return { sql: "r.status" };
    case "started":
      return { sql: "r.started_at" };
    case "ended":
      return { sql: "r.ended_at" };
    case "epochs":
      return { sql: "r.epochs_run" };
    case "fingerprint":
      return { sql: "r.fingerprint" };
    case "data":
      return { sql: "r.source" };
    default:
      return { sql: "json_extract(r.metrics_json, ?)", param: `$."${sort!.replace(/"/g, "")}"` };
  }
}

export class SqliteRunStore implements RunStore {
  private constructor(
    readonly location: string,
    private readonly db: SqlDatabase,
    /** "better-sqlite3" or "node:sqlite". */
    readonly driver: string,
  ) {}

  /**
   * Opens (creating it and its folder when missing) the store at `file`, migrates it, and marks runs
   * whose process died `interrupted`. Throws StoreUnavailable without a SQLite driver, and the driver's
   * error (SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_BUSY, ...) when the file cannot be opened or written.
   */
  static async open(file: string, o: { timeoutMs?: number } = {}): Promise<SqliteRunStore> {
    const loaded = await loadSqliteDriver();
    if (!loaded.driver) throw new StoreUnavailable(`no SQLite driver: ${loaded.reason}`);
    const location = file === ":memory:" ? file : path.resolve(file);
    if (location !== ":memory:") fs.mkdirSync(path.dirname(location), { recursive: true });
    const db = loaded.driver.open(location, { timeoutMs: o.timeoutMs ?? BUSY_TIMEOUT_MS });
    const store = new SqliteRunStore(location, db, loaded.driver.name);
    try {
      store.setUp();
      store.markInterrupted();
    } catch (e) {
      db.close();
      throw e;
    }
    return store;
  }

  private setUp(): void {
    const version = () => num(this.db.prepare("PRAGMA user_version").get()?.user_version) ?? 0;
    if (version() > SCHEMA_VERSION)
      throw new StoreUnavailable(
        `${this.location} has schema version ${version()}, newer than this nncoach knows (${SCHEMA_VERSION}): update nncoach, or use another --store`,
      );
    // WAL lets readers (the dashboard, `nncoach runs`) read while a training process writes
    const mode = str(this.db.prepare("PRAGMA journal_mode = WAL").get()?.journal_mode);
    if (mode !== "wal" && this.location !== ":memory:")
      throw new Error(`${this.location}: SQLite refused WAL mode (journal_mode ${mode})`);
    this.db.exec("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON");
    if (version() < SCHEMA_VERSION)
      this.write(() => {
        // another process may have migrated while this one waited for the lock
        for (let v = version(); v < SCHEMA_VERSION; v++) {
          this.db.exec(MIGRATIONS[v]!);
          this.db.exec(`PRAGMA user_version = ${v + 1}`);
        }
      });
  }

  /** Runs `fn` in one write transaction (BEGIN IMMEDIATE: waits for the write lock, then cannot deadlock). */
  private write<T>(fn: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const r = fn();
      this.db.exec("COMMIT");
      return r;
    } catch (e) {
      try {
        this.db.exec("ROLLBACK");
      } catch {
        // the transaction was already rolled back by SQLite (e.g. SQLITE_FULL)
      }
      throw e;
    }
  }

  private run(sql: string, ...params: SqlValue[]) {
    return this.db.prepare(sql).run(...params);
  }

  private all(sql: string, ...params: SqlValue[]): Row[] {
    return this.db.prepare(sql).all(...params);
  }

  private get(sql: string, ...params: SqlValue[]): Row | undefined {
    return this.db.prepare(sql).get(...params);
  }

  createStudy(s: NewStudy): number {
    return this.write(() =>
      Number(
        this.run(
          `INSERT INTO studies (name, command_json, source, metric, folder, status, started_at, heartbeat_at, pid, host)
           VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)`,
          s.name,
          json(s.command ?? null),
          s.source ?? null,
          s.metric ?? null,
          s.folder ?? null,
          now(),
          now(),
          process.pid,
          os.hostname(),
        ).lastInsertRowid,
      ),
    );
  }

  endStudy(id: number, status: Exclude<RunStatus, "running">, summary?: unknown): void {
    this.write(() =>
      this.run(
        "UPDATE studies SET status = ?, ended_at = ?, summary_json = coalesce(?, summary_json), metric = coalesce(?, metric) WHERE id = ?",
        status,
        now(),
        json(summary),
        str((summary as { metric?: { name?: string } } | undefined)?.metric?.name ?? null),
        id,
      ),
    );
  }

  addLedger(studyId: number, steps: LedgerRecord[]): void {
    this.write(() => {
      this.run("DELETE FROM ledger_steps WHERE study_id = ?", studyId);
      const st = this.db.prepare(
        `INSERT INTO ledger_steps (study_id, position, name, kept, skipped, reason, change_json, before_mean, before_se,
         after_mean, after_se, trials_json, detail_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      steps.forEach((s, i) => {
        st.run(
          studyId,
          i,
          s.name,
          s.kept ? 1 : 0,
          s.skipped ? 1 : 0,
          s.reason,
          JSON.stringify(s.change),
          finite(s.before?.mean),
          finite(s.before?.se),
          finite(s.after?.mean),
          finite(s.after?.se),
          JSON.stringify(s.trials),
          json(s.detail),
        );
      });
    });
  }

  createRun(r: NewRun): number {
    const fp = r.fingerprint;
    return this.write(() =>
      Number(
        this.run(
          `INSERT INTO runs (study_id, kind, name, command_json, source, fingerprint, train_fingerprint, val_fingerprint,
           test_fingerprint, task, monitor, seed, threads, version, status, started_at, heartbeat_at, pid, host,
           epochs_planned, plan_json, decisions_json, config_json, folder)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          r.studyId ?? null,
          r.kind,
          r.name,
          json(r.command ?? null),
          r.source ?? null,
          fp?.data ?? null,
          fp?.train ?? null,
          fp?.validation ?? null,
          fp?.test ?? null,
          r.task ?? null,
          r.monitor ?? null,
          r.seed ?? null,
          r.threads ?? null,
          packageVersion(),
          now(),
          now(),
          process.pid,
          os.hostname(),
          r.epochs ?? null,
          json(r.plan),
          json(r.decisions ?? []),
          json(r.config ?? null),
          r.folder ?? null,
        ).lastInsertRowid,
      ),
    );
  }

  addEpoch(runId: number, e: EpochRecord): void {
    this.write(() => {
      this.run(
        "INSERT OR REPLACE INTO epochs (run_id, epoch, metrics_json, lr, health_json) VALUES (?, ?, ?, ?, ?)",
        runId,
        e.epoch,
        JSON.stringify(finiteRecord(e.metrics)),
        finite(e.lr),
        json(e.health),
      );
      this.run(
        "UPDATE runs SET epochs_run = max(epochs_run, ?), heartbeat_at = ? WHERE id = ?",
        e.epoch,
        now(),
        runId,
      );
    });
  }

  heartbeat(runId: number): void {
    this.write(() => {
      this.run("UPDATE runs SET heartbeat_at = ? WHERE id = ? AND status = 'running'", now(), runId);
      this.run(
        "UPDATE studies SET heartbeat_at = ? WHERE id = (SELECT study_id FROM runs WHERE id = ?)",
        now(),
        runId,
      );
    });
  }

  endRun(runId: number, end: RunEnd): void {
    this.write(() =>
      this.run(
        `UPDATE runs SET status = ?, ended_at = ?, metrics_json = ?, stop_reason = ?,
         epochs_run = coalesce(?, epochs_run), extra_json = ?, config_json = coalesce(?, config_json),
         plan_json = coalesce(?, plan_json), decisions_json = coalesce(?, decisions_json) WHERE id = ?`,
        end.status,
        now(),
        JSON.stringify(finiteRecord(end.metrics ?? {})),
        end.stopReason ?? null,
        end.epochsRun ?? null,
        JSON.stringify(end.extra ?? {}),
        json(end.config),
        json(end.plan),
        json(end.decisions),
        runId,
      ),
    );
  }

  setLrFinder(runId: number, r: LrFinderRecord): void {
    this.write(() =>
      this.run(
        "INSERT OR REPLACE INTO lr_finder (run_id, lrs_json, losses_json, smoothed_json, suggestion, rule) VALUES (?, ?, ?, ?, ?, ?)",
        runId,
        JSON.stringify(r.lrs.map(nullIfNotFinite)),
        JSON.stringify(r.losses.map(nullIfNotFinite)),
        json(r.smoothed?.map(nullIfNotFinite)),
        r.suggestion,
        r.rule ?? null,
      ),
    );
  }

  setFindings(runId: number, findings: FindingRecord[]): void {
    this.write(() => {
      this.run("DELETE FROM findings WHERE run_id = ?", runId);
      const st = this.db.prepare(
        "INSERT INTO findings (run_id, position, symptom, severity, confidence, explanation, detail_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
      );
      findings.forEach((f, i) => {
        st.run(runId, i, f.symptom, f.severity, finite(f.confidence), f.explanation ?? null, json(f.detail));
      });
    });
  }

  addArtifacts(runId: number, artifacts: ArtifactRecord[]): void {
    this.write(() => {
      const st = this.db.prepare(
        "INSERT INTO artifacts (run_id, path, size, sha256, kind) VALUES (?, ?, ?, ?, ?)",
      );
      for (const a of artifacts) st.run(runId, a.path, a.size, a.sha256, a.kind ?? null);
    });
  }

  recordTestEvaluation(e: TestEvaluation): number {
    return this.write(() => {
      this.run(
        "INSERT INTO test_evaluations (fingerprint, run_id, study_id, at, reason) VALUES (?, ?, ?, ?, ?)",
        e.fingerprint,
        e.runId ?? null,
        e.studyId ?? null,
        now(),
        e.reason,
      );
      return this.testEvaluationCount(e.fingerprint);
    });
  }

  testEvaluationCount(fingerprint: string): number {
    return (
      num(this.get("SELECT count(*) AS n FROM test_evaluations WHERE fingerprint = ?", fingerprint)?.n) ?? 0
    );
  }

  private where(f: RunFilter): { sql: string; params: SqlValue[] } {
    const parts: string[] = [];
    const params: SqlValue[] = [];
    if (f.studyId !== undefined) {
      parts.push("r.study_id = ?");
      params.push(f.studyId);
    }
    if (f.status) {
      parts.push("r.status = ?");
      params.push(f.status);
    }
    if (f.kind) {
      parts.push("r.kind = ?");
      params.push(f.kind);
    }
    if (f.text) {
      const like = `%${f.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      parts.push(
        "(r.name LIKE ? ESCAPE '\\' OR r.source LIKE ? ESCAPE '\\' OR r.fingerprint LIKE ? ESCAPE '\\')",
      );
      params.push(like, like, like);
    }
    return { sql: parts.length ? `WHERE ${parts.join(" AND ")}` : "", params };
  }

  listRuns(f: RunFilter = {}): RunSummary[] {
    const w = this.where(f);
    const order = sortExpression(f.sort);
    const dir = (f.descending ?? f.sort === undefined) ? "DESC" : "ASC";
    const params = [...w.params];
    // runs without the sort key come last, whichever the direction; ties by id, newest first
    let orderSql = "r.id DESC";
    if (f.sort !== undefined && f.sort !== "id") {
      orderSql = `(${order.sql}) IS NULL, ${order.sql} ${dir}, r.id ${dir}`;
      if (order.param !== undefined) params.push(order.param, order.param);
    } else orderSql = `r.id ${dir}`;
    const limit = f.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(f.limit))}` : "";
    return this.all(
      `SELECT r.id, r.kind, r.name, r.study_id, r.status, r.source, r.fingerprint, r.test_fingerprint, r.task,
       r.monitor, r.seed, r.started_at, r.ended_at, r.epochs_run, r.metrics_json
       FROM runs r ${w.sql} ORDER BY ${orderSql}${limit}`,
      ...params,
    ).map(summaryOf);
  }

  countRuns(f: Omit<RunFilter, "limit" | "sort" | "descending"> = {}): number {
    const w = this.where(f);
    return num(this.get(`SELECT count(*) AS n FROM runs r ${w.sql}`, ...w.params)?.n) ?? 0;
  }

  getRun(id: number): RunDetail | undefined {
    const r = this.get("SELECT r.* FROM runs r WHERE r.id = ?", id);
    if (!r) return undefined;
    const lr = this.get("SELECT * FROM lr_finder WHERE run_id = ?", id);
    const testFp = str(r.test_fingerprint);
    return {
      ...summaryOf(r),
      command: parse<string[] | null>(r.command_json, null),
      fingerprints: r.fingerprint
        ? {
            data: String(r.fingerprint),
            train: String(r.train_fingerprint),
            validation: String(r.val_fingerprint),
            test: testFp,
          }
        : null,
      threads: num(r.threads),
      version: str(r.version),
      pid: num(r.pid),
      host: str(r.host),
      heartbeatAt: str(r.heartbeat_at),
      plan: parse<unknown>(r.plan_json, null),
      decisions: parse<unknown[]>(r.decisions_json, []),
      config: parse<Record<string, unknown> | null>(r.config_json, null),
      folder: str(r.folder),
      stopReason: str(r.stop_reason),
      epochs: this.epochsAfter(id, 0),
      lrFinder: lr
        ? {
            lrs: parse<number[]>(lr.lrs_json, []),
            losses: parse<number[]>(lr.losses_json, []),
            smoothed: parse<number[] | undefined>(lr.smoothed_json, undefined),
            suggestion: Number(lr.suggestion),
            rule: str(lr.rule),
          }
        : null,
      findings: this.all("SELECT * FROM findings WHERE run_id = ? ORDER BY position", id).map((f) => ({
        symptom: String(f.symptom),
        severity: String(f.severity),
        confidence: num(f.confidence) ?? undefined,
        explanation: str(f.explanation) ?? undefined,
        detail: parse<unknown>(f.detail_json, undefined),
      })),
      artifacts: this.all("SELECT * FROM artifacts WHERE run_id = ? ORDER BY id", id).map((a) => ({
        id: Number(a.id),
        path: String(a.path),
        size: Number(a.size),
        sha256: String(a.sha256),
        kind: str(a.kind),
      })),
      extra: parse<Record<string, unknown>>(r.extra_json, {}),
      testEvaluations: testFp ? this.testEvaluationCount(testFp) : 0,
    };
  }

  epochsAfter(runId: number, afterEpoch: number): EpochRecord[] {
    return this.all(
      "SELECT epoch, metrics_json, lr, health_json FROM epochs WHERE run_id = ? AND epoch > ? ORDER BY epoch",
      runId,
      afterEpoch,
    ).map((e) => ({
      epoch: Number(e.epoch),
      metrics: parse<Record<string, number>>(e.metrics_json, {}),
      lr: num(e.lr),
      health: parse<unknown>(e.health_json, undefined),
    }));
  }

  listStudies(): StudySummary[] {
    return this.all(
      "SELECT s.*, (SELECT count(*) FROM runs r WHERE r.study_id = s.id) AS runs FROM studies s ORDER BY s.id DESC",
    ).map(studyOf);
  }

  getStudy(id: number): StudyDetail | undefined {
    const s = this.get(
      "SELECT s.*, (SELECT count(*) FROM runs r WHERE r.study_id = s.id) AS runs FROM studies s WHERE s.id = ?",
      id,
    );
    if (!s) return undefined;
    const ledger = this.all("SELECT * FROM ledger_steps WHERE study_id = ? ORDER BY position", id).map(
      (l): LedgerRecord => ({
        name: String(l.name),
        kept: Number(l.kept) === 1,
        skipped: Number(l.skipped) === 1,
        reason: String(l.reason),
        change: parse<Record<string, unknown>>(l.change_json, {}),
        before: l.before_mean === null ? null : { mean: Number(l.before_mean), se: Number(l.before_se) },
        after: l.after_mean === null ? null : { mean: Number(l.after_mean), se: Number(l.after_se) },
        trials: parse<number[]>(l.trials_json, []),
        detail: parse<unknown>(l.detail_json, undefined),
      }),
    );
    const summary = parse<unknown>(s.summary_json, null);
    return {
      ...studyOf(s),
      command: parse<string[] | null>(s.command_json, null),
      folder: str(s.folder),
      summary,
      ledger,
      testEvaluations: (summary as { test_evaluations?: number | null } | null)?.test_evaluations ?? null,
    };
  }

  deleteRuns(ids: number[]): number {
    if (!ids.length) return 0;
    return this.write(() => {
      let n = 0;
      const st = this.db.prepare("DELETE FROM runs WHERE id = ?");
      for (const id of ids) n += Number(st.run(id).changes);
      return n;
    });
  }

  markInterrupted(): number[] {
    const stale = new Date(Date.now() - STALE_SECONDS * 1000).toISOString();
    const host = os.hostname();
    const gone = (r: Row) =>
      (str(r.heartbeat_at) ?? "") < stale || (str(r.host) === host && !processAlive(num(r.pid)));
    const runs = this.all("SELECT id, pid, host, heartbeat_at FROM runs WHERE status = 'running'").filter(
      gone,
    );
    const studies = this.all(
      "SELECT id, pid, host, heartbeat_at FROM studies WHERE status = 'running'",
    ).filter(gone);
    if (!runs.length && !studies.length) return [];
    return this.write(() => {
      const ids: number[] = [];
      for (const r of runs)
        if (
          Number(
            this.run(
              "UPDATE runs SET status = 'interrupted', ended_at = heartbeat_at, stop_reason = coalesce(stop_reason, ?) WHERE id = ? AND status = 'running'",
              "interrupted: the process stopped without finishing the run (killed, crashed or the machine stopped)",
              Number(r.id),
            ).changes,
          ) > 0
        )
          ids.push(Number(r.id));
      for (const s of studies)
        this.run(
          "UPDATE studies SET status = 'interrupted', ended_at = heartbeat_at WHERE id = ? AND status = 'running'",
          Number(s.id),
        );
      return ids;
    });
  }

  changeCounter(): number {
    // changes when another connection commits; plus this connection's own changes
    const v = num(this.get("PRAGMA data_version")?.data_version) ?? 0;
    const c = num(this.get("SELECT total_changes() AS n")?.n) ?? 0;
    return v * 1_000_000 + c;
  }

  close(): void {
    this.db.close();
  }
}

function finite(v: number | null | undefined): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function nullIfNotFinite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** Metrics without NaN/Inf (JSON has no such numbers; a missing value reads as missing). */
function finiteRecord(m: Record<string, number | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(m)) if (typeof v === "number" && Number.isFinite(v)) out[k] = v;
  return out;
}

function summaryOf(r: Row): RunSummary {
  return {
    id: Number(r.id),
    kind: String(r.kind) as RunKind,
    name: String(r.name),
    studyId: num(r.study_id),
    status: String(r.status) as RunStatus,
    source: str(r.source),
    fingerprint: str(r.fingerprint),
    testFingerprint: str(r.test_fingerprint),
    task: str(r.task),
    monitor: str(r.monitor),
    seed: num(r.seed),
    startedAt: String(r.started_at),
    endedAt: str(r.ended_at),
    epochsRun: Number(r.epochs_run ?? 0),
    metrics: parse<Record<string, number>>(r.metrics_json, {}),
  };
}

function studyOf(s: Row): StudySummary {
  return {
    id: Number(s.id),
    name: String(s.name),
    status: String(s.status) as RunStatus,
    source: str(s.source),
    metric: str(s.metric),
    startedAt: String(s.started_at),
    endedAt: str(s.ended_at),
    runs: Number(s.runs ?? 0),
  };
}

export { SORT_COLUMNS };
