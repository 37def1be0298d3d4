/**
 * The learning-rate range test (Leslie Smith; fastai's `lr_find`): train briefly from the current
 * weights while the learning rate grows exponentially, record the loss, and read a good learning rate
 * off the curve. The weights, optimizer state and step counter are put back afterwards.
 */
import { UserError } from "../errors.js";
import { renderLinePlot } from "../report/line-plot-png.js";
import type { LinePlotSpec, PlotMarker } from "../report/line-plot-spec.js";
import { renderLinePlotSvg } from "../report/line-plot-svg.js";
import { largest, smallest } from "../util/extent.js";
import { Random } from "../util/random.js";
import type { Dataset } from "./fit.js";
import { targetSlice } from "./fit.js";
import type { Trainer } from "./trainer.js";

/**
 * The named ways of reading a learning rate off the loss curve. "minimum/10" is a tenth of the rate at the
 * lowest loss (fastai's "minimum" rule), named for what it is: the lowest point itself is too high a rate.
 */
export const LR_SUGGESTION_RULES = ["valley", "steepest", "minimum/10"] as const;
export type LrSuggestionRule = (typeof LR_SUGGESTION_RULES)[number];

/** Options of {@link findLearningRate}. */
export interface LrFinderOptions {
  /** First learning rate of the sweep (> 0). Default 1e-7. */
  start?: number;
  /** Last learning rate of the sweep (> start). Default 10. */
  end?: number;
  /** Optimizer steps (one batch each), whole number from 10 to 10000. Default 100. */
  steps?: number;
  /** Batch size. Default 32 (at most the number of rows). */
  batchSize?: number;
  /** Seed of the batch order. Default 0. */
  seed?: number;
  /** Smoothing of the recorded loss (exponential moving average with bias correction), in [0, 1). Default 0.98. */
  beta?: number;
  /** Stop when the smoothed loss exceeds this multiple of its minimum (> 1). Default 4. */
  divergeFactor?: number;
  /** The rule whose suggestion is chosen. Default "valley". */
  rule?: LrSuggestionRule;
}

/** The suggestion of each rule, and the point of the curve it marks. */
export interface LrSuggestions {
  steepest: number;
  valley: number;
  /** A tenth of the learning rate at the lowest smoothed loss. */
  "minimum/10": number;
}

/** What {@link findLearningRate} returns. */
export interface LrFinderResult {
  /** Learning rate of each recorded step. */
  lrs: number[];
  /** Raw batch loss of each recorded step. */
  losses: number[];
  /** Smoothed loss of each recorded step (what the rules read). */
  smoothed: number[];
  suggestions: LrSuggestions;
  /** The rule chosen (options.rule). */
  chosen: LrSuggestionRule;
  /** The chosen rule's learning rate. */
  suggestion: number;
  /** A sentence saying why the chosen learning rate. */
  explanation: string;
  /** Why the sweep ended: all steps run, the smoothed loss passed divergeFactor x its minimum, or a non-finite loss. */
  stopped: "completed" | "diverged" | "not-finite";
  /** Steps asked for. */
  steps: number;
}

/**
 * Runs the learning-rate range test on `data` from the trainer's current weights and returns the curve
 * and the suggestions of three rules (fastai `lr_find` semantics):
 * - the learning rate of step i is `start * (end / start) ** (i / (steps - 1))`, on seeded shuffled
 *   batches (full batches only; reshuffled when the rows run out);
 * - the loss is smoothed with an exponential moving average (`beta`, bias-corrected), and the sweep stops
 *   early when the smoothed loss exceeds `divergeFactor` times its minimum, or a loss is NaN/infinite;
 * - the rules read the smoothed curve without its first tenth and last 5 points: `steepest` (the steepest
 *   descent against log learning rate), `valley` (about 2/3 down the longest stretch where the loss keeps
 *   falling), `minimum/10` (a tenth of the learning rate at the lowest loss).
 * Afterwards every value (weights, optimizer state, running statistics), the step counter and the dropout
 * generator are restored, so training can start from exactly where it was.
 *
 * @param trainer a compiled trainer (its optimizer is the one tested).
 * @param data training rows.
 * @param options `start` (1e-7), `end` (10), `steps` (100), `batchSize` (32), `seed` (0), `beta` (0.98),
 *   `divergeFactor` (4), `rule` ("valley"): see {@link LrFinderOptions}.
 * @example
 * const r = await findLearningRate(trainer, train, { batchSize: 32 });
 * console.log(r.suggestion, r.explanation);
 * fs.writeFileSync("lr.png", renderLrFinderPlot(r));
 */
export async function findLearningRate(
  trainer: Trainer,
  data: Dataset,
  options: LrFinderOptions = {},
): Promise<LrFinderResult> {
  const o = checkOptions(options);
  if (trainer.values.size === 0)
    throw new UserError("findLearningRate: the trainer has no values yet", "call trainer.compile() first");
  if (!(data.n > 0)) throw new UserError(`findLearningRate: the data has no rows (n = ${data.n})`);
  const feat = data.x.length / data.n;
  const yPer = data.y.length / data.n;
  const bs = Math.min(o.batchSize, data.n);
  const xb = new Float32Array(bs * feat);
  const yb = data.y instanceof Int32Array ? new Int32Array(bs * yPer) : new Float32Array(bs * yPer);
  const wb = new Float32Array(bs);
  const rng = Random.derive(o.seed, "lr-find");

  const before = trainer.snapshot();
  const noiseState = trainer.noiseRng?.getState();
  const lrs: number[] = [];
  const losses: number[] = [];
  const smoothed: number[] = [];
  let stopped: LrFinderResult["stopped"] = "completed";
  try {
    let order = rng.permutation(data.n);
    let pos = 0;
    let avg = 0;
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < o.steps; i++) {
      if (pos + bs > data.n) {
        order = rng.permutation(data.n);
        pos = 0;
      }
      for (let k = 0; k < bs; k++) {
        const r = order[pos + k]!;
        xb.set(data.x.subarray(r * feat, (r + 1) * feat), k * feat);
        for (let j = 0; j < yPer; j++) yb[k * yPer + j] = data.y[r * yPer + j]!;
        wb[k] = data.weight ? data.weight[r]! : 1;
      }
      pos += bs;
      const lr = o.start * (o.end / o.start) ** (i / (o.steps - 1));
      const res = await trainer.trainStep(
        { x: xb, y: targetSlice(trainer, yb, 0, bs), weight: wb, n: bs },
        lr,
      );
      if (!Number.isFinite(res.loss)) {
        stopped = "not-finite";
        break;
      }
      avg = o.beta * avg + (1 - o.beta) * res.loss;
      const s = avg / (1 - o.beta ** (i + 1));
      lrs.push(lr);
      losses.push(res.loss);
      smoothed.push(s);
      if (s < best) best = s;
      if (s > o.divergeFactor * best) {
        stopped = "diverged";
        break;
      }
    }
  } finally {
    trainer.restore(before);
    if (noiseState) trainer.noiseRng.setState(noiseState);
  }
  const read = suggestLearningRates(lrs, smoothed, o.steps);
  const explanation = explain(o.rule, read, lrs, stopped, o.divergeFactor);
  return {
    lrs,
    losses,
    smoothed,
    suggestions: read.suggestions,
    chosen: o.rule,
    suggestion: read.suggestions[o.rule],
    explanation,
    stopped,
    steps: o.steps,
  };
}

/** Where each rule's suggestion lies on the curve (for plots and explanations). */
export interface LrSuggestionDetails {
  suggestions: LrSuggestions;
  /** The point of the smoothed curve each rule marks. */
  points: Record<LrSuggestionRule, { lr: number; loss: number }>;
  /** The longest valley (indices into the recorded arrays, first and last). */
  valley: { from: number; to: number };
  /** Index of the lowest smoothed loss, and of the steepest descent. */
  minimumIndex: number;
  steepestIndex: number;
  /** The slope of the smoothed loss against ln(lr) at the steepest point. */
  steepestSlope: number;
}

/**
 * The three rules applied to a recorded curve (fastai `steep`, `valley` and `minimum`, here named
 * `minimum/10`, on the smoothed losses, leaving out the first `steps / 10` points and the last 5; the
 * whole curve when that leaves fewer than 3 points).
 *
 * @param lrs learning rates, increasing.
 * @param smoothed smoothed losses, one per learning rate.
 * @param steps the steps the sweep was asked for (fixes how many points are left out at the start).
 */
export function suggestLearningRates(
  lrs: readonly number[],
  smoothed: readonly number[],
  steps = lrs.length,
): LrSuggestionDetails {
  if (lrs.length !== smoothed.length)
    throw new UserError(`suggestLearningRates: ${lrs.length} learning rates but ${smoothed.length} losses`);
  let lo = Math.floor(steps / 10);
  let hi = lrs.length - 5;
  if (hi - lo < 3) {
    lo = 0;
    hi = lrs.length;
  }
  if (hi - lo < 3)
    throw new UserError(
      `the learning-rate sweep recorded only ${lrs.length} finite losses, too few to read a learning rate from`,
      "the loss diverged almost at once: sweep from a lower start (--start), or check the data for extreme values",
    );
  const L = lrs.slice(lo, hi);
  const S = smoothed.slice(lo, hi);
  const m = L.length;

  // steepest: the most negative slope against log lr
  let steep = 0;
  let steepSlope = Number.POSITIVE_INFINITY;
  for (let i = 0; i + 1 < m; i++) {
    const g = (S[i + 1]! - S[i]!) / (Math.log(L[i + 1]!) - Math.log(L[i]!));
    if (g < steepSlope) {
      steepSlope = g;
      steep = i;
    }
  }

  // valley: the longest decreasing subsequence, then about 2/3 of the way down it
  const lds = new Array<number>(m).fill(1);
  let maxStart = 0;
  let maxEnd = 0;
  for (let i = 1; i < m; i++) {
    for (let j = 0; j < i; j++) {
      if (S[i]! < S[j]! && lds[i]! < lds[j]! + 1) lds[i] = lds[j]! + 1;
      if (lds[maxEnd]! < lds[i]!) {
        maxEnd = i;
        maxStart = maxEnd - lds[maxEnd]!;
      }
    }
  }
  const sections = (maxEnd - maxStart) / 3;
  const valleyIdx = Math.max(0, maxStart + Math.trunc(sections) + Math.trunc(sections / 2));

  // minimum/10: a tenth of the lr at the lowest loss
  let minIdx = 0;
  for (let i = 1; i < m; i++) if (S[i]! < S[minIdx]!) minIdx = i;
  const minimumLr = L[minIdx]! / 10;

  return {
    suggestions: { steepest: L[steep]!, valley: L[valleyIdx]!, "minimum/10": minimumLr },
    points: {
      steepest: { lr: L[steep]!, loss: S[steep]! },
      valley: { lr: L[valleyIdx]!, loss: S[valleyIdx]! },
      "minimum/10": { lr: minimumLr, loss: interpolateLogX(lrs, smoothed, minimumLr) },
    },
    valley: { from: lo + Math.max(0, maxStart), to: lo + maxEnd },
    minimumIndex: lo + minIdx,
    steepestIndex: lo + steep,
    steepestSlope: steepSlope,
  };
}

/** The smoothed loss at `lr`, linear in log(lr) between recorded points (clamped at the ends). */
function interpolateLogX(lrs: readonly number[], ys: readonly number[], lr: number): number {
  if (lr <= lrs[0]!) return ys[0]!;
  for (let i = 1; i < lrs.length; i++) {
    if (lr <= lrs[i]!) {
      const t = (Math.log(lr) - Math.log(lrs[i - 1]!)) / (Math.log(lrs[i]!) - Math.log(lrs[i - 1]!));
      return ys[i - 1]! + t * (ys[i]! - ys[i - 1]!);
    }
  }
  return ys[ys.length - 1]!;
}

/** A learning rate as "3.0e-3". */
function lrText(v: number): string {
  return v.toExponential(1);
}

function explain(
  rule: LrSuggestionRule,
  d: LrSuggestionDetails,
  lrs: readonly number[],
  stopped: LrFinderResult["stopped"],
  divergeFactor: number,
): string {
  const last = lrs[lrs.length - 1]!;
  const end =
    stopped === "diverged"
      ? ` The sweep stopped at ${lrText(last)}, where the smoothed loss passed ${divergeFactor}x its minimum.`
      : stopped === "not-finite"
        ? ` The sweep stopped after ${lrText(last)}, where the loss became NaN or infinite.`
        : "";
  const s = d.suggestions;
  let why: string;
  if (rule === "valley") {
    const from = lrs[d.valley.from]!;
    const to = lrs[d.valley.to]!;
    why =
      d.valley.to === d.valley.from
        ? `valley ${lrText(s.valley)}: the smoothed loss never fell during the sweep, so there is no valley and this is only the start of the range read; check the data and the model, or sweep from a lower --start.`
        : `valley ${lrText(s.valley)}: the smoothed loss falls over its longest stretch from ${lrText(from)} to ${lrText(to)}; about two thirds of the way down that stretch the rate is large enough to learn fast yet clear of the minimum (${lrText(lrs[d.minimumIndex]!)}), after which the loss rises.`;
  } else if (rule === "steepest") {
    why = `steepest ${lrText(s.steepest)}: here the smoothed loss falls fastest as the learning rate grows (slope ${d.steepestSlope.toPrecision(3)} per unit of ln lr), so steps of this size make the most progress per step.`;
  } else {
    why = `minimum/10 ${lrText(s["minimum/10"])}: the smoothed loss is lowest at ${lrText(lrs[d.minimumIndex]!)}; one tenth of that keeps a margin below the rates at which training starts to diverge.`;
  }
  return why + end;
}

interface CheckedOptions {
  start: number;
  end: number;
  steps: number;
  batchSize: number;
  seed: number;
  beta: number;
  divergeFactor: number;
  rule: LrSuggestionRule;
}

function checkOptions(options: LrFinderOptions): CheckedOptions {
  const where = "findLearningRate";
  if (typeof options !== "object" || options === null)
    throw new UserError(`${where}: options must be an object; received ${String(options)}`);
  const num = (name: keyof LrFinderOptions, v: unknown, ok: (x: number) => boolean, rule: string): number => {
    if (typeof v !== "number" || !Number.isFinite(v) || !ok(v))
      throw new UserError(
        `${where}: ${name} must be ${rule}; received ${typeof v === "string" ? JSON.stringify(v) : String(v)}`,
      );
    return v;
  };
  const start = num("start", options.start ?? 1e-7, (x) => x > 0, "a number > 0");
  const end = num("end", options.end ?? 10, (x) => x > start, `a number greater than start (${start})`);
  const steps = num(
    "steps",
    options.steps ?? 100,
    (x) => Number.isInteger(x) && x >= 10 && x <= 10000,
    "a whole number from 10 to 10000",
  );
  const batchSize = num(
    "batchSize",
    options.batchSize ?? 32,
    (x) => Number.isInteger(x) && x >= 1,
    "a whole number >= 1",
  );
  const seed = num("seed", options.seed ?? 0, (x) => Number.isInteger(x), "a whole number");
  const beta = num("beta", options.beta ?? 0.98, (x) => x >= 0 && x < 1, "a number in [0, 1)");
  const divergeFactor = num("divergeFactor", options.divergeFactor ?? 4, (x) => x > 1, "a number > 1");
  const rule = options.rule ?? "valley";
  if (!LR_SUGGESTION_RULES.includes(rule))
    throw new UserError(
      `${where}: rule must be one of ${LR_SUGGESTION_RULES.join(", ")}; received ${JSON.stringify(rule)}`,
    );
  return { start, end, steps, batchSize, seed, beta, divergeFactor, rule };
}

/** Options of {@link lrFinderPlotSpec}. */
export interface LrFinderPlotOptions {
  width?: number;
  height?: number;
  /** Leave out this many points at the end of the curve, where it shoots up (fastai: 5). Default 5. */
  skipEnd?: number;
}

/** How each rule's marker is labelled: the "minimum" rule marks a tenth of the lowest point's rate. */
const PLOT_LABELS: Record<LrSuggestionRule, string> = {
  valley: "valley",
  steepest: "steepest",
  "minimum/10": "min/10",
};

/**
 * The LR-finder plot as a line-plot spec: smoothed loss (and the raw batch losses, thin) against the
 * learning rate on a log axis, with each rule's suggestion marked (labelled as {@link PLOT_LABELS} says)
 * and the chosen one in red.
 */
export function lrFinderPlotSpec(r: LrFinderResult, options: LrFinderPlotOptions = {}): LinePlotSpec {
  const skip = options.skipEnd ?? 5;
  const n = r.lrs.length > skip + 5 ? r.lrs.length - skip : r.lrs.length;
  const lrs = r.lrs.slice(0, n);
  const sm = r.smoothed.slice(0, n);
  const raw = r.losses.slice(0, n);
  const details = suggestLearningRates(r.lrs, r.smoothed, r.steps);
  const lo = smallest(sm);
  const hi = largest(sm);
  const pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.05 || 1;
  const markers: PlotMarker[] = LR_SUGGESTION_RULES.map((rule) => ({
    x: details.points[rule].lr,
    y: details.points[rule].loss,
    label: `${PLOT_LABELS[rule]} ${lrText(r.suggestions[rule])}`,
    color: rule === r.chosen ? "#d62728" : "#7f7f7f",
    guide: rule === r.chosen,
  }));
  // the chosen marker last, so it is drawn on top
  markers.sort((a, b) => Number(a.color === "#d62728") - Number(b.color === "#d62728"));
  return {
    width: options.width ?? 720,
    height: options.height ?? 440,
    title: `LR finder: suggested learning rate ${lrText(r.suggestion)} (${r.chosen})`,
    xLabel: "learning rate (log scale)",
    yLabel: "loss",
    xLog: true,
    yMin: lo - pad,
    yMax: hi + pad,
    series: [
      { name: "batch loss", x: lrs, y: raw, color: "#c7c7c7", lineWidth: 1 },
      { name: "smoothed loss", x: lrs, y: sm, color: "#1f77b4", lineWidth: 2 },
    ],
    markers,
  };
}

/** The LR-finder plot as PNG bytes (`format` "png", the default) or SVG text (`format` "svg"). */
export function renderLrFinderPlot(
  r: LrFinderResult,
  options: LrFinderPlotOptions & { format: "svg" },
): string;
export function renderLrFinderPlot(
  r: LrFinderResult,
  options?: LrFinderPlotOptions & { format?: "png" },
): Buffer;
export function renderLrFinderPlot(
  r: LrFinderResult,
  options: LrFinderPlotOptions & { format?: "png" | "svg" } = {},
): Buffer | string {
  const spec = lrFinderPlotSpec(r, options);
  return options.format === "svg" ? renderLinePlotSvg(spec) : renderLinePlot(spec);
}
