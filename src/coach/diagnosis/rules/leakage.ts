/**
 * leakage: an input column gives the target away.
 *
 * Reads the fast audit's leakage suspects (src/data/audit/leakage.ts: a column that alone predicts the
 * target on held-out rows with score >= 0.95, a monotone copy of a regression target, a one-to-one
 * value/class mapping, an identifier that encodes the label). The run adds its own evidence: the best
 * validation accuracy, ROC-AUC or R² it reached.
 *
 * Severity high when the run confirms it (a best validation accuracy, ROC-AUC or R² of at least
 * NEAR_PERFECT, 0.99: the model found the shortcut), else medium. Confidence: the suspect's one-column score.
 * Actions (§2 "Remove leakage", §9 "data leakage"): drop the suspected columns (`--drop`).
 */

import type { Rule, RuleFinding } from "../rule.js";
import { metricSeries } from "../run-facts.js";
import { round2, sig } from "../statistics.js";

export const NEAR_PERFECT = 0.99;

export const leakage: Rule = {
  symptom: "leakage",
  duringTraining: false,
  check(f): RuleFinding | undefined {
    const suspects = f.record.audit?.leakage ?? [];
    if (suspects.length === 0) return undefined;
    const best = (name: string) => {
      const s = metricSeries(f, name).filter(Number.isFinite);
      return s.length ? Math.max(...s) : Number.NaN;
    };
    const scores = ["val_accuracy", "val_roc_auc", "val_r2"].map(best).filter(Number.isFinite);
    const top = scores.length ? Math.max(...scores) : Number.NaN;
    const confirmed = top >= NEAR_PERFECT;
    const cols = suspects.map((s) => s.column);
    return {
      severity: confirmed ? "high" : "medium",
      confidence: round2(Math.min(0.99, Math.max(0.5, suspects[0]!.score))),
      evidence: {
        columns: cols,
        scores: suspects.map((s) => sig(s.score) ?? 0),
        reasons: suspects.map((s) => `${s.column}: ${s.reasons.join("; ")}`),
        best_val_score: sig(top),
      },
      explanation:
        `column${cols.length > 1 ? "s" : ""} ${cols.map((c) => `"${c}"`).join(", ")} ` +
        `predict${cols.length > 1 ? "" : "s"} the target on ${cols.length > 1 ? "their" : "its"} own (${suspects[0]!.reasons[0]})` +
        (confirmed ? `, and the model reached ${sig(top)} on validation` : ""),
      actions: [
        {
          change: { drop: cols.join(",") },
          why: "§2/§9: remove leakage; keep a column only if it is known at prediction time",
        },
      ],
    };
  },
};
