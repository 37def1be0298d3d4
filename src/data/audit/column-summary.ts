import type { ColumnKind } from "../column-types.js";
import type { AuditData } from "./audit-data.js";
import { identifierReason } from "./identifier-like.js";

/** What the audit found about one column. */
export interface ColumnSummary {
  name: string;
  role: "input" | "target";
  /** The inferred kind (see inferColumnTypes), and why. */
  type: ColumnKind;
  type_reason: string;
  missing: number;
  missing_fraction: number;
  distinct: number;
  /** Most frequent non-missing value and its share of the non-missing cells. */
  top_value: string | null;
  top_fraction: number;
  /** At most one distinct non-missing value: carries no information. */
  constant: boolean;
  /** Not constant, but the top value covers at least NEAR_CONSTANT_FRACTION of the non-missing cells. */
  near_constant: boolean;
  /** Why the column looks like a row identifier (absent when it does not). */
  identifier_like?: string;
  mean?: number;
  /** Population standard deviation of the non-missing values. */
  std?: number;
  min?: number;
  max?: number;
}

/** The spread of standard deviations among numeric input columns. */
export interface ScaleCheck {
  largest: { column: string; std: number };
  smallest: { column: string; std: number };
  /** largest std / smallest std (non-constant numeric inputs only). */
  ratio: number;
  /** True when ratio > SCALE_RATIO_LIMIT. */
  flagged: boolean;
  recommendation: string | null;
}

/** A column whose top value covers at least this share of its non-missing cells is near-constant. */
export const NEAR_CONSTANT_FRACTION = 0.99;
/** Numeric inputs whose standard deviations differ by more than this factor are "on very different scales". */
export const SCALE_RATIO_LIMIT = 100;

/**
 * Summarizes every column: inferred type, missing cells, distinct values, constant and near-constant columns,
 * identifier-like columns, and numeric statistics; and checks whether numeric inputs are on very different
 * scales (largest std / smallest std > SCALE_RATIO_LIMIT), which calls for standardization.
 */
export function summarizeColumns(data: AuditData): { columns: ColumnSummary[]; scales: ScaleCheck | null } {
  const n = data.rows.length;
  const columns = data.columns.map((name, c): ColumnSummary => {
    const { missing, distinct, topValue, topCount } = valueCounts(data, c);
    const present = n - missing;
    const topFraction = present > 0 ? topCount / present : 0;
    const summary: ColumnSummary = {
      name,
      role: c === data.targetIndex ? "target" : "input",
      type: data.profiles[c]!.kind,
      type_reason: data.profiles[c]!.reason,
      missing,
      missing_fraction: n > 0 ? missing / n : 0,
      distinct,
      top_value: topValue,
      top_fraction: topFraction,
      constant: distinct <= 1,
      near_constant: distinct > 1 && topFraction >= NEAR_CONSTANT_FRACTION,
    };
    if (c !== data.targetIndex) {
      const reason = identifierReason(data, c);
      if (reason) summary.identifier_like = reason;
    }
    if (data.numeric[c]) {
      const v = data.values[c]!;
      let count = 0;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < n; i++) {
        if (Number.isNaN(v[i]!)) continue;
        count++;
        if (v[i]! < min) min = v[i]!;
        if (v[i]! > max) max = v[i]!;
      }
      if (count > 0) {
        // computed on values divided by the largest magnitude, so that huge values (1e300) give a finite
        // mean and std instead of overflowing
        const s = Math.max(Math.abs(min), Math.abs(max)) || 1;
        let sum = 0;
        for (let i = 0; i < n; i++) if (!Number.isNaN(v[i]!)) sum += v[i]! / s;
        const mean = sum / count;
        let ss = 0;
        for (let i = 0; i < n; i++) if (!Number.isNaN(v[i]!)) ss += (v[i]! / s - mean) ** 2;
        Object.assign(summary, { mean: mean * s, std: Math.sqrt(ss / count) * s, min, max });
      }
    }
    return summary;
  });

  const spread = columns.filter(
    (s, c) => s.role === "input" && data.numeric[c] && s.type !== "datetime" && !s.constant && s.std! > 0,
  );
  let scales: ScaleCheck | null = null;
  if (spread.length >= 2) {
    const largest = spread.reduce((a, b) => (b.std! > a.std! ? b : a));
    const smallest = spread.reduce((a, b) => (b.std! < a.std! ? b : a));
    const ratio = largest.std! / smallest.std!;
    const flagged = ratio > SCALE_RATIO_LIMIT;
    scales = {
      largest: { column: largest.name, std: largest.std! },
      smallest: { column: smallest.name, std: smallest.std! },
      ratio,
      flagged,
      recommendation: flagged
        ? `numeric inputs are on very different scales (std of "${largest.name}" is ${formatRatio(ratio)} times that ` +
          `of "${smallest.name}"): standardize them (subtract the training mean, divide by the training std)`
        : null,
    };
  }
  return { columns, scales };
}

/**
 * Missing cells, distinct values and the most frequent value of a column (numbers compared by value, the
 * smallest of equally frequent values wins; text by exact trimmed text, the first in code-point order wins).
 */
function valueCounts(
  data: AuditData,
  c: number,
): { missing: number; distinct: number; topValue: string | null; topCount: number } {
  const n = data.rows.length;
  const counts = new Map<string, number>();
  const numbers: number[] = [];
  let missing = 0;
  for (let i = 0; i < n; i++) {
    if (data.missing[c]![i]) missing++;
    else if (data.numeric[c] && !Number.isNaN(data.values[c]![i]!)) numbers.push(data.values[c]![i]!);
    else counts.set(data.rows[i]![c]!, (counts.get(data.rows[i]![c]!) ?? 0) + 1);
  }
  let topValue: string | null = null;
  let topCount = 0;
  for (const [value, count] of counts) {
    if (count > topCount || (count === topCount && topValue !== null && value < topValue)) {
      topValue = value;
      topCount = count;
    }
  }
  let distinct = counts.size;
  const sorted = Float64Array.from(numbers).sort();
  for (let start = 0; start < sorted.length; ) {
    let end = start + 1;
    while (end < sorted.length && sorted[end] === sorted[start]) end++;
    distinct++;
    if (end - start > topCount) {
      topCount = end - start;
      topValue = String(sorted[start]);
    }
    start = end;
  }
  return { missing, distinct, topValue, topCount };
}

function formatRatio(r: number): string {
  return r >= 1e4 ? r.toExponential(1) : r.toFixed(0);
}
