/**
 * healthy: no rule found a problem of medium or high severity. The verdict says what the run reached and
 * proposes the recipe's next tuning step (§7.4 / §12: grow capacity until slight overfitting appears, then
 * regularize: one more hidden layer, or for a CNN one more conv block per stage), unless a low-severity
 * finding already proposes something.
 *
 * It is not a rule of its own: the diagnosis adds it after the others (see diagnose.ts), severity info,
 * confidence 1 minus the largest confidence among the low findings (a clean run is sure; one with
 * contained issues less so).
 */
import { planned } from "../actions.js";
import type { Finding, OptionValue } from "../finding.js";
import { isCnn } from "../remedies.js";
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
  const hidden = planned(f.record, "hidden") ?? (f.record.data.kind === "text" ? [] : [256, 256]);
  const proposesSomething = others.some((o) => o.actions.some((a) => a.command));
  // a CNN grows by conv blocks per stage; an MLP or text model by a hidden layer
  const grow: Record<string, OptionValue> = isCnn(f)
    ? { depth: (planned(f.record, "depth") ?? 1) + 1 }
    : { hidden: hidden.length ? [...hidden, hidden[hidden.length - 1]!] : [64] };
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
            change: grow,
            why: "§7.4/§12: tune capacity: add a layer until slight overfitting appears, then regularize",
          },
        ],
  };
}
