/**
 * Recording an `nncoach improve` study into the store, through improve's ImproveTracker hooks: the study
 * (one `improve` call), each trial as a run (its objective per epoch while the first unit trains, then
 * that unit's full curves and health; the mean ± SE over units at the end, and pruned / failed as its
 * status), the LR finder's curve as an lr-find run, the final configuration retrained on training +
 * validation rows as a `final` run with its test metrics and confusion matrix, the ledger, and the one
 * evaluation of the test rows, counted by their fingerprint with every earlier look at the same rows.
 *
 * @example
 * const recorder = new StudyRecorder(session, argv, { testData });
 * try { await improve({ ...options, tracker: recorder }); } catch (e) { recorder.failed(e); throw e; }
 */
import { changeFlags, type ImproveSummary, type ImproveTracker } from "../coach/improve/improve.js";
import type { Objective } from "../coach/improve/objective.js";
import type { TrialResult, TrialSpec } from "../coach/improve/trial.js";
import type { PreparedData } from "../recipe/prepared-data.js";
import { resolveConfig } from "../train/config.js";
import { dataFingerprint } from "./fingerprint.js";
import { defaultRunName, RunRecorder } from "./record-run.js";
import type { StoreSession } from "./session.js";
import type { DataFingerprint, LedgerRecord } from "./types.js";

const STATUS = { done: "completed", pruned: "pruned", failed: "failed" } as const;

export class StudyRecorder implements ImproveTracker {
  /** The study's id in the store (null before it starts, or without a store). */
  studyId: number | null = null;
  /** Runs recorded by trial id. */
  readonly trialRuns = new Map<number, number>();
  finalRunId: number | null = null;
  private data?: PreparedData;
  private objective?: Objective;
  private fingerprint: DataFingerprint | null = null;
  private name = "";

  constructor(
    readonly session: StoreSession,
    readonly command: readonly string[],
    readonly o: { name?: string; out?: string; validationData?: string; testData?: string } = {},
  ) {}

  private files() {
    return { validationData: this.o.validationData, testData: this.o.testData };
  }

  studyStarted(e: { data: PreparedData; objective: Objective }): void {
    this.studyAttached(e, null);
    this.studyId = this.session.use(
      (s) =>
        s.createStudy({
          name: this.name,
          command: this.command,
          source: e.data.source,
          metric: e.objective.metric,
          folder: this.o.out ?? null,
        }),
      null,
    );
  }

  /** Continues a study already in the store (a resumed sweep): its further trials are recorded into it. */
  studyAttached(e: { data: PreparedData; objective: Objective }, studyId: number | null): void {
    this.data = e.data;
    this.objective = e.objective;
    this.name = this.o.name ?? `improve ${defaultRunName(e.data)}`;
    this.fingerprint = this.session.use(() => dataFingerprint(e.data, this.files()), null);
    this.studyId = studyId;
  }

  private recorder(): RunRecorder {
    return new RunRecorder(this.session, "trial", this.command, { studyId: this.studyId });
  }

  trialStarted(spec: TrialSpec) {
    if (this.studyId === null || !this.data || !this.objective) return undefined;
    const data = this.data;
    const metric = this.objective.metric;
    const rec = this.recorder();
    let config: Record<string, unknown> | null = null;
    try {
      config = resolveConfig(null, { ...spec.options, seed: spec.seeds[0] }).values as unknown as Record<
        string,
        unknown
      >;
    } catch {
      // options the planner refuses fail the trial; the run still records them
    }
    const change = Object.keys(spec.change).length ? ` ${changeFlags(spec.change)}` : "";
    const id = rec.beginWith({
      kind: "trial",
      name: `trial ${spec.id} ${spec.step}${change}`,
      studyId: this.studyId,
      command: this.command,
      source: data.source,
      fingerprint: this.fingerprint,
      task: data.task,
      monitor: `val_${metric}`,
      seed: spec.seeds[0] ?? null,
      threads: spec.threads || null,
      config,
      plan: { step: spec.step, change: spec.change, seeds: spec.seeds },
    });
    if (id === null) return undefined;
    this.trialRuns.set(spec.id, id);
    return {
      onEpoch: (e: { unit: number; epoch: number; value: number }) => {
        // the objective, live, while the first unit trains (its full logs replace it when it ends)
        if (e.unit === 0 && Number.isFinite(e.value))
          rec.recordEpoch(e.epoch, { [`val_${metric}`]: e.value });
      },
      onUnitRun: (e: { unit: number; run: { history: { epoch: number }[]; health: unknown[] } }) => {
        if (e.unit !== 0) return;
        e.run.history.forEach((h, i) => {
          const m: Record<string, number> = {};
          for (const [k, v] of Object.entries(h)) if (k !== "epoch" && typeof v === "number") m[k] = v;
          rec.recordEpoch(i + 1, m, null, e.run.health[i]);
        });
      },
      finished: (r: TrialResult) => {
        const metrics: Record<string, number> = {
          [`val_${metric}`]: r.mean,
          [`val_${metric}_se`]: r.se,
        };
        // other validation metrics: the mean over the units that finished
        const names = new Set(r.units.flatMap((u) => Object.keys(u.metrics)));
        for (const k of names) {
          if (k === metric) continue;
          const vals = r.units.map((u) => u.metrics[k]).filter((v): v is number => Number.isFinite(v));
          if (vals.length) metrics[`val_${k}`] = vals.reduce((a, b) => a + b, 0) / vals.length;
        }
        rec.finish({
          status: STATUS[r.status],
          metrics,
          stopReason: r.note ?? null,
          epochsRun: r.units[0]?.epochsRun,
          extra: {
            units: r.units.map((u) => ({
              unit: u.unit,
              value: u.value,
              epochsRun: u.epochsRun,
              bestEpoch: u.bestEpoch,
              seconds: u.seconds,
            })),
            seconds: r.seconds,
          },
        });
      },
    };
  }

  lrFinder(r: { suggestion: number; lrs: number[]; losses: number[]; smoothed: number[] }): void {
    if (this.studyId === null || !this.data) return;
    const rec = new RunRecorder(this.session, "lr-find", this.command, { studyId: this.studyId });
    const id = rec.beginWith({
      kind: "lr-find",
      name: `${this.name}: LR finder`,
      studyId: this.studyId,
      command: this.command,
      source: this.data.source,
      fingerprint: this.fingerprint,
      task: this.data.task,
    });
    if (id === null) return;
    this.session.use(
      (s) =>
        s.setLrFinder(id, { lrs: r.lrs, losses: r.losses, smoothed: r.smoothed, suggestion: r.suggestion }),
      undefined,
    );
    const finite = r.smoothed.filter(Number.isFinite);
    rec.finish({
      status: "completed",
      metrics: {
        suggested_lr: r.suggestion,
        ...(finite.length ? { lowest_loss: Math.min(...finite) } : {}),
        steps: r.lrs.length,
      },
    });
  }

  testEvaluated(data: PreparedData, reason: string): number | null {
    const fp = this.session.use(() => dataFingerprint(data, this.files()).test, null);
    if (!fp) return null;
    return this.session.use(
      (s) => s.recordTestEvaluation({ fingerprint: fp, studyId: this.studyId, reason }),
      null,
    );
  }

  finalRun(e: Parameters<NonNullable<ImproveTracker["finalRun"]>>[0]): void {
    if (this.studyId === null) return;
    const rec = new RunRecorder(this.session, "final", this.command, { studyId: this.studyId });
    const { decisions, ...plan } = e.run.plan;
    const id = rec.beginWith({
      kind: "final",
      name: `${this.name}: final model`,
      studyId: this.studyId,
      command: this.command,
      source: e.data.source,
      fingerprint: this.session.use(() => dataFingerprint(e.data, this.files()), null),
      task: e.data.task,
      monitor: e.run.plan.monitor,
      seed: e.resolved.values.seed,
      threads: e.resolved.values.threads,
      plan,
      decisions: [...decisions, ...e.decisions.filter((d) => !decisions.includes(d))],
      config: e.resolved.values as unknown as Record<string, unknown>,
      epochs: e.run.plan.epochs,
    });
    if (id === null) return;
    this.finalRunId = id;
    e.run.history.forEach((h, i) => {
      const m: Record<string, number> = {};
      for (const [k, v] of Object.entries(h)) if (k !== "epoch" && typeof v === "number") m[k] = v;
      rec.recordEpoch(i + 1, m, null, e.run.health[i]);
    });
    const metrics: Record<string, number> = {};
    for (const [k, v] of Object.entries(e.run.val)) if (k !== "samples") metrics[`val_${k}`] = v;
    for (const [k, v] of Object.entries(e.test?.metrics ?? {})) metrics[`test_${k}`] = v;
    const last = e.run.history[e.run.history.length - 1];
    if (typeof last?.train_loss === "number") metrics.train_loss = last.train_loss;
    rec.finish({
      status: "completed",
      metrics,
      stopReason: e.run.stopReason ?? null,
      epochsRun: e.run.epochsRun,
      extra: {
        ...(e.confusion ? { confusion: { split: "test", ...e.confusion } } : {}),
        ...(e.test ? { testInterval: e.test.ci } : {}),
        note: "retrained on training + validation rows (its validation numbers are on rows it trained on)",
      },
    });
  }

  finished(s: ImproveSummary): void {
    const id = this.studyId;
    if (id === null) return;
    const ledger: LedgerRecord[] = s.steps.map((st) => ({
      name: st.name,
      kept: st.kept,
      skipped: st.skipped,
      reason: st.reason,
      change: st.change,
      before: st.val_before ? { mean: st.val_before.mean, se: st.val_before.se } : null,
      after: st.val_after ? { mean: st.val_after.mean, se: st.val_after.se } : null,
      trials: st.candidates.map((c) => this.trialRuns.get(c.trial) ?? -1).filter((v) => v >= 0),
      detail: st,
    }));
    this.session.use((store) => {
      store.addLedger(id, ledger);
      store.endStudy(id, "completed", s);
    }, undefined);
  }

  /** The study stopped on an error: marks it failed. */
  failed(e: unknown): void {
    const id = this.studyId;
    if (id === null) return;
    this.session.use(
      (s) => s.endStudy(id, "failed", { error: (e as Error)?.message ?? String(e) }),
      undefined,
    );
  }
}
