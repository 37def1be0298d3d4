/**
 * The recipe's tuning plan (RECIPE.md §12) as steps, each a set of candidate changes of ONE option
 * against the current best configuration. A step either proposes candidates or says why it cannot help
 * (skipped, with the reason). The order follows the recipe and is steered by the diagnosis of the
 * current best run (see orderSteps).
 *
 * | step             | candidates                                                                   |
 * | ---------------- | ---------------------------------------------------------------------------- |
 * | learning_rate    | the LR finder's suggestion and {1e-4, 3e-4, 1e-3, 3e-3}, minus the current   |
 * | schedule         | plateau against cosine (both with the warm-up)                               |
 * | batch_size       | twice the batch (the planner scales the LR with it); kept when faster, mean not lower |
 * | normalization    | batch norm, layer norm (MLPs and text), batch norm (CNNs)                      |
 * | capacity         | one more layer, then twice the width, until two increments in a row fail     |
 * | weight_decay     | 0 and ten times the current (AdamW's decoupled decay)                        |
 * | dropout          | 0 and 0.1 more than the current                                              |
 * | augmentation     | the kind's mild default (tables: noise, images: shifts and small rotations, audio: SpecAugment, text: n-gram dropout) |
 * | label_smoothing  | 0 and 0.1 (classification)                                                   |
 * | optimizer        | SGD with Nesterov momentum at its own best LR in {0.01, 0.03, 0.1}           |
 * | transfer         | fine-tuning the whole pretrained network after the head (with --pretrained)  |
 */

import type { AuditReport } from "../../data/audit/audit-report.js";
import type { PreparedData } from "../../recipe/prepared-data.js";
import type { RunPlan } from "../../recipe/run-plan.js";
import type { Finding } from "../diagnosis/finding.js";
import type { Options } from "./trial.js";

export const LR_GRID = [1e-4, 3e-4, 1e-3, 3e-3];
export const SGD_LRS = [0.01, 0.03, 0.1];

export interface Candidate {
  change: Options;
}

export interface StepContext {
  data: PreparedData;
  /** The current best's plan (on the first evaluation unit). */
  plan: RunPlan;
  options: Options;
  lrSuggestion?: number;
  /** The audit's likely mislabeled rows (data row numbers), or why there are none to try. */
  labelIssues?: { rows: number[] } | { none: string };
}

export interface StepDef {
  name: string;
  /** Candidates, or the reason the step cannot help. */
  candidates(ctx: StepContext): Candidate[] | { skip: string };
  /** Capacity: increments one at a time from the last kept one. */
  sequential?: boolean;
  /** Batch size: kept when faster and the paired mean metric is not lower (not when better). */
  speed?: boolean;
}

const near = (a: number, b: number) => Math.abs(Math.log(a / b)) < 0.1;

function hiddenOf(plan: RunPlan): number[] | undefined {
  const m = plan.model;
  return m.type === "pretrained" ? undefined : m.hidden;
}

/** The kind's mild augmentation (RECIPE.md §2), or why there is none. */
export function defaultAugmentation(data: PreparedData): string | undefined {
  switch (data.kind) {
    case "table":
      return "noise:0.05";
    case "images": {
      const side = Math.min(data.inputShape[1] ?? 0, data.inputShape[2] ?? 0);
      return `crop:${side >= 16 ? 2 : 1},rotate:10`;
    }
    case "audio":
      return "specaugment";
    case "text":
      return "drop:0.1";
  }
}

export const STEPS: StepDef[] = [
  {
    name: "learning_rate",
    candidates({ plan, lrSuggestion }) {
      const lrs = [...(lrSuggestion ? [lrSuggestion] : []), ...LR_GRID].filter(
        (lr, i, all) => !near(lr, plan.optimizer.lr) && all.findIndex((o) => near(o, lr)) === i,
      );
      return lrs.map((lr) => ({ change: { lr: Number(lr.toPrecision(2)) } }));
    },
  },
  {
    name: "schedule",
    candidates({ plan }) {
      if (/^plateau/.test(plan.schedule)) return { skip: "the schedule is already plateau" };
      return [{ change: { schedule: "plateau" } }];
    },
  },
  {
    name: "batch_size",
    speed: true,
    candidates({ plan, data }) {
      const b = plan.batchSize * 2;
      if (b > data.train.n / 4)
        return { skip: `a batch of ${b} would leave fewer than 4 steps per epoch on ${data.train.n} rows` };
      return [{ change: { batchSize: b } }];
    },
  },
  {
    name: "normalization",
    candidates({ plan }) {
      const m = plan.model;
      if (m.type === "pretrained") return { skip: "the pretrained network keeps its own normalization" };
      const options = m.type === "cnn" ? ["batch"] : ["batch", "layer"];
      const c = options.filter((n) => n !== m.norm);
      return c.length ? c.map((norm) => ({ change: { norm } })) : { skip: `already uses ${m.norm} norm` };
    },
  },
  {
    name: "capacity",
    sequential: true,
    candidates({ plan }) {
      const m = plan.model;
      if (m.type === "pretrained") return { skip: "capacity is the pretrained network's" };
      if (m.type === "cnn")
        return [{ change: { depth: m.depth + 1 } }, { change: { widths: m.widths.map((w) => w * 2) } }];
      const h = hiddenOf(plan) ?? [];
      const last = h[h.length - 1] ?? 64;
      return [
        { change: { hidden: [...h, last] } },
        { change: { hidden: (h.length ? h : [64]).map((u) => u * 2) } },
      ];
    },
  },
  {
    name: "weight_decay",
    candidates({ plan }) {
      const wd = plan.optimizer.weightDecay;
      return [0, wd > 0 ? Math.min(0.1, wd * 10) : 1e-4]
        .filter((v, i, a) => v !== wd && a.indexOf(v) === i)
        .map((weightDecay) => ({ change: { weightDecay } }));
    },
  },
  {
    name: "dropout",
    candidates({ plan }) {
      const p = plan.model.dropout;
      return [0, Math.min(0.5, Math.round((p + 0.1) * 10) / 10)]
        .filter((v, i, a) => v !== p && a.indexOf(v) === i)
        .map((dropout) => ({ change: { dropout } }));
    },
  },
  {
    name: "augmentation",
    candidates({ plan, data }) {
      if (plan.augment) return { skip: `already augments (${plan.augment})` };
      const a = defaultAugmentation(data);
      return a ? [{ change: { augment: a } }] : { skip: `no augmentation for ${data.kind}` };
    },
  },
  {
    name: "label_smoothing",
    candidates({ plan }) {
      if (plan.task !== "classification") return { skip: "label smoothing is for classification" };
      const ls = plan.loss.labelSmoothing;
      return [0, 0.1].filter((v) => v !== ls).map((labelSmoothing) => ({ change: { labelSmoothing } }));
    },
  },
  {
    name: "label_issues",
    candidates({ labelIssues, options }) {
      if (!labelIssues) return { skip: "the audit has no label check for this kind of data" };
      if ("none" in labelIssues) return { skip: labelIssues.none };
      if (Array.isArray(options.excludeRows) && options.excludeRows.length)
        return { skip: "already leaves rows out (--exclude-rows)" };
      // kept only if validation improves: the rows stay in every validation set, so the comparison is paired
      return [{ change: { excludeRows: labelIssues.rows } }];
    },
  },
  {
    name: "optimizer",
    candidates({ plan }) {
      if (plan.optimizer.name === "nesterov" || plan.optimizer.name === "sgd")
        return { skip: `already ${plan.optimizer.name}` };
      return SGD_LRS.map((lr) => ({ change: { optimizer: "nesterov", lr } }));
    },
  },
  {
    name: "transfer",
    candidates({ plan }) {
      const m = plan.model;
      if (m.type !== "pretrained") return { skip: "no --pretrained model given" };
      if (m.fineTune) return { skip: "already fine-tunes the whole network" };
      return [{ change: { fineTune: true } }];
    },
  },
];

/**
 * The rows of the training data file the audit judged likely mislabeled (its confident-learning check),
 * for the label_issues step; or why there are none to try.
 */
export function likelyMislabeled(report: AuditReport): { rows: number[] } | { none: string } {
  const s = report.label_issue_summary;
  if (s.skipped) return { none: `the audit's label check did not run: ${s.skipped}` };
  const file = report.files[0]?.path;
  const rows = report.label_issues
    .filter((i) => i.verdict === "likely mislabeled" && i.file === file)
    .map((i) => i.row);
  if (rows.length === 0) return { none: "the audit found no likely mislabeled rows" };
  return { rows: [...new Set(rows)].sort((a, b) => a - b) };
}

const REGULARIZATION = ["weight_decay", "dropout", "augmentation", "label_smoothing", "label_issues"];

/**
 * The order of the steps, steered by the diagnosis of the baseline: an overfitting (or too-little-data)
 * run goes to regularization before capacity; an unstable or badly paced one (diverged, unstable, LR too
 * high or low) to the learning rate first (the recipe's order already starts there); an underfitting one
 * to capacity right after the learning rate. Returns the step names and, per step, the finding that moved it.
 */
export function orderSteps(findings: Finding[]): { order: string[]; movedBy: Record<string, string> } {
  const names = STEPS.map((s) => s.name);
  const serious = findings
    .filter((f) => f.severity === "high" || f.severity === "medium")
    .map((f) => f.symptom);
  const movedBy: Record<string, string> = {};
  const first = serious[0];
  let order = names;
  if (first === "overfitting" || (first === "too_little_data" && serious.includes("overfitting"))) {
    const rest = names.filter((n) => !REGULARIZATION.includes(n) && n !== "learning_rate");
    order = ["learning_rate", ...REGULARIZATION, ...rest];
    for (const n of REGULARIZATION) movedBy[n] = first;
  } else if (first === "underfitting") {
    order = ["learning_rate", "capacity", ...names.filter((n) => n !== "learning_rate" && n !== "capacity")];
    movedBy.capacity = first;
  } else if (
    first &&
    ["diverged", "unstable_training", "lr_too_high", "lr_too_low", "loss_spikes"].includes(first)
  ) {
    movedBy.learning_rate = first;
  }
  return { order, movedBy };
}
