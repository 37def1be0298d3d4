/**
 * The experiment store's records and its one interface. Every `nncoach train`, `lr-find` and `improve`
 * writes runs through `RunStore`; `nncoach runs` and the dashboard read them back. Two implementations:
 * SQLite (sqlite-store.ts, the default, a file shared by concurrent processes) and memory (memory-store.ts,
 * for tests and for library users who want the records without a file).
 *
 * Methods are synchronous (both SQLite drivers are) and each write is one transaction: a process killed
 * between two writes leaves every earlier write whole.
 */

/** Where a run is: running, or how it ended. */
export const RUN_STATUSES = ["running", "completed", "diverged", "pruned", "failed", "interrupted"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** What made the run: a `train`, an `lr-find`, or a study's trial / final retraining / LR finder. */
export const RUN_KINDS = ["train", "lr-find", "trial", "final"] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/** Content hashes of a run's rows (see fingerprint.ts): each split, and all three together. */
export interface DataFingerprint {
  /** Hash of the training, validation and test hashes together (what the runs table shows). */
  data: string;
  train: string;
  validation: string;
  /** Null when the run has no test rows. */
  test: string | null;
}

/** What a run is known by when it starts. */
export interface NewRun {
  kind: RunKind;
  name: string;
  studyId?: number | null;
  /** The command that ran it (argv from "nncoach"), when there is one. */
  command?: readonly string[] | null;
  /** The data path as given. */
  source?: string | null;
  fingerprint?: DataFingerprint | null;
  task?: string | null;
  monitor?: string | null;
  seed?: number | null;
  threads?: number | null;
  /** The run plan (model, loss, optimizer, schedule, ...) as JSON-able data. */
  plan?: unknown;
  decisions?: unknown[];
  /** The resolved configuration (every option of `nncoach train`, with its value). */
  config?: Record<string, unknown> | null;
  /** The folder the run writes its files into (--save), when it has one. */
  folder?: string | null;
  /** Epochs planned. */
  epochs?: number | null;
}

/** A finished run: how it ended and what it measured. */
export interface RunEnd {
  status: Exclude<RunStatus, "running">;
  /** Final numbers by name (val_accuracy, val_loss, test_accuracy, suggested_lr, ...). */
  metrics?: Record<string, number>;
  stopReason?: string | null;
  epochsRun?: number;
  /** Anything else worth showing (a confusion matrix, the objective's spread over units). */
  extra?: Record<string, unknown>;
  /** The configuration, when it is only known at the end (a trial's first unit). */
  config?: Record<string, unknown>;
  plan?: unknown;
  decisions?: unknown[];
}

/** One epoch of a run: the epoch logs (train_loss, val_loss, val_<metric>...), learning rate, health. */
export interface EpochRecord {
  /** 1-based. */
  epoch: number;
  metrics: Record<string, number>;
  lr?: number | null;
  /** The health monitor's record of the epoch (gradient norms, update ratios, dead units, ...). */
  health?: unknown;
}

export interface LrFinderRecord {
  lrs: number[];
  losses: number[];
  smoothed?: number[];
  suggestion: number;
  rule?: string | null;
}

export interface FindingRecord {
  symptom: string;
  severity: string;
  confidence?: number;
  explanation?: string;
  /** The whole finding (evidence, actions). */
  detail?: unknown;
}

export interface LedgerRecord {
  name: string;
  kept: boolean;
  skipped: boolean;
  reason: string;
  change: Record<string, unknown>;
  before: { mean: number; se: number } | null;
  after: { mean: number; se: number } | null;
  /** The trial ids of the step's candidates. */
  trials: number[];
  /** The whole ledger step. */
  detail?: unknown;
}

export interface ArtifactRecord {
  /** Absolute path. */
  path: string;
  size: number;
  sha256: string;
  kind?: string | null;
}

export interface NewStudy {
  name: string;
  command?: readonly string[] | null;
  source?: string | null;
  metric?: string | null;
  /** The study's output folder (--out). */
  folder?: string | null;
}

/** A run as the runs table lists it. */
export interface RunSummary {
  id: number;
  kind: RunKind;
  name: string;
  studyId: number | null;
  status: RunStatus;
  source: string | null;
  fingerprint: string | null;
  testFingerprint: string | null;
  task: string | null;
  monitor: string | null;
  seed: number | null;
  startedAt: string;
  endedAt: string | null;
  epochsRun: number;
  metrics: Record<string, number>;
}

/** Everything the store holds about one run. */
export interface RunDetail extends RunSummary {
  command: string[] | null;
  fingerprints: DataFingerprint | null;
  threads: number | null;
  version: string | null;
  pid: number | null;
  host: string | null;
  heartbeatAt: string | null;
  plan: unknown;
  decisions: unknown[];
  config: Record<string, unknown> | null;
  folder: string | null;
  stopReason: string | null;
  epochs: EpochRecord[];
  lrFinder: LrFinderRecord | null;
  findings: FindingRecord[];
  artifacts: (ArtifactRecord & { id: number })[];
  extra: Record<string, unknown>;
  /** How often this run's test rows (by fingerprint) have been evaluated, this run's evaluation included. */
  testEvaluations: number;
}

export interface StudySummary {
  id: number;
  name: string;
  status: RunStatus;
  source: string | null;
  metric: string | null;
  startedAt: string;
  endedAt: string | null;
  runs: number;
}

export interface StudyDetail extends StudySummary {
  command: string[] | null;
  folder: string | null;
  summary: unknown;
  ledger: LedgerRecord[];
  testEvaluations: number | null;
}

export interface RunFilter {
  studyId?: number;
  status?: RunStatus;
  kind?: RunKind;
  /** Runs whose name, data path or fingerprint contains this text. */
  text?: string;
  limit?: number;
  /**
   * Sort key: a column (id, name, status, kind, started, ended, epochs, fingerprint) or a final metric's
   * name (val_accuracy, ...). Default: newest first.
   */
  sort?: string;
  descending?: boolean;
}

/** The sortable columns of the runs table, besides metrics. */
export const SORT_COLUMNS = [
  "id",
  "name",
  "kind",
  "status",
  "started",
  "ended",
  "epochs",
  "fingerprint",
  "data",
] as const;

/** One evaluation of test rows, counted per test fingerprint. */
export interface TestEvaluation {
  fingerprint: string;
  runId?: number | null;
  studyId?: number | null;
  reason: string;
}

export interface RunStore {
  /** The file (or ":memory:"). */
  readonly location: string;
  createStudy(s: NewStudy): number;
  endStudy(id: number, status: Exclude<RunStatus, "running">, summary?: unknown): void;
  addLedger(studyId: number, steps: LedgerRecord[]): void;
  createRun(r: NewRun): number;
  /** Records one epoch (again for the same epoch: replaced) and refreshes the run's heartbeat. */
  addEpoch(runId: number, e: EpochRecord): void;
  /** Refreshes the heartbeat of a running run (the store marks runs whose process died `interrupted`). */
  heartbeat(runId: number): void;
  endRun(runId: number, end: RunEnd): void;
  setLrFinder(runId: number, r: LrFinderRecord): void;
  setFindings(runId: number, findings: FindingRecord[]): void;
  addArtifacts(runId: number, artifacts: ArtifactRecord[]): void;
  /** Counts one evaluation of test rows; returns how many there have been for that fingerprint. */
  recordTestEvaluation(e: TestEvaluation): number;
  testEvaluationCount(fingerprint: string): number;
  listRuns(f?: RunFilter): RunSummary[];
  countRuns(f?: Omit<RunFilter, "limit" | "sort" | "descending">): number;
  getRun(id: number): RunDetail | undefined;
  /** Epochs of a run after `afterEpoch` (for live curves). */
  epochsAfter(runId: number, afterEpoch: number): EpochRecord[];
  listStudies(): StudySummary[];
  getStudy(id: number): StudyDetail | undefined;
  /** Deletes runs with their epochs, curves, findings and artifact records (not the files); returns how many. */
  deleteRuns(ids: number[]): number;
  /** Marks `running` runs whose process is gone (or silent too long) `interrupted`; returns their ids. */
  markInterrupted(): number[];
  /** A number that changes whenever any process wrote to the store (for live views). */
  changeCounter(): number;
  close(): void;
}
