/**
 * The study's report, as Markdown (report.md) and as one self-contained HTML page (report.html: no
 * network, no script, inline SVG plots, readable without JavaScript; test/improve-report.test.ts renders
 * it in headless Chromium). It opens with a headline sentence and the key numbers (final test metric
 * with its bootstrap interval, the change from the baseline, the non-neural reference, changes kept),
 * then: the outcome table, the ledger (one row per step, the same numbers as summary.json, kept rows
 * highlighted), the metric across the steps (one row per step, drawn here), baseline and final training
 * curves, the LR finder, the learning curve, the confusion matrix or residuals, the diagnoses, the audit
 * and the decisions, and the commands that reproduce it.
 */
import { formatDecision } from "../../recipe/decision.js";
import { escapeXml, renderLinePlotSvg } from "../../report/line-plot-svg.js";
import { PLOT_FONT_FAMILY, PLOT_FONT_SIZE, plotFontMetrics } from "../../report/plot-font.js";
import { linearTicks } from "../../report/ticks.js";
import type { ImproveSummary, LedgerStep, Spread } from "./improve.js";
import { changeFlags, testEvaluationWarning } from "./improve.js";

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

/**
 * The numbers a reader looks for first: the final network's test metric (validation mean when the test
 * rows were not read), the baseline's and the reference's on the same rows, and the steps kept.
 */
function keyNumbers(s: ImproveSummary) {
  const onTest = s.final.test !== null;
  const ref = s.reference.name === null ? null : onTest ? s.reference.test : (s.reference.val?.mean ?? null);
  const tried = s.steps.filter((st) => !st.skipped);
  return {
    onTest,
    where: onTest ? "test" : "validation",
    final: onTest ? s.final.test!.value : s.final.val.mean,
    interval: s.final.test
      ? `[${fmt(s.final.test.ci[0], 3)}, ${fmt(s.final.test.ci[1], 3)}]`
      : `± ${fmt(s.final.val.se, 2)}`,
    baseline: onTest ? (s.baseline.test?.value ?? null) : s.baseline.val.mean,
    reference: ref,
    tried: tried.length,
    kept: s.steps.filter((st) => st.kept),
    skipped: s.steps.length - tried.length,
  };
}

/**
 * One sentence that says how the study came out, e.g. "Final test accuracy 0.962 [0.885, 1] (baseline
 * network 0.692, logistic regression (L2, C=1) 0.923); 1 of 3 changes tried kept (--lr 0.00076), 9 steps
 * skipped."
 */
export function headline(s: ImproveSummary): string {
  const k = keyNumbers(s);
  const m = s.metric.name;
  const others = [
    k.baseline !== null ? `baseline network ${fmt(k.baseline, 3)}` : "",
    s.reference.name !== null && k.reference !== null ? `${s.reference.name} ${fmt(k.reference, 3)}` : "",
  ].filter((t) => t);
  const steps =
    k.tried === 0
      ? "no change was tried"
      : k.kept.length === 0
        ? `none of the ${k.tried} changes tried helped beyond noise`
        : `${k.kept.length} of ${k.tried} changes tried kept (${k.kept.map((st) => changeFlags(st.change)).join(", ")})`;
  const skipped = k.skipped ? `, ${k.skipped} step${k.skipped === 1 ? "" : "s"} skipped` : "";
  return `Final ${k.where} ${m} ${fmt(k.final, 3)} ${k.interval}${others.length ? ` (${others.join(", ")})` : ""}; ${steps}${skipped}.`;
}

/**
 * A warning when the non-neural reference beats the final network on validation by more than the two
 * standard errors combined (a rough check, not the paired keep rule), else null.
 */
/**
 * How often the experiment store has seen these test rows evaluated: null without a store, else a sentence
 * (the warning of testEvaluationWarning once they were evaluated before this study).
 */
export function testEvaluationNote(s: ImproveSummary): string | null {
  const n = s.test_evaluations;
  if (n === null || n === undefined) return null;
  return n > 1
    ? `Test evaluations: ${n}. ${testEvaluationWarning(n).replace(/^t/, "T")}.`
    : "Test evaluations: 1 (the experiment store has no earlier evaluation of these test rows).";
}

export function referenceNote(s: ImproveSummary): string | null {
  if (s.reference.name === null || !s.reference.val) return null;
  const r = s.reference.val;
  const gap = (s.metric.higherIsBetter ? 1 : -1) * (r.mean - s.final.val.mean);
  if (!(gap > Math.hypot(r.se, s.final.val.se))) return null;
  return (
    `On validation the ${s.reference.name} scores ${s.metric.higherIsBetter ? "higher" : "lower"} than the final ` +
    `network (${pm(r)} against ${pm(s.final.val)}).`
  );
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
    `**${headline(s)}**`,
    "",
  );
  const note = referenceNote(s);
  if (note) out.push(note, "");
  out.push("## Outcome", "", mdTable(outcomeRows(s)), "");
  const tested = testEvaluationNote(s);
  if (tested) out.push(tested, "");
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

const KEPT = "#2ca02c";
const REJECTED = "#7f7f7f";
const BASELINE = "#888888";
const FINAL = "#1f77b4";
const REFERENCE = "#9467bd";

/** Cuts text to at most `chars` characters, ending in "…" when cut. */
const cut = (text: string, chars: number) =>
  [...text].length <= chars ? text : `${[...text].slice(0, Math.max(0, chars - 1)).join("")}…`;

/**
 * The metric across the steps, one row per ledger step in ledger order (a forest plot): the best
 * candidate's validation mean ± 1 SE (green: kept, grey: rejected), the other candidates as hollow
 * circles, a line from the configuration the step started from, and vertical lines at the baseline, the
 * final network and the non-neural reference. Skipped steps say why. Drawn here rather than with the
 * line-plot renderer, which has numeric axes only: the rows carry the step names.
 */
function stepsPlot(s: ImproveSummary): string {
  const font = plotFontMetrics(12 / PLOT_FONT_SIZE);
  const small = plotFontMetrics(11 / PLOT_FONT_SIZE);
  const n = (v: number) => String(Math.round(v * 10) / 10);
  const W = 720;
  const rowH = 24;
  const top = 4;
  const labelW = Math.ceil(Math.max(60, ...s.steps.map((st) => font.width(st.name)))) + 12;
  const outW = Math.ceil(font.width("rejected")) + 12;
  const x0 = labelW + 10;
  const x1 = W - outW - 10;
  const rowsBottom = top + s.steps.length * rowH;
  const H = rowsBottom + 46;

  const values: number[] = [];
  const span = (sp: Spread | null) => {
    if (sp) values.push(sp.mean - sp.se, sp.mean + sp.se);
  };
  span(s.baseline.val);
  span(s.final.val);
  if (s.reference.name !== null && s.reference.val) values.push(s.reference.val.mean);
  for (const st of s.steps) {
    if (st.skipped) continue;
    span(st.val_after);
    if (st.val_before) values.push(st.val_before.mean);
    for (const c of st.candidates) if (c.status === "done") values.push(c.mean);
  }
  const finite = values.filter((v) => Number.isFinite(v));
  let lo = finite.length ? Math.min(...finite) : 0;
  let hi = finite.length ? Math.max(...finite) : 1;
  if (hi > lo) {
    const pad = (hi - lo) * 0.06;
    lo -= pad;
    hi += pad;
  } else {
    const pad = Math.abs(lo) * 0.05 || 0.5;
    lo -= pad;
    hi += pad;
  }
  const px = (v: number) => x0 + ((v - lo) / (hi - lo)) * (x1 - x0);
  const ticks = linearTicks(lo, hi, 5);

  const unit = s.evaluation.mode === "cv" ? "folds" : "seeds";
  const out: string[] = [
    `<svg class="steps-plot" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
      `font-family="${PLOT_FONT_FAMILY}" font-size="${font.size}" role="img" ` +
      `aria-label="validation ${escapeXml(s.metric.name)} of each step's best candidate">`,
    `<title>validation ${escapeXml(s.metric.name)} per step (green: kept, grey: rejected; bars: ± 1 SE)</title>`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
  ];
  // Rows striped, the kept ones green; a skipped step's reason is set on its row's color, over the lines.
  const fill = (i: number, st: LedgerStep) => (st.kept ? "#e3f4e3" : i % 2 ? "#f6f6f6" : "#ffffff");
  s.steps.forEach((st, i) => {
    out.push(`<rect x="0" y="${top + i * rowH}" width="${W}" height="${rowH}" fill="${fill(i, st)}"/>`);
  });
  for (const t of ticks)
    out.push(
      `<line x1="${n(px(t.value))}" y1="${top}" x2="${n(px(t.value))}" y2="${rowsBottom}" stroke="#e1e1e1"/>`,
    );
  const vline = (v: number, color: string, dashed: boolean) =>
    Number.isFinite(v)
      ? `<line x1="${n(px(v))}" y1="${top}" x2="${n(px(v))}" y2="${rowsBottom}" stroke="${color}" stroke-width="1.5"` +
        `${dashed ? ' stroke-dasharray="5 3"' : ""}/>`
      : "";
  out.push(vline(s.baseline.val.mean, BASELINE, true));
  if (s.reference.name !== null && s.reference.val) out.push(vline(s.reference.val.mean, REFERENCE, true));
  out.push(vline(s.final.val.mean, FINAL, false));

  s.steps.forEach((st, i) => {
    const cy = top + i * rowH + rowH / 2;
    const base = cy + font.capHeight / 2;
    const color = st.kept ? KEPT : REJECTED;
    const outcome = st.skipped ? "skipped" : st.kept ? "kept" : "rejected";
    out.push(`<g class="step ${outcome}"><title>${escapeXml(`${st.name}: ${st.reason}`)}</title>`);
    out.push(
      `<text x="${labelW}" y="${n(base)}" text-anchor="end" fill="${st.skipped ? "#999999" : "#222222"}"` +
        `${st.kept ? ' font-weight="bold"' : ""}>${escapeXml(st.name)}</text>`,
    );
    if (st.skipped) {
      const text = cut(st.reason, Math.floor((x1 - x0 - 8) / small.width("x")));
      out.push(
        `<rect x="${x0 + 2}" y="${cy - 8}" width="${n(small.width(text) + 8)}" height="16" fill="${fill(i, st)}"/>`,
        `<text x="${x0 + 6}" y="${n(base)}" font-size="${small.size}" font-style="italic" fill="#8a8a8a">` +
          `${escapeXml(text)}</text>`,
      );
    } else {
      const a = st.val_after;
      for (const c of st.candidates) {
        if (c.status !== "done" || !Number.isFinite(c.mean)) continue;
        out.push(`<circle cx="${n(px(c.mean))}" cy="${cy}" r="3" fill="none" stroke="#b5b5b5"/>`);
      }
      if (a && Number.isFinite(a.mean)) {
        if (st.val_before && Number.isFinite(st.val_before.mean)) {
          const b = px(st.val_before.mean);
          out.push(
            `<line x1="${n(b)}" y1="${cy}" x2="${n(px(a.mean))}" y2="${cy}" stroke="#c8c8c8" stroke-width="1.5"/>`,
            `<line x1="${n(b)}" y1="${cy - 5}" x2="${n(b)}" y2="${cy + 5}" stroke="#aaaaaa" stroke-width="1.5"/>`,
          );
        }
        const l = px(a.mean - a.se);
        const r = px(a.mean + a.se);
        out.push(
          `<line x1="${n(l)}" y1="${cy}" x2="${n(r)}" y2="${cy}" stroke="${color}" stroke-width="2.5"/>`,
          `<line x1="${n(l)}" y1="${cy - 4}" x2="${n(l)}" y2="${cy + 4}" stroke="${color}" stroke-width="1.5"/>`,
          `<line x1="${n(r)}" y1="${cy - 4}" x2="${n(r)}" y2="${cy + 4}" stroke="${color}" stroke-width="1.5"/>`,
          `<circle cx="${n(px(a.mean))}" cy="${cy}" r="5" fill="${color}" stroke="#ffffff" stroke-width="1"/>`,
        );
      }
    }
    out.push(
      `<text x="${W - 8}" y="${n(base)}" text-anchor="end" fill="${st.skipped ? "#999999" : color}"` +
        `${st.kept ? ' font-weight="bold"' : ""}>${outcome}</text>`,
      "</g>",
    );
  });

  out.push(
    `<line x1="${x0}" y1="${rowsBottom + 0.5}" x2="${x1}" y2="${rowsBottom + 0.5}" stroke="#444444"/>`,
  );
  for (const t of ticks) {
    const x = px(t.value);
    out.push(
      `<line x1="${n(x)}" y1="${rowsBottom}" x2="${n(x)}" y2="${rowsBottom + 4}" stroke="#444444"/>`,
      `<text x="${n(x)}" y="${n(rowsBottom + 6 + small.capHeight + 2)}" font-size="${small.size}" ` +
        `text-anchor="middle" fill="#222222">${escapeXml(t.label)}</text>`,
    );
  }
  out.push(
    `<text x="${n((x0 + x1) / 2)}" y="${H - 8}" font-size="${small.size}" text-anchor="middle" fill="#222222">` +
      `${escapeXml(`validation ${s.metric.name} (${s.metric.higherIsBetter ? "higher" : "lower"} is better), mean ± 1 SE over ${s.evaluation.units} ${unit}`)}</text>`,
    "</svg>",
  );
  return out.join("\n");
}

/** The key to {@link stepsPlot}, as HTML text (a legend the page lays out: nothing in it can overlap). */
function stepsLegend(s: ImproveSummary): string {
  const dot = (c: string) => `<span class="sw" style="background:${c}"></span>`;
  const line = (c: string, dashed: boolean) =>
    `<span class="ln${dashed ? " dash" : ""}" style="border-color:${c}"></span>`;
  const ref =
    s.reference.name !== null && s.reference.val
      ? `, ${line(REFERENCE, true)}${escapeXml(s.reference.name)}`
      : "";
  return (
    `One row per ledger step, in the order they ran. Dot and bar: the step's best candidate, mean ± 1 SE ` +
    `(${dot(KEPT)}kept, ${dot(REJECTED)}rejected); hollow circles: its other candidates; grey line: from the ` +
    `configuration the step started from. Vertical lines: ${line(BASELINE, true)}baseline, ` +
    `${line(FINAL, false)}final network${ref}. Hover a row for the keep rule's reason.`
  );
}

/** Whether the final configuration trained exactly as the baseline did (no change kept). */
const sameCurves = (s: ImproveSummary) =>
  JSON.stringify(s.curves.baseline) === JSON.stringify(s.curves.final);

/** Loss per epoch, baseline (orange) and final (blue); one pair when they are the same run. */
function curvesPlot(s: ImproveSummary): string {
  const e = (v: number[]) => v.map((_, i) => i + 1);
  const pair = (who: string, c: { train: number[]; val: number[] }, color: string) => [
    { name: `${who} train`, x: e(c.train), y: c.train, color, dashed: true },
    { name: `${who} val`, x: e(c.val), y: c.val, color },
  ];
  return renderLinePlotSvg({
    title: "training curves (first unit)",
    xLabel: "epoch",
    yLabel: "loss",
    width: 720,
    height: 360,
    series: sameCurves(s)
      ? pair("baseline = final", s.curves.final, "#1f77b4")
      : [...pair("baseline", s.curves.baseline, "#ff7f0e"), ...pair("final", s.curves.final, "#1f77b4")],
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
    title: "residual = actual - predicted",
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

/** The confusion matrix, cells shaded by count: green on the diagonal (right), red off it (wrong). */
function confusionTable(s: ImproveSummary): string {
  const c = s.confusion!;
  const max = Math.max(1, ...c.counts.flat());
  const cell = (v: number, right: boolean) => {
    const alpha = v > 0 ? (0.12 + 0.55 * (v / max)).toFixed(2) : "";
    const bg = alpha ? ` style="background:rgba(${right ? "44,160,44" : "214,39,40"},${alpha})"` : "";
    return `<td class="num"${bg}>${v}</td>`;
  };
  return (
    `<table class="confusion"><thead><tr><th>true \\ predicted</th>` +
    c.classes.map((k) => `<th>${escapeXml(k)}</th>`).join("") +
    "</tr></thead><tbody>" +
    c.classes
      .map(
        (k, i) => `<tr><th>${escapeXml(k)}</th>${c.counts[i]!.map((v, j) => cell(v, i === j)).join("")}</tr>`,
      )
      .join("") +
    "</tbody></table>"
  );
}

/** The key numbers as cards: the final metric, its change from the baseline, the reference, the steps kept. */
function keyCards(s: ImproveSummary): string {
  const k = keyNumbers(s);
  const m = s.metric.name;
  const cards: { label: string; value: string; sub: string; cls?: string }[] = [
    {
      label: "final network",
      value: fmt(k.final, 3),
      sub: `${k.where} ${m}, ${k.onTest ? "95% CI " : ""}${k.interval}`,
    },
  ];
  if (k.baseline !== null) {
    const d = k.final - k.baseline;
    const better = s.metric.higherIsBetter ? d > 0 : d < 0;
    cards.push({
      label: "change from the baseline",
      value: d === 0 ? "0" : `${d > 0 ? "+" : "−"}${fmt(Math.abs(d), 3)}`,
      sub: `${k.where} ${m}: baseline ${fmt(k.baseline, 3)} → final ${fmt(k.final, 3)}`,
      cls: d === 0 ? undefined : better ? "good" : "bad",
    });
  }
  cards.push(
    s.reference.name === null
      ? { label: "non-neural reference", value: "–", sub: s.reference.reason }
      : {
          label: "non-neural reference",
          value: fmt(k.reference, 3),
          sub: `${s.reference.name}, ${k.where} ${m}`,
        },
  );
  cards.push({
    label: "changes kept",
    value: `${k.kept.length} of ${k.tried}`,
    sub: `steps tried${k.skipped ? `; ${k.skipped} skipped` : ""}`,
    cls: k.kept.length ? "good" : undefined,
  });
  return (
    '<div class="cards">' +
    cards
      .map(
        (c) =>
          `<div class="card${c.cls ? ` ${c.cls}` : ""}"><div class="label">${escapeXml(c.label)}</div>` +
          `<div class="value">${escapeXml(c.value)}</div><div class="sub">${escapeXml(c.sub)}</div></div>`,
      )
      .join("") +
    "</div>"
  );
}

const STYLE = `body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1040px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin:0 0 .3em;overflow-wrap:anywhere}h2{margin-top:1.8em;padding-bottom:.15em;border-bottom:1px solid #e3e3e3}
.intro{color:#555;margin:0}.headline{font-size:1.15em;font-weight:600;margin:.8em 0 .4em}.note{margin:.4em 0;padding:.3em .7em;border-left:4px solid #9467bd;background:#f6f2fa}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:1em 0}.card{flex:1 1 200px;border:1px solid #ddd;border-radius:6px;padding:10px 14px;background:#fafafa}
.card .label{font-size:.8em;color:#555;text-transform:uppercase;letter-spacing:.04em}.card .value{font-size:2em;font-weight:600;font-variant-numeric:tabular-nums}
.card .sub{font-size:.85em;color:#555;overflow-wrap:anywhere}.card.good .value{color:#1a7f1a}.card.bad .value{color:#b02222}
.wide{overflow-x:auto}table{border-collapse:collapse;margin:1em 0;font-size:14px}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}
td.num{white-space:nowrap;font-variant-numeric:tabular-nums}td.change{white-space:nowrap;font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:13px}
table.ledger{width:100%}table.ledger td.reason{min-width:16em}
tr.kept td{background:#e3f4e3}tr.kept td:first-child{box-shadow:inset 4px 0 #2ca02c}tr.kept td.outcome{font-weight:700;color:#1a7f1a}
tr.skipped td{color:#777}table.confusion td{text-align:right;min-width:3em}
figure{margin:1em 0}figcaption{font-size:.9em;color:#555;max-width:720px;margin-top:.4em}
svg{display:block;max-width:100%;height:auto}
.sw{display:inline-block;width:.75em;height:.75em;border-radius:50%;margin:0 .25em;vertical-align:-.05em}
.ln{display:inline-block;width:1.5em;border-top:2px solid;margin:0 .25em;vertical-align:.3em}.ln.dash{border-top-style:dashed}
.muted{color:#666}code,pre{background:#f6f6f6;padding:2px 4px}pre{padding:8px;white-space:pre-wrap;overflow-wrap:anywhere}
@media print{body{margin:0;max-width:none}figure,table,.card{break-inside:avoid}}`;

/** Puts a plot on the page: its clip-path id made unique on the page (the renderer names it by geometry). */
function figure(svg: string, no: number, caption?: string): string {
  const body = svg.replaceAll("nncoach-plot-", `nncoach-plot${no}-`).trimEnd();
  return `<figure>${body}${caption ? `<figcaption>${caption}</figcaption>` : ""}</figure>`;
}

/** The ledger: one row per summary.json step, cells from {@link ledgerRow}, kept rows highlighted. */
function ledgerTable(s: ImproveSummary): string {
  const classes = ["step", "change", "num", "num", "outcome", "finding", "reason"];
  const rows = s.steps.map((st) => {
    const cls = st.skipped ? "skipped" : st.kept ? "kept" : "rejected";
    const cells = ledgerRow(st).map((c, i) => `<td class="${classes[i]}">${escapeXml(c)}</td>`);
    return `<tr class="${cls}">${cells.join("")}</tr>`;
  });
  return (
    '<div class="wide"><table class="ledger"><thead><tr>' +
    LEDGER_HEADER.map((c) => `<th>${escapeXml(c)}</th>`).join("") +
    `</tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table></div>`
  );
}

export function renderImproveHtml(s: ImproveSummary): string {
  let plots = 0;
  const plot = (svg: string, caption?: string) => figure(svg, ++plots, caption);
  const section = (id: string, title: string) => `<section id="${id}"><h2>${escapeXml(title)}</h2>`;
  const h: string[] = [];
  h.push(
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>nncoach improve: ${escapeXml(s.data)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>nncoach improve: ${escapeXml(s.data)}</h1>`,
    `<p class="intro">${escapeXml(
      `${s.kind}, ${s.task}; objective ${s.metric.name} (${s.metric.higherIsBetter ? "higher" : "lower"} is better); ` +
        `${s.evaluation.mode === "cv" ? `${s.evaluation.units}-fold cross-validation` : `${s.evaluation.units} seeds`}; ` +
        `${s.trials.run} trials (${s.trials.pruned} pruned, ${s.trials.failed} failed) of ${s.trials.planned} planned; ${fmt(s.wall_seconds, 3)} s`,
    )}</p>`,
    `<p class="headline">${escapeXml(headline(s))}</p>`,
    referenceNote(s) ? `<p class="note">${escapeXml(referenceNote(s)!)}</p>` : "",
    keyCards(s),
    section("outcome", "Outcome"),
    htmlTable(outcomeRows(s), "outcome"),
    testEvaluationNote(s) ? `<p class="test-evaluations">${escapeXml(testEvaluationNote(s)!)}</p>` : "",
  );
  if (s.reference.name === null)
    h.push(`<p class="muted">No non-neural reference: ${escapeXml(s.reference.reason)}.</p>`);
  h.push("</section>", section("ledger", "Ledger"), ledgerTable(s), "</section>");
  h.push(
    section("steps", "Metric across the steps"),
    `<figure>${stepsPlot(s)}<figcaption>${stepsLegend(s)}</figcaption></figure>`,
    "</section>",
  );
  h.push(
    section("curves", "Baseline and final training curves"),
    plot(
      curvesPlot(s),
      `Loss per epoch on the first evaluation unit: dashed training, solid validation; ${
        sameCurves(s)
          ? "no change was kept, so the final configuration is the baseline."
          : "orange the baseline, blue the final configuration."
      }`,
    ),
    "</section>",
  );
  if (s.lr_finder)
    h.push(
      section("lr-finder", "Learning-rate finder"),
      plot(lrPlot(s), "Smoothed training loss as the learning rate grows; the red point is the suggestion."),
      "</section>",
    );
  if (s.learning_curve)
    h.push(
      section("learning-curve", "Learning curve"),
      plot(learningCurvePlot(s), escapeXml(s.learning_curve.explanation)),
      "</section>",
    );
  if (s.confusion)
    h.push(
      section("confusion", "Confusion matrix (test)"),
      confusionTable(s),
      '<p class="muted">Rows: the true class; columns: the predicted one. Green: right; red: wrong; darker: more rows.</p>',
      "</section>",
    );
  if (s.residuals) h.push(section("residuals", "Residuals (test)"), plot(residualPlot(s)), "</section>");
  h.push(section("diagnosis", "Diagnosis"));
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
  h.push("</section>");
  if (s.audit) {
    h.push(section("audit", "Audit"));
    const findings = (s.audit as { findings?: { severity: string; message: string }[] }).findings ?? [];
    h.push(
      findings.length
        ? `<ul>${findings.map((f) => `<li>${escapeXml(`[${f.severity}] ${f.message}`)}</li>`).join("")}</ul>`
        : "<p>No audit findings.</p>",
      "</section>",
    );
  }
  h.push(
    section("decisions", "Decisions"),
    `<ul>${s.decisions.map((d) => `<li>${escapeXml(formatDecision(d))}</li>`).join("")}</ul>`,
    "</section>",
  );
  h.push(
    section("reproduce", "Reproduce"),
    `<pre>${escapeXml(`${s.commands.improve}\n${s.commands.train}`)}</pre>`,
    s.test_unsealed
      ? `<p class="muted">Test rows unsealed once, ${escapeXml(s.test_unsealed.at)}: ${escapeXml(s.test_unsealed.reason)}</p>`
      : "",
    "</section>",
    "</body></html>",
  );
  return h.join("\n");
}
