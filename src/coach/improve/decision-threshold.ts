/**
 * The decision threshold for a binary task judged by F1 (RECIPE.md §4: with imbalanced classes, 0.5 is
 * rarely the threshold that balances precision and recall). Tuned on validation rows only: the
 * probabilities of class 1 that the chosen configuration gave on every evaluation unit's validation rows,
 * pooled per unit; the threshold (on a 0.01 grid) that maximizes the mean F1 over units wins. The test
 * rows then use it once.
 */
import { f1Score } from "../../nn/metrics/precision-recall-f1.js";

export interface ValidationScores {
  /** P(class 1) of each validation row. */
  p: number[];
  /** Its label (0 or 1). */
  y: number[];
}

/** F1 of class 1 when rows with p >= threshold are called class 1. */
export function f1At(s: ValidationScores, threshold: number): number {
  const pred = Int32Array.from(s.p, (v) => (v >= threshold ? 1 : 0));
  return f1Score(Int32Array.from(s.y), pred, { average: "binary" });
}

export function tuneThreshold(units: ValidationScores[]): {
  threshold: number;
  f1: number;
  f1AtHalf: number;
} {
  const meanF1 = (t: number) => units.reduce((a, u) => a + f1At(u, t), 0) / Math.max(1, units.length);
  let best = { threshold: 0.5, f1: meanF1(0.5) };
  for (let i = 1; i < 100; i++) {
    const t = i / 100;
    const f = meanF1(t);
    // ties go to the threshold nearest 0.5
    if (
      f > best.f1 + 1e-12 ||
      (Math.abs(f - best.f1) <= 1e-12 && Math.abs(t - 0.5) < Math.abs(best.threshold - 0.5))
    )
      best = { threshold: t, f1: f };
  }
  return { ...best, f1AtHalf: meanF1(0.5) };
}

/** P(class 1) per row from a binary model's outputs (one sigmoid column, or two softmax columns). */
export function positiveScores(output: ArrayLike<number>, n: number): number[] {
  const cols = output.length / n;
  return Array.from({ length: n }, (_, i) =>
    cols === 1 ? (output[i] as number) : (output[i * cols + 1] as number),
  );
}
