import { largest } from "../../util/extent.js";
import type { AuditReport } from "./audit-report.js";
import type { ColumnSummary } from "./column-summary.js";
import type { DuplicateGroup } from "./duplicates.js";

/** Options of `renderAuditReport`. */
export interface RenderAuditOptions {
  /** Most duplicate groups, label issues and columns listed in each section (the JSON report has all). Default 15. */
  maxItems?: number;
}

/**
 * The audit report as readable text: the findings first (most serious first), then one section per check.
 * Long lists are cut at `maxItems` with a note of how many more there are.
 * @example process.stdout.write(renderAuditReport(runAudit(table, "label")));
 */
export function renderAuditReport(report: AuditReport, options: RenderAuditOptions = {}): string {
  const max = options.maxItems ?? 15;
  const out: string[] = [];
  const line = (s = "") => out.push(s);
  const classes = report.imbalance ? `, ${report.imbalance.classes.length} classes` : "";
  const images = report.columns.length === 0;
  const what = images
    ? `${report.rows} images; classes from the folder names${classes}`
    : `${report.rows} rows, ${report.columns.length} columns; target "${report.target}" (${report.task}${classes})`;
  line(`nncoach audit: ${report.files.map((f) => f.path).join(", ")} - ${what}`);
  line(`splits: ${report.split_source}`);
  line();

  line("Findings");
  if (report.findings.length === 0) line("  no problems found");
  for (const f of report.findings) line(`  [${f.severity}] ${f.message}`);
  line();

  if (!images) {
    line("Columns");
    const noted = (c: ColumnSummary) => columnNotes(c).length > 0;
    const shown = report.columns.length <= 40 ? report.columns : report.columns.filter(noted).slice(0, 40);
    const width = Math.min(32, Math.max(6, largest(shown.map((c) => c.name.length))));
    line(
      `  ${pad("column", width)}  ${pad("type", 11)}  ${pad("missing", 13)}  ${pad("distinct", 8)}  ` +
        `${pad("mean", 10)}  ${pad("std", 10)}  notes`,
    );
    for (const c of shown) {
      const missing = c.missing > 0 ? `${c.missing} (${(100 * c.missing_fraction).toFixed(1)}%)` : "0";
      const mean = c.mean === undefined ? "" : num(c.mean);
      const std = c.std === undefined ? "" : num(c.std);
      line(
        `  ${pad(c.name, width)}  ${pad(c.type, 11)}  ${pad(missing, 13)}  ${pad(String(c.distinct), 8)}  ` +
          `${pad(mean, 10)}  ${pad(std, 10)}  ${columnNotes(c).join("; ")}`.trimEnd(),
      );
    }
    if (shown.length < report.columns.length)
      line(`  ... ${report.columns.length - shown.length} more columns without notes`);
    if (report.scales) {
      const s = report.scales;
      line(
        `  scales: largest std "${s.largest.column}" ${num(s.largest.std)}, smallest "${s.smallest.column}" ` +
          `${num(s.smallest.std)}, ratio ${num(s.ratio)}${s.flagged ? " -> standardize the inputs" : ""}`,
      );
    }
    line();
  }

  const d = report.duplicate_summary;
  line("Duplicates");
  const near = images
    ? "compared by decoded pixels"
    : `near groups ${d.near_groups} (RMS standardized distance <= ${d.near_distance})`;
  line(
    `  exact groups ${d.exact_groups} (${d.exact_extra_rows} extra rows), ${near}, across splits ${d.cross_split_groups}, ` +
      `validation/test rows seen in training ${d.evaluation_rows_seen_in_training}, conflicting targets ${d.conflicting_groups}` +
      (d.near_search_truncated ? " (near-duplicate search stopped early)" : "") +
      (d.ignored_columns.length > 0 ? `; identifier columns ignored: ${d.ignored_columns.join(", ")}` : ""),
  );
  report.duplicates.slice(0, max).forEach((g, i) => {
    line(`  ${i + 1}. ${describeGroup(g)}`);
  });
  if (report.duplicates.length > max)
    line(`  ... ${report.duplicates.length - max} more groups (see --json)`);
  line();

  if (!images) {
    line("Leakage");
    if (report.leakage.length === 0) {
      const best = report.single_column_scores[0];
      line(
        `  no suspects${best ? `; the most predictive single column is "${best.column}" (${best.metric} ${best.score.toFixed(3)})` : ""}`,
      );
    }
    for (const s of report.leakage)
      line(`  "${s.column}" score ${s.score.toFixed(3)}: ${s.reasons.join("; ")}`);
    line();
  }

  const ls = report.label_issue_summary;
  line("Label issues");
  if (ls.skipped) line(`  not checked: ${ls.skipped}`);
  else {
    line(
      `  ${ls.issues_found} of ${ls.rows_checked} rows likely mislabeled (confidence >= ${ls.likely_threshold})` +
        (ls.uncertain_found > 0 ? `, ${ls.uncertain_found} more uncertain` : "") +
        `, by ${ls.method}; model: ${ls.model}; out-of-fold accuracy ${ls.out_of_fold_accuracy.toFixed(3)}, ` +
        `Cohen's kappa ${ls.cohen_kappa.toFixed(2)}` +
        (ls.excluded_columns.length > 0 ? `; columns left out: ${ls.excluded_columns.join(", ")}` : ""),
    );
    const multiFile = report.files.length > 1;
    report.label_issues.slice(0, max).forEach((issue, i) => {
      const where = multiFile ? `${issue.file} row ${issue.row}` : `row ${issue.row}`;
      line(
        `  ${String(i + 1).padStart(3)}. ${where} [${issue.split}]: given "${issue.given}", suggested "${issue.suggested}" ` +
          `(${issue.verdict}, confidence ${issue.confidence.toFixed(2)})`,
      );
    });
    if (report.label_issues.length > max) line(`  ... ${report.label_issues.length - max} more (see --json)`);
  }
  line();

  line("Class balance");
  const im = report.imbalance;
  if (!im) line("  not applicable (regression target)");
  else {
    const w = Math.min(32, largest(im.classes.map((c) => c.name.length)));
    for (const c of im.classes)
      line(`  ${pad(c.name, w)}  ${String(c.count).padStart(7)}  ${(100 * c.fraction).toFixed(1)}%`);
    if (im.ratio === 1) {
      const n = im.classes[0]?.count ?? 0;
      line(
        `  balanced: ${im.classes.length === 1 ? "one class" : `every class has ${n} row${n === 1 ? "" : "s"}`}`,
      );
    } else {
      line(`  imbalance ratio ${im.ratio.toFixed(2)} (${im.majority} / ${im.minority}): ${im.severity}`);
    }
  }
  return `${out.join("\n")}\n`;
}

function columnNotes(c: ColumnSummary): string[] {
  const notes: string[] = [];
  if (c.role === "target") notes.push("target");
  if (c.constant) notes.push("constant");
  if (c.near_constant) notes.push(`near-constant (${(100 * c.top_fraction).toFixed(1)}% "${c.top_value}")`);
  if (c.identifier_like) notes.push(`identifier-like: ${c.identifier_like}`);
  return notes;
}

function describeGroup(g: DuplicateGroup): string {
  const files = new Set(g.rows.map((r) => r.file));
  const rows = g.rows.map((r) => `${files.size > 1 ? `${r.file} ` : ""}row ${r.row} [${r.split}]`).join(", ");
  const facts = [
    g.kind === "near" ? `near, distance <= ${num(g.max_distance ?? 0)}` : "exact",
    g.cross_split ? `across ${g.splits.join("/")}` : g.splits[0]!,
    g.same_target
      ? "same target"
      : `conflicting targets ${[...new Set(g.rows.map((r) => JSON.stringify(r.target)))].join("/")}`,
  ];
  return `${facts.join(", ")}: ${rows}`;
}

function pad(s: string, width: number): string {
  return s.length >= width ? s : s + " ".repeat(width - s.length);
}

function num(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1e5 || a < 1e-3 ? v.toExponential(2) : Number(v.toPrecision(4)).toString();
}
