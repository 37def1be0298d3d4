import type { AuditData } from "./audit-data.js";

/** How well one column alone predicts the target on held-out rows. */
export interface SingleColumnScore {
  column: string;
  /**
   * In [0, 1]. Classification: balanced accuracy rescaled so that chance is 0 and perfect is 1
   * ((BA - 1/K) / (1 - 1/K), clipped at 0). Regression: held-out R^2, clipped at 0.
   */
  score: number;
  metric: "balanced_accuracy_skill" | "r2";
}

/** Most bins of a numeric column in the one-column regression model. */
export const MAX_BINS = 32;
/** Neighbours of the one-column classification model of a numeric column. */
export const NEIGHBOURS = 5;

/**
 * Fits a one-column model on the training folds and scores its predictions on the held-out fold, for
 * every fold (so every row is predicted once, by a model that did not see it):
 * - classification, numeric column: the majority class of the NEIGHBOURS training rows with the closest
 *   values (k-nearest neighbours on that one column; a tie goes to the nearest row's class);
 * - classification, text column: the most frequent training class of the row's value;
 * - regression: numeric columns are cut into up to MAX_BINS (about sqrt of the training rows) quantile bins
 *   of the training values and a row gets its bin's mean training target; text columns use one bin per
 *   value; numeric columns also get a least-squares line, and the better of the two held-out R^2 counts;
 * - missing values form a group of their own; a group without training rows gets the overall majority
 *   class (or mean target).
 *
 * @param data the prepared audit data
 * @param column index of the column to score
 * @param rows the rows to use (rows with a target)
 * @param folds fold index of each of `rows`
 */
export function singleColumnScore(
  data: AuditData,
  column: number,
  rows: readonly number[],
  folds: ArrayLike<number>,
): SingleColumnScore {
  const name = data.columns[column]!;
  const classification = data.task === "classification";
  const metric = classification ? "balanced_accuracy_skill" : "r2";
  const n = rows.length;
  let foldCount = 0;
  for (let r = 0; r < n; r++) foldCount = Math.max(foldCount, folds[r]! + 1);
  const numeric = data.numeric[column]!;
  const values = data.values[column]!;
  // Rows with a value, in ascending order of value (numeric columns), once for all folds.
  const sorted = numeric
    ? Array.from({ length: n }, (_, r) => r)
        .filter((r) => !Number.isNaN(values[rows[r]!]!))
        .sort((a, b) => values[rows[a]!]! - values[rows[b]!]!)
    : [];
  const textBins = new Map<string, number>();
  const binOfRow = new Int32Array(n);
  const classes = data.classes.length;
  const predicted = new Float64Array(n);
  const linear = new Float64Array(n);

  for (let f = 0; f < foldCount; f++) {
    let bins: number;
    if (numeric) {
      const train = sorted.filter((r) => folds[r] !== f);
      const count = Math.min(MAX_BINS, Math.max(2, Math.floor(Math.sqrt(Math.max(train.length, 1)))));
      const edges: number[] = [];
      for (let b = 1; b < count; b++) {
        const e = values[rows[train[Math.floor((b * train.length) / count)]!]!];
        if (e !== undefined && (edges.length === 0 || e > edges[edges.length - 1]!)) edges.push(e);
      }
      bins = edges.length + 2; // value bins, then the missing bin
      for (let r = 0; r < n; r++) {
        const v = values[rows[r]!]!;
        binOfRow[r] = Number.isNaN(v) ? edges.length + 1 : upperBound(edges, v);
      }
    } else {
      for (let r = 0; r < n; r++) {
        const cell = data.rows[rows[r]!]![column]!;
        let b = textBins.get(cell);
        if (b === undefined) {
          b = textBins.size;
          textBins.set(cell, b);
        }
        binOfRow[r] = b;
      }
      bins = textBins.size;
    }
    if (classification && numeric) {
      predictByNeighbours(data, rows, folds, f, sorted, values, binOfRow, bins, predicted);
    } else if (classification) {
      const counts = new Float64Array(bins * classes);
      const overall = new Float64Array(classes);
      for (let r = 0; r < n; r++) {
        if (folds[r] === f) continue;
        const y = data.labels[rows[r]!]!;
        counts[binOfRow[r]! * classes + y]!++;
        overall[y]!++;
      }
      const majority = argmax(overall, 0, classes);
      for (let r = 0; r < n; r++) {
        if (folds[r] !== f) continue;
        const b = binOfRow[r]!;
        let total = 0;
        for (let k = 0; k < classes; k++) total += counts[b * classes + k]!;
        predicted[r] = total > 0 ? argmax(counts, b * classes, classes) : majority;
      }
    } else {
      const sum = new Float64Array(bins);
      const count = new Float64Array(bins);
      let sx = 0;
      let sy = 0;
      let sxx = 0;
      let sxy = 0;
      let m = 0;
      let ty = 0;
      let tn = 0;
      for (let r = 0; r < n; r++) {
        if (folds[r] === f) continue;
        const y = data.targetValues[rows[r]!]!;
        sum[binOfRow[r]!]! += y;
        count[binOfRow[r]!]!++;
        ty += y;
        tn++;
        const x = values[rows[r]!]!;
        if (numeric && !Number.isNaN(x)) {
          sx += x;
          sy += y;
          sxx += x * x;
          sxy += x * y;
          m++;
        }
      }
      const mean = tn > 0 ? ty / tn : 0;
      const varX = m > 0 ? sxx / m - (sx / m) ** 2 : 0;
      const slope = varX > 0 ? (sxy / m - (sx / m) * (sy / m)) / varX : 0;
      const intercept = m > 0 ? sy / m - slope * (sx / m) : mean;
      for (let r = 0; r < n; r++) {
        if (folds[r] !== f) continue;
        const b = binOfRow[r]!;
        predicted[r] = count[b]! > 0 ? sum[b]! / count[b]! : mean;
        const x = values[rows[r]!]!;
        linear[r] = numeric && !Number.isNaN(x) ? intercept + slope * x : mean;
      }
    }
  }

  if (classification) {
    const hits = new Float64Array(classes);
    const totals = new Float64Array(classes);
    for (let r = 0; r < n; r++) {
      const y = data.labels[rows[r]!]!;
      totals[y]!++;
      if (predicted[r] === y) hits[y]!++;
    }
    let present = 0;
    let recall = 0;
    for (let k = 0; k < classes; k++) {
      if (totals[k]! === 0) continue;
      present++;
      recall += hits[k]! / totals[k]!;
    }
    if (present < 2) return { column: name, score: 0, metric };
    const balanced = recall / present;
    const skill = (balanced - 1 / present) / (1 - 1 / present);
    return { column: name, score: clamp01(skill), metric };
  }
  const y = Float64Array.from(rows, (i) => data.targetValues[i]!);
  const score = Math.max(r2(y, predicted), numeric ? r2(y, linear) : 0);
  return { column: name, score: clamp01(score), metric };
}

/**
 * Classification of the held-out rows of fold `f` by the majority class of their NEIGHBOURS nearest
 * training values; rows with a missing value get the majority class of training rows with a missing
 * value (or of all training rows). `sorted` lists the rows with a value in ascending order of value.
 */
function predictByNeighbours(
  data: AuditData,
  rows: readonly number[],
  folds: ArrayLike<number>,
  f: number,
  sorted: readonly number[],
  values: Float64Array,
  binOfRow: Int32Array,
  bins: number,
  predicted: Float64Array,
): void {
  const classes = data.classes.length;
  const train = sorted.filter((r) => folds[r] !== f);
  const trainValues = train.map((r) => values[rows[r]!]!);
  const trainLabels = train.map((r) => data.labels[rows[r]!]!);
  const overall = new Float64Array(classes);
  const missing = new Float64Array(classes);
  const missingBin = bins - 1;
  for (let r = 0; r < rows.length; r++) {
    if (folds[r] === f) continue;
    const y = data.labels[rows[r]!]!;
    overall[y]!++;
    if (binOfRow[r] === missingBin) missing[y]!++;
  }
  const majority = argmax(overall, 0, classes);
  const missingClass = missing.some((c) => c > 0) ? argmax(missing, 0, classes) : majority;
  const votes = new Float64Array(classes);
  const k = Math.min(NEIGHBOURS, train.length);
  for (let r = 0; r < rows.length; r++) {
    if (folds[r] !== f) continue;
    const v = values[rows[r]!]!;
    if (Number.isNaN(v) || k === 0) {
      predicted[r] = Number.isNaN(v) ? missingClass : majority;
      continue;
    }
    votes.fill(0);
    let hi = lowerBound(trainValues, v);
    let lo = hi - 1;
    let nearest = -1;
    for (let taken = 0; taken < k; taken++) {
      const takeLow = hi >= trainValues.length || (lo >= 0 && v - trainValues[lo]! <= trainValues[hi]! - v);
      const y = trainLabels[takeLow ? lo-- : hi++]!;
      if (nearest < 0) nearest = y;
      votes[y]!++;
    }
    let best = nearest;
    for (let c = 0; c < classes; c++) if (votes[c]! > votes[best]!) best = c;
    predicted[r] = best;
  }
}

/** Number of values < v. */
function lowerBound(sortedValues: readonly number[], v: number): number {
  let lo = 0;
  let hi = sortedValues.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sortedValues[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of edges <= v (the bin of v). */
function upperBound(edges: readonly number[], v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function argmax(a: Float64Array, start: number, length: number): number {
  let best = 0;
  for (let k = 1; k < length; k++) if (a[start + k]! > a[start + best]!) best = k;
  return best;
}

/** Coefficient of determination of predictions p for targets y (1 - SSE / SST); 0 when y is constant. */
function r2(y: Float64Array, p: Float64Array): number {
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i]!;
  mean /= Math.max(y.length, 1);
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < y.length; i++) {
    sse += (y[i]! - p[i]!) ** 2;
    sst += (y[i]! - mean) ** 2;
  }
  return sst > 0 ? 1 - sse / sst : 0;
}

function clamp01(v: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
}
