/**
 * The learning curve (RECIPE.md §10, "would more data help?"): the objective on the same validation rows
 * when training on 25, 50, 75 and 100% of the training rows (seeded subsets kept in class proportions),
 * on every evaluation unit, with the study's final configuration.
 *
 * The trend is fitted where it matters, at the current size: a least-squares line of the objective
 * against log2(training rows) over the upper half (50, 75, 100%), so its slope is the projected gain of
 * doubling the data now (curves flatten; the first quarter's steep rise says little about the next
 * doubling). More data is judged to help (`too_little_data`) when that gain is beyond 2 standard errors
 * of the slope and at least MIN_DOUBLING_GAIN: 2 points of a score bounded by 1 (accuracy, F1, AUC, R^2),
 * or 2% of an error (RMSE, MAE, log loss).
 */
import { getMetric } from "../../nn/metrics/metric-registry.js";
import { prepareFold } from "../../recipe/prepare-data.js";
import { resolveConfig } from "../../train/config.js";
import { Random } from "../../util/random.js";
import type { Objective } from "./objective.js";
import { type EvaluationUnit, LocalTrialRunner, type Options } from "./trial.js";

export const FRACTIONS = [0.25, 0.5, 0.75, 1];
export const MIN_DOUBLING_GAIN = 0.02;

export interface LearningCurve {
  fractions: number[];
  /** Training rows at each fraction (first unit). */
  rows: number[];
  /** Objective per fraction: mean and standard error over units. */
  mean: number[];
  se: number[];
  /** Projected change of the objective per doubling of the training rows (oriented: positive = better). */
  gainPerDoubling: number;
  gainSe: number;
  moreDataHelps: boolean;
  explanation: string;
}

/** A seeded subset of `rows` of about `fraction` of them, class proportions kept (labels given). */
export function subsetRows(
  rows: readonly number[],
  labels: readonly number[] | null,
  fraction: number,
  seed: number,
): number[] {
  const rng = Random.derive(seed, `learning-curve-${fraction}`);
  if (!labels) return rng.shuffle([...rows]).slice(0, Math.max(2, Math.round(rows.length * fraction)));
  const by = new Map<number, number[]>();
  rows.forEach((r, i) => {
    by.set(labels[i]!, [...(by.get(labels[i]!) ?? []), r]);
  });
  const out: number[] = [];
  for (const k of [...by.keys()].sort((a, b) => a - b)) {
    const list = by.get(k)!;
    out.push(...rng.shuffle([...list]).slice(0, Math.max(1, Math.round(list.length * fraction))));
  }
  return out.sort((a, b) => a - b);
}

/** Least-squares slope of ys on xs and its standard error. */
function slope(xs: number[], ys: number[]): { b: number; se: number } {
  const n = xs.length;
  const mx = xs.reduce((a, v) => a + v, 0) / n;
  const my = ys.reduce((a, v) => a + v, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i]! - mx) ** 2;
    sxy += (xs[i]! - mx) * (ys[i]! - my);
  }
  const b = sxy / sxx;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (ys[i]! - my - b * (xs[i]! - mx)) ** 2;
  return { b, se: n > 2 ? Math.sqrt(sse / (n - 2) / sxx) : Number.POSITIVE_INFINITY };
}

export async function learningCurve(
  units: EvaluationUnit[],
  options: Options,
  objective: Objective,
  threads: number,
  log?: (line: string) => void,
): Promise<LearningCurve> {
  const points: { x: number; y: number; fraction: number }[] = [];
  const rows: number[] = [];
  for (const fraction of FRACTIONS) {
    const subUnits: EvaluationUnit[] = [];
    for (const u of units) {
      const d = u.data;
      const labels = d.task === "classification" ? Array.from(d.train.y as ArrayLike<number>) : null;
      const train = fraction === 1 ? d.rows.train : subsetRows(d.rows.train, labels, fraction, u.seed);
      const resolved = resolveConfig(null, { ...options, seed: u.seed });
      const sub =
        fraction === 1
          ? d
          : await prepareFold(d.loaded, { train, val: d.rows.val, test: null }, resolved, {
              pretrained: d.pretrained,
            });
      subUnits.push({ data: sub, seed: u.seed });
    }
    rows.push(subUnits[0]!.data.train.n);
    const runner = new LocalTrialRunner(subUnits, objective);
    const r = await runner.run({
      id: -1,
      step: "learning_curve",
      change: {},
      options,
      dataHash: "",
      seeds: subUnits.map((u) => u.seed),
      threads,
    });
    r.values.forEach((v, i) => {
      points.push({
        x: Math.log2(subUnits[i]!.data.train.n),
        y: objective.higherIsBetter ? v : -v,
        fraction,
      });
    });
    log?.(
      `learning curve: ${Math.round(fraction * 100)}% (${rows[rows.length - 1]} rows): ${objective.metric} ${r.mean.toPrecision(4)}`,
    );
  }
  const by = FRACTIONS.map((f) =>
    points.filter((p) => p.fraction === f).map((p) => (objective.higherIsBetter ? p.y : -p.y)),
  );
  const mean = by.map((v) => v.reduce((a, b) => a + b, 0) / v.length);
  const se = by.map((v, i) =>
    v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean[i]!) ** 2, 0) / (v.length - 1) / v.length) : 0,
  );
  const upper = points.filter((p) => p.fraction >= 0.5);
  const { b, se: bSe } = slope(
    upper.map((p) => p.x),
    upper.map((p) => p.y),
  );
  const bounded = getMetric(objective.metric).higherIsBetter;
  const current = Math.abs(mean[mean.length - 1]!);
  const need = bounded ? MIN_DOUBLING_GAIN : MIN_DOUBLING_GAIN * current;
  const helps = b > 2 * bSe && b >= need;
  return {
    fractions: FRACTIONS,
    rows,
    mean,
    se,
    gainPerDoubling: b,
    gainSe: bSe,
    moreDataHelps: helps,
    explanation: helps
      ? `doubling the training rows is projected to improve ${objective.metric} by ${b.toPrecision(2)} (± ${bSe.toPrecision(2)}): more data would help (too_little_data)`
      : `doubling the training rows is projected to change ${objective.metric} by ${b.toPrecision(2)} (± ${bSe.toPrecision(2)}; helps only beyond 2 SE and ${bounded ? MIN_DOUBLING_GAIN : `${MIN_DOUBLING_GAIN * 100}%`}): the curve has flattened`,
  };
}
