/**
 * The coach's diagnosis: run records in, ranked findings with actions out. See diagnose.ts for the entry
 * point, run-record.ts for the input, finding.ts for the output, rules/ for the rules (one per file).
 */
export { applyChange, baseArgv, baseCommand, commandFor, isTrainFlag, shellQuote } from "./actions.js";
export { type DiagnoseOptions, diagnose } from "./diagnose.js";
export { type EarlyContext, EarlyDiagnosis, type EarlyDiagnosisOptions } from "./early-diagnosis.js";
export {
  type Action,
  type EvidenceValue,
  type Finding,
  type OptionValue,
  SEVERITIES,
  type Severity,
  SYMPTOMS,
  type Symptom,
} from "./finding.js";
export { runRecordFromTabular, type TabularRecordExtras } from "./from-tabular.js";
export {
  nextAction,
  type RenderOptions,
  type RunDiagnosis,
  renderDiagnosis,
  runDiagnosis,
} from "./render.js";
export type { Rule, RuleFinding } from "./rule.js";
export { RULES } from "./rules/index.js";
export { type RunFacts, runFacts } from "./run-facts.js";
export { RUN_FILE, readRunRecord, saveRunRecord } from "./run-file.js";
export {
  type AuditSummary,
  auditSummary,
  type DataSummary,
  type FeatureScale,
  type LossInfo,
  RUN_RECORD_FORMAT,
  type RunPlanInfo,
  type RunRecord,
  withoutPlan,
} from "./run-record.js";
