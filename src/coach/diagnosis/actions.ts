/**
 * Actions as commands: a change of `nncoach train` options applied to the run's base command (the
 * recorded argv, or one rebuilt from the plan), with the changed flags replaced or added. Option names and
 * values are checked against the option table (TRAIN_OPTIONS: the flag exists, the value passes its
 * validator), so an action never proposes a command that `nncoach train` would refuse.
 *
 * @example
 * commandFor(record, { "weight-decay": 1e-4 });
 * // "nncoach train wine.csv --target cultivar --weight-decay 0.0001"
 */
import {
  InvalidOptionValue,
  TRAIN_OPTIONS,
  type TrainConfig,
  type TrainOption,
} from "../../train/config-options.js";
import type { OptionValue } from "./finding.js";
import type { RunRecord } from "./run-record.js";

/** What a rule proposes; the diagnosis adds the command. */
export interface ActionDraft {
  change: Record<string, OptionValue>;
  why: string;
}

type Arity = "flag" | "value" | "optional-value";

/** Every flag of `nncoach train` (and --config), with how it takes its value. */
function knownFlags(): Map<string, Arity> {
  const m = new Map<string, Arity>();
  for (const o of TRAIN_OPTIONS) if (o.name !== "data") m.set(o.flag, o.arity);
  m.set("config", "value");
  return m;
}

/** The option behind a flag (kebab-case, no dashes), or undefined. */
function optionOf(flag: string): TrainOption | undefined {
  return flag === "data" ? undefined : TRAIN_OPTIONS.find((o) => o.flag === flag);
}

/** Whether `flag` (kebab-case, no dashes) is an option of `nncoach train`. */
export function isTrainFlag(flag: string): boolean {
  return optionOf(flag) !== undefined;
}

/** The base command of a record: its argv, else one rebuilt from the plan's options, else from the data. */
export function baseArgv(r: RunRecord): string[] {
  if (r.command && r.command.length > 0) return [...r.command];
  const opts = r.plan?.options;
  const data = (opts?.data as string | undefined) ?? r.data.source ?? "<data>";
  const argv = ["nncoach", "train", data];
  const target = (opts?.target as string | undefined) ?? r.data.target;
  if (target) argv.push("--target", target);
  if (opts) {
    for (const o of TRAIN_OPTIONS) {
      if (o.name === "data" || o.name === "target" || o.name === "json") continue;
      const v = opts[o.name];
      if (v === undefined || JSON.stringify(v) === JSON.stringify(o.default)) continue;
      argv.push(...flagTokens(o.flag, v as OptionValue | null, o.arity));
    }
  }
  return argv;
}

/** The base command of a record as one shell-quoted line. */
export function baseCommand(r: RunRecord): string {
  return baseArgv(r).map(shellQuote).join(" ");
}

/** The command line with `change` applied (flags replaced or appended), shell-quoted. */
export function commandFor(r: RunRecord, change: Record<string, OptionValue>): string {
  return applyChange(baseArgv(r), change).map(shellQuote).join(" ");
}

/** argv with each changed flag's occurrences (`--f v`, `--f=v`, bare switches) removed and the new value appended. */
export function applyChange(argv: readonly string[], change: Record<string, OptionValue>): string[] {
  const flags = knownFlags();
  for (const [k, v] of Object.entries(change)) {
    const o = optionOf(k);
    if (!o) throw new Error(`action names '--${k}', which is not an option of nncoach train`);
    try {
      o.validate(Array.isArray(v) ? v.join(",") : v);
    } catch (e) {
      if (!(e instanceof InvalidOptionValue)) throw e;
      throw new Error(
        `action sets --${k} ${JSON.stringify(v)}, which nncoach train refuses: --${k} ${e.message}`,
      );
    }
  }
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) {
      out.push(a);
      continue;
    }
    const [name, inline] = [a.slice(2).split("=")[0]!, a.includes("=")];
    const arity = flags.get(name);
    const takesNext =
      !inline &&
      (arity === "value" ||
        (arity === "optional-value" && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith("--")));
    if (name in change) {
      if (takesNext) i++;
      continue;
    }
    out.push(a);
    if (takesNext && i + 1 < argv.length) out.push(argv[++i]!);
  }
  for (const [k, v] of Object.entries(change)) out.push(...flagTokens(k, v, flags.get(k)!));
  return out;
}

function flagTokens(flag: string, v: OptionValue | null, arity: Arity): string[] {
  if (arity === "flag") return v === false ? [`--${flag}=false`] : [`--${flag}`];
  if (v === null) return [`--${flag}`, "none"];
  return [`--${flag}`, Array.isArray(v) ? v.join(",") : String(v)];
}

/** Quotes a token for a POSIX shell when it holds anything but safe characters. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=,+@%^-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The plan's value of an option (for wording actions only), or undefined. */
export function planned<K extends keyof TrainConfig>(r: RunRecord, name: K): TrainConfig[K] | undefined {
  return r.plan?.options[name] as TrainConfig[K] | undefined;
}

/** A learning rate rounded to one significant digit (3e-4, not 0.00031623). */
export function roundLr(v: number): number {
  return Number(v.toPrecision(1));
}
