#!/usr/bin/env node
/**
 * The options table of README.md, generated from TRAIN_OPTIONS (src/train/config-options.ts), the one
 * table the CLI parser, `nncoach train --help` and config files read: one Markdown table per option group,
 * each option with its aliases, type, default, the data kinds it applies to, and its description.
 *
 *   node scripts/options-table.mjs           rewrites the table between the markers in README.md
 *   node scripts/options-table.mjs --check   exits 1 (and says so) when README.md's table differs
 *
 * It reads the built library (dist/; `npm install` or `npm run build` makes it). test/readme.test.ts
 * fails when README.md's table differs from what this script generates.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const README = path.join(ROOT, "README.md");
export const START =
  "<!-- options-table:start (generated from TRAIN_OPTIONS by `node scripts/options-table.mjs`; do not edit by hand) -->";
export const END = "<!-- options-table:end -->";

const GROUPS = {
  data: "Data",
  model: "Model",
  optimization: "Optimization",
  loss: "Loss",
  regularization: "Regularization and stopping",
  run: "Run",
  transfer: "Transfer learning",
};
const KIND_NAMES = { table: "tables", text: "text", images: "images", audio: "audio" };

/** A table cell: pipes escaped, line breaks flattened. */
const cell = (s) =>
  String(s)
    .replace(/\|/g, "\\|")
    .replace(/\s*\n\s*/g, " ");

/** The Markdown of every option of `nncoach train`, grouped as in `--help`. */
export async function optionsTable() {
  const { TRAIN_OPTIONS, DATA_KINDS } = await import(
    pathToFileURL(path.join(ROOT, "dist/src/train/config-options.js")).href
  );
  const { formatDefault } = await import(
    pathToFileURL(path.join(ROOT, "dist/src/train/config-help.js")).href
  );
  const out = [];
  for (const [group, title] of Object.entries(GROUPS)) {
    const options = TRAIN_OPTIONS.filter((o) => o.group === group);
    if (options.length === 0) continue;
    out.push(
      `**${title}**`,
      "",
      "| option | type | default | data | description |",
      "| --- | --- | --- | --- | --- |",
    );
    for (const o of options) {
      // the data is the first argument of `nncoach train` (or `data:` in a config file), not a flag
      const flag =
        o.name === "data"
          ? "`<data>` (first argument)"
          : `\`--${o.flag}${o.valueName ? ` ${o.valueName}` : ""}\``;
      const also = [o.flag === o.name && o.name !== "data" ? "" : o.name, ...o.aliases].filter(Boolean);
      const name = also.length ? `${flag}<br>also ${also.map((a) => `\`${a}\``).join(", ")}` : flag;
      const kinds =
        !o.kinds || o.kinds.length === DATA_KINDS.length
          ? "all"
          : o.kinds.map((k) => KIND_NAMES[k]).join(", ");
      const dflt =
        o.arity === "flag" ? "off" : o.defaultText !== undefined ? o.defaultText : `\`${formatDefault(o)}\``;
      out.push(`| ${name} | ${cell(o.type)} | ${cell(dflt)} | ${kinds} | ${cell(o.description)} |`);
    }
    out.push("");
  }
  return out.join("\n").trimEnd();
}

/** `readme` with the text between the markers replaced by `table`. */
export function withTable(readme, table) {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md lacks the markers ${START} ... ${END}`);
  return `${readme.slice(0, a + START.length)}\n\n${table}\n\n${readme.slice(b)}`;
}

async function main() {
  const readme = fs.readFileSync(README, "utf8");
  const next = withTable(readme, await optionsTable());
  if (process.argv.includes("--check")) {
    if (next !== readme) {
      console.error(
        "README.md: the options table differs from TRAIN_OPTIONS; run `node scripts/options-table.mjs`",
      );
      process.exitCode = 1;
    } else console.log("README.md: the options table matches TRAIN_OPTIONS");
    return;
  }
  if (next !== readme) fs.writeFileSync(README, next);
  console.log(`README.md: options table ${next === readme ? "already up to date" : "rewritten"}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) await main();
