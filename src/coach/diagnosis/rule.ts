/**
 * One diagnosis rule: it reads a run's facts (curves, health records, data summary, audit) and either says
 * nothing or reports one finding for its symptom, with ranked action drafts. Each rule lives in its own
 * file under rules/, with its thresholds and their reasons in its doc comment.
 */
import type { ActionDraft } from "./actions.js";
import type { Finding, Symptom } from "./finding.js";
import type { RunFacts } from "./run-facts.js";

/** What a rule reports: a finding whose actions are drafts (the diagnosis adds the commands). */
export type RuleFinding = Omit<Finding, "symptom" | "actions"> & { actions: ActionDraft[] };

export interface Rule {
  readonly symptom: Symptom;
  /**
   * True when the rule reads only what exists while training runs (curves and health records), so that
   * EarlyDiagnosis may run it every few epochs.
   */
  readonly duringTraining: boolean;
  check(f: RunFacts): RuleFinding | undefined;
}
