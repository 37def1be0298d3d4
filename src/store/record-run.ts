/**
 * Recording one run into the store while it trains: `RunRecorder.begin` creates the run once the data is
 * prepared and planned (fingerprint, plan, decisions, resolved config, seed, threads), `callback()` is a
 * training Callback that writes every epoch as it ends (the dashboard's curves update live from it) with
 * the epoch's health record, a heartbeat timer keeps the run alive in the store while it trains, and
 * `finish` / `fail` write how it ended. Everything goes through a StoreSession, so a store that fails
 * never stops the run.
 *
 * @example
 * const rec = new RunRecorder(session, "train", argv);
 * await trainRun(cfg, { callbacks: [rec.callback()], onPlan: (plan, data) => rec.begin({ plan, data, resolved }) });
 */
import path from "node:path";
import type { PreparedData } from "../recipe/prepared-data.js";
import type { RunPlan } from "../recipe/run-plan.js";
import type { RunResult } from "../recipe/train-run.js";
import type { Callback, EpochLogs, FitState } from "../train/callback.js";
import type { ResolvedConfig } from "../train/config.js";
import { type Dataset, evaluateDataset } from "../train/fit.js";
import { HealthMonitor } from "../train/health-monitor.js";
import type { Trainer } from "../train/trainer.js";
import { dataFingerprint } from "./fingerprint.js";
import type { StoreSession } from "./session.js";
import type { ArtifactRecord, DataFingerprint, FindingRecord, NewRun, RunEnd, RunKind } from "./types.js";
import { fileDigest, HEARTBEAT_SECONDS } from "./util.js";

/** A run's default name: the data file and the target, e.g. "wine.csv → cultivar". */
export function defaultRunName(data: PreparedData): string {
  const target = data.loaded.kind === "table" || data.loaded.kind === "text" ? data.loaded.target : null;
  const base = path.basename(data.source);
  return target ? `${base} → ${target}` : base;
}

/** The final numbers of a run: val_*, test_*, cv_* (means), and the last epoch's train_loss. */
export function finalMetrics(r: Pick<RunResult, "val" | "test" | "cv" | "history">): Record<string, number> {
  const m: Record<string, number> = {};
  const add = (prefix: string, e: Record<string, number> | undefined) => {
    for (const [k, v] of Object.entries(e ?? {})) if (k !== "samples") m[`${prefix}${k}`] = v;
  };
  add("val_", r.val);
  add("test_", r.test);
  add("cv_", r.cv?.mean);
  const last = r.history[r.history.length - 1];
  if (typeof last?.train_loss === "number") m.train_loss = last.train_loss;
  return m;
}

/** Confusion matrix of a classifier's outputs on `d` (rows: true class, columns: predicted). */
export async function confusionMatrix(
  trainer: Trainer,
  d: Dataset,
  classes: string[],
): Promise<{ classes: string[]; counts: number[][] }> {
  const { output } = await evaluateDataset(trainer, d);
  const k = classes.length;
  const cols = output.length / d.n;
  const counts = classes.map(() => new Array<number>(k).fill(0));
  for (let i = 0; i < d.n; i++) {
    let p = 0;
    if (cols === 1) p = (output[i] as number) > 0.5 ? 1 : 0;
    else
      for (let j = 1; j < cols; j++)
        if ((output[i * cols + j] as number) > (output[i * cols + p] as number)) p = j;
    const row = counts[d.y[i] as number];
    if (row && p < k) row[p]!++;
  }
  return { classes, counts };
}

/** Artifact records (size, SHA-256) of the files that exist among `files`. */
export function artifactsOf(files: { path: string; kind?: string }[]): ArtifactRecord[] {
  const out: ArtifactRecord[] = [];
  for (const f of files) {
    try {
      out.push({ path: path.resolve(f.path), ...fileDigest(f.path), kind: f.kind ?? null });
    } catch {
      // not written (e.g. no model after a NaN loss)
    }
  }
  return out;
}

/** The epoch logs as stored metrics: numbers only, without the epoch counter. */
function epochMetrics(logs: EpochLogs): Record<string, number> {
  const m: Record<string, number> = {};
  for (const [k, v] of Object.entries(logs)) if (k !== "epoch" && typeof v === "number") m[k] = v;
  return m;
}

export class RunRecorder {
  /** The run's id in the store (null before begin, or without a store). */
  id: number | null = null;
  fingerprint: DataFingerprint | null = null;
  private timer?: NodeJS.Timeout;
  private lastEpoch = 0;
  private offset = 0;

  constructor(
    readonly session: StoreSession,
    readonly kind: RunKind,
    readonly command?: readonly string[],
    readonly o: { name?: string; studyId?: number | null } = {},
  ) {}

  /** Creates the run (status running) once its data and plan are known; returns its id. */
  begin(e: {
    data: PreparedData;
    plan: RunPlan;
    resolved: ResolvedConfig;
    folder?: string | null;
    fingerprint?: DataFingerprint;
  }): number | null {
    const cfg = e.resolved.values;
    this.fingerprint = e.fingerprint ?? this.session.use(() => dataFingerprint(e.data, cfg), null);
    const { decisions, ...plan } = e.plan;
    this.id = this.session.use(
      (s) =>
        s.createRun({
          kind: this.kind,
          name: this.o.name ?? defaultRunName(e.data),
          studyId: this.o.studyId ?? null,
          command: this.command ?? null,
          source: e.data.source,
          fingerprint: this.fingerprint,
          task: e.data.task,
          monitor: e.plan.monitor,
          seed: cfg.seed,
          threads: cfg.threads,
          plan,
          decisions,
          config: cfg as unknown as Record<string, unknown>,
          folder: e.folder ?? null,
          epochs: e.plan.epochs,
        }),
      null,
    );
    if (this.id !== null) {
      const id = this.id;
      this.timer = setInterval(
        () => this.session.use((s) => s.heartbeat(id), undefined),
        HEARTBEAT_SECONDS * 1000,
      );
      this.timer.unref();
    }
    return this.id;
  }

  /** Creates the run from a record made by the caller (a study's trial, known by its options only). */
  beginWith(r: NewRun): number | null {
    this.fingerprint = r.fingerprint ?? null;
    this.id = this.session.use(
      (s) => s.createRun({ ...r, studyId: r.studyId ?? this.o.studyId ?? null }),
      null,
    );
    return this.id;
  }

  /** The Callback that writes each epoch (put it before callbacks that print, so a printed epoch is stored). */
  callback(): Callback {
    return {
      onTrainBegin: () => {
        // a second training phase (fine-tuning) numbers its epochs from 1 again
        this.offset = this.lastEpoch;
      },
      onEpochEnd: (_epoch: number, logs: EpochLogs, s: FitState) => {
        const epoch = logs.epoch + this.offset;
        this.lastEpoch = epoch;
        this.recordEpoch(epoch, epochMetrics(logs), s.lr, healthOf(s, logs.epoch));
      },
    };
  }

  /** Writes one epoch (for runs whose epochs arrive some other way than the callback). */
  recordEpoch(epoch: number, metrics: Record<string, number>, lr?: number | null, health?: unknown): void {
    const id = this.id;
    if (id === null) return;
    this.session.use((s) => s.addEpoch(id, { epoch, metrics, lr: lr ?? null, health }), undefined);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Writes how the run ended, its diagnosis and its files. */
  finish(end: RunEnd, more: { findings?: FindingRecord[]; artifacts?: ArtifactRecord[] } = {}): void {
    this.stopTimer();
    const id = this.id;
    if (id === null) return;
    this.session.use((s) => {
      if (more.findings) s.setFindings(id, more.findings);
      if (more.artifacts?.length) s.addArtifacts(id, more.artifacts);
      s.endRun(id, end);
    }, undefined);
  }

  /** Marks the run failed with the error's message. */
  fail(e: unknown): void {
    this.finish({ status: "failed", stopReason: `failed: ${(e as Error)?.message ?? String(e)}` });
  }

  /**
   * Counts an evaluation of this run's test rows; returns how often those rows have been evaluated (this
   * one included), or null without a store.
   */
  testEvaluated(reason: string): number | null {
    const fp = this.fingerprint?.test;
    if (!fp) return null;
    return this.session.use((s) => s.recordTestEvaluation({ fingerprint: fp, runId: this.id, reason }), null);
  }
}

/** The health monitor's record of the epoch that just ended, when the run has one. */
function healthOf(s: FitState, epoch: number): unknown {
  const monitor = s.callbacks.find((c): c is HealthMonitor => c instanceof HealthMonitor);
  const last = monitor?.records[monitor.records.length - 1];
  return last && last.epoch === epoch ? last : undefined;
}
