/**
 * What `improve` leaves in --out: model/ (the final network, loadable by `nncoach predict`), config.yaml
 * (the final configuration as `nncoach train --config` reads it), summary.json, report.md and
 * report.html. Every file is written atomically; study.json (the resumable state) is already there.
 */
import fs from "node:fs";
import path from "node:path";
import { TRAIN_OPTIONS } from "../../train/config-options.js";
import { writeFileAtomic, writeJsonAtomic } from "../../util/atomic-write.js";
import type { ImproveSummary } from "./improve.js";
import { renderImproveHtml, renderImproveMarkdown } from "./improve-report.js";
import type { Options } from "./trial.js";

/** Options that describe outputs or the study, not the model: left out of config.yaml. */
const NOT_CONFIG = new Set(["save", "logDir", "checkpoint", "resume", "json", "evaluateTest", "threads"]);

function yamlValue(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(yamlValue).join(", ")}]`;
  if (typeof v === "string")
    return /^[\w./:,+-]+$/.test(v) && !/^(true|false|null|yes|no|on|off)$/i.test(v) ? v : JSON.stringify(v);
  return String(v);
}

/**
 * The final configuration as YAML: the user's options and the kept changes, with the epochs the lock
 * chose. Paths are absolute, so the file works from any folder.
 */
export function configYaml(options: Options, s: ImproveSummary): string {
  const lines = [
    `# nncoach improve: the final configuration (${s.metric.name} ${s.final.val.mean.toPrecision(4)} on validation).`,
    "# improve retrained it on training + validation rows; `nncoach train --config` trains it on the",
    "# training rows of the same seeded split.",
  ];
  const known = new Set(TRAIN_OPTIONS.map((o) => o.name));
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined || v === null || NOT_CONFIG.has(k) || !known.has(k as never)) continue;
    const value =
      (k === "data" || k === "validationData" || k === "testData" || k === "pretrained") &&
      typeof v === "string"
        ? path.resolve(v)
        : v;
    lines.push(`${k}: ${yamlValue(value)}`);
  }
  return `${lines.join("\n")}\n`;
}

export async function writeImproveOutputs(
  out: string,
  summary: ImproveSummary,
  finalOptions: Options,
  saveModel: (dir: string) => Promise<void>,
): Promise<void> {
  fs.mkdirSync(out, { recursive: true });
  await saveModel(path.join(out, "model"));
  writeFileAtomic(path.join(out, "config.yaml"), configYaml(finalOptions, summary));
  writeJsonAtomic(path.join(out, "summary.json"), summary);
  writeFileAtomic(path.join(out, "report.md"), renderImproveMarkdown(summary));
  writeFileAtomic(path.join(out, "report.html"), renderImproveHtml(summary));
}
