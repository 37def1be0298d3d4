/**
 * Help text generated from the option table: the `nncoach train --help` listing and a Markdown
 * table for the README. Both list every option of TRAIN_OPTIONS, so they cannot drift from it.
 */
import { type OptionGroup, TRAIN_OPTIONS, type TrainOption } from "./config-options.js";

const GROUP_TITLES: Record<OptionGroup, string> = {
  data: "Data",
  model: "Model",
  optimization: "Optimization",
  loss: "Loss",
  regularization: "Regularization and stopping",
  run: "Run",
  transfer: "Transfer learning",
};

/** The default of an option as a user would type it. */
export function formatDefault(option: TrainOption): string {
  if (option.defaultText !== undefined) return option.defaultText;
  const d = option.default;
  if (d === null) return "none";
  if (Array.isArray(d)) return d.length === 0 ? "[]" : d.join(",");
  return String(d);
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * The options section of `nncoach train --help`, grouped, one option per entry:
 * `  --batch-size <n>    Examples per optimizer step. (default: 128)`, wrapped to `width` columns.
 */
export function formatTrainOptionsHelp(width = 100): string {
  const usage = (o: TrainOption) => `--${o.flag}${o.valueName ? ` ${o.valueName}` : ""}`;
  const col = Math.min(32, Math.max(...TRAIN_OPTIONS.map((o) => usage(o).length)) + 4);
  const out: string[] = [];
  for (const group of Object.keys(GROUP_TITLES) as OptionGroup[]) {
    const options = TRAIN_OPTIONS.filter((o) => o.group === group);
    if (options.length === 0) continue;
    out.push(`${GROUP_TITLES[group]}:`);
    for (const o of options) {
      const extra = [
        o.choices ? `one of ${o.choices.join("|")}` : "",
        o.arity === "flag" ? "" : `default: ${formatDefault(o)}`,
      ]
        .filter(Boolean)
        .join("; ");
      const body = wrap(extra ? `${o.description} (${extra})` : o.description, width - col);
      const head = `  ${usage(o)}`;
      if (head.length + 2 > col) out.push(head, ...body.map((l) => " ".repeat(col) + l));
      else out.push(head.padEnd(col) + body[0], ...body.slice(1).map((l) => " ".repeat(col) + l));
    }
    out.push("");
  }
  out.push("Every option can also be set in a YAML or JSON file given with --config (keys like batchSize or");
  out.push("batch-size); flags on the command line override the file.");
  return out.join("\n");
}

/** A Markdown table of every option (file key, flag, type, default, description) for the README. */
export function trainOptionsMarkdown(): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  const rows = TRAIN_OPTIONS.map(
    (o) =>
      `| \`${o.name}\` | \`--${o.flag}\` | ${esc(o.type)} | ${o.defaultText ? esc(o.defaultText) : `\`${esc(formatDefault(o))}\``} | ${esc(o.description)} |`,
  );
  return ["| key | flag | type | default | description |", "| --- | --- | --- | --- | --- |", ...rows].join(
    "\n",
  );
}
