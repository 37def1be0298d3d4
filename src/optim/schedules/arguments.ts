import { UserError } from "../../errors.js";
import type { ScheduleInterval, ScheduleState } from "./lr-schedule.js";

/** How a received value is shown in messages: strings quoted, everything else as JavaScript prints it. */
export function shown(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(shown).join(", ")}]`;
  return String(value);
}

function refuse(where: string, name: string, rule: string, value: unknown): never {
  throw new UserError(`${where}: ${name} must be ${rule}; received ${shown(value)}`);
}

/** `value` when it is a finite number > 0, else a UserError naming `name` and the value. */
export function positiveNumber(where: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    refuse(where, name, "a finite number > 0", value);
  }
  return value;
}

/** `value` when it is a finite number >= 0, else a UserError. */
export function nonNegativeNumber(where: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    refuse(where, name, "a finite number >= 0", value);
  }
  return value;
}

/** `value` when it is a whole number >= `min`, else a UserError. */
export function wholeNumber(where: string, name: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    refuse(where, name, `a whole number >= ${min}`, value);
  }
  return value;
}

/** `value` when it is a finite number in [lo, hi] (open ends where asked), else a UserError. */
export function numberInRange(
  where: string,
  name: string,
  value: unknown,
  lo: number,
  hi: number,
  open: { lo?: boolean; hi?: boolean } = {},
): number {
  const ok =
    typeof value === "number" &&
    Number.isFinite(value) &&
    (open.lo ? value > lo : value >= lo) &&
    (open.hi ? value < hi : value <= hi);
  if (!ok) refuse(where, name, `a number in ${open.lo ? "(" : "["}${lo}, ${hi}${open.hi ? ")" : "]"}`, value);
  return value as number;
}

/** `value` when it is one of `options`, else a UserError listing them. */
export function oneOf<T extends string>(
  where: string,
  name: string,
  value: unknown,
  options: readonly T[],
): T {
  if (typeof value !== "string" || !options.includes(value as T)) {
    refuse(where, name, `one of ${options.map((o) => JSON.stringify(o)).join(", ")}`, value);
  }
  return value as T;
}

/** The `interval` option checked, or `fallback` when not given. */
export function intervalOption(where: string, value: unknown, fallback: ScheduleInterval): ScheduleInterval {
  return value === undefined ? fallback : oneOf(where, "interval", value, ["batch", "epoch"] as const);
}

/**
 * Reads a checkpoint state written by `state()` of the schedule `kind`: checks the tag and that each
 * named field is a number, and returns the state. Anything else is a UserError saying what was wrong.
 */
export function readState(kind: string, state: unknown, numberFields: readonly string[]): ScheduleState {
  if (typeof state !== "object" || state === null || Array.isArray(state)) {
    throw new UserError(
      `${kind}.restore: expected the object ${kind}.state() returned; received ${shown(state)}`,
    );
  }
  const s = state as ScheduleState;
  if (s.kind !== kind) {
    throw new UserError(
      `${kind}.restore: the state is from a ${shown(s.kind)} schedule, not ${kind}`,
      "resume with the same learning-rate schedule the checkpoint was trained with",
    );
  }
  for (const f of numberFields) {
    if (typeof s[f] !== "number" || !Number.isFinite(s[f])) {
      throw new UserError(
        `${kind}.restore: state field ${f} must be a finite number; received ${shown(s[f])}`,
      );
    }
  }
  return s;
}
