/**
 * What callbacks that watch a metric share: which way is better ("auto" inferred from the name), reading
 * the monitored value from the epoch logs (a missing one is a UserError listing the keys that exist), and
 * the improvement test.
 */
import { closestMatch, UserError } from "../../errors.js";
import { getMetric } from "../../nn/metrics/metric-registry.js";
import { oneOf } from "../../optim/schedules/arguments.js";
import type { EpochLogs } from "../callback.js";

/** Direction of a monitored metric: "min" for losses and errors, "max" for accuracy-like scores. */
export type MonitorMode = "min" | "max";

/** Words that mark a quantity where lower is better. */
const LOWER_IS_BETTER = /(^|_)(loss|error|err|mae|mse|rmse|msle|mape|ece|perplexity|time|seconds)($|_)/;

/**
 * The direction to monitor `monitor` in. "min"/"max" are taken as given; "auto" strips a `val_`/`train_`
 * prefix, asks the metric registry (`higherIsBetter`) when it knows the name, and otherwise reads the name:
 * loss/error/mae/mse/... mean "min", anything else "max".
 *
 * @example
 * resolveMode("EarlyStopping", "val_loss", "auto"); // "min"
 * resolveMode("EarlyStopping", "val_f1_macro", "auto"); // "max"
 */
export function resolveMode(where: string, monitor: string, mode: unknown): MonitorMode {
  const m = oneOf(where, "mode", mode, ["auto", "min", "max"] as const);
  if (m !== "auto") return m;
  const name = monitor.replace(/^(val|train)_/, "");
  try {
    return getMetric(name).higherIsBetter ? "max" : "min";
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
  }
  return LOWER_IS_BETTER.test(name.toLowerCase()) ? "min" : "max";
}

/** Checks a `monitor` argument: a non-empty string. */
export function monitorName(where: string, monitor: unknown): string {
  if (typeof monitor !== "string" || monitor.trim() === "") {
    throw new UserError(
      `${where}: monitor must be the name of an epoch log entry such as "val_loss"; received ${JSON.stringify(monitor)}`,
    );
  }
  return monitor;
}

/**
 * The monitored value from one epoch's logs. A metric the logs do not hold is a UserError naming the
 * metrics they do hold (and the closest one).
 */
export function monitoredValue(where: string, monitor: string, logs: EpochLogs): number {
  const v = logs[monitor];
  if (typeof v === "number") return v;
  const available = Object.keys(logs).filter((k) => k !== "epoch" && typeof logs[k] === "number");
  const near = closestMatch(monitor, available);
  throw new UserError(
    `${where}: monitored metric "${monitor}" is not in the epoch logs; available: ${available.join(", ") || "(none)"}`,
    near
      ? `did you mean "${near}"?`
      : monitor.startsWith("val_")
        ? "validation metrics need validation data"
        : `monitor one of: ${available.join(", ")}`,
  );
}

/**
 * True when `value` beats `reference` by more than `delta` in direction `mode` (a NaN never improves).
 * `relative` compares against `reference * (1 ∓ delta)` instead (PyTorch's threshold_mode "rel").
 */
export function improves(
  value: number,
  reference: number,
  mode: MonitorMode,
  delta: number,
  relative = false,
): boolean {
  if (mode === "min") return relative ? value < reference * (1 - delta) : value < reference - delta;
  return relative ? value > reference * (1 + delta) : value > reference + delta;
}
