/**
 * Runs the diagnosis rules that read only curves and health records every few epochs while training
 * runs: warns when a problem shows in two checks in a row (one check can catch a transient, such as a
 * loss still at chance in the first epoch of a warm-up), and stops a run that has diverged at once instead
 * of letting it burn the remaining epochs. It also makes the fit loop stop (rather than throw) on a NaN/Inf loss, so that such a
 * run keeps its history and can be diagnosed.
 *
 * Put it after the HealthMonitor in the callback list: it reads the monitor's records of the epoch just
 * ended. Without `health`, it reads the HealthMonitor among the run's callbacks (`nncoach train
 * --diagnose-every N` adds it after the runner's own monitor this way).
 *
 * @example
 * const health = new HealthMonitor({ probe });
 * const early = new EarlyDiagnosis({ health, every: 2, log: console.warn,
 *   context: { task: "classification", classCounts: [40, 45, 39], monitor: "val_loss" } });
 * await fit(trainer, train, { epochs: 50, batchSize: 32, lr: 10, validation, callbacks: [health, early] });
 * early.warnings;  // [{ epoch: 2, finding: { symptom: "diverged", ... } }, ...]
 * // result.stopReason: "early diagnosis: diverged: the training loss exploded to ..."
 */
import type { Callback, EpochLogs, FitState } from "../../train/callback.js";
import { HealthMonitor } from "../../train/health-monitor.js";
import { diagnose } from "./diagnose.js";
import type { Finding, Symptom } from "./finding.js";
import type { RunRecord } from "./run-record.js";

/** What the rules know about the run before it ends (everything but its curves and health records). */
export type EarlyContext = Partial<Omit<RunRecord, "history" | "health" | "stopReason">>;

export interface EarlyDiagnosisOptions {
  /** The run's health monitor, whose records the rules read. Default: the HealthMonitor among the run's callbacks. */
  health?: HealthMonitor;
  /** Task, class counts, monitor, data summary: what is known before training (default: nothing). */
  context?: EarlyContext;
  /** Diagnose after every this many epochs (whole number >= 1). Default 5. */
  every?: number;
  /** Symptoms that stop training when found at high severity. Default ["diverged"]. */
  stopOn?: readonly Symptom[];
  /** Make a NaN/Inf loss stop training with the partial history instead of throwing. Default true. */
  stopOnNonFinite?: boolean;
  /** Where warnings go (one line each), e.g. console.warn. Default: kept in `warnings` only. */
  log?: (line: string) => void;
}

export class EarlyDiagnosis implements Callback {
  readonly every: number;
  readonly stopOn: readonly Symptom[];
  /**
   * Each symptom once, with the epoch (1-based) of its warning: a symptom that stops training (`stopOn`, at
   * high severity) at once, any other medium or high one when two checks in a row find it.
   */
  readonly warnings: { epoch: number; finding: Finding }[] = [];
  private health?: HealthMonitor;
  /** Symptoms found (medium or high) by the previous check. */
  private lastFound = new Set<Symptom>();

  constructor(readonly opts: EarlyDiagnosisOptions) {
    this.every = opts.every ?? 5;
    if (!Number.isInteger(this.every) || this.every < 1)
      throw new RangeError(`every must be a whole number >= 1, got ${opts.every}`);
    this.stopOn = opts.stopOn ?? ["diverged"];
  }

  onTrainBegin(s: FitState): void {
    if (this.opts.stopOnNonFinite ?? true) s.onNonFinite ??= "stop";
    this.lastFound = new Set();
    this.health = this.opts.health ?? s.callbacks.find((c): c is HealthMonitor => c instanceof HealthMonitor);
    if (!this.health)
      throw new Error(
        "EarlyDiagnosis needs a HealthMonitor: pass `health`, or put one before it in the callbacks",
      );
  }

  onEpochEnd(epoch: number, _logs: EpochLogs, s: FitState): void {
    if ((epoch + 1) % this.every !== 0 && epoch + 1 !== s.epochs) return;
    const c = this.opts.context ?? {};
    const record: RunRecord = {
      task: c.task ?? "classification",
      classes: c.classes ?? [],
      classCounts: c.classCounts ?? [],
      monitor: c.monitor ?? "val_loss",
      ...(c.loss ? { loss: c.loss } : {}),
      epochs: c.epochs ?? s.epochs,
      history: s.history,
      health: this.health!.records,
      data: c.data ?? {
        kind: "table",
        rows: { train: 0, validation: 0, test: 0 },
        features: 0,
        featureScales: [],
        standardization: "standard",
      },
      ...(c.plan ? { plan: c.plan } : {}),
      ...(c.command ? { command: c.command } : {}),
    };
    const findings = diagnose(record, { duringTraining: true, verdict: false });
    const stopping = (f: Finding) => f.severity === "high" && this.stopOn.includes(f.symptom);
    const found = new Set<Symptom>();
    for (const f of findings) {
      if (f.severity !== "high" && f.severity !== "medium") continue;
      found.add(f.symptom);
      if (this.warnings.some((w) => w.finding.symptom === f.symptom)) continue;
      // a symptom of one check may be a transient (the first epochs of a warm-up): warn once it persists
      if (!stopping(f) && !this.lastFound.has(f.symptom)) continue;
      this.warnings.push({ epoch: epoch + 1, finding: f });
      this.opts.log?.(`warning (epoch ${epoch + 1}): ${f.symptom}: ${f.explanation}`);
    }
    this.lastFound = found;
    const stop = findings.find(stopping);
    if (stop && !s.stop) {
      s.stop = true;
      s.stopReason = `early diagnosis: ${stop.symptom}: ${stop.explanation}`;
    }
  }
}
