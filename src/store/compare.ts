/**
 * Comparing runs: the configuration keys whose values differ (exactly those), the final metrics side by
 * side, and the curves on one scale. `nncoach runs compare` prints it; the dashboard's compare view and
 * `--json` use the same object.
 */
import type { RunDetail } from "./types.js";

export interface RunComparison {
  ids: number[];
  names: string[];
  /** Configuration keys whose values differ between the runs, with each run's value (null when unset). */
  config: Record<string, unknown[]>;
  /** Keys set to the same value in every run. */
  sameConfigKeys: string[];
  /** Every final metric of any run, with each run's value (null when the run has none). */
  metrics: Record<string, (number | null)[]>;
  /** Per-epoch curves by name (train_loss, val_loss, the monitored metric), one series per run. */
  curves: Record<string, (number | null)[][]>;
}

/** A configuration flattened to dotted keys (nested objects; arrays are values). */
export function flatten(o: Record<string, unknown> | null, prefix = ""): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o ?? {})) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === "object" && !Array.isArray(v))
      Object.assign(out, flatten(v as Record<string, unknown>, key));
    else out[key] = v;
  }
  return out;
}

export function compareRuns(runs: RunDetail[]): RunComparison {
  const flat = runs.map((r) => flatten(r.config));
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  const config: Record<string, unknown[]> = {};
  const same: string[] = [];
  for (const k of keys) {
    const values = flat.map((f) => (k in f ? (f[k] ?? null) : null));
    const texts = values.map((v) => JSON.stringify(v));
    if (texts.every((t) => t === texts[0])) same.push(k);
    else config[k] = values;
  }
  const metricNames = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort();
  const metrics: Record<string, (number | null)[]> = {};
  for (const m of metricNames) metrics[m] = runs.map((r) => r.metrics[m] ?? null);
  const curveNames = new Set<string>(["train_loss", "val_loss"]);
  for (const r of runs) if (r.monitor && r.monitor !== "val_loss") curveNames.add(r.monitor);
  const curves: Record<string, (number | null)[][]> = {};
  for (const c of curveNames) {
    const series = runs.map((r) => r.epochs.map((e) => e.metrics[c] ?? null));
    if (series.some((s) => s.some((v) => v !== null))) curves[c] = series;
  }
  return {
    ids: runs.map((r) => r.id),
    names: runs.map((r) => r.name),
    config,
    sameConfigKeys: same,
    metrics,
    curves,
  };
}

const BARS = "▁▂▃▄▅▆▇█";

/**
 * Sparklines of several series on one scale (the same values give the same bar in every line), each
 * resampled to at most `width` columns; a missing value is a space.
 */
export function sparklines(series: (number | null)[][], width = 40): string[] {
  const all = series.flat().filter((v): v is number => v !== null && Number.isFinite(v));
  if (!all.length) return series.map(() => "");
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const longest = Math.max(...series.map((s) => s.length));
  const cols = Math.min(width, longest);
  return series.map((s) => {
    let line = "";
    for (let c = 0; c < Math.ceil((s.length * cols) / Math.max(1, longest)); c++) {
      // the columns of a shorter run cover the same epochs as the longer runs' columns
      const from = Math.floor((c * longest) / cols);
      const to = Math.max(from + 1, Math.floor(((c + 1) * longest) / cols));
      const vals = s.slice(from, to).filter((v): v is number => v !== null && Number.isFinite(v));
      if (!vals.length) {
        line += " ";
        continue;
      }
      const v = vals.reduce((a, b) => a + b, 0) / vals.length;
      const i = hi === lo ? 0 : Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1));
      line += BARS[i];
    }
    return line;
  });
}
