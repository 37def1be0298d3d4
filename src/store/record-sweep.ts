/**
 * Recording an `nncoach sweep` into the store, through the sweep's SweepTracker hooks: the sweep is a
 * study, each trial a run of kind `trial` linked to it (its objective per epoch as it trains, its full
 * curves when it ends, completed / pruned / failed as its status), and the sweep summary (trials, best,
 * the command that reproduces the best) as the study's summary when it ends.
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
import { defaultRunName } from "./record-run.js";
import { StudyRecorder } from "./record-study.js";
import type { StoreSession } from "./session.js";

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

  trialStarted(spec: TrialSpec) {
    return this.study?.trialStarted(spec);
  }

  finished(s: SweepSummary): void {
    const id = this.studyId;
    if (id === null) return;
    this.session.use((store) => store.endStudy(id, "completed", s), undefined);
  }

  /** The sweep stopped on an error: marks the study failed. */
  failed(e: unknown): void {
    this.study?.failed(e);
  }
}
