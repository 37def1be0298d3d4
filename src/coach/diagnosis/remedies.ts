/**
 * The recipe's remedies as action drafts, worded with the run's own values where the record has them
 * (the learning rate it used, the plan's weight decay and dropout) and the recipe's defaults (§11) where it
 * does not. Each `why` quotes the checklist the remedy comes from (RECIPE.md §5-§8, §14).
 */

import { TRAIN_OPTIONS, type TrainConfig } from "../../train/config-options.js";
import { type ActionDraft, planned, roundLr } from "./actions.js";
import { fastestEarlyRatio, medianEarlyRatio } from "./curve-shape.js";
import { baseLr, type RunFacts } from "./run-facts.js";
import type { RunRecord } from "./run-record.js";

/**
 * The value an option had in the run, for wording actions: the plan's, else, when the record has a plan,
 * the option's default (a saved run's plan keeps only the options the user set, so a missing one was left
 * at its default); undefined for a record without a plan.
 */
export function setting<K extends keyof TrainConfig>(r: RunRecord, name: K): TrainConfig[K] | undefined {
  const v = planned(r, name);
  if (v !== undefined || !r.plan) return v;
  return TRAIN_OPTIONS.find((o) => o.name === name)?.default as TrainConfig[K] | undefined;
}

/** The update ratio a raised learning rate aims for (the fastest layer near 1e-3 per step). */
export const RAISE_TARGET = 1e-3;
/** The update ratio a lowered learning rate aims for (the median layer near Adam's usual start, 1e-2). */
export const LOWER_TARGET = 1e-2;

/**
 * Raises the learning rate by the power of ten (10x to 1000x) that brings the fastest layer's early update
 * ratio near RAISE_TARGET; 10x when no ratio was measured.
 */
export function raiseLrToBand(f: RunFacts, why: string): ActionDraft {
  const fast = fastestEarlyRatio(f);
  const factor = fast && fast.ratio > 0 ? clampPow10(RAISE_TARGET / fast.ratio, 10, 1000) : 10;
  return raiseLr(f, `${why} (${factor}x)`, factor);
}

/**
 * Lowers the learning rate by the power of ten (at least `minFactor`, at most 10,000x) that brings the
 * median layer's early update ratio near LOWER_TARGET; `fallback` when no ratio was measured.
 */
export function lowerLrToBand(f: RunFacts, why: string, minFactor = 3, fallback = 10): ActionDraft {
  const mid = medianEarlyRatio(f);
  const factor = mid > 0 ? clampPow10(mid / LOWER_TARGET, minFactor, 1e4) : fallback;
  return lowerLr(f, `${why} (${factor}x)`, factor);
}

/** The power of ten nearest to `v` (in log scale), kept within [lo, hi]. */
function clampPow10(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, 10 ** Math.round(Math.log10(v))));
}

/** Divides the learning rate by `factor` (default 10; §8 unstable training: "Lower LR"). */
export function lowerLr(f: RunFacts, why: string, factor = 10): ActionDraft {
  const lr = baseLr(f);
  return { change: { lr: lr ? roundLr(lr / factor) : 1e-4 }, why };
}

/** Multiplies the learning rate by `factor` (§8 underfitting: "Increase LR a bit"). */
export function raiseLr(f: RunFacts, why: string, factor = 10): ActionDraft {
  const lr = baseLr(f);
  return { change: { lr: lr ? roundLr(lr * factor) : 1e-3 }, why };
}

export const clipNorm = (
  why = "§5 gradient tricks: clip the gradient norm at 1.0 if gradients explode",
): ActionDraft => ({
  change: { "clip-norm": 1 },
  why,
});

export const warmup = (
  why = "§5/§8: a warm-up (3 epochs) starts with a small learning rate and ramps up",
): ActionDraft => ({
  change: { warmup: "3" },
  why,
});

export const batchNorm = (
  why = "§7.5 and §8: BatchNorm between dense layers and activations stabilizes training",
): ActionDraft => ({
  change: { norm: "batch" },
  why,
});

/** Weight decay: the recipe's 1e-4 (§11), or ten times the run's value when it had one (see setting). */
export function weightDecay(f: RunFacts, why: string): ActionDraft {
  const wd = setting(f.record, "weightDecay");
  return { change: { "weight-decay": wd && wd > 0 ? Math.min(wd * 10, 0.1) : 1e-4 }, why };
}

/** Dropout: 0.2 (§11: 0.1-0.3), or 0.1 more than the run's value, at most 0.5 (§6). */
export function dropout(f: RunFacts, why: string): ActionDraft {
  const p = setting(f.record, "dropout");
  return { change: { dropout: p && p > 0 ? Math.min(0.5, Math.round((p + 0.1) * 10) / 10) : 0.2 }, why };
}

/** Twice the epochs the run was given (§8 underfitting: "Train longer (with early stopping)"). */
export function moreEpochs(f: RunFacts, why: string): ActionDraft {
  const e = f.record.epochs ?? planned(f.record, "epochs") ?? f.epochs;
  return { change: { epochs: Math.max(2 * e, e + 10) }, why };
}

/** Whether the run trained the CNN built from scratch (images, audio), whose size is its filters per stage. */
export function isCnn(f: RunFacts): boolean {
  const k = f.record.data.kind;
  return (k === "images" || k === "audio") && !planned(f.record, "pretrained");
}

/**
 * The model twice as wide (capacity up) or half as wide (capacity down): the hidden layers of an MLP or
 * text model (from the plan, else the default [256, 256]; a text model without hidden layers gets one of
 * 64), or the filters per stage of a CNN (`--widths`, from the plan, else the default [32, 64, 128]).
 */
export function resizeHidden(f: RunFacts, scale: number, why: string): ActionDraft {
  const size = (xs: number[]) => xs.map((u) => Math.max(4, Math.round(u * scale)));
  if (isCnn(f)) return { change: { widths: size(planned(f.record, "widths") ?? [32, 64, 128]) }, why };
  const h = planned(f.record, "hidden") ?? (f.record.data.kind === "text" ? [] : [256, 256]);
  return { change: { hidden: size(h.length ? h : [64]) }, why };
}
