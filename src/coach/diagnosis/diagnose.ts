/**
 * The diagnosis of a run: every rule reads the run record's facts, the findings are ranked (severity
 * first, then causes before the symptoms they produce, see SYMPTOMS) and each action gets its command.
 * When nothing of medium or high severity is found, a "healthy" verdict follows the findings.
 *
 * @example
 * const findings = diagnose(record);
 * findings[0].symptom;               // "overfitting"
 * findings[0].actions[0].command;    // "nncoach train wine.csv --target cultivar --weight-decay 0.0001"
 * console.log(renderDiagnosis(findings));
 */
import { commandFor } from "./actions.js";
import { type Finding, SEVERITIES, SYMPTOMS } from "./finding.js";
import type { Rule, RuleFinding } from "./rule.js";
import { healthyFinding, RULES } from "./rules/index.js";
import { runFacts } from "./run-facts.js";
import type { RunRecord } from "./run-record.js";

export interface DiagnoseOptions {
  /** The rules to run (default all, RULES). */
  rules?: readonly Rule[];
  /** Only the rules that read what exists while training runs (for EarlyDiagnosis). Default false. */
  duringTraining?: boolean;
  /** Add the "healthy" verdict when no finding is medium or high. Default true. */
  verdict?: boolean;
}

/** Findings about a run, most important first. */
export function diagnose(record: RunRecord, options: DiagnoseOptions = {}): Finding[] {
  const facts = runFacts(record);
  const rules = (options.rules ?? RULES).filter((r) => !options.duringTraining || r.duringTraining);
  const findings: Finding[] = [];
  for (const rule of rules) {
    const r = rule.check(facts);
    if (r) findings.push(complete(record, rule.symptom, r));
  }
  findings.sort(
    (a, b) =>
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
      SYMPTOMS.indexOf(a.symptom) - SYMPTOMS.indexOf(b.symptom),
  );
  if ((options.verdict ?? true) && !findings.some((f) => f.severity === "high" || f.severity === "medium"))
    findings.push(complete(record, "healthy", healthyFinding(facts, findings)));
  return findings;
}

function complete(record: RunRecord, symptom: Finding["symptom"], r: RuleFinding): Finding {
  return {
    symptom,
    severity: r.severity,
    confidence: r.confidence,
    evidence: r.evidence,
    explanation: r.explanation,
    actions: r.actions.map((a) =>
      Object.keys(a.change).length > 0 ? { ...a, command: commandFor(record, a.change) } : { ...a },
    ),
  };
}
