/**
 * The experiment store in memory: the same interface and ordering as the SQLite store, nothing written
 * to disk. For tests, and for library code that wants run records without a file.
 */
import os from "node:os";
import type {
  ArtifactRecord,
  EpochRecord,
  FindingRecord,
  LedgerRecord,
  LrFinderRecord,
  NewRun,
  NewStudy,
  RunDetail,
  RunEnd,
  RunFilter,
  RunStatus,
  RunStore,
  RunSummary,
  StudyDetail,
  StudySummary,
  TestEvaluation,
} from "./types.js";
import { packageVersion } from "./util.js";

type StudyRow = Omit<StudyDetail, "runs" | "testEvaluations">;

const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));
const now = () => new Date().toISOString();

function finiteRecord(m: Record<string, number | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(m)) if (typeof v === "number" && Number.isFinite(v)) out[k] = v;
  return out;
}

/** The value a runs-table sort key gives a run (null sorts last), as sqlite-store.ts's sortExpression. */
export function sortValue(r: RunSummary, sort: string): string | number | null {
  switch (sort) {
    case "id":
      return r.id;
    case "name":
      return r.name;
    case "kind":
      return r.kind;
    case "status":
      return r.status;
    case "started":
      return r.startedAt;
    case "ended":
      return r.endedAt;
    case "epochs":
      return r.epochsRun;
    case "fingerprint":
      return r.fingerprint;
    case "data":
      return r.source;
    default:
      return r.metrics[sort] ?? null;
  }
}

export class MemoryRunStore implements RunStore {
  readonly location = ":memory:";
  private runs = new Map<number, Omit<RunDetail, "testEvaluations">>();
  private studies = new Map<number, StudyRow>();
  private evaluations: (TestEvaluation & { at: string })[] = [];
  private nextRun = 1;
  private nextStudy = 1;
  private nextArtifact = 1;
  private changes = 0;

  private touch(): void {
    this.changes++;
  }

  private run(id: number) {
    const r = this.runs.get(id);
    if (!r) throw new Error(`no run ${id} in the store`);
    return r;
  }

  createStudy(s: NewStudy): number {
    const id = this.nextStudy++;
    this.studies.set(id, {
      id,
      name: s.name,
      status: "running",
      source: s.source ?? null,
      metric: s.metric ?? null,
      startedAt: now(),
      endedAt: null,
      command: s.command ? [...s.command] : null,
      folder: s.folder ?? null,
      summary: null,
      ledger: [],
    });
    this.touch();
    return id;
  }

  endStudy(id: number, status: Exclude<RunStatus, "running">, summary?: unknown): void {
    const s = this.studies.get(id);
    if (!s) return;
    s.status = status;
    s.endedAt = now();
    if (summary !== undefined) {
      s.summary = clone(summary);
      s.metric = (summary as { metric?: { name?: string } }).metric?.name ?? s.metric;
    }
    this.touch();
  }

  addLedger(studyId: number, steps: LedgerRecord[]): void {
    const s = this.studies.get(studyId);
    if (s) s.ledger = clone(steps);
    this.touch();
  }

  createRun(r: NewRun): number {
    const id = this.nextRun++;
    this.runs.set(id, {
      id,
      kind: r.kind,
      name: r.name,
      studyId: r.studyId ?? null,
      status: "running",
      source: r.source ?? null,
      fingerprint: r.fingerprint?.data ?? null,
      testFingerprint: r.fingerprint?.test ?? null,
      task: r.task ?? null,
      monitor: r.monitor ?? null,
      seed: r.seed ?? null,
      startedAt: now(),
      endedAt: null,
      epochsRun: 0,
      metrics: {},
      command: r.command ? [...r.command] : null,
      fingerprints: r.fingerprint ? { ...r.fingerprint } : null,
      threads: r.threads ?? null,
      version: packageVersion(),
      pid: process.pid,
      host: os.hostname(),
      heartbeatAt: now(),
      plan: clone(r.plan ?? null),
      decisions: clone(r.decisions ?? []),
      config: clone(r.config ?? null),
      folder: r.folder ?? null,
      stopReason: null,
      epochs: [],
      lrFinder: null,
      findings: [],
      artifacts: [],
      extra: {},
    });
    this.touch();
    return id;
  }

  addEpoch(runId: number, e: EpochRecord): void {
    const r = this.run(runId);
    const rec: EpochRecord = {
      epoch: e.epoch,
      metrics: finiteRecord(e.metrics),
      lr: typeof e.lr === "number" && Number.isFinite(e.lr) ? e.lr : null,
      health: clone(e.health),
    };
    r.epochs = [...r.epochs.filter((x) => x.epoch !== e.epoch), rec].sort((a, b) => a.epoch - b.epoch);
    r.epochsRun = Math.max(r.epochsRun, e.epoch);
    r.heartbeatAt = now();
    this.touch();
  }

  heartbeat(runId: number): void {
    this.run(runId).heartbeatAt = now();
  }

  endRun(runId: number, end: RunEnd): void {
    const r = this.run(runId);
    r.status = end.status;
    r.endedAt = now();
    r.metrics = finiteRecord(end.metrics ?? {});
    r.stopReason = end.stopReason ?? null;
    if (end.epochsRun !== undefined) r.epochsRun = end.epochsRun;
    r.extra = clone(end.extra ?? {});
    if (end.config) r.config = clone(end.config);
    if (end.plan !== undefined) r.plan = clone(end.plan);
    if (end.decisions) r.decisions = clone(end.decisions);
    this.touch();
  }

  setLrFinder(runId: number, lr: LrFinderRecord): void {
    this.run(runId).lrFinder = clone(lr);
    this.touch();
  }

  setFindings(runId: number, findings: FindingRecord[]): void {
    this.run(runId).findings = clone(findings);
    this.touch();
  }

  addArtifacts(runId: number, artifacts: ArtifactRecord[]): void {
    const r = this.run(runId);
    for (const a of artifacts) r.artifacts.push({ ...a, kind: a.kind ?? null, id: this.nextArtifact++ });
    this.touch();
  }

  recordTestEvaluation(e: TestEvaluation): number {
    this.evaluations.push({ ...e, at: now() });
    this.touch();
    return this.testEvaluationCount(e.fingerprint);
  }

  testEvaluationCount(fingerprint: string): number {
    return this.evaluations.filter((e) => e.fingerprint === fingerprint).length;
  }

  private matching(f: RunFilter): RunSummary[] {
    const text = f.text?.toLowerCase();
    return [...this.runs.values()]
      .filter(
        (r) =>
          (f.studyId === undefined || r.studyId === f.studyId) &&
          (!f.status || r.status === f.status) &&
          (!f.kind || r.kind === f.kind) &&
          (!text ||
            [r.name, r.source ?? "", r.fingerprint ?? ""].some((v) => v.toLowerCase().includes(text))),
      )
      .map((r) => summary(r));
  }

  listRuns(f: RunFilter = {}): RunSummary[] {
    const sort = f.sort ?? "id";
    const desc = f.descending ?? f.sort === undefined;
    const sign = desc ? -1 : 1;
    const rows = this.matching(f).sort((a, b) => {
      const va = sortValue(a, sort);
      const vb = sortValue(b, sort);
      if (va === null && vb !== null) return 1;
      if (vb === null && va !== null) return -1;
      if (va !== null && vb !== null && va !== vb) return (va < vb ? -1 : 1) * sign;
      return (a.id - b.id) * sign;
    });
    return f.limit !== undefined ? rows.slice(0, Math.max(0, Math.floor(f.limit))) : rows;
  }

  countRuns(f: Omit<RunFilter, "limit" | "sort" | "descending"> = {}): number {
    return this.matching(f).length;
  }

  getRun(id: number): RunDetail | undefined {
    const r = this.runs.get(id);
    if (!r) return undefined;
    return {
      ...clone(r),
      testEvaluations: r.testFingerprint ? this.testEvaluationCount(r.testFingerprint) : 0,
    };
  }

  epochsAfter(runId: number, afterEpoch: number): EpochRecord[] {
    return clone(this.runs.get(runId)?.epochs.filter((e) => e.epoch > afterEpoch) ?? []);
  }

  private studyRuns(id: number): number {
    return [...this.runs.values()].filter((r) => r.studyId === id).length;
  }

  listStudies(): StudySummary[] {
    return [...this.studies.values()]
      .sort((a, b) => b.id - a.id)
      .map((s) => ({
        id: s.id,
        name: s.name,
        status: s.status,
        source: s.source,
        metric: s.metric,
        startedAt: s.startedAt,
        endedAt: s.endedAt,
        runs: this.studyRuns(s.id),
      }));
  }

  getStudy(id: number): StudyDetail | undefined {
    const s = this.studies.get(id);
    if (!s) return undefined;
    return {
      ...clone(s),
      runs: this.studyRuns(id),
      testEvaluations: (s.summary as { test_evaluations?: number | null } | null)?.test_evaluations ?? null,
    };
  }

  deleteRuns(ids: number[]): number {
    let n = 0;
    for (const id of ids) if (this.runs.delete(id)) n++;
    this.touch();
    return n;
  }

  /** In one process nothing dies unseen: no run is interrupted here. */
  markInterrupted(): number[] {
    return [];
  }

  changeCounter(): number {
    return this.changes;
  }

  close(): void {}
}

function summary(r: Omit<RunDetail, "testEvaluations">): RunSummary {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    studyId: r.studyId,
    status: r.status,
    source: r.source,
    fingerprint: r.fingerprint,
    testFingerprint: r.testFingerprint,
    task: r.task,
    monitor: r.monitor,
    seed: r.seed,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    epochsRun: r.epochsRun,
    metrics: { ...r.metrics },
  };
}
