/**
 * Argument parsing shared by CLI commands: node:util parseArgs with errors turned into UserErrors that
 * name the option and suggest the closest valid one.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { closestMatch, UserError } from "../errors.js";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;
export type { ParseArgsConfig };

export function parseCommandArgs<O extends OptionSpec>(
  command: string,
  argv: string[],
  options: O,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>({
      args: argv,
      options,
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    const msg = (e as Error).message;
    const m = /Unknown option '(-{1,2})([^']+)'/.exec(msg);
    if (m) {
      const near = closestMatch(m[2]!, Object.keys(options));
      throw new UserError(
        `${command}: unknown option '${m[1]}${m[2]}'`,
        near
          ? `did you mean '--${near}'? See 'nncoach ${command} --help'`
          : `see 'nncoach ${command} --help'`,
      );
    }
    throw new UserError(`${command}: ${msg}`, `see 'nncoach ${command} --help'`);
  }
}

/** A number option: undefined when absent, a UserError naming the option when not a number. */
export function numberOption(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n)) throw new UserError(`--${name} must be a number, got '${v}'`);
  return n;
}

export function intOption(name: string, v: string | undefined, min = 1): number | undefined {
  const n = numberOption(name, v);
  if (n !== undefined && (!Number.isInteger(n) || n < min))
    throw new UserError(`--${name} must be a whole number >= ${min}, got '${v}'`);
  return n;
}

export function listOption(name: string, v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(",").map((s) => s.trim());
  return parts.map((p) => {
    const n = Number(p);
    if (p === "" || !Number.isInteger(n) || n <= 0)
      throw new UserError(
        `--${name} must be a comma-separated list of positive whole numbers (e.g. 256,256), got '${v}'`,
      );
    return n;
  });
}

export function choiceOption<T extends string>(
  name: string,
  v: string | undefined,
  choices: readonly T[],
): T | undefined {
  if (v === undefined) return undefined;
  if ((choices as readonly string[]).includes(v)) return v as T;
  const near = closestMatch(v, choices);
  throw new UserError(
    `--${name} must be one of ${choices.join(", ")}, got '${v}'`,
    near ? `did you mean '${near}'?` : undefined,
  );
}
