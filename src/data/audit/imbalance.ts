import { balancedClassWeights, imbalanceRatio } from "../imbalance.js";
import type { AuditData, SplitName } from "./audit-data.js";

/** Class counts and what to do about a skewed class distribution. */
export interface ImbalanceReport {
  classes: { name: string; count: number; fraction: number }[];
  /** Class counts in each split (the user's files, or the seeded split). */
  per_split: Partial<Record<SplitName, Record<string, number>>>;
  majority: string;
  minority: string;
  /** Rows of the largest class / rows of the smallest class (see imbalanceRatio). */
  ratio: number;
  /** Class weights that make every class count equally in the loss (scikit-learn's "balanced"; see balancedClassWeights). */
  balanced_class_weights: Record<string, number>;
  /** "balanced" below MODERATE_IMBALANCE, "moderate" up to SEVERE_IMBALANCE, "severe" from there. */
  severity: "balanced" | "moderate" | "severe";
  recommendation: string | null;
  /** Classes with fewer than MIN_ROWS_PER_CLASS rows. */
  rare_classes: string[];
}

/** Imbalance ratio from which the audit recommends imbalance-aware metrics and training. */
export const MODERATE_IMBALANCE = 3;
/** Imbalance ratio from which the imbalance is called severe. */
export const SEVERE_IMBALANCE = 10;
/** A class with fewer rows than this cannot be spread over train/validation/test and 5 folds reliably. */
export const MIN_ROWS_PER_CLASS = 10;

/**
 * Counts rows per class (rows with a missing target are not counted) overall and per split, computes the
 * imbalance ratio (largest class / smallest class) and, from MODERATE_IMBALANCE, recommends metrics that
 * are not fooled by the majority class and training that weights the classes. Null for regression.
 */
export function auditImbalance(data: AuditData): ImbalanceReport | null {
  if (data.task !== "classification" || data.classes.length === 0) return null;
  return classImbalance(
    data.classes,
    data.labels,
    data.refs.map((r) => r.split),
  );
}

/**
 * The imbalance report of class-labeled items (see auditImbalance).
 * @param classes class names
 * @param labels class index of each item (-1: no label, not counted)
 * @param splits the split of each item
 */
export function classImbalance(
  classes: readonly string[],
  labels: ArrayLike<number>,
  splits: readonly SplitName[],
): ImbalanceReport | null {
  if (classes.length === 0) return null;
  const counts = new Array<number>(classes.length).fill(0);
  const perSplit: Partial<Record<SplitName, Record<string, number>>> = {};
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i]!;
    if (k < 0) continue;
    counts[k]!++;
    total++;
    const split = splits[i]!;
    let bucket = perSplit[split];
    if (!bucket) {
      bucket = Object.fromEntries(classes.map((name) => [name, 0]));
      perSplit[split] = bucket;
    }
    bucket[classes[k]!]!++;
  }
  let majority = 0;
  let minority = 0;
  counts.forEach((c, k) => {
    if (c > counts[majority]!) majority = k;
    if (c < counts[minority]!) minority = k;
  });
  const ratio = total > 0 ? imbalanceRatio(counts) : 1;
  const weights = total > 0 ? balancedClassWeights(counts) : counts.map(() => 1);
  const severity =
    ratio >= SEVERE_IMBALANCE ? "severe" : ratio >= MODERATE_IMBALANCE ? "moderate" : "balanced";
  const recommendation =
    severity === "balanced"
      ? null
      : `classes are imbalanced (${classes[majority]}: ${counts[majority]} rows, ` +
        `${classes[minority]}: ${counts[minority]} rows, ratio ${ratio.toFixed(1)}): judge models by macro-F1, ` +
        `ROC-AUC or PR-AUC rather than accuracy (always predicting "${classes[majority]}" scores ` +
        `${((100 * counts[majority]!) / total).toFixed(1)}% accuracy), and train with class weights ` +
        `(inverse class frequency) or a class-balanced sampler`;
  return {
    classes: classes.map((name, k) => ({
      name,
      count: counts[k]!,
      fraction: total > 0 ? counts[k]! / total : 0,
    })),
    per_split: perSplit,
    majority: classes[majority]!,
    minority: classes[minority]!,
    ratio,
    balanced_class_weights: Object.fromEntries(classes.map((name, k) => [name, weights[k]!])),
    severity,
    recommendation,
    rare_classes: classes.filter((_, k) => counts[k]! < MIN_ROWS_PER_CLASS),
  };
}
