/**
 * A sweep's search space: `nncoach train` options mapped to distributions, read from a YAML (or JSON) file.
 *
 * ```yaml
 * lr: {log_uniform: [1.0e-4, 1.0e-2]}
 * hidden: {choice: ["64,64", "128,128", "256,256,256"]}
 * dropout: {uniform: [0.0, 0.3]}
 * batch-size: {choice: [32, 64, 128]}
 * epochs: 20            # a plain value fixes the option
 * ```
 *
 * Distributions: `uniform: [a, b]` and `log_uniform: [a, b]` (real options), `int_uniform: [a, b]` and
 * `log_int_uniform: [a, b]` (whole-number options), `choice: [...]` (any option). Every key is checked
 * against the option vocabulary of `nncoach train` (a typo names the closest option, with file and line),
 * and every value and range end goes through the option's own validation, so a range outside an option's
 * bounds is refused before any training.
 */
import fs from "node:fs";
import { dirname, resolve } from "node:path";
import { UserError } from "../errors.js";
import {
  findOption,
  type OptionName,
  parseYaml,
  type TrainOption,
  unknownKeyError,
  validateValue,
} from "../train/config.js";

/** One searched option. Numeric params are searched on [low, high] (log scale when `log`). */
export type Param =
  | { name: OptionName; flag: string; kind: "float" | "int"; low: number; high: number; log: boolean }
  | { name: OptionName; flag: string; kind: "categorical"; choices: unknown[] };

export interface SearchSpace {
  /** The searched options, in file order. */
  params: Param[];
  /** Options the space fixes (camelCase names, validated values). */
  fixed: Record<string, unknown>;
  /** Where it came from (for messages). */
  file: string;
}

/** Options a sweep cannot search: the data (prepared once for all trials), outputs, and the run's identity. */
const NOT_SEARCHED: Partial<Record<OptionName, string>> = {
  seed: "the sweep's --seed fixes the split and the training seed of every trial",
  threads: "give --threads on the command line",
  save: "trials save nothing; reproduce the best with the printed nncoach train command",
  logDir: "trials write no logs",
  checkpoint: "trials write no checkpoints",
  resume: "trials cannot resume",
  json: "give --json on the command line",
  evaluateTest: "a sweep never reads the test rows",
  cv: "a sweep scores each trial on the recipe's validation split",
  monitor: "the sweep's --metric is the objective",
};

const DISTRIBUTIONS = ["uniform", "log_uniform", "int_uniform", "log_int_uniform", "choice"] as const;

function isWholeNumberOption(o: TrainOption): boolean {
  return /^whole number/.test(o.type);
}

/** Parses and validates a search space given its text; `file` names it in messages. */
export function parseSpace(text: string, file: string): SearchSpace {
  if (!/\.(ya?ml|json)$/i.test(file))
    throw new UserError(`search space ${file} must end in .yaml, .yml or .json`);
  // JSON is YAML too; the YAML parser gives every key its line
  const { record, lines } = parseYaml(text, file);
  const at = (key: string) => (lines.has(key) ? `${file}, line ${lines.get(key)}` : file);
  const params: Param[] = [];
  const fixed: Record<string, unknown> = {};
  const seen = new Map<OptionName, string>();
  const errors: UserError[] = [];
  for (const [key, raw] of Object.entries(record)) {
    try {
      const option = findOption(key);
      if (!option) throw unknownKeyError(key, at(key), false);
      const before = seen.get(option.name);
      if (before !== undefined)
        throw new UserError(
          `option ${option.name} is given twice in ${file}, as "${before}" and "${key}"`,
          "keep one of them",
        );
      seen.set(option.name, key);
      const why = NOT_SEARCHED[option.name];
      if (why || option.group === "data" || option.isPath)
        throw new UserError(
          `${key} (in ${at(key)}) cannot be set in a search space`,
          why ??
            "data options are the same for every trial (the data is prepared once): give it on the command line",
        );
      const p = parseEntry(option, key, raw, at(key));
      if (p === undefined)
        fixed[option.name] = validateValue(option, raw, key, at(key), dirname(resolve(file)));
      else params.push(p);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      errors.push(e);
    }
  }
  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1)
    throw new UserError(
      `${errors.length} problems in search space ${file}:\n${errors.map((e, i) => `  ${i + 1}. ${e.message.replace(/\n/g, "\n     ")}`).join("\n")}`,
      "fix them all, then run again",
    );
  if (params.length === 0)
    throw new UserError(
      `search space ${file} searches nothing: every option in it is a plain value`,
      "give at least one distribution, e.g. lr: {log_uniform: [1.0e-4, 1.0e-2]}",
    );
  return { params, fixed, file };
}

/** Reads a search space file. */
export function loadSpace(file: string): SearchSpace {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new UserError(
      (e as NodeJS.ErrnoException).code === "ENOENT"
        ? `search space ${file} does not exist`
        : `cannot read search space ${file}: ${(e as Error).message}`,
      "give --space a YAML file mapping nncoach train options to distributions",
    );
  }
  return parseSpace(text.replace(/^\uFEFF/, ""), file);
}

/** The distribution of one entry, or undefined for a plain (fixed) value. */
function parseEntry(option: TrainOption, key: string, raw: unknown, where: string): Param | undefined {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  const keys = Object.keys(raw);
  const dist = keys[0];
  const example = `e.g. ${key}: {uniform: [0.0, 0.3]} or ${key}: {choice: [a, b]}`;
  if (keys.length !== 1 || !(DISTRIBUTIONS as readonly string[]).includes(dist!))
    throw new UserError(
      `${key} (in ${where}): ${keys.length === 1 ? `unknown distribution "${dist}"` : `give one distribution, got {${keys.join(", ")}}`}`,
      `distributions: ${DISTRIBUTIONS.join(", ")}; ${example}`,
    );
  const args = (raw as Record<string, unknown>)[dist!];
  const base = { name: option.name, flag: option.flag };
  const check = (v: unknown) => validateValue(option, v, key, where, ".");
  if (dist === "choice") {
    if (!Array.isArray(args) || args.length === 0)
      throw new UserError(`${key}: choice needs a non-empty list (in ${where})`, example);
    for (const v of args) check(v);
    const shown = args.map((v) => JSON.stringify(v));
    if (new Set(shown).size !== shown.length)
      throw new UserError(`${key}: choice lists a value twice (in ${where})`, "list each choice once");
    return { ...base, kind: "categorical", choices: args };
  }
  const isInt = dist === "int_uniform" || dist === "log_int_uniform";
  const log = dist.startsWith("log_");
  if (
    !Array.isArray(args) ||
    args.length !== 2 ||
    !args.every((v) => typeof v === "number" && Number.isFinite(v))
  )
    throw new UserError(`${key}: ${dist} needs [low, high], two numbers (in ${where})`, example);
  const [low, high] = args as [number, number];
  if (!(low < high)) throw new UserError(`${key}: ${dist} [${low}, ${high}] needs low < high (in ${where})`);
  if (log && !(low > 0))
    throw new UserError(
      `${key}: ${dist} [${low}, ${high}] needs low > 0 (in ${where})`,
      "a log scale starts above 0",
    );
  if (isInt && !(Number.isInteger(low) && Number.isInteger(high)))
    throw new UserError(`${key}: ${dist} [${low}, ${high}] needs whole numbers (in ${where})`);
  const whole = isWholeNumberOption(option);
  if (whole && !isInt)
    throw new UserError(
      `${key} takes whole numbers, so ${dist} does not fit it (in ${where})`,
      `use {${log ? "log_int_uniform" : "int_uniform"}: [${low}, ${high}]} or a choice`,
    );
  if (isInt && !whole && !/^number/.test(option.type))
    throw new UserError(
      `${key} is not a number option, so ${dist} does not fit it (in ${where})`,
      `use {choice: [...]}`,
    );
  if (!isInt && !/^number/.test(option.type))
    throw new UserError(
      `${key} is not a number option, so ${dist} does not fit it (in ${where})`,
      `use {choice: [...]}`,
    );
  for (const v of [low, high]) {
    try {
      check(v);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      throw new UserError(
        `${key}: the range [${low}, ${high}] goes outside the option's bounds: ${e.message}`,
        `keep the range within ${option.type}`,
      );
    }
  }
  return { ...base, kind: isInt ? "int" : "float", low, high, log };
}
