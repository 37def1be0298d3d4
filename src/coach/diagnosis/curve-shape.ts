/**
 * Shapes of the loss curves that several rules read: rises of the epoch training loss above its best so
 * far (which a stable run at a fixed learning rate does not make), and isolated peaks of the validation loss.
 */
import { baseLr, type RunFacts } from "./run-facts.js";

/** A training-loss rise above the best so far by more than this share is not noise of an epoch mean. */
export const RISE_SHARE = 0.1;
/** A validation-loss peak stands this factor above both neighbours. */
export const PEAK_FACTOR = 1.5;
/** Rises and peaks smaller than this share of the learnable loss (RunFacts.learnable) are ignored (too small to matter). */
export const MIN_EFFECT = 0.05;

/**
 * Epochs whose training loss rose above the lowest earlier epoch's by more than max(RISE_SHARE, 3 standard
 * errors of the difference) of it, and by at least MIN_EFFECT of the learnable loss. Each epoch mean's
 * standard error comes from its recorded batch losses (sd / sqrt(points)), and the difference of two
 * means carries both: on a few batches per epoch (with dropout) the epoch means are noisy, the lowest of
 * them is lucky, and the 10% rule alone would fire by chance on a run that is merely not moving.
 */
export function trainRises(f: RunFacts): { epoch: number; ratio: number }[] {
  const out: { epoch: number; ratio: number }[] = [];
  let best = Number.POSITIVE_INFINITY;
  let bestSe = 0;
  const relSe = (i: number): number => {
    const pts = f.record.health[i]?.batchLoss?.values ?? [];
    return pts.length > 1 ? sd(pts) / (Math.max(mean(pts), 1e-12) * Math.sqrt(pts.length)) : 0;
  };
  f.train.forEach((v, i) => {
    if (!Number.isFinite(v)) return;
    const se = relSe(i);
    if (Number.isFinite(best) && best > 0) {
      const share = Math.max(RISE_SHARE, 3 * Math.hypot(se, bestSe));
      if (v > best * (1 + share) && v - best > MIN_EFFECT * f.learnable)
        out.push({ epoch: i + 1, ratio: v / best });
    }
    if (v < best) {
      best = v;
      bestSe = se;
    }
  });
  return out;
}

/** Epochs whose validation loss is PEAK_FACTOR above both neighbours, by at least MIN_EFFECT of the learnable loss. */
export function valPeaks(f: RunFacts): { epoch: number; ratio: number }[] {
  const out: { epoch: number; ratio: number }[] = [];
  for (let i = 1; i + 1 < f.val.length; i++) {
    const [a, v, b] = [f.val[i - 1]!, f.val[i]!, f.val[i + 1]!];
    if (![a, v, b].every(Number.isFinite)) continue;
    const lo = Math.max(a, b);
    if (v > PEAK_FACTOR * lo && v - lo > MIN_EFFECT * f.learnable)
      out.push({ epoch: i + 1, ratio: lo > 0 ? v / lo : Number.POSITIVE_INFINITY });
  }
  return out;
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}

export function sd(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
}

/**
 * Update ratios of the first completed epoch that measured them (the run's start, before convergence
 * shrinks them), rescaled to the run's base learning rate (see baseLr): a step's update is proportional to
 * the learning rate, and a warm-up's first epoch runs at a small fraction of it, so its raw ratios would
 * make every warmed-up run look too slow. Records without the measuring rate are taken as they are.
 */
export function earlyUpdateRatios(
  f: RunFacts,
): { epoch: number; ratios: Record<string, number> } | undefined {
  const h = f.health.find((e) => Object.keys(e.updateRatio ?? {}).length > 0);
  if (!h) return undefined;
  const base = baseLr(f);
  const at = h.updateRatioLr;
  const scale = base && at && at > 0 ? base / at : 1;
  const ratios: Record<string, number> = {};
  for (const [layer, r] of Object.entries(h.updateRatio)) ratios[layer] = r * scale;
  return { epoch: h.epoch, ratios };
}

/** The fastest layer's early update ratio (see earlyUpdateRatios), or undefined when none was measured. */
export function fastestEarlyRatio(f: RunFacts): { epoch: number; layer: string; ratio: number } | undefined {
  const e = earlyUpdateRatios(f);
  if (!e || Object.keys(e.ratios).length === 0) return undefined;
  const [layer, ratio] = Object.entries(e.ratios).reduce((a, b) => (b[1] > a[1] ? b : a));
  return { epoch: e.epoch, layer, ratio };
}

/** The median layer's early update ratio, or NaN when none was measured. */
export function medianEarlyRatio(f: RunFacts): number {
  const e = earlyUpdateRatios(f);
  if (!e) return Number.NaN;
  const v = Object.values(e.ratios).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const k = v.length >> 1;
  return v.length % 2 ? v[k]! : (v[k - 1]! + v[k]!) / 2;
}
