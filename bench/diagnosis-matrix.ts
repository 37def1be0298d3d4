/**
 * The diagnosis matrix: how well the coach's diagnosis names planted pathologies, whether its first action
 * repairs them, and how often it cries wolf on default runs.
 *
 * - Planted: every pathology of bench/planted-pathologies.ts that applies to the data (LR 10, shuffled
 *   labels, a leaked target copy, unscaled features, 1:30 classes monitored on accuracy, LR 1e-6, six
 *   sigmoid layers on SGD, a wide model on 60 rows) x data sets (tables: wine, breast_cancer; images:
 *   digits_png; text: first names) x seeds.
 * - Repair: for each planted run, the first finding's first action is applied to the run's options (or,
 *   for a data step whose effect the planted pathology defines, to its data: checking shuffled labels
 *   restores them) and the run is trained again with the same seed. A seed whose run showed nothing of
 *   medium or high severity gets its cell's action (the first seed's that found something), so that the
 *   metric is paired over every seed.
 * - Default: a default `nncoach train` run of every shared table, the digit images and the first names x
 *   seeds; each medium-or-high finding's first action is tried on every seed of that data set.
 *
 * Counting. A finding counts when its severity is medium or high (low findings are cautions, counted
 * apart). Per planted cell (pathology x data set): recall (one of the pathology's `expect` symptoms found)
 * and right first (the first finding is medium or high and one of them). Per symptom: precision (its
 * findings that were true: on planted runs in the pathology's `expect` or `alsoTrue` list; on default runs
 * a known property of the data, or a finding whose first action helped) and recall over the pathologies it
 * is the first expected symptom of.
 * A repair helped when the validation metric (macro-F1 for classification, R² for regression, measured
 * with the weights the run kept) rose, paired by seed, by more than 2 standard errors of the mean
 * difference (sd of the per-seed differences / sqrt(seeds)); a planted cell counts as repaired when the
 * repair helped or when the symptom the first finding named is gone (below medium) in every seed that
 * found it.
 * A false alarm is a medium-or-high finding on a default run whose first action did not help; a data step
 * (no option to change) is not run and is reported apart (known properties of the data: KNOWN_TRUE).
 *
 *   node dist/bench/diagnosis-matrix.js [--seeds 3] [--datasets wine,digits_png,first_names]
 *     [--pathologies diverged,...] [--defaults iris,...|none] [--no-repair]
 *     [--out bench/results/diagnosis-matrix.json] [--md bench/results/diagnosis-matrix.md]
 *   node dist/bench/diagnosis-matrix.js --from bench/results/diagnosis-matrix.json   # re-summarize, no training
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { diagnose } from "../src/coach/diagnosis/diagnose.js";
import type { Action, Finding, Symptom } from "../src/coach/diagnosis/finding.js";
import type { RunRecord } from "../src/coach/diagnosis/run-record.js";
import {
  applies,
  DATASETS,
  defaultSpec,
  EXPECTED,
  OTHER_DEFAULTS,
  PATHOLOGIES,
  type Pathology,
  type PlantedDataset,
  plantedSpec,
  type RunSpec,
  repairSpec,
  runSpec,
  type ValMetrics,
} from "./planted-pathologies.js";

/**
 * Medium/high findings on default runs that are true of the data itself, checked by hand: house_votes84
 * holds many identical voting records, so validation rows repeat training rows (the audit lists the groups).
 */
export const KNOWN_TRUE: Record<string, Symptom[]> = { house_votes84: ["duplicates_across_splits"] };

/**
 * The data sets of the planted matrix: tables (wine, and breast_cancer, whose overlapping classes make a
 * wide model on 60 rows overfit on every seed, where 60 wine rows are nearly separable and 2 of 3 seeds
 * did not), an image folder, a text set.
 */
export const MATRIX_DATASETS: PlantedDataset[] = ["wine", "breast_cancer", "digits_png", "first_names"];

interface FindingSummary {
  symptom: Symptom;
  severity: Finding["severity"];
  confidence: number;
  /** The first action's change (empty for a data step). */
  action: Action["change"] | null;
}

interface RunSummary {
  seconds: number;
  findings: FindingSummary[];
  metrics?: ValMetrics;
  /** What the run's curves did, independent of the diagnosis (did the planted pathology show?). */
  curves?: {
    epochs: number;
    best_val_loss: number;
    last_val_loss: number;
    last_train_loss: number;
    last_val_accuracy?: number;
  };
  error?: string;
}

interface PlantedRun {
  pathology: Pathology;
  dataset: PlantedDataset;
  seed: number;
  run: RunSummary;
  /** `own`: the action was this run's own first action (else its cell's, for a run where nothing was found). */
  repair?: { action: Action; run: RunSummary; own: boolean } | { skipped: string };
}

interface DefaultRun {
  dataset: string;
  seed: number;
  run: RunSummary;
}

interface Paired {
  metric: string;
  diffs: number[];
  mean: number;
  se: number;
  /** Mean difference above 2 standard errors (and above 0). */
  helped: boolean;
}

const serious = (f: { severity: string }) => f.severity === "high" || f.severity === "medium";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seeds: { type: "string" },
      datasets: { type: "string" },
      pathologies: { type: "string" },
      defaults: { type: "string" },
      "no-repair": { type: "boolean" },
      out: { type: "string" },
      md: { type: "string" },
      from: { type: "string" },
    },
  });
  if (values.from) {
    // re-render the markdown of a saved matrix (no training)
    const j = JSON.parse(fs.readFileSync(values.from, "utf8"));
    const planted = j.planted as PlantedRun[];
    const ds = MATRIX_DATASETS.filter((d) => planted.some((r) => r.dataset === d));
    const ps = PATHOLOGIES.filter((p) => planted.some((r) => r.pathology === p));
    const report = summarize(planted, j.defaults, j.repairs, j.seeds, ds, ps);
    const text = renderMarkdown(report, j.seeds, j.seconds);
    fs.writeFileSync(values.md ?? values.from.replace(/\.json$/, ".md"), text);
    const { seeds: sd, seconds: sec, planted: _p, defaults, repairs } = j;
    fs.writeFileSync(
      values.from,
      `${JSON.stringify({ seeds: sd, seconds: sec, ...report, planted, defaults, repairs }, null, 2)}\n`,
    );
    process.stdout.write(text);
    return;
  }
  const seeds = Array.from({ length: Number(values.seeds ?? 3) }, (_, i) => i);
  const datasets = (values.datasets?.split(",") ?? MATRIX_DATASETS) as PlantedDataset[];
  const pathologies = (values.pathologies?.split(",") ?? PATHOLOGIES) as Pathology[];
  const defaultSets =
    values.defaults === "none"
      ? []
      : (values.defaults?.split(",") ?? [...Object.keys(DATASETS), ...OTHER_DEFAULTS]);
  const repair = !values["no-repair"];
  const out = values.out ?? "bench/results/diagnosis-matrix.json";
  const md = values.md ?? out.replace(/\.json$/, ".md");
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-matrix-"));
  const started = Date.now();
  const log = (s: string) => process.stderr.write(`${s}\n`);

  // ---- planted runs and their repairs
  const planted: PlantedRun[] = [];
  for (const dataset of datasets)
    for (const p of pathologies) {
      if (!applies(p, dataset)) continue;
      const cell: { spec: RunSpec; entry: PlantedRun; action?: Action }[] = [];
      for (const seed of seeds) {
        const spec = await plantedSpec(p, dataset, seed, work);
        const { run, record } = await train(spec);
        log(`planted ${p} ${dataset} seed ${seed}: ${describe(run)}`);
        const first = record ? diagnose(record)[0] : undefined;
        const action = first && serious(first) ? first.actions[0] : undefined;
        cell.push({ spec, entry: { pathology: p, dataset, seed, run }, action });
      }
      // every seed is repaired (paired comparison): with its own first action, or, where nothing of medium
      // or high severity was found, with the first action of the first seed that found something
      const shared = cell.find((c) => c.action)?.action;
      for (const c of cell) {
        const action = c.action ?? shared;
        if (repair && action) {
          const r = repairSpec(c.spec, action);
          if ("skipped" in r) c.entry.repair = { skipped: r.skipped };
          else {
            const again = await train(r.spec);
            c.entry.repair = { action, run: again.run, own: Boolean(c.action) };
            log(`  repair seed ${c.entry.seed} ${JSON.stringify(action.change)}: ${describe(again.run)}`);
          }
        }
        planted.push(c.entry);
      }
    }

  // ---- default runs, and the first action of each of their medium/high findings
  const defaults: DefaultRun[] = [];
  const repairs: {
    dataset: string;
    symptom: Symptom;
    actions: Record<number, Action>;
    runs: Record<number, RunSummary>;
  }[] = [];
  for (const dataset of defaultSets) {
    const specs: Record<number, RunSpec> = {};
    const found = new Map<Symptom, Record<number, Action>>();
    for (const seed of seeds) {
      specs[seed] = await defaultSpec(dataset, seed, work);
      const { run, record } = await train(specs[seed]!);
      defaults.push({ dataset, seed, run });
      log(`default ${dataset} seed ${seed}: ${describe(run)}`);
      for (const f of record ? diagnose(record) : [])
        if (serious(f) && f.actions[0])
          found.set(f.symptom, { ...found.get(f.symptom), [seed]: f.actions[0] });
    }
    if (!repair) continue;
    for (const [symptom, actions] of found) {
      const entry = {
        dataset,
        symptom,
        actions: {} as Record<number, Action>,
        runs: {} as Record<number, RunSummary>,
      };
      const fallback = Object.values(actions)[0]!;
      for (const seed of seeds) {
        const action = actions[seed] ?? fallback;
        entry.actions[seed] = action;
        const r = repairSpec(specs[seed]!, action);
        if ("skipped" in r) break;
        entry.runs[seed] = (await train(r.spec)).run;
        log(
          `  ${dataset} ${symptom} seed ${seed} ${JSON.stringify(action.change)}: ${describe(entry.runs[seed]!)}`,
        );
      }
      repairs.push(entry);
    }
  }
  fs.rmSync(work, { recursive: true, force: true });

  const report = summarize(planted, defaults, repairs, seeds, datasets, pathologies);
  const seconds = (Date.now() - started) / 1000;
  const text = renderMarkdown(report, seeds, seconds);
  process.stdout.write(text);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(
    out,
    `${JSON.stringify({ seeds, seconds: Math.round(seconds), ...report, planted, defaults, repairs }, null, 2)}\n`,
  );
  fs.writeFileSync(md, text);
}

/** Trains a spec and summarizes the run (an error is kept, not thrown). */
async function train(spec: RunSpec): Promise<{ run: RunSummary; record?: RunRecord }> {
  const t0 = Date.now();
  try {
    const o = await runSpec(spec);
    const findings = diagnose(o.record).map((f) => ({
      symptom: f.symptom,
      severity: f.severity,
      confidence: f.confidence,
      action: f.actions[0]?.change ?? null,
    }));
    return {
      run: { seconds: o.seconds, findings, metrics: o.metrics, curves: curves(o.record) },
      record: o.record,
    };
  } catch (e) {
    return { run: { seconds: (Date.now() - t0) / 1000, findings: [], error: (e as Error).message } };
  }
}

function describe(r: RunSummary): string {
  if (r.error) return `error: ${r.error}`;
  const c = r.curves;
  return (
    `${r.findings.map((f) => `${f.symptom}(${f.severity})`).join(", ")}` +
    (r.metrics ? ` | ${r.metrics.name} ${r.metrics.primary.toFixed(3)}` : "") +
    (c
      ? ` | ${c.epochs} epochs, val loss best ${c.best_val_loss.toPrecision(3)} last ${c.last_val_loss.toPrecision(3)}, train ${c.last_train_loss.toPrecision(3)}`
      : "") +
    ` [${r.seconds.toFixed(1)} s]`
  );
}

function curves(run: RunRecord): RunSummary["curves"] {
  const h = run.history;
  if (h.length === 0) return undefined;
  const val = h.map((e) => e.val_loss ?? Number.NaN).filter(Number.isFinite);
  const last = h[h.length - 1]!;
  return {
    epochs: h.length,
    best_val_loss: val.length ? Math.min(...val) : Number.NaN,
    last_val_loss: last.val_loss ?? Number.NaN,
    last_train_loss: last.train_loss,
    ...(typeof last.val_accuracy === "number" ? { last_val_accuracy: last.val_accuracy } : {}),
  };
}

/** Paired differences (after - before) of the primary metric over the seeds both have. */
export function paired(
  before: Record<number, ValMetrics | undefined>,
  after: Record<number, ValMetrics | undefined>,
): Paired | undefined {
  const seeds = Object.keys(after)
    .map(Number)
    .filter((s) => before[s] && after[s]);
  if (seeds.length < 2) return undefined;
  const diffs = seeds.map((s) => after[s]!.primary - before[s]!.primary);
  const n = diffs.length;
  const mean = diffs.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const se = sd / Math.sqrt(n);
  const metric = before[seeds[0]!]!.name;
  return {
    metric,
    diffs: diffs.map(round4),
    mean: round4(mean),
    se: round4(se),
    helped: mean > 0 && mean > 2 * se,
  };
}

function round4(v: number): number {
  return Number.isFinite(v) ? Math.round(v * 1e4) / 1e4 : v;
}

interface Cell {
  pathology: Pathology;
  dataset: PlantedDataset;
  runs: number;
  found: number;
  rightFirst: number;
  firsts: string[];
  repair: {
    actions: string[];
    skipped: string[];
    paired?: Paired;
    /** Seeds whose repaired run no longer has the first finding's symptom at medium or high. */
    symptomGone: number;
    /** Seeds that found something and were repaired with their own first action. */
    repairedRuns: number;
    repaired: boolean | null;
  };
}

function summarize(
  planted: PlantedRun[],
  defaults: DefaultRun[],
  repairs: {
    dataset: string;
    symptom: Symptom;
    actions: Record<number, Action>;
    runs: Record<number, RunSummary>;
  }[],
  seeds: number[],
  datasets: PlantedDataset[],
  pathologies: Pathology[],
) {
  const cells: Cell[] = [];
  for (const p of pathologies)
    for (const dataset of datasets) {
      const rs = planted.filter((r) => r.pathology === p && r.dataset === dataset);
      if (rs.length === 0) continue;
      const exp = EXPECTED[p].expect;
      const firstOf = (r: RunSummary) => r.findings[0];
      const before: Record<number, ValMetrics | undefined> = {};
      const after: Record<number, ValMetrics | undefined> = {};
      let gone = 0;
      let repairedRuns = 0;
      const actions: string[] = [];
      const skipped: string[] = [];
      for (const r of rs) {
        before[r.seed] = r.run.metrics;
        if (!r.repair) continue;
        if ("skipped" in r.repair) {
          skipped.push(r.repair.skipped);
          continue;
        }
        after[r.seed] = r.repair.run.metrics;
        if (!r.repair.own) continue;
        repairedRuns++;
        actions.push(actionText(r.repair.action));
        const symptom = firstOf(r.run)!.symptom;
        if (!r.repair.run.error && !r.repair.run.findings.some((f) => f.symptom === symptom && serious(f)))
          gone++;
      }
      const pr = paired(before, after);
      cells.push({
        pathology: p,
        dataset,
        runs: rs.length,
        found: rs.filter((r) => r.run.findings.some((f) => serious(f) && exp.includes(f.symptom))).length,
        rightFirst: rs.filter((r) => {
          const f = firstOf(r.run);
          return f && serious(f) && exp.includes(f.symptom);
        }).length,
        firsts: rs.map((r) => {
          const f = firstOf(r.run);
          return r.run.error ? "error" : f ? `${f.symptom}(${f.severity})` : "none";
        }),
        repair: {
          actions: [...new Set(actions)],
          skipped: [...new Set(skipped)],
          ...(pr ? { paired: pr } : {}),
          symptomGone: gone,
          repairedRuns,
          repaired: repairedRuns === 0 ? null : Boolean(pr?.helped) || gone === repairedRuns,
        },
      });
    }

  const byPathology: Record<
    string,
    { cells: number; runs: number; recall: number; rightFirst: number; repaired: string }
  > = {};
  for (const p of pathologies) {
    const cs = cells.filter((c) => c.pathology === p);
    if (cs.length === 0) continue;
    const runs = cs.reduce((a, c) => a + c.runs, 0);
    const tried = cs.filter((c) => c.repair.repaired !== null);
    byPathology[p] = {
      cells: cs.length,
      runs,
      recall: cs.reduce((a, c) => a + c.found, 0) / runs,
      rightFirst: cs.reduce((a, c) => a + c.rightFirst, 0) / runs,
      repaired: `${tried.filter((c) => c.repair.repaired).length}/${tried.length}`,
    };
  }

  // default runs: which findings' first actions helped
  const defaultVerdicts = repairs.map((rp) => {
    const before: Record<number, ValMetrics | undefined> = {};
    for (const d of defaults.filter((x) => x.dataset === rp.dataset)) before[d.seed] = d.run.metrics;
    const after: Record<number, ValMetrics | undefined> = {};
    for (const [s, r] of Object.entries(rp.runs)) after[Number(s)] = r.metrics;
    const ran = Object.keys(rp.runs).length > 0;
    const pr = ran ? paired(before, after) : undefined;
    const known = (KNOWN_TRUE[rp.dataset] ?? []).includes(rp.symptom);
    const seedsFound = defaults.filter(
      (d) => d.dataset === rp.dataset && d.run.findings.some((f) => f.symptom === rp.symptom && serious(f)),
    ).length;
    return {
      dataset: rp.dataset,
      symptom: rp.symptom,
      seedsFound,
      action: actionText(Object.values(rp.actions)[0]!),
      paired: pr,
      dataStep: !ran,
      known,
      falseAlarm: ran ? !pr?.helped : !known,
    };
  });

  const helpedDefault = new Set(
    defaultVerdicts.filter((v) => !v.falseAlarm).map((v) => `${v.dataset}/${v.symptom}`),
  );
  const symptoms = new Set<Symptom>([
    ...planted.flatMap((r) => r.run.findings.filter(serious).map((f) => f.symptom)),
    ...defaults.flatMap((r) => r.run.findings.filter(serious).map((f) => f.symptom)),
  ]);
  for (const p of pathologies) symptoms.add(EXPECTED[p].expect[0]!);
  const bySymptom: Record<
    string,
    { findings: number; true: number; precision: number | null; recall: number | null }
  > = {};
  for (const s of [...symptoms].sort()) {
    let n = 0;
    let ok = 0;
    for (const r of planted) {
      if (!r.run.findings.some((f) => f.symptom === s && serious(f))) continue;
      n++;
      if ([...EXPECTED[r.pathology].expect, ...EXPECTED[r.pathology].alsoTrue].includes(s)) ok++;
    }
    for (const r of defaults) {
      if (!r.run.findings.some((f) => f.symptom === s && serious(f))) continue;
      n++;
      if ((KNOWN_TRUE[r.dataset] ?? []).includes(s) || helpedDefault.has(`${r.dataset}/${s}`)) ok++;
    }
    const named = pathologies.filter((p) => EXPECTED[p].expect[0] === s);
    const rs = planted.filter((r) => named.includes(r.pathology));
    const hit = rs.filter((r) => r.run.findings.some((f) => f.symptom === s && serious(f))).length;
    bySymptom[s] = {
      findings: n,
      true: ok,
      precision: n ? round4(ok / n) : null,
      recall: rs.length ? round4(hit / rs.length) : null,
    };
  }
  // planted runs whose first finding did not name the pathology, with what their curves did
  const misses = planted
    .filter((r) => {
      const f = r.run.findings[0];
      return !(f && serious(f) && EXPECTED[r.pathology].expect.includes(f.symptom));
    })
    .map((r) => ({
      pathology: r.pathology,
      dataset: r.dataset,
      seed: r.seed,
      findings: r.run.findings.map((f) => `${f.symptom}(${f.severity})`),
      curves: r.run.curves,
    }));
  const runs = planted.length;
  const lows = defaults.flatMap((r) =>
    r.run.findings.filter((f) => f.severity === "low").map((f) => f.symptom),
  );
  return {
    totals: {
      plantedRuns: runs,
      cells: cells.length,
      rightFirst: round4(cells.reduce((a, c) => a + c.rightFirst, 0) / Math.max(1, runs)),
      recall: round4(cells.reduce((a, c) => a + c.found, 0) / Math.max(1, runs)),
      cellsRepaired: `${cells.filter((c) => c.repair.repaired).length}/${cells.filter((c) => c.repair.repaired !== null).length}`,
      defaultRuns: defaults.length,
      falseAlarms: defaultVerdicts.filter((v) => v.falseAlarm).length,
      errors: [...planted.map((r) => r.run), ...defaults.map((r) => r.run)].filter((r) => r.error).length,
      seeds: seeds.length,
    },
    byPathology,
    cells,
    bySymptom,
    defaultFindings: defaultVerdicts,
    misses,
    lowOnDefaults: countOf(lows),
  };
}

function actionText(a: Action): string {
  const c = Object.entries(a.change);
  return c.length
    ? c.map(([k, v]) => `--${k} ${Array.isArray(v) ? v.join(",") : v}`).join(" ")
    : "(data step)";
}

function countOf(xs: string[]): Record<string, number> {
  const m: Record<string, number> = {};
  for (const x of xs) m[x] = (m[x] ?? 0) + 1;
  return m;
}

function pct(v: number | null): string {
  return v === null ? "-" : `${Math.round(100 * v)}%`;
}

function renderMarkdown(r: ReturnType<typeof summarize>, seeds: number[], seconds: number): string {
  const t = r.totals;
  const lines: string[] = [
    "# Diagnosis matrix",
    "",
    `${t.plantedRuns} planted runs in ${t.cells} cells (pathology x data set, seeds ${seeds.join(", ")}), ${t.defaultRuns} default runs; ` +
      `${Math.round(seconds)} s. Written by \`node dist/bench/diagnosis-matrix.js\` (see bench/diagnosis-matrix.ts for the definitions).`,
    "",
    `- right first: **${pct(t.rightFirst)}** of planted runs (target >= 85%); recall ${pct(t.recall)}`,
    `- cells repaired by the first action: **${t.cellsRepaired}**`,
    `- false alarms on default runs: **${t.falseAlarms}**`,
    `- errors: ${t.errors}`,
    "",
    "## Planted cells",
    "",
    "| pathology | data | right first | found | first findings (per seed) | first action | Δ metric (mean ± SE) | symptom gone | repaired |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const c of r.cells) {
    const p = c.repair.paired;
    lines.push(
      `| ${c.pathology} | ${c.dataset} | ${c.rightFirst}/${c.runs} | ${c.found}/${c.runs} | ${c.firsts.join(", ")} | ` +
        `${[...c.repair.actions, ...c.repair.skipped.map((s) => `skipped: ${s}`)].join("; ") || "-"} | ` +
        `${p ? `${p.metric} ${signed(p.mean)} ± ${p.se.toFixed(3)}` : "-"} | ${c.repair.repairedRuns ? `${c.repair.symptomGone}/${c.repair.repairedRuns}` : "-"} | ` +
        `${c.repair.repaired === null ? "-" : c.repair.repaired ? "yes" : "no"} |`,
    );
  }
  lines.push(
    "",
    "## Planted runs whose first finding missed the pathology",
    "",
    "| pathology | data | seed | findings | epochs | val loss best / last | train loss last |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const m of r.misses)
    lines.push(
      `| ${m.pathology} | ${m.dataset} | ${m.seed} | ${m.findings.join(", ")} | ${m.curves?.epochs ?? "-"} | ` +
        `${m.curves ? `${m.curves.best_val_loss.toPrecision(3)} / ${m.curves.last_val_loss.toPrecision(3)}` : "-"} | ` +
        `${m.curves ? m.curves.last_train_loss.toPrecision(3) : "-"} |`,
    );
  if (r.misses.length === 0) lines.push("| (none) | | | | | | |");
  lines.push(
    "",
    "## Per pathology",
    "",
    "| pathology | runs | recall | right first | cells repaired |",
    "| --- | --- | --- | --- | --- |",
  );
  for (const [p, v] of Object.entries(r.byPathology))
    lines.push(`| ${p} | ${v.runs} | ${pct(v.recall)} | ${pct(v.rightFirst)} | ${v.repaired} |`);
  lines.push(
    "",
    "## Per symptom (medium and high findings)",
    "",
    "| symptom | findings | true | precision | recall (pathologies it names first) |",
    "| --- | --- | --- | --- | --- |",
  );
  for (const [s, v] of Object.entries(r.bySymptom))
    lines.push(`| ${s} | ${v.findings} | ${v.true} | ${pct(v.precision)} | ${pct(v.recall)} |`);
  lines.push(
    "",
    "## Default runs: medium and high findings and their first action",
    "",
    "| data | symptom | seeds found | first action | Δ metric (mean ± SE) | verdict |",
    "| --- | --- | --- | --- | --- | --- |",
  );
  for (const v of r.defaultFindings)
    lines.push(
      `| ${v.dataset} | ${v.symptom} | ${v.seedsFound} | ${v.action} | ${v.paired ? `${v.paired.metric} ${signed(v.paired.mean)} ± ${v.paired.se.toFixed(3)}` : "-"} | ` +
        `${v.dataStep ? (v.known ? "data step, known property of the data" : "data step, unverified") : v.falseAlarm ? "**false alarm**" : "helped"} |`,
    );
  if (r.defaultFindings.length === 0) lines.push("| (none) | | | | | |");
  lines.push(
    "",
    `Low-severity cautions on default runs: ${
      Object.entries(r.lowOnDefaults)
        .map(([k, v]) => `${k} x${v}`)
        .join(", ") || "none"
    }.`,
    "",
  );
  return lines.join("\n");
}

function signed(v: number): string {
  return `${v >= 0 ? "+" : ""}${v.toFixed(3)}`;
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? e}\n`);
  process.exitCode = 1;
});
