/**
 * healthy: no rule found a problem of medium or high severity. The verdict says what the run reached and
 * proposes the recipe's next tuning step (§7.4 / §12: grow capacity until slight overfitting appears, then
 * regularize), unless a low-severity finding already proposes something.
 *
 * It is not a rule of its own: the diagnosis adds it after the others (see diagnose.ts), severity info,
 * confidence 1 minus the largest confidence among the low findings (a clean run is sure; one with
 * contained issues less so).
 */
import { planned } from "../actions.js";
import type { Finding } from "../finding.js";
import type { RuleFinding } from "../rule.js";
import { metricSeries, type RunFacts } from "../run-facts.js";
import { round2, sig } from "../statistics.js";

export function healthyFinding(f: RunFacts, others: readonly Finding[]): RuleFinding {
  const evidence: Record<string, number | null> = {
    epochs: f.epochs,
    best_epoch: f.best?.epoch ?? null,
    val_loss_at_best: sig(f.best?.val),
    train_loss_last: sig(f.train[f.train.length - 1]),
  };
  const monitorSeries = metricSeries(f, f.record.monitor);
  if (f.record.monitor !== "val_loss" && monitorSeries.length) {
    const finite = monitorSeries.filter(Number.isFinite);
    evidence[f.record.monitor] = sig(finite[finite.length - 1]);
  }
  const hidden = planned(f.record, "hidden") ?? [256, 256];
  const proposesSomething = others.some((o) => o.actions.some((a) => a.command));
  return {
    severity: "info",
    confidence: round2(1 - Math.max(0, ...others.map((o) => o.confidence)) / 2),
    evidence,
    explanation:
      `training and validation loss fell together` +
      (f.best ? ` (best validation loss ${sig(f.best.val)} at epoch ${f.best.epoch})` : "") +
      "; nothing needs fixing",
    actions: proposesSomething
      ? []
      : [
          {
            change: { hidden: [...(hidden.length ? hidden : [64]), hidden[hidden.length - 1] ?? 64] },
            why: "§7.4/§12: tune capacity: add a layer until slight overfitting appears, then regularize",
          },
        ],
  };
}
