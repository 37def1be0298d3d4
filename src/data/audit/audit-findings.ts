import { MAX_FEATURE_MAGNITUDE } from "../extreme-values.js";
import type { AuditFinding, AuditReport } from "./audit-report.js";

/** Share of missing cells from which a column's missing values are a medium finding. */
export const MANY_MISSING = 0.3;

/**
 * The report's findings in words, most serious first: leakage suspects and evaluation rows seen in training
 * (high), conflicting duplicates, many label issues, imbalance, scales, mostly-missing columns (medium),
 * repeats, constant, near-constant and identifier-like columns, a few missing values (low).
 */
export function collectFindings(report: AuditReport): AuditFinding[] {
  const findings: AuditFinding[] = [];
  const add = (severity: AuditFinding["severity"], check: AuditFinding["check"], message: string) =>
    findings.push({ severity, check, message });

  if (report.imbalance && report.imbalance.classes.length === 1) {
    add(
      "high",
      "target",
      `the target has a single class ("${report.imbalance.classes[0]!.name}"): there is nothing to learn; ` +
        `check the target column and the rows`,
    );
  }
  if (report.task_note) add("medium", "target", report.task_note);
  for (const s of report.leakage) {
    add(
      "high",
      "leakage",
      `column "${s.column}" ${s.reasons.join("; ")}: remove it from the inputs unless it is known at prediction time`,
    );
  }
  const d = report.duplicate_summary;
  if (d.evaluation_rows_seen_in_training > 0) {
    add(
      "high",
      "duplicates",
      `${plural(d.evaluation_rows_seen_in_training, "validation/test row")} repeat training rows ` +
        `(${plural(d.cross_split_groups, "group")}): ` +
        `evaluation scores will be optimistic; deduplicate before splitting, or drop those rows from validation/test`,
    );
  } else if (d.cross_split_groups > 0) {
    add(
      "medium",
      "duplicates",
      `${plural(d.cross_split_groups, "duplicate group")} span validation and test: deduplicate before splitting`,
    );
  }
  if (d.conflicting_groups > 0) {
    add(
      "medium",
      "duplicates",
      `${plural(d.conflicting_groups, "group")} of rows have the same inputs but different targets: check those labels`,
    );
  }
  if (d.exact_groups > 0) {
    add(
      "low",
      "duplicates",
      `${plural(d.exact_extra_rows, "row")} repeat other rows exactly (${plural(d.exact_groups, "group")}): ` +
        `drop the copies unless repeats are real`,
    );
  }
  if (d.near_groups > 0) {
    add(
      "low",
      "duplicates",
      `${plural(d.near_groups, "group")} of near-duplicate rows (inputs within ${d.near_distance} std): ` +
        `check whether they are copies`,
    );
  }
  const issues = report.label_issue_summary.issues_found;
  const uncertain = report.label_issue_summary.uncertain_found;
  const checked = report.label_issue_summary.rows_checked;
  if (issues > 0) {
    add(
      issues >= 0.02 * checked ? "medium" : "low",
      "labels",
      `${issues} of ${checked} rows (${((100 * issues) / Math.max(checked, 1)).toFixed(1)}%) look mislabeled by confident learning: ` +
        `review the top-ranked ones and fix or drop those that are wrong` +
        (uncertain > 0 ? ` (${uncertain} more are uncertain: worth a look, not evidence)` : ""),
    );
  } else if (uncertain > 0) {
    add(
      "low",
      "labels",
      `no row looks clearly mislabeled; ${uncertain} are uncertain (see the label issues list)`,
    );
  }
  const skipped = report.label_issue_summary.skipped;
  if (skipped && report.task === "classification" && report.columns.length > 0) {
    add("low", "labels", `labels were not checked: ${skipped}`);
  }
  const imbalance = report.imbalance;
  if (imbalance?.recommendation)
    add(imbalance.severity === "severe" ? "high" : "medium", "imbalance", imbalance.recommendation);
  if (imbalance && imbalance.rare_classes.length > 0) {
    add(
      "medium",
      "imbalance",
      `${plural(imbalance.rare_classes.length, "class")} with very few rows (${listSome(imbalance.rare_classes)}): ` +
        `collect more examples or merge them`,
    );
  }
  if (report.scales?.recommendation) add("medium", "scales", report.scales.recommendation);
  for (const c of report.columns) {
    const magnitude = Math.max(Math.abs(c.min ?? 0), Math.abs(c.max ?? 0));
    if (c.type === "numeric" && magnitude > MAX_FEATURE_MAGNITUDE) {
      add(
        "high",
        c.role === "target" ? "target" : "columns",
        `${c.role === "target" ? "the target" : "column"} "${c.name}" has values as large as ${magnitude.toExponential(1)}: ` +
          `training refuses values beyond ${MAX_FEATURE_MAGNITUDE.toExponential(0)} (their squares overflow); ` +
          "rescale it (divide by a power of ten) or log-transform it",
      );
    }
    if (c.role === "target") {
      if (c.constant && report.task === "regression" && c.top_value !== null) {
        add(
          "high",
          "target",
          `the target "${c.name}" has the same value (${c.top_value}) in every row: there is nothing to learn; ` +
            "check the target column and the rows",
        );
      }
      if (c.missing > 0)
        add(
          "medium",
          "target",
          `${c.missing} rows have no target value: they are left out of training and of the checks`,
        );
      continue;
    }
    if (c.constant) add("low", "columns", `column "${c.name}" is constant: drop it`);
    else if (c.near_constant) {
      add(
        "low",
        "columns",
        `column "${c.name}" is near-constant ("${c.top_value}" in ${(100 * c.top_fraction).toFixed(1)}% of rows): it carries little information`,
      );
    }
    if (c.missing_fraction >= MANY_MISSING) {
      add(
        "medium",
        "columns",
        `column "${c.name}" is ${(100 * c.missing_fraction).toFixed(0)}% missing: consider dropping it or adding a missing-value indicator`,
      );
    }
    if (c.identifier_like && !report.leakage.some((s) => s.column === c.name)) {
      add(
        "low",
        "columns",
        `column "${c.name}" looks like an identifier (${c.identifier_like}): leave it out of the inputs`,
      );
    }
  }
  const withMissing = report.columns.filter(
    (c) => c.role === "input" && c.missing > 0 && c.missing_fraction < MANY_MISSING,
  );
  if (withMissing.length > 0) {
    add(
      "low",
      "columns",
      `${plural(withMissing.length, "input column")} with some missing values ` +
        `(${listSome(
          withMissing.map((c) => c.name),
          5,
        )}): impute them from the training rows (median or most frequent value)`,
    );
  }
  const rank = { high: 0, medium: 1, low: 2 };
  return findings.sort((a, b) => rank[a.severity] - rank[b.severity]);
}

/** "1 row", "2 rows", "3 classes". */
function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : word.endsWith("s") ? "es" : "s"}`;
}

/** The first few names, then how many more. */
function listSome(names: readonly string[], shown = 8): string {
  return names.length <= shown
    ? names.join(", ")
    : `${names.slice(0, shown).join(", ")} and ${names.length - shown} more`;
}
