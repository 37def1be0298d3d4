/**
 * Shared wording for "the model learns nothing" findings (not_learning, stuck_at_chance): §14 lists the
 * usual causes, a learning rate that is too low or too high, wrong or shuffled labels, inputs that were
 * not normalized, and a poor initialization; the actions try them in the order the run's own numbers point
 * to (the update ratios tell which way the learning rate is off).
 */
import type { ActionDraft } from "../actions.js";
import { planned } from "../actions.js";
import { fastestEarlyRatio, medianEarlyRatio } from "../curve-shape.js";
import { lowerLrToBand, raiseLr, raiseLrToBand, setting } from "../remedies.js";
import type { RunFacts } from "../run-facts.js";
import { UNSTABLE_RATIO } from "./lr-too-high.js";
import { LOW_RATIO } from "./lr-too-low.js";

export function stuckActions(f: RunFacts, symptom: string): ActionDraft[] {
  const out: ActionDraft[] = [];
  const fast = fastestEarlyRatio(f);
  const mid = medianEarlyRatio(f);
  if (fast && fast.ratio < LOW_RATIO)
    out.push(raiseLrToBand(f, `§14 ${symptom}: the learning rate is too low (tiny updates); raise it`));
  else if (mid > UNSTABLE_RATIO)
    out.push(lowerLrToBand(f, `§14 ${symptom}: the learning rate is too high (large updates); lower it`, 10));
  if (f.record.data.standardization === "none")
    out.push({
      change: { standardize: "standard" },
      why: `§14 ${symptom}: missing normalization; standardize the inputs (§1)`,
    });
  const target = f.record.data.target ?? (planned(f.record, "target") as string | undefined);
  const data = f.record.data.source ?? (planned(f.record, "data") as string | undefined);
  out.push({
    change: {},
    why:
      `§14 ${symptom}: check the labels (wrong or shuffled labels, features and labels out of step)` +
      (data ? `: nncoach audit ${data}${target ? ` --target ${target}` : ""} ranks suspicious rows` : ""),
  });
  const act = setting(f.record, "activation");
  if (act === "sigmoid" || act === "tanh")
    out.push({
      change: { activation: "relu" },
      why: `§14 ${symptom}: initialization and activations: ReLU with He init`,
    });
  if (!out.some((a) => "lr" in a.change))
    out.push(raiseLr(f, `§7.2 train flat: raise the learning rate a bit`, 3));
  return out;
}
