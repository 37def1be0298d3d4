/**
 * Axis ticks: "nice" round values for linear axes (steps of 1, 2 or 5 times a power of ten) and
 * powers of ten (with 2x and 5x in narrow ranges) for log axes, with labels short enough for plots.
 */

/** One tick: where it goes, its label ("" for an unlabelled minor tick), and whether it is major. */
export interface Tick {
  value: number;
  label: string;
  major: boolean;
}

/** The nice step (1, 2 or 5 x 10^k) giving about `target` intervals over `span`. */
export function niceStep(span: number, target: number): number {
  const raw = span / Math.max(1, target);
  const pow = 10 ** Math.floor(Math.log10(raw));
  const m = raw / pow;
  return (m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10) * pow;
}

/**
 * Formats a tick value with the decimals its `step` needs, the same for every tick of an axis
 * (step 0.2: "0.0", "0.2", ... "1.0"); very large or small values in short exponent form
 * (2e-7, 3e6).
 */
export function formatTick(value: number, step: number): string {
  const abs = Math.abs(value) < step * 1e-9 ? 0 : Math.abs(value);
  if (abs >= 1e6 || (abs < 1e-4 && abs > 0) || (abs === 0 && step < 1e-4)) {
    if (abs === 0) return "0";
    const digits = Math.max(0, Math.floor(Math.log10(abs)) - Math.floor(Math.log10(step)));
    const [mant, exp] = value.toExponential(Math.min(digits, 6)).split("e");
    return `${mant!.replace(/\.?0+$/, "")}e${Number(exp)}`;
  }
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return (abs === 0 ? 0 : value).toFixed(Math.min(decimals, 10));
}

/**
 * Ticks for a linear axis over [min, max]: about `target` of them at multiples of a nice step.
 * With `integer` true the step is at least 1 (epochs, counts).
 *
 * @example linearTicks(0, 1, 5).map((t) => t.label) // ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]
 */
export function linearTicks(min: number, max: number, target: number, integer = false): Tick[] {
  if (!(max > min)) return [{ value: min, label: formatTick(min, Math.abs(min) || 1), major: true }];
  let step = niceStep(max - min, target);
  if (integer && step < 1) step = 1;
  const first = Math.ceil(min / step - 1e-9);
  const last = Math.floor(max / step + 1e-9);
  const ticks: Tick[] = [];
  for (let i = first; i <= last; i++) {
    const value = i * step;
    ticks.push({ value, label: formatTick(value, step), major: true });
  }
  return ticks;
}

/** Label of a power of ten or a multiple of one: plain where short (0.01, 200), else "1e-5", "5e7". */
export function formatLogTick(value: number): string {
  const exp = Math.floor(Math.log10(value) + 1e-9);
  if (exp >= -3 && exp <= 4) return formatTick(value, 10 ** exp);
  const mant = Math.round(value / 10 ** exp);
  return `${mant === 1 ? "1" : String(mant)}e${exp}`;
}

/**
 * Ticks for a log axis over [min, max] (both > 0): labelled powers of ten (every 2nd, 3rd, ...
 * power when more than `maxLabels` would not fit), unlabelled minor ticks at 2..9 x 10^k, and
 * labelled 2x and 5x ticks when the range spans less than about two decades.
 */
export function logTicks(min: number, max: number, maxLabels = 10): Tick[] {
  const lo = Math.floor(Math.log10(min) + 1e-9);
  const hi = Math.ceil(Math.log10(max) - 1e-9);
  const decades = Math.log10(max) - Math.log10(min);
  let every = 1;
  while ((hi - lo + 1) / every > Math.max(2, maxLabels)) every++;
  const ticks: Tick[] = [];
  const inRange = (v: number) => v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9);
  for (let e = lo; e <= hi; e++) {
    for (let m = 1; m <= 9; m++) {
      const value = m * 10 ** e;
      if (!inRange(value)) continue;
      if (m === 1) ticks.push({ value, label: e % every === 0 ? formatLogTick(value) : "", major: true });
      else if (decades < 2.2 && (m === 2 || m === 5))
        ticks.push({ value, label: formatLogTick(value), major: true });
      else if (decades <= 12) ticks.push({ value, label: "", major: false });
    }
  }
  if (ticks.filter((t) => t.label !== "").length < 2) {
    // Under one labelled tick (a very narrow range): fall back to linear ticks on the log axis.
    return linearTicks(min, max, 4).filter((t) => t.value > 0);
  }
  return ticks;
}
