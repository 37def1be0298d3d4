import { UserError } from "../../errors.js";
import { checkLabels, checkSameLength, distinctLabels, type Labels } from "./metric-inputs.js";

/**
 * How per-class scores are combined (sklearn's `average`):
 * - "binary": the score of class `posLabel` only (labels must be binary);
 * - "macro": unweighted mean over the classes;
 * - "micro": computed from true positives, predictions and true counts summed over the classes;
 * - "weighted": mean weighted by each class's number of true samples (support).
 */
export type Average = "binary" | "macro" | "micro" | "weighted";

/** Options of the precision, recall and F1 functions; defaults are sklearn's. */
export interface PrecisionRecallOptions {
  /** Default "binary", as in sklearn. */
  average?: Average;
  /** The positive class for average "binary". Default 1. */
  posLabel?: number;
  /**
   * The classes to score, in order. Default: every class present in yTrue or yPred (sklearn's default,
   * so a class absent from both does not pull a macro average down). Pass 0..k-1 to score all k classes.
   */
  labels?: readonly number[];
  /** Value of a precision or recall whose denominator is 0 (no predictions / no true samples). Default 0. */
  zeroDivision?: 0 | 1;
}

/** Precision, recall and F1 of each class, with its support (number of true samples). */
export interface PerClassScores {
  labels: number[];
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
}

/** Averaged precision, recall and F1. */
export interface PrecisionRecallF1 {
  precision: number;
  recall: number;
  f1: number;
}

const AVERAGES: readonly Average[] = ["binary", "macro", "micro", "weighted"];

function divide(num: number, den: number, zeroDivision: 0 | 1): number {
  return den === 0 ? zeroDivision : num / den;
}

function f1Of(p: number, r: number): number {
  const den = p + r;
  return (2 * p * r) / (den === 0 ? 1 : den);
}

/** Per-class true-positive, predicted and true counts of `labels`. */
function counts(yTrue: Labels, yPred: Labels, labels: readonly number[]) {
  const index = new Map(labels.map((l, i) => [l, i]));
  const tp = new Array<number>(labels.length).fill(0);
  const pred = new Array<number>(labels.length).fill(0);
  const truth = new Array<number>(labels.length).fill(0);
  for (let i = 0; i < yTrue.length; i++) {
    const t = index.get(yTrue[i]!);
    const p = index.get(yPred[i]!);
    if (t !== undefined) truth[t]!++;
    if (p !== undefined) pred[p]!++;
    if (t !== undefined && yTrue[i] === yPred[i]) tp[t]!++;
  }
  return { tp, pred, truth };
}

function checkInputs(where: string, yTrue: Labels, yPred: Labels): void {
  checkLabels(where, "yTrue", yTrue);
  checkSameLength(where, yTrue, "yTrue", yPred, "yPred");
  checkLabels(where, "yPred", yPred);
}

/**
 * Precision, recall, F1 and support of each class (sklearn `precision_recall_fscore_support` with
 * `average=None`). `labels` defaults to the classes present in yTrue or yPred.
 *
 * @example
 * precisionRecallF1PerClass([0, 1, 2, 0], [0, 2, 2, 0]).recall; // [1, 0, 1]
 */
export function precisionRecallF1PerClass(
  yTrue: Labels,
  yPred: Labels,
  options: { labels?: readonly number[]; zeroDivision?: 0 | 1 } = {},
): PerClassScores {
  checkInputs("precisionRecallF1PerClass", yTrue, yPred);
  const labels = options.labels
    ? checkLabelList("precisionRecallF1PerClass", options.labels)
    : distinctLabels(yTrue, yPred);
  const zd = checkZeroDivision("precisionRecallF1PerClass", options.zeroDivision);
  const { tp, pred, truth } = counts(yTrue, yPred, labels);
  const precision = tp.map((t, i) => divide(t, pred[i]!, zd));
  const recall = tp.map((t, i) => divide(t, truth[i]!, zd));
  return { labels, precision, recall, f1: precision.map((p, i) => f1Of(p, recall[i]!)), support: truth };
}

/**
 * Precision, recall and F1 averaged as `options.average` says (sklearn `precision_recall_fscore_support`,
 * same zero-division rules: a 0/0 precision or recall is `zeroDivision`, default 0; an F1 with
 * precision + recall = 0 is 0).
 *
 * Refused, as sklearn refuses: average "binary" when yTrue and yPred hold more than two classes, or when
 * `posLabel` is not one of two classes present.
 *
 * @example
 * precisionRecallF1([0, 1, 1, 0], [0, 1, 0, 0]); // { precision: 1, recall: 0.5, f1: 0.666... }
 * precisionRecallF1([0, 1, 2, 2], [0, 2, 2, 1], { average: "macro" });
 */
export function precisionRecallF1(
  yTrue: Labels,
  yPred: Labels,
  options: PrecisionRecallOptions = {},
): PrecisionRecallF1 {
  const where = "precisionRecallF1";
  checkInputs(where, yTrue, yPred);
  const average = options.average ?? "binary";
  if (!AVERAGES.includes(average)) {
    throw new UserError(
      `${where}: average must be one of ${AVERAGES.map((a) => `"${a}"`).join(", ")}; received ${JSON.stringify(average)}`,
    );
  }
  const zd = checkZeroDivision(where, options.zeroDivision);
  const posLabel = options.posLabel ?? 1;
  let labels: number[];
  if (average === "binary") {
    const present = distinctLabels(yTrue, yPred);
    if (present.length > 2) {
      throw new UserError(
        `${where}: average "binary" needs two classes, but yTrue and yPred hold ${present.length} (${present.join(", ")})`,
        'choose average "macro", "micro" or "weighted" for more than two classes',
      );
    }
    if (!present.includes(posLabel) && present.length >= 2) {
      throw new UserError(
        `${where}: posLabel ${posLabel} is not one of the classes present (${present.join(", ")})`,
      );
    }
    labels = [posLabel];
  } else {
    labels = options.labels ? checkLabelList(where, options.labels) : distinctLabels(yTrue, yPred);
  }
  let { tp, pred, truth } = counts(yTrue, yPred, labels);
  if (average === "micro") {
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    tp = [sum(tp)];
    pred = [sum(pred)];
    truth = [sum(truth)];
  }
  const precision = tp.map((t, i) => divide(t, pred[i]!, zd));
  const recall = tp.map((t, i) => divide(t, truth[i]!, zd));
  const f1 = precision.map((p, i) => f1Of(p, recall[i]!));
  if (average === "weighted") {
    const total = truth.reduce((x, y) => x + y, 0);
    if (total === 0) {
      // sklearn: no true samples of the chosen labels.
      const predTotal = pred.reduce((x, y) => x + y, 0);
      return predTotal === 0 ? { precision: zd, recall: zd, f1: zd } : { precision: 0, recall: zd, f1: 0 };
    }
    const weighted = (v: number[]) => v.reduce((acc, x, i) => acc + x * truth[i]!, 0) / total;
    return { precision: weighted(precision), recall: weighted(recall), f1: weighted(f1) };
  }
  const mean = (v: number[]) => v.reduce((x, y) => x + y, 0) / v.length;
  return { precision: mean(precision), recall: mean(recall), f1: mean(f1) };
}

/** Precision: of the samples predicted as a class, the fraction that truly are (see `precisionRecallF1`). */
export function precisionScore(yTrue: Labels, yPred: Labels, options: PrecisionRecallOptions = {}): number {
  return precisionRecallF1(yTrue, yPred, options).precision;
}

/** Recall: of the samples of a class, the fraction predicted as it (see `precisionRecallF1`). */
export function recallScore(yTrue: Labels, yPred: Labels, options: PrecisionRecallOptions = {}): number {
  return precisionRecallF1(yTrue, yPred, options).recall;
}

/**
 * F1: the harmonic mean of precision and recall, per class, then averaged (see `precisionRecallF1`).
 *
 * @example
 * f1Score([0, 1, 2, 2], [0, 2, 2, 1], { average: "macro" }); // 0.5
 */
export function f1Score(yTrue: Labels, yPred: Labels, options: PrecisionRecallOptions = {}): number {
  return precisionRecallF1(yTrue, yPred, options).f1;
}

function checkLabelList(where: string, labels: readonly number[]): number[] {
  if (!Array.isArray(labels) || labels.length === 0) {
    throw new UserError(
      `${where}: labels must be a non-empty array of class indices; received ${String(labels)}`,
    );
  }
  checkLabels(where, "labels", labels);
  if (new Set(labels).size !== labels.length) {
    throw new UserError(`${where}: labels must not repeat a class; received [${labels.join(", ")}]`);
  }
  return [...labels];
}

function checkZeroDivision(where: string, zd: unknown): 0 | 1 {
  if (zd === undefined) return 0;
  if (zd !== 0 && zd !== 1)
    throw new UserError(`${where}: zeroDivision must be 0 or 1; received ${String(zd)}`);
  return zd;
}
