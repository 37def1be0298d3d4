/**
 * The diagnosis as a short text block: one numbered line per finding (severity, symptom, confidence,
 * explanation), its key evidence, the first actions with their reasons, and at the end the single next
 * command to run.
 *
 * @example
 * renderDiagnosis(diagnose(record));
 * // diagnosis: 2 findings
 * // 1. [high] diverged (confidence 0.99): training stopped on a non-finite value: ...
 * //    try --lr 0.001: §14: ... lower it 10x
 * // ...
 * // next: nncoach train wine.csv --target cultivar --lr 0.001
 */
import { baseCommand } from "./actions.js";
import { diagnose } from "./diagnose.js";
import type { Action, EvidenceValue, Finding } from "./finding.js";
import type { RunRecord } from "./run-record.js";

export interface RenderOptions {
  /** Actions shown per finding (default 2). */
  actions?: number;
  /** Evidence entries shown per finding (default 4). */
  evidence?: number;
  /** What to print when no action has a command (default: the base command is unknown). */
  fallbackCommand?: string;
}

/** The first action with a command, in ranking order: the one change to try next. */
export function nextAction(findings: readonly Finding[]): Action | undefined {
  for (const f of findings) for (const a of f.actions) if (a.command) return a;
  return undefined;
}

export function renderDiagnosis(findings: readonly Finding[], o: RenderOptions = {}): string {
  const lines: string[] = [];
  const real = findings.filter((f) => f.symptom !== "healthy");
  lines.push(
    `diagnosis: ${real.length === 0 ? "healthy" : `${real.length} finding${real.length > 1 ? "s" : ""}`}`,
  );
  findings.forEach((f, i) => {
    lines.push(
      `${i + 1}. [${f.severity}] ${f.symptom} (confidence ${f.confidence.toFixed(2)}): ${f.explanation}`,
    );
    const ev = Object.entries(f.evidence)
      .filter(([, v]) => v !== null && !(typeof v === "object" && !Array.isArray(v)))
      .slice(0, o.evidence ?? 4)
      .map(([k, v]) => `${k}=${show(v)}`);
    if (ev.length) lines.push(`   evidence: ${ev.join(", ")}`);
    for (const a of f.actions.slice(0, o.actions ?? 2)) {
      const flags = Object.entries(a.change)
        .map(([k, v]) => `--${k} ${Array.isArray(v) ? v.join(",") : String(v)}`)
        .join(" ");
      lines.push(`   ${flags ? `try ${flags}` : "do"}: ${a.why}`);
    }
  });
  const next = nextAction(findings);
  const manual =
    findings[0]?.actions[0] && !findings[0].actions[0].command ? findings[0].actions[0] : undefined;
  if (manual) lines.push(`first: ${manual.why}`);
  lines.push(`next: ${next?.command ?? o.fallbackCommand ?? "(no change of training options to propose)"}`);
  return `${lines.join("\n")}\n`;
}

/** A run's diagnosis as `nncoach train` and `nncoach diagnose` print it. */
export interface RunDiagnosis {
  findings: Finding[];
  /** The text block (renderDiagnosis), ending with "next: <command>" and a newline. */
  text: string;
  /** The command on the "next:" line: the first action's, else the run's own command. */
  nextCommand: string;
}

/**
 * Diagnoses a run record and renders it, with the run's own command as the fallback next command: the one
 * function both commands call, so that `nncoach diagnose <dir>` of a saved run prints what `nncoach train`
 * printed after training.
 */
export function runDiagnosis(
  record: RunRecord,
  o: Omit<RenderOptions, "fallbackCommand"> = {},
): RunDiagnosis {
  const findings = diagnose(record);
  const fallback = baseCommand(record);
  return {
    findings,
    text: renderDiagnosis(findings, { ...o, fallbackCommand: fallback }),
    nextCommand: nextAction(findings)?.command ?? fallback,
  };
}

function show(v: EvidenceValue): string {
  if (Array.isArray(v)) return `[${v.slice(0, 6).join(", ")}${v.length > 6 ? ", ..." : ""}]`;
  return String(v);
}
