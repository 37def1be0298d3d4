/**
 * The study's report, as Markdown (report.md) and as one self-contained HTML page (report.html: no
 * network, no script, inline SVG plots made by the line-plot renderer, readable without JavaScript).
 * Sections: the outcome (test metrics with bootstrap intervals against the baseline and the non-neural
 * reference), the ledger (one row per step, the same numbers as summary.json), the metric across the
 * steps, baseline and final training curves, the LR finder, the learning curve, the confusion matrix or
 * residuals, the diagnoses, the audit and the decisions, and the commands that reproduce it.
 */
import { formatDecision } from "../../recipe/decision.js";
import type { LineSeries } from "../../report/line-plot-spec.js";
import { escapeXml, renderLinePlotSvg } from "../../report/line-plot-svg.js";
import type { ImproveSummary, LedgerStep, Spread } from "./improve.js";
import { changeFlags } from "./improve.js";

const fmt = (v: number | null | undefined, digits = 4): string =>
  v === null || v === undefined || !Number.isFinite(v) ? "–" : Number(v.toPrecision(digits)).toString();
const pm = (s: Spread | null): string => (s ? `${fmt(s.mean)} ± ${fmt(s.se, 2)}` : "–");

/** One ledger row's cells, shared by both formats (the report test compares them with summary.json). */
export function ledgerRow(s: LedgerStep): string[] {
  return [
    s.name,
    Object.keys(s.change).length ? changeFlags(s.change) : "–",
    pm(s.val_before),
    pm(s.val_after),
    s.skipped ? "skipped" : s.kept ? "kept" : "rejected",
    s.finding ?? "",
    s.reason,
  ];
}

export const LEDGER_HEADER = ["step", "change", "before", "after", "outcome", "finding", "reason"];

function outcomeRows(s: ImproveSummary): string[][] {
  const m = s.metric.name;
  const test = (t: ImproveSummary["final"]["test"]) =>
    t ? `${fmt(t.value)} [${fmt(t.ci[0], 3)}, ${fmt(t.ci[1], 3)}]` : "–";
  const rows = [
    ["baseline network", pm(s.baseline.val), test(s.baseline.test)],
    ["final network", pm(s.final.val), test(s.final.test)],
  ];
  if (s.reference.name !== null) rows.unshift([s.reference.name, pm(s.reference.val), fmt(s.reference.test)]);
  return [["model", `validation ${m} (mean ± SE)`, `test ${m} [95% CI]`], ...rows];
}

function mdTable(rows: string[][]): string {
  const esc = (c: string) => c.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const [head, ...body] = rows;
  return [
    `| ${head!.map(esc).join(" | ")} |`,
    `| ${head!.map(() => "---").join(" | ")} |`,
    ...body.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n");
}

export function renderImproveMarkdown(s: ImproveSummary): string {
  const out: string[] = [];
  out.push(`# nncoach improve: ${s.data}`, "");
  out.push(
    `${s.kind}, ${s.task}; objective ${s.metric.name} (${s.metric.higherIsBetter ? "higher" : "lower"} is better); ` +
      `${s.evaluation.mode === "cv" ? `${s.evaluation.units}-fold cross-validation` : `${s.evaluation.units} seeds`}; ` +
      `${s.trials.run} trials (${s.trials.pruned} pruned, ${s.trials.failed} failed) of ${s.trials.planned} planned; ${fmt(s.wall_seconds, 3)} s.`,
    "",
  );
  out.push("## Outcome", "", mdTable(outcomeRows(s)), "");
  if (s.reference.name === null) out.push(`No non-neural reference: ${s.reference.reason}.`, "");
  out.push("## Ledger", "", mdTable([LEDGER_HEADER, ...s.steps.map(ledgerRow)]), "");
  if (s.learning_curve) {
    const lc = s.learning_curve;
    out.push(
      "## Learning curve",
      "",
      mdTable([
        ["training rows", s.metric.name],
        ...lc.rows.map((r, i) => [String(r), `${fmt(lc.mean[i])} ± ${fmt(lc.se[i], 2)}`]),
      ]),
      "",
      lc.explanation,
      "",
    );
  }
  out.push("## Diagnosis of the final configuration", "");
  if (s.diagnosis.final.length === 0) out.push("No findings.");
  for (const f of s.diagnosis.final) out.push(`- **${f.symptom}** (${f.severity}): ${f.explanation}`);
  out.push("", "## Decisions", "");
  for (const d of s.decisions) out.push(`- ${formatDecision(d)}`);
  out.push("", "## Reproduce", "", "```sh", s.commands.improve, s.commands.train, "```", "");
  return out.join("\n");
}

function htmlTable(rows: string[][], cls: string): string {
  const [head, ...body] = rows;
  return (
    `<table class="${cls}"><thead><tr>${head!.map((c) => `<th>${escapeXml(c)}</th>`).join("")}</tr></thead><tbody>` +
    body.map((r) => `<tr>${r.map((c) => `<td>${escapeXml(c)}</td>`).join("")}</tr>`).join("") +
    "</tbody></table>"
  );
}

/** The metric across the steps: each tried step's best candidate with its error bar, kept in green. */
function stepsPlot(s: ImproveSummary): string {
  const ran = s.steps.filter((st) => !st.skipped && st.val_after);
  const series: LineSeries[] = [];
  const best: number[] = [s.baseline.val.mean];
  ran.forEach((st, i) => {
    const a = st.val_after!;
    const color = st.kept ? "#2ca02c" : "#999999";
    series.push({ x: [i + 1, i + 1], y: [a.mean - a.se, a.mean + a.se], color, lineWidth: 2 });
    series.push({ x: [i + 0.85, i + 1.15], y: [a.mean, a.mean], color, lineWidth: 3 });
    best.push(st.kept ? a.mean : best[best.length - 1]!);
  });
  series.push({
    name: "current best",
    x: best.map((_, i) => i),
    y: best,
    color: "#1f77b4",
  });
  return renderLinePlotSvg({
    title: `${s.metric.name} per step (green: kept, grey: rejected; bars: ± 1 SE)`,
    xLabel: "step (0 = baseline)",
    yLabel: s.metric.name,
    width: 720,
    height: 360,
    series,
  });
}

function curvesPlot(s: ImproveSummary): string {
  const e = (v: number[]) => v.map((_, i) => i + 1);
  return renderLinePlotSvg({
    title: "training curves (first unit)",
    xLabel: "epoch",
    yLabel: "loss",
    width: 720,
    height: 360,
    series: [
      {
        name: "baseline train",
        x: e(s.curves.baseline.train),
        y: s.curves.baseline.train,
        color: "#ff7f0e",
        dashed: true,
      },
      { name: "baseline val", x: e(s.curves.baseline.val), y: s.curves.baseline.val, color: "#ff7f0e" },
      {
        name: "final train",
        x: e(s.curves.final.train),
        y: s.curves.final.train,
        color: "#1f77b4",
        dashed: true,
      },
      { name: "final val", x: e(s.curves.final.val), y: s.curves.final.val, color: "#1f77b4" },
    ],
  });
}

function lrPlot(s: ImproveSummary): string {
  const f = s.lr_finder!;
  const i = f.lrs.findIndex((v) => v >= f.suggestion);
  return renderLinePlotSvg({
    title: "learning-rate finder (baseline model)",
    xLabel: "learning rate",
    yLabel: "smoothed loss",
    xLog: true,
    width: 720,
    height: 360,
    series: [{ name: "loss", x: f.lrs, y: f.losses }],
    markers:
      i >= 0 && Number.isFinite(f.losses[i]!)
        ? [{ x: f.suggestion, y: f.losses[i]!, label: `suggested ${fmt(f.suggestion, 2)}` }]
        : [],
  });
}

function learningCurvePlot(s: ImproveSummary): string {
  const lc = s.learning_curve!;
  return renderLinePlotSvg({
    title: "learning curve",
    xLabel: "training rows",
    yLabel: s.metric.name,
    width: 720,
    height: 360,
    series: [
      { name: "mean", x: lc.rows, y: lc.mean },
      { name: "- 1 SE", x: lc.rows, y: lc.mean.map((m, i) => m - lc.se[i]!), dashed: true, color: "#aaaaaa" },
      { name: "+ 1 SE", x: lc.rows, y: lc.mean.map((m, i) => m + lc.se[i]!), dashed: true, color: "#aaaaaa" },
    ],
  });
}

function residualPlot(s: ImproveSummary): string {
  const r = s.residuals!;
  const order = r.actual.map((_, i) => i).sort((a, b) => r.predicted[a]! - r.predicted[b]!);
  return renderLinePlotSvg({
    title: "test residuals (actual - predicted) against the prediction",
    xLabel: "predicted",
    yLabel: "residual",
    width: 720,
    height: 360,
    series: order.map((i) => ({
      x: [r.predicted[i]!, r.predicted[i]!],
      y: [0, r.actual[i]! - r.predicted[i]!],
      color: "#1f77b4",
      lineWidth: 1,
    })),
  });
}

function confusionTable(s: ImproveSummary): string {
  const c = s.confusion!;
  const rows = [
    ["true \\ predicted", ...c.classes],
    ...c.classes.map((k, i) => [k, ...c.counts[i]!.map(String)]),
  ];
  return htmlTable(rows, "confusion");
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:14px}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}tr.kept td{background:#eaf7ea}tr.skipped td{color:#777}.muted{color:#666}svg{max-width:100%;height:auto}
code,pre{background:#f6f6f6;padding:2px 4px}pre{padding:8px;overflow-x:auto}`;

export function renderImproveHtml(s: ImproveSummary): string {
  const h: string[] = [];
  h.push(
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>nncoach improve: ${escapeXml(s.data)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>nncoach improve: ${escapeXml(s.data)}</h1>`,
    `<p>${escapeXml(
      `${s.kind}, ${s.task}; objective ${s.metric.name} (${s.metric.higherIsBetter ? "higher" : "lower"} is better); ` +
        `${s.evaluation.mode === "cv" ? `${s.evaluation.units}-fold cross-validation` : `${s.evaluation.units} seeds`}; ` +
        `${s.trials.run} trials (${s.trials.pruned} pruned, ${s.trials.failed} failed) of ${s.trials.planned} planned; ${fmt(s.wall_seconds, 3)} s`,
    )}</p>`,
    "<h2>Outcome</h2>",
    htmlTable(outcomeRows(s), "outcome"),
  );
  if (s.reference.name === null)
    h.push(`<p class="muted">No non-neural reference: ${escapeXml(s.reference.reason)}.</p>`);
  h.push("<h2>Ledger</h2>", '<table class="ledger"><thead><tr>');
  h.push(LEDGER_HEADER.map((c) => `<th>${escapeXml(c)}</th>`).join(""), "</tr></thead><tbody>");
  for (const st of s.steps) {
    const cls = st.skipped ? "skipped" : st.kept ? "kept" : "rejected";
    h.push(
      `<tr class="${cls}">${ledgerRow(st)
        .map((c) => `<td>${escapeXml(c)}</td>`)
        .join("")}</tr>`,
    );
  }
  h.push("</tbody></table>");
  h.push("<h2>Metric across the steps</h2>", stepsPlot(s));
  h.push("<h2>Baseline and final training curves</h2>", curvesPlot(s));
  if (s.lr_finder) h.push("<h2>Learning-rate finder</h2>", lrPlot(s));
  if (s.learning_curve)
    h.push(
      "<h2>Learning curve</h2>",
      learningCurvePlot(s),
      `<p>${escapeXml(s.learning_curve.explanation)}</p>`,
    );
  if (s.confusion) h.push("<h2>Confusion matrix (test)</h2>", confusionTable(s));
  if (s.residuals) h.push("<h2>Residuals (test)</h2>", residualPlot(s));
  h.push("<h2>Diagnosis</h2>");
  for (const [name, list] of [
    ["final configuration", s.diagnosis.final],
    ["baseline", s.diagnosis.baseline],
  ] as const) {
    h.push(`<h3>${name}</h3>`);
    if (list.length === 0) h.push("<p>No findings.</p>");
    else
      h.push(
        `<ul>${list.map((f) => `<li><b>${escapeXml(f.symptom)}</b> (${f.severity}): ${escapeXml(f.explanation)}</li>`).join("")}</ul>`,
      );
  }
  if (s.audit) {
    h.push("<h2>Audit</h2>");
    const findings = (s.audit as { findings?: { severity: string; message: string }[] }).findings ?? [];
    h.push(
      findings.length
        ? `<ul>${findings.map((f) => `<li>${escapeXml(`[${f.severity}] ${f.message}`)}</li>`).join("")}</ul>`
        : "<p>No audit findings.</p>",
    );
  }
  h.push(
    "<h2>Decisions</h2>",
    `<ul>${s.decisions.map((d) => `<li>${escapeXml(formatDecision(d))}</li>`).join("")}</ul>`,
  );
  h.push(
    "<h2>Reproduce</h2>",
    `<pre>${escapeXml(`${s.commands.improve}\n${s.commands.train}`)}</pre>`,
    s.test_unsealed
      ? `<p class="muted">Test rows unsealed once, ${escapeXml(s.test_unsealed.at)}: ${escapeXml(s.test_unsealed.reason)}</p>`
      : "",
    "</body></html>",
  );
  return h.join("\n");
}
