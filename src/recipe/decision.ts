/**
 * A decision of the recipe: which value a setting of a run got, by which rule, and why. Every choice the
 * planner makes (a default kept, a default adapted to the data, the user's value honoured) is one record,
 * printed by `nncoach train`, included in `--json` as `decisions` and saved with the run, never only a
 * sentence in a log. The shape matches the audit's findings: a key, a value, the rule, a reason.
 *
 * - source "user": the user set it (command line or config file); the rule names the option;
 * - source "default": the recipe's default (RECIPE.md §11) applies unchanged;
 * - source "recipe": a rule adapted the default to the data (e.g. the monitored metric for imbalanced
 *   classes, the learning rate scaled with a large batch).
 */
export type DecisionSource = "user" | "default" | "recipe";

export interface Decision {
  /** The setting, as a `nncoach train` option name in camelCase (e.g. "lr", "monitor", "model"). */
  key: string;
  value: unknown;
  /** Short name of the rule that made it (e.g. "imbalance-monitor", "recipe-default", "user"). */
  rule: string;
  /** One sentence: why, with the numbers that triggered it. */
  reason: string;
  source: DecisionSource;
}

/** A one-line rendering: `lr = 0.002 (recipe: batch size 128 > 64: ...)`. */
export function formatDecision(d: Decision): string {
  const v = typeof d.value === "string" ? d.value : JSON.stringify(d.value);
  return `${d.key} = ${v} (${d.source}${d.source === "user" ? "" : `, ${d.rule}`}: ${d.reason})`;
}
