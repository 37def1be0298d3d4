/**
 * The arguments `nncoach improve` and `nncoach sweep` share: the command's own options plus every
 * `nncoach train` option that makes sense inside a study (the starting configuration), --help, exactly one
 * data path, and --max-data-mb for queue workers.
 */
import { UserError } from "../errors.js";
import { TRAIN_OPTIONS } from "../train/config.js";
import { numberOption, parseCommandArgs } from "./args.js";
import { takeTrackingArgs } from "./tracking.js";

/** Options of `train` that make no sense inside a study (outputs and resuming are the study's own). */
export const NOT_FOR_STUDIES = new Set([
  "data",
  "save",
  "logDir",
  "checkpoint",
  "resume",
  "json",
  "evaluateTest",
  "cv",
]);

type OptionSpec = Record<string, { type: "string" | "boolean"; short?: string }>;

export interface StudyArgs {
  values: Record<string, string | boolean | undefined>;
  /** The one data path. */
  data: string;
  tracking: ReturnType<typeof takeTrackingArgs>["tracking"];
  /** `nncoach train` options given (camelCase names), but those in `passedApart`. */
  train: Record<string, unknown>;
  /** --max-data-mb in bytes. */
  maxDataBytes: number | undefined;
}

/**
 * Parses a study command's arguments; null when --help was asked for (and printed).
 * @param passedApart train options the command passes as its own arguments (not in `train`)
 */
export function parseStudyArgs(
  command: string,
  fullArgv: string[],
  own: OptionSpec,
  passedApart: readonly string[],
  usage: string,
  help: () => string,
): StudyArgs | null {
  const { argv, tracking } = takeTrackingArgs(fullArgv);
  const options: OptionSpec = { ...own };
  for (const o of TRAIN_OPTIONS) {
    if (NOT_FOR_STUDIES.has(o.name)) continue;
    options[o.flag] = { type: o.arity === "flag" ? "boolean" : "string" };
  }
  const { values, positionals } = parseCommandArgs(command, argv, options);
  if (values.help) {
    process.stdout.write(`${help()}\n`);
    return null;
  }
  if (positionals.length !== 1)
    throw new UserError(
      positionals.length
        ? `nncoach ${command} takes one data path, got ${positionals.join(" ")}`
        : `nncoach ${command} needs data`,
      usage,
    );
  const train: Record<string, unknown> = {};
  for (const o of TRAIN_OPTIONS) {
    const v = values[o.flag];
    if (v === undefined || NOT_FOR_STUDIES.has(o.name) || passedApart.includes(o.name)) continue;
    train[o.name] = v;
  }
  const maxDataMb = numberOption("max-data-mb", values["max-data-mb"] as string | undefined);
  if (maxDataMb !== undefined && !(maxDataMb >= 0))
    throw new UserError(`--max-data-mb must be a number >= 0, got ${maxDataMb}`, "e.g. --max-data-mb 64");
  return {
    values: values as StudyArgs["values"],
    data: positionals[0]!,
    tracking,
    train,
    maxDataBytes: maxDataMb === undefined ? undefined : maxDataMb * 1024 * 1024,
  };
}
