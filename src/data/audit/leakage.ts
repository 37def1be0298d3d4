import { Random } from "../../util/random.js";
import { type AuditData, rowsWithTarget } from "./audit-data.js";
import { randomFoldIndex, stratifiedFoldIndex } from "./fold-index.js";
import { identifierReason } from "./identifier-like.js";
import { spearman } from "./rank-correlation.js";
import { type SingleColumnScore, singleColumnScore } from "./single-column-score.js";

/** A column suspected of leaking the target into the inputs. */
export interface LeakageSuspect {
  column: string;
  /** The column's held-out one-column score in [0, 1] (see SingleColumnScore). */
  score: number;
  metric: SingleColumnScore["metric"];
  /** Why it is suspected, in words. */
  reasons: string[];
  /** Regression, numeric columns: Spearman rank correlation with the target. */
  spearman?: number;
}

/** A column whose one-column held-out score reaches this predicts the target "almost perfectly" on its own. */
export const LEAKAGE_SCORE = 0.95;
/** |Spearman| at or above this marks a numeric column as a copy or monotone transform of a regression target. */
export const MONOTONE_SPEARMAN = 0.99;
/** An identifier-like column scoring at least this (or |Spearman| this high) is suspected. */
export const IDENTIFIER_SCORE = 0.3;
/** Share of rows whose class must match their value's class for a one-to-one value/class mapping. */
export const ONE_TO_ONE_PURITY = 0.99;
/** Folds of the held-out scoring. */
export const LEAKAGE_FOLDS = 5;
/** Most rows the column scores use (a seeded sample beyond this; enough to see a leak, and quick). */
export const MAX_SCORED_ROWS = 20_000;

/**
 * Looks for target leakage, one input column at a time:
 * - a column that alone predicts the target on held-out rows with score >= LEAKAGE_SCORE
 *   (see singleColumnScore; 5-fold, stratified for classification);
 * - regression: a numeric column whose Spearman correlation with the target is >= MONOTONE_SPEARMAN in
 *   absolute value (a copy or monotone transform of the target);
 * - classification: a column with exactly one value per class, each value's rows (>= ONE_TO_ONE_PURITY)
 *   carrying its class;
 * - an identifier-like column (see identifierReason) that predicts the target
 *   with score (or |Spearman|) >= IDENTIFIER_SCORE: rows ordered by target, or ids that encode the label.
 *
 * Beyond MAX_SCORED_ROWS labeled rows, a seeded sample of that many is scored.
 *
 * @returns the suspects ranked by score (highest first), and every input column's score, ranked.
 */
export function auditLeakage(
  data: AuditData,
  seed: number,
): { suspects: LeakageSuspect[]; scores: SingleColumnScore[] } {
  const labeled = rowsWithTarget(data);
  if (labeled.length < 2 * LEAKAGE_FOLDS) return { suspects: [], scores: [] };
  const rows =
    labeled.length <= MAX_SCORED_ROWS
      ? labeled
      : Random.derive(seed, "audit-leakage-sample")
          .shuffle([...labeled])
          .slice(0, MAX_SCORED_ROWS)
          .sort((a, b) => a - b);
  const folds =
    data.task === "classification"
      ? stratifiedFoldIndex(
          rows.map((i) => data.labels[i]!),
          LEAKAGE_FOLDS,
          seed,
        )
      : randomFoldIndex(rows.length, LEAKAGE_FOLDS, seed);
  const scores: SingleColumnScore[] = [];
  const suspects: LeakageSuspect[] = [];
  for (const c of data.featureIndices) {
    const result = singleColumnScore(data, c, rows, folds);
    scores.push(result);
    const reasons: string[] = [];
    const suspect: LeakageSuspect = {
      column: result.column,
      score: result.score,
      metric: result.metric,
      reasons,
    };
    const scoreText =
      result.metric === "r2"
        ? `held-out R^2 ${fmt(result.score)}`
        : `held-out balanced-accuracy skill ${fmt(result.score)}`;
    if (result.score >= LEAKAGE_SCORE)
      reasons.push(`predicts the target almost perfectly on its own (${scoreText})`);
    let rho = Number.NaN;
    if (data.task === "regression" && data.numeric[c]) {
      rho = rankCorrelation(data, c, rows);
      if (!Number.isNaN(rho)) suspect.spearman = rho;
      if (Math.abs(rho) >= MONOTONE_SPEARMAN) {
        reasons.push(`looks like a copy or monotone transform of the target (Spearman ${fmt(rho)})`);
      }
    }
    if (data.task === "classification") {
      const mapping = oneToOneMapping(data, c, rows);
      if (mapping) reasons.push(mapping);
    }
    const identifier = identifierReason(data, c);
    if (identifier && (result.score >= IDENTIFIER_SCORE || Math.abs(rho) >= IDENTIFIER_SCORE)) {
      reasons.push(
        `is identifier-like (${identifier}) yet predicts the target (${scoreText}` +
          `${Number.isNaN(rho) ? "" : `, Spearman ${fmt(rho)}`}): rows may be ordered by target or ids encode the label`,
      );
    }
    if (reasons.length > 0) suspects.push(suspect);
  }
  const byScore = <T extends { score: number; column: string }>(a: T, b: T) => b.score - a.score;
  return { suspects: suspects.sort(byScore), scores: scores.sort(byScore) };
}

function rankCorrelation(data: AuditData, c: number, rows: readonly number[]): number {
  const x: number[] = [];
  const y: number[] = [];
  for (const i of rows) {
    const v = data.values[c]![i]!;
    if (Number.isNaN(v)) continue;
    x.push(v);
    y.push(data.targetValues[i]!);
  }
  return spearman(x, y);
}

/** A description when the column's values map one-to-one to the classes, else undefined. */
function oneToOneMapping(data: AuditData, c: number, rows: readonly number[]): string | undefined {
  const classes = data.classes.length;
  const counts = new Map<string, Float64Array>();
  let present = 0;
  for (const i of rows) {
    if (data.missing[c]![i]) continue;
    const key = data.numeric[c] ? String(data.values[c]![i]) : data.rows[i]![c]!;
    let perClass = counts.get(key);
    if (!perClass) {
      perClass = new Float64Array(classes);
      counts.set(key, perClass);
      if (counts.size > classes) return undefined;
    }
    perClass[data.labels[i]!]!++;
    present++;
  }
  if (classes < 2 || counts.size !== classes || present < rows.length / 2) return undefined;
  const claimed = new Set<number>();
  let agree = 0;
  for (const perClass of counts.values()) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (perClass[k]! > perClass[best]!) best = k;
    claimed.add(best);
    agree += perClass[best]!;
  }
  if (claimed.size !== classes || agree < ONE_TO_ONE_PURITY * present) return undefined;
  return `its ${classes} values map one-to-one to the ${classes} classes (${fmt(agree / present)} of rows agree)`;
}

function fmt(v: number): string {
  return v.toFixed(3);
}
