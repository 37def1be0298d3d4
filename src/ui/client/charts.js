// Hand-written SVG charts for the dashboard: line charts with hover values and drag-zoom (double-click
// resets), and a chart of means with error bars for a study's steps. Text from the store is only ever set
// with textContent. Each chart's <svg> carries its x range (data-x-min, data-x-max) and plot box
// (data-plot-left, data-plot-width) so that tests and scripts can read what is shown.

const SVG = "http://www.w3.org/2000/svg";
export const COLORS = [
  "#2563eb",
  "#dc2626",
  "#16a34a",
  "#9333ea",
  "#ea580c",
  "#0891b2",
  "#4b5563",
  "#c026d3",
  "#65a30d",
  "#0f766e",
];
const MARGIN = { left: 58, right: 14, top: 10, bottom: 34 };

/** An SVG element with attributes. */
function svg(name, attrs = {}, parent) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (parent) parent.appendChild(e);
  return e;
}

/** An HTML element with a class and text. */
export function h(name, cls, text) {
  const e = document.createElement(name);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

/** A number as the dashboard shows it: 6 significant digits (exponent form when tiny or huge). */
export function fmtNum(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6)) return v.toExponential(3);
  return String(Number(v.toPrecision(6)));
}

/** About n round tick values covering [lo, hi]. */
export function ticks(lo, hi, n = 5) {
  if (!(hi > lo)) return [lo];
  const step0 = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

function tickLabel(v, log) {
  if (log) return `1e${Math.round(v)}`;
  return fmtNum(v);
}

/** A chart's <figure> (data-chart = `key`) with its caption and an SVG of width x height inside. */
function chartFrame(className, key, title, width, height) {
  const fig = h("figure", className);
  fig.dataset.chart = key;
  fig.appendChild(h("figcaption", null, title));
  const root = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img" }, fig);
  return { fig, root };
}

/**
 * A line chart. `series`: [{ name, xs, ys, color? }] (null or non-finite ys are gaps). Options: title,
 * xLabel, logX, logY, width, height, integerX (epochs). Returns { element, update(series) }.
 */
export function lineChart(o) {
  const width = o.width ?? 520;
  const height = o.height ?? 250;
  const { fig, root } = chartFrame("chart", o.id ?? o.title, o.title, width, height);
  const tip = h("div", "tooltip");
  fig.appendChild(tip);
  const legend = h("div", "legend");
  fig.appendChild(legend);
  const pw = width - MARGIN.left - MARGIN.right;
  const ph = height - MARGIN.top - MARGIN.bottom;
  const clipId = `clip-${Math.random().toString(36).slice(2)}`;
  let series = [];
  let zoom = null;
  const tx = (v) => (o.logX ? Math.log10(v) : v);
  const ty = (v) => (o.logY ? Math.log10(v) : v);
  const usable = (v, log) => v !== null && v !== undefined && Number.isFinite(v) && (!log || v > 0);

  function domainX() {
    const xs = series.flatMap((s) => s.xs.filter((x) => usable(x, o.logX)).map(tx));
    if (!xs.length) return [0, 1];
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
  }

  function draw() {
    root.replaceChildren();
    const [x0, x1] = zoom ?? domainX();
    const ys = [];
    for (const s of series)
      s.xs.forEach((x, i) => {
        const y = s.ys[i];
        if (usable(x, o.logX) && usable(y, o.logY) && tx(x) >= x0 && tx(x) <= x1) ys.push(ty(y));
      });
    let y0 = ys.length ? Math.min(...ys) : 0;
    let y1 = ys.length ? Math.max(...ys) : 1;
    if (y0 === y1) {
      y0 -= Math.abs(y0) * 0.1 || 1;
      y1 += Math.abs(y1) * 0.1 || 1;
    }
    const pad = (y1 - y0) * 0.06;
    y0 -= pad;
    y1 += pad;
    const px = (x) => MARGIN.left + ((tx(x) - x0) / (x1 - x0)) * pw;
    const py = (y) => MARGIN.top + ph - ((ty(y) - y0) / (y1 - y0)) * ph;
    root.dataset.xMin = String(o.logX ? 10 ** x0 : x0);
    root.dataset.xMax = String(o.logX ? 10 ** x1 : x1);
    root.dataset.plotLeft = String(MARGIN.left);
    root.dataset.plotWidth = String(pw);
    const defs = svg("defs", {}, root);
    const clip = svg("clipPath", { id: clipId }, defs);
    svg("rect", { x: MARGIN.left, y: MARGIN.top, width: pw, height: ph }, clip);
    // axes and grid
    const axis = svg("g", { class: "axis", "font-size": 11, fill: "#6b7385" }, root);
    const xt = o.logX
      ? ticks(Math.floor(x0), Math.ceil(x1), Math.min(8, Math.ceil(x1) - Math.floor(x0))).filter(
          (v) => Number.isInteger(v) && v >= x0 && v <= x1,
        )
      : ticks(x0, x1, 6).filter((v) => !o.integerX || Number.isInteger(v));
    for (const v of xt) {
      const x = MARGIN.left + ((v - x0) / (x1 - x0)) * pw;
      svg("line", { x1: x, x2: x, y1: MARGIN.top, y2: MARGIN.top + ph, stroke: "#eef0f4" }, axis);
      const t = svg("text", { x, y: height - MARGIN.bottom + 14, "text-anchor": "middle" }, axis);
      t.textContent = tickLabel(v, o.logX);
    }
    const ytk = o.logY
      ? ticks(Math.floor(y0), Math.ceil(y1), 6).filter((v) => Number.isInteger(v) && v >= y0 && v <= y1)
      : ticks(y0, y1, 5);
    for (const v of ytk) {
      const y = MARGIN.top + ph - ((v - y0) / (y1 - y0)) * ph;
      svg("line", { x1: MARGIN.left, x2: MARGIN.left + pw, y1: y, y2: y, stroke: "#eef0f4" }, axis);
      const t = svg("text", { x: MARGIN.left - 6, y: y + 4, "text-anchor": "end" }, axis);
      t.textContent = tickLabel(v, o.logY);
    }
    svg(
      "rect",
      { x: MARGIN.left, y: MARGIN.top, width: pw, height: ph, fill: "none", stroke: "#c9ced8" },
      root,
    );
    if (o.xLabel) {
      const t = svg(
        "text",
        { x: MARGIN.left + pw / 2, y: height - 4, "text-anchor": "middle", "font-size": 11, fill: "#6b7385" },
        root,
      );
      t.textContent = o.xLabel;
    }
    // the series
    const g = svg("g", { "clip-path": `url(#${clipId})` }, root);
    series.forEach((s, k) => {
      const color = s.color ?? COLORS[k % COLORS.length];
      let run = [];
      const runs = [run];
      let n = 0;
      s.xs.forEach((x, i) => {
        const y = s.ys[i];
        if (usable(x, o.logX) && usable(y, o.logY)) {
          run.push(`${px(x).toFixed(2)},${py(y).toFixed(2)}`);
          n++;
        } else if (run.length) {
          run = [];
          runs.push(run);
        }
      });
      for (const r of runs) {
        if (!r.length) continue;
        const line = svg(
          "polyline",
          { points: r.join(" "), fill: "none", stroke: color, "stroke-width": 1.8 },
          g,
        );
        line.dataset.series = s.name;
        line.dataset.n = String(n);
        if (r.length === 1 || n <= 60)
          for (const p of r) {
            const [cx, cy] = p.split(",");
            svg("circle", { cx, cy, r: 2.4, fill: color }, g);
          }
      }
    });
    // hover and drag-zoom
    const hover = svg(
      "line",
      {
        y1: MARGIN.top,
        y2: MARGIN.top + ph,
        stroke: "#9aa3b2",
        "stroke-dasharray": "3 3",
        visibility: "hidden",
      },
      root,
    );
    const sel = svg(
      "rect",
      { y: MARGIN.top, height: ph, fill: "rgba(37,99,235,0.12)", visibility: "hidden" },
      root,
    );
    const overlay = svg(
      "rect",
      { x: MARGIN.left, y: MARGIN.top, width: pw, height: ph, fill: "transparent", class: "overlay" },
      root,
    );
    const toX = (clientX) => {
      const box = root.getBoundingClientRect();
      const sx = ((clientX - box.left) / box.width) * width;
      return { sx, v: x0 + ((sx - MARGIN.left) / pw) * (x1 - x0) };
    };
    let dragFrom = null;
    overlay.addEventListener("mousedown", (ev) => {
      dragFrom = toX(ev.clientX).sx;
      ev.preventDefault();
    });
    overlay.addEventListener("mousemove", (ev) => {
      const { sx, v } = toX(ev.clientX);
      if (dragFrom !== null) {
        sel.setAttribute("x", String(Math.min(dragFrom, sx)));
        sel.setAttribute("width", String(Math.abs(sx - dragFrom)));
        sel.setAttribute("visibility", "visible");
      }
      showTip(v, sx);
    });
    overlay.addEventListener("mouseleave", () => {
      tip.style.display = "none";
      hover.setAttribute("visibility", "hidden");
    });
    const finishDrag = (ev) => {
      if (dragFrom === null) return;
      const to = toX(ev.clientX).sx;
      const from = dragFrom;
      dragFrom = null;
      sel.setAttribute("visibility", "hidden");
      if (Math.abs(to - from) < 6) return;
      const a = x0 + ((Math.min(from, to) - MARGIN.left) / pw) * (x1 - x0);
      const b = x0 + ((Math.max(from, to) - MARGIN.left) / pw) * (x1 - x0);
      zoom = [Math.max(a, x0), Math.min(b, x1)];
      draw();
    };
    overlay.addEventListener("mouseup", finishDrag);
    overlay.addEventListener("dblclick", () => {
      zoom = null;
      draw();
    });

    function showTip(v, sx) {
      // the nearest x that any series has
      let best = null;
      for (const s of series)
        for (const x of s.xs)
          if (usable(x, o.logX) && (best === null || Math.abs(tx(x) - v) < Math.abs(tx(best) - v))) best = x;
      if (best === null) return;
      hover.setAttribute("x1", String(px(best)));
      hover.setAttribute("x2", String(px(best)));
      hover.setAttribute("visibility", "visible");
      tip.replaceChildren();
      const head = h("div", "x", `${o.xLabel ?? "x"} ${fmtNum(best)}`);
      head.dataset.x = String(best);
      tip.appendChild(head);
      series.forEach((s, k) => {
        const i = s.xs.indexOf(best);
        if (i < 0 || !usable(s.ys[i], false)) return;
        const row = h("div", "row");
        const key = h("span", "key", "■ ");
        key.style.color = s.color ?? COLORS[k % COLORS.length];
        row.appendChild(key);
        row.appendChild(h("span", "name", `${s.name} `));
        const val = h("span", "v", fmtNum(s.ys[i]));
        val.dataset.series = s.name;
        val.dataset.value = String(s.ys[i]);
        row.appendChild(val);
        tip.appendChild(row);
      });
      tip.style.display = "block";
      const left = Math.min(sx + 14, width - 150);
      tip.style.left = `${left}px`;
      tip.style.top = `${MARGIN.top + 24}px`;
    }
  }

  function update(next) {
    series = next;
    legend.replaceChildren();
    series.forEach((s, k) => {
      const item = h("span", "item");
      const key = h("span", "key");
      key.style.background = s.color ?? COLORS[k % COLORS.length];
      item.appendChild(key);
      item.appendChild(document.createTextNode(s.name));
      legend.appendChild(item);
    });
    draw();
  }
  update(o.series);
  return { element: fig, update };
}

/** The value range of a chart of points: their extent (at least 0.1 wide) and `pad` of it either side. */
function paddedRange(vals, pad) {
  let lo = Math.min(...vals);
  let hi = Math.max(...vals);
  if (!(hi > lo)) {
    lo -= 0.05;
    hi += 0.05;
  }
  const p = (hi - lo) * pad;
  return [lo - p, hi + p];
}

/** A point's dot: filled, or hollow (white inside) for a point that did not count. */
function dot(g, x, y, color, hollow) {
  return svg(
    "circle",
    { cx: x, cy: y, r: 4.5, fill: hollow ? "#fff" : color, stroke: color, "stroke-width": 1.5 },
    g,
  );
}

/**
 * Means with error bars (± 1 SE) across a study's steps: points [{ label, mean, se, kind }] where kind is
 * baseline, kept or rejected.
 */
export function stepsChart(o) {
  const width = o.width ?? Math.max(420, 70 * o.points.length + 80);
  const height = o.height ?? 260;
  const { fig, root } = chartFrame("chart", o.title, o.title, width, height);
  const pw = width - MARGIN.left - MARGIN.right;
  const ph = height - MARGIN.top - MARGIN.bottom - 30;
  const vals = o.points.flatMap((p) => [p.mean - (p.se || 0), p.mean + (p.se || 0)]).filter(Number.isFinite);
  const [y0, y1] = paddedRange(vals, 0.1);
  const py = (y) => MARGIN.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const axis = svg("g", { "font-size": 11, fill: "#6b7385" }, root);
  for (const v of ticks(y0, y1, 5)) {
    svg("line", { x1: MARGIN.left, x2: MARGIN.left + pw, y1: py(v), y2: py(v), stroke: "#eef0f4" }, axis);
    const t = svg("text", { x: MARGIN.left - 6, y: py(v) + 4, "text-anchor": "end" }, axis);
    t.textContent = fmtNum(v);
  }
  const color = { baseline: "#4b5563", kept: "#15803d", rejected: "#b91c1c" };
  const step = pw / Math.max(1, o.points.length);
  o.points.forEach((p, i) => {
    if (!Number.isFinite(p.mean)) return;
    const x = MARGIN.left + step * (i + 0.5);
    const c = color[p.kind] ?? "#2563eb";
    const g = svg("g", { class: `point ${p.kind}` }, root);
    g.dataset.mean = String(p.mean);
    g.dataset.se = String(p.se ?? 0);
    if (p.se > 0) {
      svg(
        "line",
        { x1: x, x2: x, y1: py(p.mean - p.se), y2: py(p.mean + p.se), stroke: c, "stroke-width": 1.5 },
        g,
      );
      for (const y of [p.mean - p.se, p.mean + p.se])
        svg("line", { x1: x - 5, x2: x + 5, y1: py(y), y2: py(y), stroke: c }, g);
    }
    dot(g, x, py(p.mean), c, p.kind === "rejected");
    const title = svg("title", {}, g);
    title.textContent = `${p.label}: ${fmtNum(p.mean)} ± ${fmtNum(p.se ?? 0)} (${p.kind})`;
    const t = svg(
      "text",
      {
        x,
        y: MARGIN.top + ph + 14,
        "text-anchor": "end",
        "font-size": 11,
        fill: "#4b5563",
        transform: `rotate(-30 ${x} ${MARGIN.top + ph + 14})`,
      },
      root,
    );
    t.textContent = p.label.length > 18 ? `${p.label.slice(0, 17)}…` : p.label;
  });
  return { element: fig };
}

/**
 * A sweep's trials by trial number: each trial's validation objective (completed: filled dot, pruned:
 * hollow dot at the value it was stopped with, failed: a cross on the bottom edge, having no value) and
 * the best completed value so far as a step line, "best" meaning the objective's direction
 * (`higherIsBetter`). `trials`: [{ id, status, val, epochs }]. Each point's <g> carries data-id,
 * data-status and data-val; the line's <path> data-best (the best so far after each trial, JSON).
 */
export function sweepChart(o) {
  const trials = [...o.trials].sort((a, b) => a.id - b.id);
  const width = o.width ?? 720;
  const height = o.height ?? 280;
  const { fig, root } = chartFrame("chart sweep-chart", o.title, o.title, width, height);
  const pw = width - MARGIN.left - MARGIN.right;
  const ph = height - MARGIN.top - MARGIN.bottom;
  const vals = trials.map((t) => t.val).filter((v) => v !== null && Number.isFinite(v));
  const [y0, y1] = paddedRange(vals.length ? vals : [0, 1], 0.08);
  const ids = trials.map((t) => t.id);
  const x0 = Math.min(0, ...ids);
  const x1 = Math.max(x0 + 1, ...ids);
  const px = (x) => MARGIN.left + ((x - x0) / (x1 - x0)) * pw;
  const py = (y) => MARGIN.top + ph - ((y - y0) / (y1 - y0)) * ph;
  root.dataset.xMin = String(x0);
  root.dataset.xMax = String(x1);
  root.dataset.plotLeft = String(MARGIN.left);
  root.dataset.plotWidth = String(pw);
  const axis = svg("g", { "font-size": 11, fill: "#6b7385" }, root);
  for (const v of ticks(y0, y1, 5)) {
    svg("line", { x1: MARGIN.left, x2: MARGIN.left + pw, y1: py(v), y2: py(v), stroke: "#eef0f4" }, axis);
    const t = svg("text", { x: MARGIN.left - 6, y: py(v) + 4, "text-anchor": "end" }, axis);
    t.textContent = fmtNum(v);
  }
  for (const v of ticks(x0, x1, Math.min(10, x1 - x0)).filter(Number.isInteger)) {
    const t = svg("text", { x: px(v), y: MARGIN.top + ph + 16, "text-anchor": "middle" }, axis);
    t.textContent = String(v);
  }
  const xl = svg("text", { x: MARGIN.left + pw / 2, y: height - 4, "text-anchor": "middle" }, axis);
  xl.textContent = "trial";
  svg(
    "rect",
    { x: MARGIN.left, y: MARGIN.top, width: pw, height: ph, fill: "none", stroke: "#d5d9e2" },
    root,
  );
  // best completed value so far, in the objective's direction
  const better = (a, b) => (o.higherIsBetter ? a > b : a < b);
  let best = null;
  const bestSoFar = [];
  let d = "";
  for (const t of trials) {
    if (
      t.status === "completed" &&
      t.val !== null &&
      Number.isFinite(t.val) &&
      (best === null || better(t.val, best))
    ) {
      d += best === null ? `M${px(t.id)},${py(t.val)}` : `H${px(t.id)}V${py(t.val)}`;
      best = t.val;
    }
    bestSoFar.push(best);
  }
  if (best !== null) d += `H${px(x1)}`;
  const line = svg(
    "path",
    { d, fill: "none", stroke: "#15803d", "stroke-width": 1.5, class: "best-so-far" },
    root,
  );
  line.dataset.best = JSON.stringify(bestSoFar);
  const color = { completed: "#2563eb", pruned: "#ea580c", failed: "#b91c1c" };
  for (const t of trials) {
    const g = svg("g", { class: `trial ${t.status}` }, root);
    g.dataset.id = String(t.id);
    g.dataset.status = t.status;
    g.dataset.val = t.val === null ? "" : String(t.val);
    const c = color[t.status] ?? "#4b5563";
    const x = px(t.id);
    if (t.status === "failed" || t.val === null || !Number.isFinite(t.val)) {
      const y = MARGIN.top + ph - 6;
      svg(
        "path",
        {
          d: `M${x - 4},${y - 4}L${x + 4},${y + 4}M${x - 4},${y + 4}L${x + 4},${y - 4}`,
          stroke: c,
          "stroke-width": 2,
        },
        g,
      );
    } else dot(g, x, py(t.val), c, t.status === "pruned");
    const title = svg("title", {}, g);
    title.textContent = `trial ${t.id}: ${t.status}, ${o.metric} ${fmtNum(t.val)} after ${t.epochs} epoch(s)`;
  }
  const legend = h("div", "legend");
  for (const [name, c, text] of [
    ["completed", color.completed, "completed"],
    ["pruned", color.pruned, "pruned (value when stopped)"],
    ["failed", color.failed, "failed (no value)"],
    ["best", "#15803d", `best so far (${o.higherIsBetter ? "highest" : "lowest"})`],
  ]) {
    const item = h("span", `item ${name}`);
    const key = h("span", "key");
    key.style.background = c;
    item.append(key, text);
    legend.appendChild(item);
  }
  fig.appendChild(legend);
  return { element: fig };
}
