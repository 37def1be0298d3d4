/**
 * Training configuration: `nncoach train --config run.yaml` reads options from a YAML or JSON file,
 * command-line flags override them, defaults fill the rest, and the resolved configuration is
 * written into the run folder as `config.json`, from which `nncoach train --config config.json`
 * repeats the run exactly.
 *
 * Keys may be camelCase (`batchSize`), kebab-case (`batch-size`) or snake_case (`batch_size`).
 * Relative paths in a file are relative to the file's folder; on the command line, to the working
 * directory. Every path in a resolved configuration is absolute.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { isMap, isScalar, LineCounter, parseDocument } from "yaml";
import { closestMatch, UserError } from "../errors.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import {
  InvalidOptionValue,
  type OptionName,
  TRAIN_OPTIONS,
  type TrainConfig,
  type TrainOption,
} from "./config-options.js";

export * from "./config-options.js";

/** Where a resolved value came from. */
export type ConfigSource = "default" | "file" | "cli";

/** The options of a run with every value filled in, and where each came from. */
export interface ResolvedConfig {
  values: TrainConfig;
  sources: Record<OptionName, ConfigSource>;
  /** Absolute path of the config file used, or null. */
  configFile: string | null;
}

/** The validated contents of a config file. */
export interface ConfigFile {
  /** Absolute path of the file. */
  path: string;
  /** The options the file sets (camelCase keys, validated, paths absolute). */
  values: Partial<TrainConfig>;
  /** 1-based line of each option in the file (where known). */
  lines: Partial<Record<OptionName, number>>;
}

/** Options of {@link resolveConfig}. */
export interface ResolveOptions {
  /** Folder that relative command-line paths are relative to (default: process.cwd()). */
  cwd?: string;
}

const BY_NAME = new Map<string, TrainOption>();
for (const o of TRAIN_OPTIONS) {
  const snake = o.flag.replace(/-/g, "_");
  for (const key of new Set([o.name, o.flag, snake, ...o.aliases])) BY_NAME.set(key, o);
}

/**
 * The option a key names, in any accepted spelling ("batchSize", "batch-size", "batch_size", an
 * alias such as "patience"), or undefined.
 */
export function findOption(key: string): TrainOption | undefined {
  return BY_NAME.get(key);
}

/** The value as the user wrote it, short, for error messages. */
function show(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = typeof v === "number" ? String(v) : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function expandHome(p: string): string {
  return p === "~" || p.startsWith("~/") ? join(homedir(), p.slice(1)) : p;
}

/**
 * Validates one value for `option`; `label` is how the user named it ("lr", "--lr") and `location`
 * where ("run.yaml, line 3"; empty on the command line). Relative paths are resolved against `baseDir`.
 */
export function validateValue(
  option: TrainOption,
  raw: unknown,
  label: string,
  location: string,
  baseDir: string,
): unknown {
  let value: unknown;
  try {
    value = option.validate(raw);
  } catch (e) {
    if (!(e instanceof InvalidOptionValue)) throw e;
    throw new UserError(
      `${label} must be ${e.expected}, got ${show(raw)}${location ? ` (in ${location})` : ""}`,
      e.hint,
    );
  }
  const isPathValue = option.isPath || (option.name === "resume" && typeof value === "string");
  if (isPathValue && typeof value === "string") value = resolve(baseDir, expandHome(value));
  return value;
}

export function unknownKeyError(key: string, location: string, cli: boolean): UserError {
  const style = (o: TrainOption) =>
    cli || key.includes("-") ? o.flag : key.includes("_") ? o.flag.replace(/-/g, "_") : o.name;
  // canonical spellings first (they win ties), then the aliases, each naming its option
  const spellings = new Map<string, TrainOption>();
  for (const o of TRAIN_OPTIONS) spellings.set(style(o), o);
  if (!cli)
    for (const o of TRAIN_OPTIONS) for (const a of o.aliases) if (!spellings.has(a)) spellings.set(a, o);
  const bare = key.replace(/^--/, "");
  const near = closestMatch(bare, [...spellings.keys()]);
  const shown = cli ? `--${bare}` : `"${key}"`;
  const option = near === undefined ? undefined : spellings.get(near)!;
  const target = option === undefined ? undefined : style(option);
  const suggestion = target ? `; did you mean ${cli ? `--${target}` : `"${target}"`}?` : "";
  const all = cli ? TRAIN_OPTIONS.map((o) => `--${o.flag}`) : TRAIN_OPTIONS.map((o) => o.name);
  return new UserError(
    `unknown option ${shown}${location ? ` in ${location}` : ""}${suggestion}`,
    near ? undefined : `valid options: ${all.join(", ")}`,
  );
}

/**
 * One UserError for every problem found in a record of options: the error itself when there is one, else
 * a numbered list (each with its own hint) under a line that says how many and where.
 */
function combinedError(errors: readonly UserError[], kind: "file" | "cli", where: string): UserError {
  if (errors.length === 1) return errors[0]!;
  const place = kind === "cli" ? "the command-line options" : where;
  const items = errors.map((e, i) => `  ${i + 1}. ${e.message.replace(/\n/g, "\n     ")}`);
  return new UserError(
    `${errors.length} problems in ${place}:\n${items.join("\n")}`,
    "fix them all, then run again",
  );
}

/**
 * Validates a record of option values (file or command line) into camelCase keys. `locate(key)`
 * says where a key was given ("run.yaml, line 3"; "" on the command line).
 * Throws a UserError for an unknown key (naming the closest valid one, aliases included), an option
 * given twice in two spellings, or a bad value; with several problems, one UserError lists them all.
 */
function validateRecord(
  record: Record<string, unknown>,
  kind: "file" | "cli",
  locate: (key: string) => string,
  baseDir: string,
  lines?: Map<string, number>,
): { values: Partial<TrainConfig>; lines: Partial<Record<OptionName, number>> } {
  const values: Partial<Record<OptionName, unknown>> = {};
  const seenAs = new Map<OptionName, string>();
  const optionLines: Partial<Record<OptionName, number>> = {};
  // every problem is collected, so that one run of the command reports them all
  const errors: UserError[] = [];
  for (const [rawKey, raw] of Object.entries(record)) {
    if (raw === undefined) continue;
    const key = kind === "cli" ? rawKey.replace(/^--/, "") : rawKey;
    const option = findOption(key);
    if (!option) {
      errors.push(unknownKeyError(key, locate(rawKey), kind === "cli"));
      continue;
    }
    const previous = seenAs.get(option.name);
    if (previous !== undefined) {
      const names = kind === "cli" ? `--${previous} and --${key}` : `"${previous}" and "${key}"`;
      const lineInfo =
        lines?.has(previous) && lines.has(rawKey)
          ? `, lines ${lines.get(previous)} and ${lines.get(rawKey)}`
          : "";
      const location = locate(rawKey).replace(/, line \d+$/, "");
      errors.push(
        new UserError(
          `option ${option.name} is given twice, as ${names}${location ? ` (in ${location}${lineInfo})` : ""}`,
          "keep one of them",
        ),
      );
      continue;
    }
    seenAs.set(option.name, key);
    const label = kind === "cli" ? `--${key}` : key;
    try {
      values[option.name] = validateValue(option, raw, label, locate(rawKey), baseDir);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      errors.push(e);
      continue;
    }
    const line = lines?.get(rawKey);
    if (line !== undefined) optionLines[option.name] = line;
  }
  if (errors.length > 0) throw combinedError(errors, kind, locate("").replace(/, line \d+$/, ""));
  return { values: values as Partial<TrainConfig>, lines: optionLines };
}

/** Parses YAML text into a plain object and the line of each top-level key. */
export function parseYaml(
  text: string,
  file: string,
): { record: Record<string, unknown>; lines: Map<string, number> } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = e.linePos?.[0];
    const [headline, ...context] = e.message.split("\n");
    const short = headline!.replace(/ at line \d+, column \d+:?$/, "");
    const snippet = context.filter((l) => l.trim() !== "").map((l) => `    ${l}`);
    throw new UserError(
      `cannot parse config file ${file}${pos ? `, line ${pos.line}, column ${pos.col}` : ""}: ${short}` +
        (snippet.length > 0 ? `\n${snippet.join("\n")}` : ""),
    );
  }
  const lines = new Map<string, number>();
  const contents = doc.contents;
  if (contents === null) return { record: {}, lines };
  if (!isMap(contents)) {
    throw new UserError(
      `config file ${file} must be a mapping of option names to values (like "lr: 0.01"), got ${
        Array.isArray(doc.toJS()) ? "a list" : `the single value ${show(doc.toJS())}`
      }`,
    );
  }
  for (const pair of contents.items) {
    const key = pair.key;
    if (!isScalar(key) || typeof key.value !== "string") {
      const line = isScalar(key) && key.range ? `, line ${lineCounter.linePos(key.range[0]).line}` : "";
      throw new UserError(
        `config file ${file}${line}: option names must be plain words, got ${show(key?.toJSON?.())}`,
      );
    }
    if (key.range) lines.set(key.value, lineCounter.linePos(key.range[0]).line);
  }
  const record = doc.toJS() as Record<string, unknown>;
  return { record, lines };
}

/** Parses JSON text into a plain object, with key lines taken from a YAML parse of the same text. */
function parseJson(
  text: string,
  file: string,
): { record: Record<string, unknown>; lines: Map<string, number> } {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const at = /position (\d+)/.exec(msg);
    let where = "";
    if (at) {
      const before = text.slice(0, Number(at[1]));
      const line = before.split("\n").length;
      const col = Number(at[1]) - before.lastIndexOf("\n");
      where = `, line ${line}, column ${col}`;
    }
    throw new UserError(
      `cannot parse config file ${file}${where}: ${msg.replace(/ in JSON at position \d+.*$/, "")}`,
    );
  }
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    throw new UserError(
      `config file ${file} must be a JSON object of option names to values (like {"lr": 0.01}), got ${show(record)}`,
    );
  }
  let lines = new Map<string, number>();
  try {
    lines = parseYaml(text, file).lines;
  } catch {
    // Line numbers are a convenience; JSON that YAML reads differently simply has none.
  }
  return { record: record as Record<string, unknown>, lines };
}

/**
 * Reads, parses and validates a config file given its text (what {@link loadConfigFile} does after
 * reading the file). `path` names the file in messages and anchors relative paths.
 */
export function parseConfigFile(text: string, path: string): ConfigFile {
  const abs = resolve(path);
  const lower = abs.toLowerCase();
  const isJson = lower.endsWith(".json");
  if (!isJson && !lower.endsWith(".yaml") && !lower.endsWith(".yml")) {
    throw new UserError(`config file ${path} must end in .yaml, .yml or .json`);
  }
  const { record, lines } = isJson ? parseJson(text, path) : parseYaml(text, path);
  const locate = (key: string) => (lines.has(key) ? `${path}, line ${lines.get(key)}` : path);
  const { values, lines: optionLines } = validateRecord(record, "file", locate, dirname(abs), lines);
  return { path: abs, values, lines: optionLines };
}

/**
 * Loads a `.yaml`, `.yml` or `.json` config file of `nncoach train` options and validates every
 * value. Relative paths inside it are resolved against the file's folder.
 *
 * Errors (UserError) name the file and line: a syntax error, an unknown key (with the closest valid
 * key), an option given twice, or a bad value ("lr must be > 0, got -0.1 (in run.yaml, line 3)").
 *
 * @example
 * const file = loadConfigFile("run.yaml");
 * const cfg = resolveConfig(file, { lr: "0.01" });
 */
export function loadConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(
      code === "ENOENT"
        ? `config file ${path} does not exist`
        : `cannot read config file ${path}: ${(e as Error).message}`,
    );
  }
  return parseConfigFile(text.replace(/^\uFEFF/, ""), path);
}

function isConfigFile(x: unknown): x is ConfigFile {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as ConfigFile).path === "string" &&
    typeof (x as ConfigFile).values === "object" &&
    Object.keys(x).every((k) => k === "path" || k === "values" || k === "lines")
  );
}

/**
 * Merges defaults, config-file values and command-line values (highest precedence), validating
 * each, and records where every value came from.
 *
 * @param fileValues what {@link loadConfigFile} returned, a plain record of options, or null.
 * @param cliValues options from the command line, keyed by flag ("batch-size" or "--batch-size")
 *   or camelCase name; values as parsed from argv (strings, booleans) or typed. Undefined values are ignored.
 * @param options `cwd` for relative command-line paths.
 *
 * Also refuses combinations that cannot work: `resume: true` without a checkpoint, and the
 * transfer options (freeze, head, fineTune) without `pretrained`.
 *
 * @example
 * resolveConfig(loadConfigFile("run.yaml"), { "batch-size": "64" }).values.batchSize // 64
 */
export function resolveConfig(
  fileValues: ConfigFile | Record<string, unknown> | null | undefined,
  cliValues: Record<string, unknown> = {},
  options: ResolveOptions = {},
): ResolvedConfig {
  const cwd = options.cwd ?? process.cwd();
  let file: Partial<TrainConfig> = {};
  let configFile: string | null = null;
  if (isConfigFile(fileValues)) {
    configFile = fileValues.path;
    // Already validated; validating again is a no-op that also guards hand-made ConfigFile objects.
    const path = configFile;
    const lines = fileValues.lines ?? {};
    const locate = (key: string) => {
      const name = findOption(key)?.name;
      return name && lines[name] !== undefined ? `${path}, line ${lines[name]}` : path;
    };
    file = validateRecord(fileValues.values as Record<string, unknown>, "file", locate, dirname(path)).values;
  } else if (fileValues) {
    file = validateRecord(fileValues, "file", () => "the config values", cwd).values;
  }
  const cli = validateRecord(cliValues, "cli", () => "", cwd).values;

  const values: Partial<Record<OptionName, unknown>> = {};
  const sources: Partial<Record<OptionName, ConfigSource>> = {};
  for (const o of TRAIN_OPTIONS) {
    if (cli[o.name] !== undefined) {
      values[o.name] = cli[o.name];
      sources[o.name] = "cli";
    } else if (file[o.name] !== undefined) {
      values[o.name] = file[o.name];
      sources[o.name] = "file";
    } else {
      const d = o.default;
      values[o.name] = Array.isArray(d) ? [...d] : d;
      sources[o.name] = "default";
    }
  }
  const resolved: ResolvedConfig = {
    values: values as TrainConfig,
    sources: sources as Record<OptionName, ConfigSource>,
    configFile,
  };
  checkCombinations(resolved);
  return resolved;
}

/** The options that name files nncoach reads (checked by checkInputPaths). */
const INPUT_PATHS = ["data", "validationData", "pretrained"] as const;

/**
 * Checks that the files a resolved configuration reads (data, validationData, pretrained) exist, and
 * throws one UserError naming every missing one. For a path from a config file the message says how it
 * was resolved: relative to the config file's folder, not the current folder; and when the path as written
 * does exist relative to the current folder, it says how to write it from the config file's folder.
 * Call it after resolveConfig, before reading any data.
 *
 * @example checkInputPaths(resolveConfig(loadConfigFile("runs/a.yaml"), cli));
 */
export function checkInputPaths(cfg: ResolvedConfig, options: ResolveOptions = {}): void {
  const cwd = options.cwd ?? process.cwd();
  const errors: UserError[] = [];
  for (const name of INPUT_PATHS) {
    const path = cfg.values[name];
    if (typeof path !== "string" || existsSync(path)) continue;
    if (cfg.sources[name] !== "file" || cfg.configFile === null) {
      errors.push(
        new UserError(
          `${name} ${path} does not exist (${where(cfg, name)})`,
          "check the path; a relative path on the command line is read from the current folder",
        ),
      );
      continue;
    }
    const folder = dirname(cfg.configFile);
    const written = relative(folder, path);
    const fromCwd = resolve(cwd, written);
    const hint =
      !isAbsolute(written) && existsSync(fromCwd)
        ? `there is ${written} in the current folder: write it as ${relative(folder, fromCwd)} in the config file ` +
          `(or as the absolute path ${fromCwd})`
        : `write the path relative to ${folder}, or as an absolute path`;
    errors.push(
      new UserError(
        `${name} ${path} does not exist: ${name} is set in ${cfg.configFile}, and a relative path there is read ` +
          `from the config file's folder (${folder}), not from the current folder`,
        hint,
      ),
    );
  }
  if (errors.length > 0) throw combinedError(errors, "file", cfg.configFile ?? "the configuration");
}

function where(cfg: ResolvedConfig, name: OptionName): string {
  const s = cfg.sources[name];
  return s === "cli"
    ? "on the command line"
    : s === "file"
      ? `in ${cfg.configFile ?? "the config"}`
      : "by default";
}

function checkCombinations(cfg: ResolvedConfig): void {
  const v = cfg.values;
  if (v.resume === true && v.checkpoint === null) {
    throw new UserError(
      `resume is true (${where(cfg, "resume")}) but no checkpoint is set to resume from`,
      "give --checkpoint <file>, or --resume <file>",
    );
  }
  for (const name of ["freeze", "head", "fineTune"] as const) {
    const set = name === "fineTune" ? v.fineTune : v[name] !== null;
    if (set && v.pretrained === null) {
      throw new UserError(
        `${name} (${where(cfg, name)}) applies to a pretrained model, but pretrained is not set`,
        "give --pretrained <model.onnx>",
      );
    }
  }
}

/** The values of a configuration as a JSON-ready object, every option in table order. */
export function configToJson(values: TrainConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const o of TRAIN_OPTIONS) out[o.name] = values[o.name];
  return out;
}

/**
 * Writes `config.json` (every option, paths absolute) into `dir`, creating the folder, atomically:
 * the text goes to a temporary file in the same folder, is flushed to disk, then renamed over
 * `config.json`, so readers never see a half-written file. Returns the path written.
 * `nncoach train --config <that file>` repeats the run with the same settings.
 */
export function writeResolvedConfig(dir: string, cfg: ResolvedConfig | TrainConfig): string {
  const values = "values" in cfg && "sources" in cfg ? cfg.values : (cfg as TrainConfig);
  for (const o of TRAIN_OPTIONS) {
    if (!(o.name in values)) throw new UserError(`cannot write config.json: option ${o.name} has no value`);
    const v = values[o.name];
    if (typeof v === "string" && (o.isPath || o.name === "resume") && !isAbsolute(v) && v !== "") {
      throw new UserError(
        `cannot write config.json: ${o.name} path ${show(v)} is not absolute; resolve the config first`,
      );
    }
  }
  mkdirSync(dir, { recursive: true });
  const target = join(dir, "config.json");
  writeFileAtomic(target, `${JSON.stringify(configToJson(values), null, 2)}\n`);
  return target;
}
