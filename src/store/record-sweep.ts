/**
 * Recording an `nncoach sweep` into the store, through the sweep's SweepTracker hooks: the sweep is a
 * study, each trial a run of kind `trial` linked to it (its objective per epoch as it trains, its full
 * curves when it ends, completed / pruned / failed as its status), and when it ends the sweep summary
 * (trials, best, the command that reproduces the best) as the study's summary and the trials as its ledger
 * (no schema change: a sweep is a study whose steps are its trials).
 *
 * @example
 * const recorder = new SweepRecorder(session, argv);
 * try { await sweep({ ...options, tracker: recorder }); } catch (e) { recorder.failed(e); throw e; }
 */
import type { Objective } from "../coach/improve/objective.js";
import type { TrialSpec } from "../coach/improve/trial.js";
import type { Decision } from "../recipe/decision.js";
import type { PreparedData } from "../recipe/prepared-data.js";
import type { SweepSummary, SweepTracker } from "../sweep/sweep.js";
import type { SweepState } from "../sweep/sweep-state.js";
import { defaultRunName } from "./record-run.js";
import { StudyRecorder } from "./record-study.js";
import type { StoreSession } from "./session.js";
import type { LedgerRecord } from "./types.js";

export class SweepRecorder implements SweepTracker {
  private study: StudyRecorder | null = null;

  constructor(
    readonly session: StoreSession,
    readonly command: readonly string[],
    readonly o: { name?: string; out?: string } = {},
  ) {}

  /** The study's id in the store (null before it starts, or without a store). */
  get studyId(): number | null {
    return this.study?.studyId ?? null;
  }

  /** Runs recorded by trial id. */
  get trialRuns(): ReadonlyMap<number, number> {
    return this.study?.trialRuns ?? new Map();
  }

  studyStarted(e: { data: PreparedData; objective: Objective; decisions: Decision[] }): void {
    this.study = new StudyRecorder(this.session, this.command, {
      name: this.o.name ?? `sweep ${defaultRunName(e.data)}`,
      out: this.o.out,
    });
    this.study.studyStarted(e);
  }

  /**
   * A resumed sweep continues its study: the runs of its finished trials are kept as they are, every other
   * run of the study was interrupted and is deleted (each trial is recorded once).
   */
  studyResumed(e: Parameters<NonNullable<SweepTracker["studyResumed"]>>[0]): void {
    this.study = new StudyRecorder(this.session, this.command, {
      name: this.o.name ?? `sweep ${defaultRunName(e.data)}`,
      out: this.o.out,
    });
    this.study.studyAttached(e, e.store.study);
    const again = new Set(e.unfinished);
    const keep = new Set<number>();
    for (const [trial, run] of Object.entries(e.store.runs))
      if (!again.has(Number(trial))) {
        this.study.trialRuns.set(Number(trial), run);
        keep.add(run);
      }
    // every other run of the study was interrupted: those of the trials that run again, and one the store
    // had started for a trial the sweep's state had not saved as launched yet when the sweep was killed
    this.session.use((s) => {
      const drop = s
        .listRuns({ studyId: e.store.study })
        .map((r) => r.id)
        .filter((id) => !keep.has(id));
      return drop.length ? s.deleteRuns(drop) : 0;
    }, 0);
  }

  storeState(): SweepState["store"] {
    const study = this.studyId;
    return study === null ? null : { study, runs: Object.fromEntries(this.trialRuns) };
  }

  trialStarted(spec: TrialSpec) {
    return this.study?.trialStarted(spec);
  }

  /** The sweep's trials become the study's ledger (one row per trial, the best one "kept"), so that the dashboard lists them. */
  finished(s: SweepSummary): void {
    const id = this.studyId;
    if (id === null) return;
    const ledger: LedgerRecord[] = s.trials.map((t) => ({
      name: `trial ${t.id}`,
      kept: s.best?.id === t.id,
      skipped: false,
      reason:
        t.status === "completed"
          ? `completed after ${t.epochs_run} epochs${s.best?.id === t.id ? " (the best)" : ""}`
          : t.status === "pruned"
            ? `pruned by ASHA at epoch ${t.epochs_run}`
            : `failed: ${t.note ?? "no value"}`,
      change: t.config,
      before: null,
      after: t.val === null ? null : { mean: t.val, se: 0 },
      trials: this.trialRuns.has(t.id) ? [this.trialRuns.get(t.id)!] : [],
      detail: t,
    }));
    this.session.use((store) => {
      store.addLedger(id, ledger);
      store.endStudy(id, "completed", s);
    }, undefined);
  }

  /** The sweep stopped on an error: marks the study failed. */
  failed(e: unknown): void {
    this.study?.failed(e);
  }
}
