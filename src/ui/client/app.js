// The nncoach dashboard: runs table, run detail (live while a run trains), studies, comparisons. Plain
// DOM, hash routes (#/, #/run/3, #/study/1, #/studies, #/compare/3,4). Everything from the store is put
// into the page with textContent; the server's Content-Security-Policy forbids inline script as well.
import { fmtNum, h, lineChart, stepsChart, sweepChart } from "./charts.js";

const main = document.getElementById("main");
let cleanup = [];

async function api(path, init) {
  const res = await fetch(path, init);
  const body = await res.json();
  if (!res.ok) throw new Error(body.error ?? `${res.status}`);
  return body;
}

function link(href, text) {
  const a = h("a", null, text);
  a.href = href;
  return a;
}

function statusBadge(status) {
  const s = h("span", `status ${status}`, status);
  s.dataset.status = status;
  return s;
}

function td(content, cls) {
  const c = h("td", cls);
  if (content instanceof Node) c.appendChild(content);
  else c.textContent = content ?? "";
  return c;
}

function section(title) {
  const s = h("section");
  s.appendChild(h("h2", null, title));
  return s;
}

function table(head, rows, cls = "grid") {
  const t = h("table", cls);
  const tr = h("tr");
  for (const c of head) tr.appendChild(h("th", null, c));
  t.appendChild(h("thead")).appendChild(tr);
  const body = h("tbody");
  for (const r of rows) {
    const row = h("tr");
    for (const c of r) row.appendChild(c instanceof Node ? c : td(c));
    body.appendChild(row);
  }
  t.appendChild(body);
  return t;
}

function showValue(v) {
  if (v === null || v === undefined) return "–";
  if (typeof v === "number") return fmtNum(v);
  return typeof v === "string" ? v : JSON.stringify(v);
}

function done(view) {
  document.body.dataset.view = view;
  window.__nncoach = { view, renderedAt: performance.now() };
  document.dispatchEvent(new CustomEvent("nncoach:rendered", { detail: view }));
}

// ---- runs table --------------------------------------------------------------------------------

const listState = { sort: null, dir: "desc", status: "", kind: "", q: "" };

function metricColumns(runs) {
  const names = new Set();
  for (const r of runs) for (const k of Object.keys(r.metrics)) names.add(k);
  const rank = (k) => (k.startsWith("val_") ? 0 : k.startsWith("test_") ? 1 : k.startsWith("cv_") ? 2 : 3);
  const shown = [...names].filter((k) => rank(k) < 3 || k === "train_loss" || k === "suggested_lr");
  return shown.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).slice(0, 14);
}

async function runsView() {
  const params = new URLSearchParams();
  if (listState.sort) {
    params.set("sort", listState.sort);
    params.set("dir", listState.dir);
  }
  if (listState.status) params.set("status", listState.status);
  if (listState.kind) params.set("kind", listState.kind);
  if (listState.q) params.set("q", listState.q);
  const data = await api(`/api/runs?${params}`);
  document.getElementById("store").textContent = data.store;
  const view = h("div", "runs-view");
  const bar = h("div", "toolbar");
  const status = h("select");
  status.id = "status-filter";
  status.appendChild(
    new Option(`all statuses (${Object.values(data.counts).reduce((a, b) => a + b, 0)})`, ""),
  );
  for (const [s, n] of Object.entries(data.counts)) status.appendChild(new Option(`${s} (${n})`, s));
  status.value = listState.status;
  status.addEventListener("change", () => {
    listState.status = status.value;
    route();
  });
  const kind = h("select");
  kind.id = "kind-filter";
  for (const k of ["", "train", "lr-find", "trial", "final"])
    kind.appendChild(new Option(k || "all kinds", k));
  kind.value = listState.kind;
  kind.addEventListener("change", () => {
    listState.kind = kind.value;
    route();
  });
  const search = h("input");
  search.type = "search";
  search.id = "search";
  search.placeholder = "name, data file or fingerprint";
  search.value = listState.q;
  search.addEventListener("change", () => {
    listState.q = search.value;
    route();
  });
  const compare = h("button", null, "compare selected");
  compare.id = "compare-selected";
  const remove = h("button", null, "delete selected…");
  remove.id = "delete-selected";
  const count = h("span", "muted", `${data.total} run${data.total === 1 ? "" : "s"}`);
  count.id = "run-count";
  count.dataset.count = String(data.total);
  bar.append(status, kind, search, compare, remove, count);
  view.appendChild(bar);

  const metrics = metricColumns(data.runs);
  const cols = [
    ["", null],
    ["id", "id"],
    ["name", "name"],
    ["kind", "kind"],
    ["status", "status"],
    ["study", null],
    ["data", "fingerprint"],
    ["epochs", "epochs"],
    ...metrics.map((m) => [m, m]),
    ["started", "started"],
  ];
  const t = h("table", "grid runs");
  const headRow = h("tr");
  for (const [label, key] of cols) {
    const th = h(
      "th",
      key && (metrics.includes(key) || key === "epochs" || key === "id") ? "num" : null,
      label,
    );
    if (key) {
      th.dataset.sort = key;
      if (listState.sort === key)
        th.setAttribute("aria-sort", listState.dir === "asc" ? "ascending" : "descending");
      th.addEventListener("click", () => {
        if (listState.sort === key) listState.dir = listState.dir === "desc" ? "asc" : "desc";
        else {
          listState.sort = key;
          listState.dir = "desc";
        }
        route();
      });
    }
    headRow.appendChild(th);
  }
  t.appendChild(h("thead")).appendChild(headRow);
  const body = h("tbody");
  const frag = document.createDocumentFragment();
  for (const r of data.runs) {
    const tr = h("tr");
    tr.dataset.id = String(r.id);
    const box = h("input");
    box.type = "checkbox";
    box.value = String(r.id);
    tr.appendChild(td(box));
    tr.appendChild(td(link(`#/run/${r.id}`, String(r.id)), "num id"));
    tr.appendChild(td(link(`#/run/${r.id}`, r.name), "name"));
    tr.appendChild(td(r.kind));
    tr.appendChild(td(statusBadge(r.status)));
    tr.appendChild(td(r.studyId === null ? "" : link(`#/study/${r.studyId}`, String(r.studyId))));
    const fp = td(r.fingerprint ?? "", "fingerprint");
    fp.title = r.source ?? "";
    tr.appendChild(fp);
    tr.appendChild(td(String(r.epochsRun), "num"));
    for (const m of metrics) {
      const c = td(r.metrics[m] === undefined ? "" : fmtNum(r.metrics[m]), "num");
      if (r.metrics[m] !== undefined) c.dataset.value = String(r.metrics[m]);
      c.dataset.metric = m;
      tr.appendChild(c);
    }
    tr.appendChild(td(r.startedAt.replace("T", " ").slice(0, 19)));
    frag.appendChild(tr);
  }
  body.appendChild(frag);
  t.appendChild(body);
  view.appendChild(t);
  const selected = () => [...body.querySelectorAll("input:checked")].map((b) => Number(b.value));
  compare.addEventListener("click", () => {
    const ids = selected();
    if (ids.length >= 2) location.hash = `#/compare/${ids.join(",")}`;
    else alert("select two or more runs to compare");
  });
  remove.addEventListener("click", async () => {
    const ids = selected();
    if (!ids.length) return;
    if (!confirm(`Delete ${ids.length} run(s) (${ids.join(", ")}) from the store? Their files stay.`)) return;
    await api("/api/runs/delete", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Nncoach-Confirm": "delete" },
      body: JSON.stringify({ ids }),
    });
    route();
  });
  main.replaceChildren(view);
  // the list follows the store: new runs, finished runs
  const events = new EventSource("/api/events");
  let pending;
  events.addEventListener("change", () => {
    clearTimeout(pending);
    pending = setTimeout(() => {
      if (document.body.dataset.view === "runs" && !body.querySelector("input:checked")) route();
    }, 1000);
  });
  cleanup.push(() => {
    events.close();
    clearTimeout(pending);
  });
  done("runs");
}

// ---- run detail ----------------------------------------------------------------------------------

function curveSeries(epochs, names) {
  const xs = epochs.map((e) => e.epoch);
  return names.map((n) => ({ name: n, xs, ys: epochs.map((e) => e.metrics[n] ?? null) }));
}

function healthSeries(epochs, field) {
  const layers = new Set();
  for (const e of epochs) for (const k of Object.keys(e.health?.[field] ?? {})) layers.add(k);
  const xs = epochs.map((e) => e.epoch);
  return [...layers].map((l) => ({ name: l, xs, ys: epochs.map((e) => e.health?.[field]?.[l] ?? null) }));
}

async function runView(id) {
  const r = await api(`/api/runs/${id}`);
  const view = h("div", "run-view");
  view.dataset.id = String(r.id);
  const title = h("h1", null, r.name);
  title.id = "run-name";
  view.appendChild(title);
  const badge = statusBadge(r.status);
  badge.id = "run-status";
  const sub = h("p");
  sub.append(`run ${r.id} · ${r.kind} · `, badge);
  if (r.studyId !== null) sub.append(" · ", link(`#/study/${r.studyId}`, `study ${r.studyId}`));
  view.appendChild(sub);
  if (r.testEvaluations > 1 && Object.keys(r.metrics).some((k) => k.startsWith("test_"))) {
    view.appendChild(
      h(
        "p",
        "warning",
        `This test split has been evaluated ${r.testEvaluations} times; its score is no longer an unbiased estimate.`,
      ),
    );
  }
  const meta = h("dl", "meta");
  const add = (k, v) => {
    if (v === null || v === undefined || v === "") return;
    meta.append(h("dt", null, k), h("dd", null, v));
  };
  add("data", r.source);
  add(
    "fingerprint",
    r.fingerprints
      ? `${r.fingerprints.data} (train ${r.fingerprints.train}, validation ${r.fingerprints.validation}, test ${r.fingerprints.test ?? "none"})`
      : null,
  );
  add("test evaluations", r.testFingerprint ? String(r.testEvaluations) : null);
  add("started", r.startedAt);
  add("ended", r.endedAt);
  add("stop", r.stopReason);
  add("seed / threads", `${r.seed ?? "–"} / ${r.threads ?? "auto"}`);
  add("nncoach", r.version);
  add("command", r.command ? r.command.join(" ") : null);
  view.appendChild(meta);

  const metricsSec = section("Final metrics");
  const metricsBody = h("div");
  metricsBody.id = "final-metrics";
  const drawMetrics = (m) =>
    metricsBody.replaceChildren(
      table(
        ["metric", "value"],
        Object.entries(m).map(([k, v]) => [k, td(fmtNum(v), "num")]),
      ),
    );
  drawMetrics(r.metrics);
  metricsSec.appendChild(metricsBody);
  view.appendChild(metricsSec);

  const chartsSec = section("Curves");
  const charts = h("div", "charts");
  chartsSec.appendChild(charts);
  // a run with epochs, or one still training (its epochs are coming); an LR sweep has none
  const curves = r.epochs.length > 0 || r.status === "running";
  if (curves) view.appendChild(chartsSec);
  const epochs = r.epochs;
  const names = () => [...new Set(epochs.flatMap((e) => Object.keys(e.metrics)))];
  const lossNames = () => names().filter((n) => n.endsWith("loss"));
  const otherNames = () => names().filter((n) => !n.endsWith("loss") && n !== "lr" && n !== "grad_norm");
  const lossChart = lineChart({
    id: "loss",
    title: "loss",
    xLabel: "epoch",
    integerX: true,
    series: curveSeries(epochs, lossNames()),
  });
  const metricChart = lineChart({
    id: "metrics",
    title: "validation metrics",
    xLabel: "epoch",
    integerX: true,
    series: curveSeries(epochs, otherNames()),
  });
  const lrSeries = () => [
    { name: "lr", xs: epochs.map((e) => e.epoch), ys: epochs.map((e) => e.metrics.lr ?? e.lr ?? null) },
  ];
  const lrChart = lineChart({
    id: "lr",
    title: "learning rate (last step of each epoch)",
    xLabel: "epoch",
    integerX: true,
    logY: true,
    series: lrSeries(),
  });
  charts.append(lossChart.element, metricChart.element, lrChart.element);
  const health = [
    ["layerGradNorm", "gradient norm per layer", true],
    ["updateRatio", "update / weight ratio per layer", true],
    ["deadRelu", "dead ReLU share per layer", false],
    ["saturation", "saturated units per layer", false],
  ];
  const healthCharts = [];
  const healthSec = section("Health per layer");
  const healthBox = h("div", "charts");
  healthSec.appendChild(healthBox);
  for (const [field, label, log] of health) {
    const c = lineChart({
      id: `health-${field}`,
      title: label,
      xLabel: "epoch",
      integerX: true,
      logY: log,
      series: healthSeries(epochs, field),
    });
    healthCharts.push([field, c]);
    // a kind of layer the model does not have (no sigmoid/tanh: nothing saturates) gets no chart
    if (r.status === "running" || healthSeries(epochs, field).length) healthBox.appendChild(c.element);
  }
  if (curves) view.appendChild(healthSec);

  if (r.lrFinder) {
    const s = section("LR finder");
    const lf = r.lrFinder;
    const series = [{ name: "loss", xs: lf.lrs, ys: lf.losses }];
    if (lf.smoothed) series.push({ name: "smoothed", xs: lf.lrs, ys: lf.smoothed });
    const c = lineChart({
      id: "lr-finder",
      logY: true,
      title: `loss while the learning rate grows (suggestion ${fmtNum(lf.suggestion)})`,
      xLabel: "learning rate",
      logX: true,
      series,
    });
    s.appendChild(c.element);
    view.appendChild(s);
  }
  const conf = r.extra?.confusion;
  if (conf?.counts) {
    const s = section(
      `Confusion matrix (${conf.split ?? "validation"} rows; rows: true class, columns: predicted)`,
    );
    const max = Math.max(1, ...conf.counts.flat());
    const t = h("table", "confusion");
    const head = h("tr");
    head.appendChild(h("th"));
    for (const c of conf.classes) head.appendChild(h("th", null, c));
    t.appendChild(head);
    conf.counts.forEach((row, i) => {
      const tr = h("tr");
      tr.appendChild(h("th", null, conf.classes[i]));
      row.forEach((n) => {
        const cell = h("td", null, String(n));
        cell.style.background = `rgba(37, 99, 235, ${(0.08 + (0.8 * n) / max).toFixed(3)})`;
        tr.appendChild(cell);
      });
      t.appendChild(tr);
    });
    s.appendChild(t);
    view.appendChild(s);
  }
  if (r.findings.length) {
    const s = section("Diagnosis");
    const ul = h("ul", "findings");
    for (const f of r.findings) {
      const li = h("li");
      li.append(h("strong", null, `[${f.severity}] ${f.symptom}`), `: ${f.explanation ?? ""}`);
      ul.appendChild(li);
    }
    s.appendChild(ul);
    view.appendChild(s);
  }
  if (r.decisions.length) {
    const s = section("Decisions");
    s.appendChild(
      table(
        ["key", "value", "source", "rule", "reason"],
        r.decisions.map((d) => [d.key, showValue(d.value), d.source, d.rule, td(d.reason, "name")]),
      ),
    );
    view.appendChild(s);
  }
  if (r.config) {
    const s = section("Configuration");
    s.appendChild(
      table(
        ["option", "value"],
        Object.entries(r.config).map(([k, v]) => [k, td(showValue(v), "name")]),
      ),
    );
    view.appendChild(s);
  }
  if (r.artifacts.length) {
    const s = section(`Files (${r.folder ?? ""})`);
    s.appendChild(
      table(
        ["file", "bytes", "sha256"],
        r.artifacts.map((a) => {
          const rel =
            r.folder && a.path.startsWith(`${r.folder}/`) ? a.path.slice(r.folder.length + 1) : null;
          const name = rel
            ? link(`/api/runs/${r.id}/files/${rel.split("/").map(encodeURIComponent).join("/")}`, rel)
            : a.path;
          return [td(name), td(String(a.size), "num"), a.sha256.slice(0, 16)];
        }),
      ),
    );
    view.appendChild(s);
  }
  main.replaceChildren(view);

  if (r.status === "running") {
    const last = epochs.length ? epochs[epochs.length - 1].epoch : 0;
    const events = new EventSource(`/api/runs/${r.id}/events?after=${last}`);
    events.addEventListener("epochs", (ev) => {
      for (const e of JSON.parse(ev.data)) {
        const i = epochs.findIndex((x) => x.epoch === e.epoch);
        if (i >= 0) epochs[i] = e;
        else epochs.push(e);
      }
      epochs.sort((a, b) => a.epoch - b.epoch);
      lossChart.update(curveSeries(epochs, lossNames()));
      metricChart.update(curveSeries(epochs, otherNames()));
      lrChart.update(lrSeries());
      for (const [field, c] of healthCharts) c.update(healthSeries(epochs, field));
      view.dataset.epochs = String(epochs.length);
    });
    events.addEventListener("status", (ev) => {
      const s = JSON.parse(ev.data);
      badge.textContent = s.status;
      badge.className = `status ${s.status}`;
      badge.dataset.status = s.status;
      if (Object.keys(s.metrics).length) drawMetrics(s.metrics);
      if (s.status !== "running") events.close();
    });
    cleanup.push(() => events.close());
  }
  view.dataset.epochs = String(epochs.length);
  done("run");
}

// ---- studies -------------------------------------------------------------------------------------

async function studiesView() {
  const studies = await api("/api/studies");
  const view = h("div");
  view.appendChild(h("h1", null, "Studies (nncoach improve)"));
  view.appendChild(
    table(
      ["id", "name", "status", "metric", "runs", "started"],
      studies.map((s) => [
        td(link(`#/study/${s.id}`, String(s.id))),
        td(link(`#/study/${s.id}`, s.name), "name"),
        td(statusBadge(s.status)),
        s.metric ?? "",
        String(s.runs),
        s.startedAt.replace("T", " ").slice(0, 19),
      ]),
    ),
  );
  main.replaceChildren(view);
  done("studies");
}

async function studyView(id) {
  const s = await api(`/api/studies/${id}`);
  const view = h("div", "study-view");
  view.appendChild(h("h1", null, s.name));
  const sub = h("p");
  sub.append(`study ${s.id} · `, statusBadge(s.status), ` · objective ${s.metric ?? "–"} · ${s.runs} runs`);
  view.appendChild(sub);
  if (s.testEvaluations !== null && s.testEvaluations !== undefined) {
    const p = h(
      "p",
      s.testEvaluations > 1 ? "warning" : "muted",
      s.testEvaluations > 1
        ? `Test evaluations: ${s.testEvaluations}. This test split has been evaluated ${s.testEvaluations} times; its score is no longer an unbiased estimate.`
        : "Test evaluations: 1 (no earlier evaluation of these test rows).",
    );
    p.id = "test-evaluations";
    view.appendChild(p);
  }
  const summary = s.summary;
  if (summary?.format === "nncoach-sweep" && Array.isArray(summary.trials)) {
    const c = sweepChart({
      title: `validation ${summary.metric.name} by trial (${summary.metric.higherIsBetter ? "higher" : "lower"} is better; filled: completed, hollow: pruned, ×: failed; line: best so far)`,
      metric: summary.metric.name,
      higherIsBetter: summary.metric.higherIsBetter,
      trials: summary.trials.map((t) => ({ id: t.id, status: t.status, val: t.val, epochs: t.epochs_run })),
    });
    view.appendChild(c.element);
  }
  if (summary?.baseline) {
    const points = [
      { label: "baseline", mean: summary.baseline.val.mean, se: summary.baseline.val.se, kind: "baseline" },
    ];
    for (const st of s.ledger)
      if (!st.skipped && st.after)
        points.push({
          label: st.name,
          mean: st.after.mean,
          se: st.after.se,
          kind: st.kept ? "kept" : "rejected",
        });
    const c = stepsChart({
      title: `validation ${summary.metric.name} across the steps (± 1 SE; filled: kept, hollow: rejected)`,
      points,
    });
    view.appendChild(c.element);
  }
  const ledger = section("Ledger");
  ledger.appendChild(
    table(
      ["step", "change", "before", "after", "outcome", "reason", "trials"],
      s.ledger.map((st) => {
        const outcome = st.skipped ? "skipped" : st.kept ? "kept" : "rejected";
        const runs = h("span");
        st.trials.forEach((t, i) => {
          if (i) runs.append(", ");
          runs.appendChild(link(`#/run/${t}`, String(t)));
        });
        return [
          st.name,
          Object.keys(st.change).length ? JSON.stringify(st.change) : "–",
          st.before ? `${fmtNum(st.before.mean)} ± ${fmtNum(st.before.se)}` : "–",
          st.after ? `${fmtNum(st.after.mean)} ± ${fmtNum(st.after.se)}` : "–",
          td(outcome, outcome),
          td(st.reason, "name"),
          td(runs),
        ];
      }),
      "grid ledger",
    ),
  );
  view.appendChild(ledger);
  const runs = section("Runs of the study");
  runs.appendChild(
    table(
      ["id", "name", "kind", "status", "metrics"],
      s.runList.map((r) => [
        td(link(`#/run/${r.id}`, String(r.id))),
        td(link(`#/run/${r.id}`, r.name), "name"),
        r.kind,
        td(statusBadge(r.status)),
        td(
          Object.entries(r.metrics)
            .slice(0, 4)
            .map(([k, v]) => `${k} ${fmtNum(v)}`)
            .join(", "),
          "name",
        ),
      ]),
    ),
  );
  view.appendChild(runs);
  main.replaceChildren(view);
  done("study");
}

// ---- compare -------------------------------------------------------------------------------------

async function compareView(ids) {
  const c = await api(`/api/compare?ids=${ids.join(",")}`);
  const view = h("div", "compare-view");
  view.appendChild(h("h1", null, `Compare runs ${c.ids.join(", ")}`));
  const names = h("ul");
  c.runs.forEach((r) => {
    const li = h("li");
    li.append(link(`#/run/${r.id}`, `run ${r.id}`), ` ${r.name} `, statusBadge(r.status));
    names.appendChild(li);
  });
  view.appendChild(names);
  const charts = h("div", "charts");
  for (const [name, series] of Object.entries(c.curves)) {
    const chart = lineChart({
      id: `compare-${name}`,
      title: name,
      xLabel: "epoch",
      integerX: true,
      series: series.map((ys, i) => ({ name: `run ${c.ids[i]}`, xs: ys.map((_, k) => k + 1), ys })),
    });
    charts.appendChild(chart.element);
  }
  view.appendChild(charts);
  const cfg = section(
    `Configuration: ${Object.keys(c.config).length} differing keys (${c.sameConfigKeys.length} the same)`,
  );
  const diff = table(
    ["option", ...c.ids.map((i) => `run ${i}`)],
    Object.entries(c.config).map(([k, vals]) => [k, ...vals.map((v) => td(showValue(v), "name"))]),
    "grid config-diff",
  );
  cfg.appendChild(diff);
  view.appendChild(cfg);
  const met = section("Final metrics");
  met.appendChild(
    table(
      ["metric", ...c.ids.map((i) => `run ${i}`)],
      Object.entries(c.metrics).map(([k, vals]) => [k, ...vals.map((v) => td(fmtNum(v), "num"))]),
      "grid metrics-diff",
    ),
  );
  view.appendChild(met);
  main.replaceChildren(view);
  done("compare");
}

// ---- routing -------------------------------------------------------------------------------------

async function route() {
  for (const f of cleanup) f();
  cleanup = [];
  const hash = location.hash.replace(/^#/, "") || "/";
  const run = /^\/run\/(\d+)$/.exec(hash);
  const study = /^\/study\/(\d+)$/.exec(hash);
  const compare = /^\/compare\/([\d,]+)$/.exec(hash);
  try {
    if (run) await runView(Number(run[1]));
    else if (study) await studyView(Number(study[1]));
    else if (hash === "/studies") await studiesView();
    else if (compare) await compareView(compare[1].split(",").map(Number));
    else await runsView();
  } catch (e) {
    main.replaceChildren(h("p", "warning", `could not load this view: ${e.message}`));
    done("error");
  }
}

window.addEventListener("hashchange", route);
route();
