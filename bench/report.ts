/**
 * Benchmark results: the best samples/s per engine, the nncoach ratios, and the printed table.
 */
import type { RunOutcome } from "./measure.js";
import type { EngineName, Scenario } from "./scenarios.js";

/** One engine at one thread count in one scenario, over its repeated runs. */
export interface Measurement {
  readonly engine: EngineName;
  /** The thread count asked for (what the engine used is in each run's line). */
  readonly threads: number;
  /**
   * "missing": the engine is not installed/built, so it was not run (`note` says how to get it);
   * "unsupported": it ran and said it cannot train this model; "failed": it crashed, timed out or printed no result.
   */
  readonly status: "ok" | "failed" | "unsupported" | "missing";
  /** Best samples/s over the runs that succeeded; null when none did. */
  readonly samplesPerSecond: number | null;
  readonly runs: readonly RunOutcome[];
  readonly note?: string;
  /** A setting besides the thread count, e.g. "OMP active" (PyTorch's OpenMP threads busy-wait). */
  readonly setting?: string;
}

/** An engine's best result in a scenario. */
export interface EngineBest {
  readonly samplesPerSecond: number;
  readonly threads: number;
  readonly setting?: string;
}

/** Everything measured for one scenario. */
export interface ScenarioResult {
  readonly scenario: Scenario;
  readonly measurements: readonly Measurement[];
  /** Best over thread counts and repeats; null when the engine has no successful run. */
  readonly best: Readonly<Record<EngineName, EngineBest | null>>;
  /** nncoach's best samples/s divided by the other engine's best (> 1: nncoach is faster); null if either is absent. */
  readonly ratios: {
    readonly nncoachOverPytorch: number | null;
    readonly nncoachOverTfjsWasm: number | null;
  };
}

export const ENGINES: readonly EngineName[] = ["pytorch", "tfjs-wasm", "nncoach"];

/**
 * Folds one engine's runs at one thread count into a measurement (best successful run).
 *
 * @param engine the engine
 * @param threads the thread count asked for
 * @param runs its runs, in order
 */
export function measurementFrom(
  engine: EngineName,
  threads: number,
  runs: readonly RunOutcome[],
  setting?: string,
): Measurement {
  const ok = runs.flatMap((r) => (r.status === "ok" ? [r.line.samples_per_second] : []));
  const unsupported = runs.length > 0 && runs.every((r) => r.status === "unsupported");
  return {
    engine,
    threads,
    status: ok.length > 0 ? "ok" : unsupported ? "unsupported" : "failed",
    samplesPerSecond: ok.length > 0 ? Math.max(...ok) : null,
    runs,
    ...(setting ? { setting } : {}),
  };
}

/**
 * The best result of each engine and the nncoach ratios for one scenario.
 *
 * @example summarise(scenario, measurements).ratios.nncoachOverPytorch // 1.15: nncoach 15% faster
 */
export function summarise(scenario: Scenario, measurements: readonly Measurement[]): ScenarioResult {
  const best = {} as Record<EngineName, EngineBest | null>;
  for (const engine of ENGINES) {
    let top: EngineBest | null = null;
    for (const m of measurements) {
      if (m.engine !== engine || m.samplesPerSecond === null) continue;
      if (top === null || m.samplesPerSecond > top.samplesPerSecond) {
        top = {
          samplesPerSecond: m.samplesPerSecond,
          threads: m.threads,
          ...(m.setting ? { setting: m.setting } : {}),
        };
      }
    }
    best[engine] = top;
  }
  const ratio = (other: EngineBest | null) =>
    best.nncoach && other ? best.nncoach.samplesPerSecond / other.samplesPerSecond : null;
  return {
    scenario,
    measurements,
    best,
    ratios: { nncoachOverPytorch: ratio(best.pytorch), nncoachOverTfjsWasm: ratio(best["tfjs-wasm"]) },
  };
}

/** Samples/s with thousands separators, no decimals: 54321.7 -> "54,322". */
export function formatRate(samplesPerSecond: number): string {
  return Math.round(samplesPerSecond).toLocaleString("en-US");
}

function formatRatio(r: number | null): string {
  return r === null ? "-" : `${r.toFixed(2)}x`;
}

function bestCell(result: ScenarioResult, engine: EngineName): string {
  const b = result.best[engine];
  if (b) return `${formatRate(b.samplesPerSecond)} (${b.threads}t${b.setting ? `, ${b.setting}` : ""})`;
  const ms = result.measurements.filter((m) => m.engine === engine);
  if (ms.length === 0) return "not run";
  if (ms.some((m) => m.status === "failed")) return "failed";
  return ms.some((m) => m.status === "unsupported") ? "unsupported" : "missing";
}

/**
 * The summary table: one row per scenario, best samples/s per engine (with the thread count that gave it),
 * and the ratios nncoach/pytorch-best and nncoach/tfjs-wasm.
 */
export function summaryTable(results: readonly ScenarioResult[]): string {
  const header = ["scenario", "pytorch", "tfjs-wasm", "nncoach", "nncoach/pytorch", "nncoach/tfjs-wasm"];
  const rows = results.map((r) => [
    r.scenario.name,
    bestCell(r, "pytorch"),
    bestCell(r, "tfjs-wasm"),
    bestCell(r, "nncoach"),
    formatRatio(r.ratios.nncoachOverPytorch),
    formatRatio(r.ratios.nncoachOverTfjsWasm),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** One printed line for a finished measurement, e.g. "  pytorch     2 threads    31,234 samples/s  (best of 2)". */
export function measurementLine(m: Measurement): string {
  const who = `  ${m.engine.padEnd(10)} ${String(m.threads).padStart(2)} thread${m.threads === 1 ? " " : "s"}${m.setting ? ` (${m.setting})` : ""}`;
  if (m.status === "missing") return `${who}  missing: ${m.note ?? ""}`;
  const failures = m.runs.flatMap((r) => (r.status !== "ok" ? [r.reason] : []));
  if (m.status === "unsupported") return `${who}  unsupported: ${failures[0]}`;
  if (m.status === "failed")
    return `${who}  FAILED: ${failures[failures.length - 1]!.replace(/\n/g, "\n      ")}`;
  const runs = m.runs.map((r) => (r.status === "ok" ? formatRate(r.line.samples_per_second) : r.status));
  const used = m.runs.find((r) => r.status === "ok");
  const usedThreads = used?.status === "ok" ? used.line.threads : m.threads;
  const note =
    usedThreads !== m.threads ? `  (engine used ${usedThreads} thread${usedThreads === 1 ? "" : "s"})` : "";
  const of = m.runs.length > 1 ? `  (best of ${runs.join(", ")})` : "";
  return `${who}  ${formatRate(m.samplesPerSecond!).padStart(9)} samples/s${of}${note}`;
}
