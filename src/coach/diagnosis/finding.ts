/**
 * What the diagnosis says about a run: findings, most important first, each naming one symptom from a
 * fixed vocabulary, how serious and how sure it is, the numbers behind it, a sentence, and ranked actions
 * (changes of `nncoach train` options, each with its reason from the recipe and the command to run).
 *
 * @example
 * {
 *   symptom: "overfitting", severity: "high", confidence: 0.9,
 *   evidence: { best_epoch: 12, train_loss: 0.05, val_loss_at_best: 0.31, val_loss_last: 0.52 },
 *   explanation: "validation loss rose for 18 epochs after epoch 12 while training loss kept falling",
 *   actions: [{ change: { "weight-decay": 1e-4 }, why: "...", command: "nncoach train ... --weight-decay 1e-4" }],
 * }
 */

/**
 * Every symptom the diagnosis can name, in the order findings of equal severity are ranked: what went
 * wrong with the run as a whole first (it diverged or was unstable; unscaled inputs, which cause both, ahead
 * of them), then causes before the symptoms they produce (a learning rate far off makes a run stuck at
 * chance; imbalance makes accuracy sit at the majority rate), data problems before training dynamics, and
 * the generic verdicts (stuck, not learning, over/underfitting) after the specific ones.
 */
export const SYMPTOMS = [
  "unnormalized_inputs",
  "diverged",
  "unstable_training",
  "leakage",
  "duplicates_across_splits",
  "lr_too_high",
  "lr_too_low",
  "exploding_gradients",
  "vanishing_gradients",
  "saturated_activations",
  "dead_relus",
  "loss_spikes",
  "class_imbalance",
  "stuck_at_chance",
  "not_learning",
  "overfitting",
  "underfitting",
  "metric_mismatch",
  "label_noise",
  "too_little_data",
  "slow_training",
  "healthy",
] as const;
export type Symptom = (typeof SYMPTOMS)[number];

/**
 * high: the run's result cannot be trusted or is far from what it could be; medium: a real problem worth
 * the next run; low: worth knowing, or already contained (e.g. overfitting that early stopping cut off);
 * info: a fact, not a problem (the "healthy" verdict).
 */
export type Severity = "high" | "medium" | "low" | "info";
export const SEVERITIES: readonly Severity[] = ["high", "medium", "low", "info"];

/** A value of a changed option: the option's value as it would be written on the command line. */
export type OptionValue = string | number | boolean | number[];

/** One thing to try, as a change of `nncoach train` options (kebab-case flag names, without dashes). */
export interface Action {
  /** Options to set, e.g. { "weight-decay": 1e-4 }; empty for a step outside training (fix the data). */
  change: Record<string, OptionValue>;
  /** Why, in the recipe's words (its checklists, §8 and §14). */
  why: string;
  /** The base command with the changed flags replaced or added; absent when `change` is empty. */
  command?: string;
}

export type EvidenceValue = number | string | boolean | null | number[] | string[] | Record<string, number>;

export interface Finding {
  symptom: Symptom;
  severity: Severity;
  /** How sure the rule is, in [0, 1]: 0.5 at its threshold, towards 1 as the evidence grows (see confidence.ts). */
  confidence: number;
  /** The numbers the rule read (snake_case keys), so that a reader can check the verdict. */
  evidence: Record<string, EvidenceValue>;
  /** One sentence: what the run did that shows the symptom. */
  explanation: string;
  /** Ranked: the first is the one change to try next. */
  actions: Action[];
}
