import type { DataKind } from "../train/config-options.js";

/**
 * What the planner knows about prepared data: enough to choose a model, loss, metric and schedule,
 * nothing that would let it look at test rows. Made by the preparation of each data kind.
 */
export interface DataSummary {
  kind: DataKind;
  task: "classification" | "regression";
  /** How the task was settled (the user's --task, or what the target column holds). */
  taskReason: string;
  /** Class names (classification), in output order. */
  classes: string[];
  /** Training rows per class (classification). */
  classCounts: number[];
  trainRows: number;
  valRows: number;
  /** Sealed test rows (their count only). */
  testRows: number;
  /** The shape of one input row as the model sees it, e.g. [13] or [1, 28, 28]. */
  inputShape: number[];
  /** Text data: how the texts are read ("words" or "chars" n-grams) and why. */
  text?: { mode: "words" | "chars"; medianWords: number; vocab: number; maxTokens: number };
}

/** Largest class count over the smallest (1 for regression or a single class). */
export function imbalanceOf(s: DataSummary): number {
  if (s.task !== "classification" || s.classCounts.length < 2) return 1;
  const min = Math.min(...s.classCounts.filter((c) => c > 0));
  let max = 0;
  for (const c of s.classCounts) if (c > max) max = c;
  return min > 0 ? max / min : Number.POSITIVE_INFINITY;
}
