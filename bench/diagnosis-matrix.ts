/**
 * The diagnosis matrix: how well the coach's diagnosis names planted pathologies, and how often it cries
 * wolf on healthy runs.
 *
 * - Planted: every pathology of bench/planted-pathologies.ts (LR 10, shuffled labels, a leaked target copy,
 *   unscaled features, 1:30 classes monitored on accuracy, LR 1e-6, a deep sigmoid stack on SGD, a wide
 *   model on 60 rows) x tables (wine, breast_cancer) x seeds. Images, audio and text columns follow when
 *   the planner's runner trains them.
 * - Default: a default `nncoach train` run of every shared dataset x seeds.
 *
 * A finding counts when its severity is medium or high (low findings are cautions, counted apart). Per
 * pathology: recall (one of its `expect` symptoms found) and right-first rate (the first finding is one of
 * them). Per symptom: precision (its findings that were true: in the run's `expect` or `alsoTrue` list, or
 * a known property of a shared dataset) and recall of the pathologies it names first. False alarms: medium
 * or high findings on default runs that are not known properties of the data.
 *
 *   node dist/bench/diagnosis-matrix.js [--seeds 3] [--out bench/results/diagnosis-matrix.json]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { diagnose } from "../src/coach/diagnosis/diagnose.js";
import type { Finding, Symptom } from "../src/coach/diagnosis/finding.js";
import type { RunRecord } from "../src/coach/diagnosis/run-record.js";
import {
  DATASETS,
  defaultRun,
  EXPECTED,
  PATHOLOGIES,
  type Pathology,
  plantedRun,
} from "./planted-pathologies.js";

/**
 * Medium/high findings on default runs that are true of the data itself, checked by hand: house_votes84
 * holds many identical voting records, so validation rows repeat training rows (the audit lists the groups).
 */
export const KNOWN_TRUE: Record<string, Symptom[]> = { house_votes84: ["duplicates_across_splits"] };

interface RunResult {
  kind: "planted" | "default";
  name: string;
  dataset: string;
  seed: number;
  seconds: number;
  findings: { symptom: Symptom; severity: Finding["severity"]; confidence: number }[];
  /** What the run's curves did, independent of the diagnosis (did the planted pathology show?). */
  curves?: {
    best_val_loss: number;
    last_val_loss: number;
    last_train_loss: number;
    last_val_accuracy?: number;
  };
  error?: string;
}

const counts = (f: RunResult) => f.findings.filter((x) => x.severity === "high" || x.severity === "medium");

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { seeds: { type: "string" }, out: { type: "string" } },
  });
  const seeds = Array.from({ length: Number(values.seeds ?? 3) }, (_, i) => i);
  const out = values.out ?? "bench/results/diagnosis-matrix.json";
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-matrix-"));
  const results: RunResult[] = [];
  const started = Date.now();
  const record = async (r: Omit<RunResult, "findings" | "seconds">, make: () => Promise<RunRecord>) => {
    const t0 = Date.now();
    try {
      const run = await make();
      const findings = diagnose(run).map((f) => ({
        symptom: f.symptom,
        severity: f.severity,
        confidence: f.confidence,
      }));
      results.push({ ...r, findings, curves: curves(run), seconds: (Date.now() - t0) / 1000 });
    } catch (e) {
      results.push({ ...r, findings: [], seconds: (Date.now() - t0) / 1000, error: (e as Error).message });
    }
    const last = results[results.length - 1]!;
    const c = last.curves;
    process.stderr.write(
      `${r.kind} ${r.name} ${r.dataset} seed ${r.seed}: ${last.error ?? last.findings.map((f) => `${f.symptom}(${f.severity})`).join(", ")}` +
        (c
          ? ` | val loss best ${c.best_val_loss.toPrecision(3)} last ${c.last_val_loss.toPrecision(3)}, train ${c.last_train_loss.toPrecision(3)}${c.last_val_accuracy !== undefined ? `, val acc ${c.last_val_accuracy.toFixed(3)}` : ""}`
          : "") +
        ` [${last.seconds.toFixed(1)} s]\n`,
    );
  };
  for (const seed of seeds) {
    for (const p of PATHOLOGIES)
      for (const dataset of ["wine", "breast_cancer"] as const)
        await record({ kind: "planted", name: p, dataset, seed }, () => plantedRun(p, dataset, seed, work));
    for (const dataset of Object.keys(DATASETS))
      await record({ kind: "default", name: "default", dataset, seed }, () => defaultRun(dataset, seed));
  }
  fs.rmSync(work, { recursive: true, force: true });

  const planted = results.filter((r) => r.kind === "planted");
  const defaults = results.filter((r) => r.kind === "default");
  const lines: string[] = [];
  lines.push(
    `diagnosis matrix: ${planted.length} planted runs, ${defaults.length} default runs, seeds ${seeds.join(",")}, ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  lines.push(
    "",
    "| pathology | runs | recall | right first | first findings |",
    "| --- | --- | --- | --- | --- |",
  );
  const byPathology: Record<string, { runs: number; recall: number; first: number }> = {};
  for (const p of PATHOLOGIES) {
    const rs = planted.filter((r) => r.name === p);
    const exp = EXPECTED[p].expect;
    const found = rs.filter((r) => counts(r).some((f) => exp.includes(f.symptom))).length;
    const first = rs.filter((r) => r.findings[0] && exp.includes(r.findings[0].symptom)).length;
    const firsts = [...new Set(rs.map((r) => r.findings[0]?.symptom ?? r.error ?? "none"))].join(", ");
    byPathology[p] = { runs: rs.length, recall: found / rs.length, first: first / rs.length };
    lines.push(`| ${p} | ${rs.length} | ${pct(found, rs.length)} | ${pct(first, rs.length)} | ${firsts} |`);
  }
  const total = (k: "recall" | "first") =>
    Object.values(byPathology).reduce((a, b) => a + b[k] * b.runs, 0) / Math.max(1, planted.length);
  lines.push(
    `| all | ${planted.length} | ${(100 * total("recall")).toFixed(0)}% | ${(100 * total("first")).toFixed(0)}% | |`,
  );

  // per symptom: precision over every medium/high finding; recall over the pathologies it names first
  const symptoms = new Set<Symptom>(results.flatMap((r) => counts(r).map((f) => f.symptom)));
  for (const p of PATHOLOGIES) symptoms.add(EXPECTED[p].expect[0]!);
  lines.push(
    "",
    "| symptom | findings | true | precision | recall (as first expected symptom) |",
    "| --- | --- | --- | --- | --- |",
  );
  const bySymptom: Record<
    string,
    { findings: number; true: number; precision: number | null; recall: number | null }
  > = {};
  for (const s of [...symptoms].sort()) {
    let n = 0;
    let ok = 0;
    for (const r of results) {
      if (!counts(r).some((f) => f.symptom === s)) continue;
      n++;
      const accepted =
        r.kind === "planted"
          ? [...EXPECTED[r.name as Pathology].expect, ...EXPECTED[r.name as Pathology].alsoTrue]
          : (KNOWN_TRUE[r.dataset] ?? []);
      if (accepted.includes(s)) ok++;
    }
    const named = PATHOLOGIES.filter((p) => EXPECTED[p].expect[0] === s);
    const rs = planted.filter((r) => (named as string[]).includes(r.name));
    const hit = rs.filter((r) => counts(r).some((f) => f.symptom === s)).length;
    bySymptom[s] = {
      findings: n,
      true: ok,
      precision: n ? ok / n : null,
      recall: rs.length ? hit / rs.length : null,
    };
    lines.push(
      `| ${s} | ${n} | ${ok} | ${n ? pct(ok, n) : "-"} | ${rs.length ? pct(hit, rs.length) : "-"} |`,
    );
  }

  const alarms = defaults.flatMap((r) =>
    counts(r)
      .filter((f) => !(KNOWN_TRUE[r.dataset] ?? []).includes(f.symptom))
      .map((f) => `${r.dataset}/seed ${r.seed}: ${f.symptom} (${f.severity})`),
  );
  const known = defaults.flatMap((r) =>
    counts(r)
      .filter((f) => (KNOWN_TRUE[r.dataset] ?? []).includes(f.symptom))
      .map((f) => `${r.dataset}/seed ${r.seed}: ${f.symptom}`),
  );
  const lows = defaults.flatMap((r) =>
    r.findings.filter((f) => f.severity === "low").map((f) => `${r.dataset}: ${f.symptom}`),
  );
  lines.push(
    "",
    `false alarms (medium/high on default runs): ${alarms.length} in ${defaults.length} runs${alarms.length ? `: ${alarms.join("; ")}` : ""}`,
    `known properties of the data found: ${known.length}${known.length ? ` (${[...new Set(known.map((k) => k.split(":")[1]!.trim()))].join(", ")})` : ""}`,
    `low-severity cautions on default runs: ${lows.length} (${summarizeCounts(lows.map((l) => l.split(": ")[1]!))})`,
    `errors: ${results.filter((r) => r.error).length}`,
  );
  const text = `${lines.join("\n")}\n`;
  process.stdout.write(text);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(
    out,
    `${JSON.stringify({ seeds, byPathology, bySymptom, falseAlarms: alarms, known, lows, results }, null, 2)}\n`,
  );
}

function curves(run: RunRecord): RunResult["curves"] {
  const h = run.history;
  if (h.length === 0) return undefined;
  const val = h.map((e) => e.val_loss ?? Number.NaN).filter(Number.isFinite);
  const last = h[h.length - 1]!;
  return {
    best_val_loss: Math.min(...val),
    last_val_loss: last.val_loss ?? Number.NaN,
    last_train_loss: last.train_loss,
    ...(typeof last.val_accuracy === "number" ? { last_val_accuracy: last.val_accuracy } : {}),
  };
}

function pct(a: number, b: number): string {
  return `${((100 * a) / Math.max(1, b)).toFixed(0)}% (${a}/${b})`;
}

function summarizeCounts(xs: string[]): string {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return [...m].map(([k, v]) => `${k} x${v}`).join(", ");
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? e}\n`);
  process.exitCode = 1;
});
