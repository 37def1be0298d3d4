/**
 * How well the audit's label check finds wrong labels, measured on the shared classification datasets:
 * for each dataset and seed, 10% of the labels are flipped to another class at random and the check's
 * "likely mislabeled" rows are scored against the flipped ones (precision, recall); on the unflipped data,
 * every flag is a false alarm (share of rows flagged).
 *
 *   node dist/bench/label-issues.js [--datasets ../shared/datasets] [--seeds 5] [--only iris,wine]
 *                                   [--fraction 0.1] [--json out.json]
 *
 * Targets (issue "confident learning flags too much"): precision >= 0.75 at recall >= 0.7 with 10% flipped,
 * at most 2% of the rows flagged on clean data.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type AuditTask, prepareAuditData } from "../src/data/audit/audit-data.js";
import { auditLabelIssues } from "../src/data/audit/label-issues.js";
import { readTableFile } from "../src/data/read-table-file.js";
import { smallest } from "../src/util/extent.js";
import { flipLabels, scoreFlags } from "./label-noise.js";

/** The shared classification datasets and their targets. */
export const LABEL_BENCH_DATASETS = [
  { name: "iris", file: "iris.csv", target: "species" },
  { name: "wine", file: "wine.csv", target: "cultivar" },
  { name: "breast_cancer", file: "breast_cancer.csv", target: "diagnosis" },
  { name: "digits", file: "digits.csv", target: "digit", task: "classification" },
  { name: "house_votes84", file: "house_votes84.csv", target: "Class" },
] as const;

/** One dataset's figures: means over the seeds (and the worst seed). */
export interface LabelBenchRow {
  dataset: string;
  rows: number;
  precision: number;
  recall: number;
  worstPrecision: number;
  worstRecall: number;
  /** Rows flagged "likely mislabeled" on the unflipped data, as a share of the rows. */
  cleanFlagged: number;
  /** Rows marked uncertain on the flipped data (mean over seeds). */
  uncertain: number;
  outOfFoldAccuracy: number;
  seconds: number;
}

/** Measures one dataset: `seeds` flips of `fraction` of its labels, and the clean data. */
export async function measureLabelCheck(
  path: string,
  target: string,
  seeds: number,
  fraction = 0.1,
  task?: AuditTask,
): Promise<Omit<LabelBenchRow, "dataset">> {
  const t0 = performance.now();
  const clean = await readTableFile(path);
  const precision: number[] = [];
  const recall: number[] = [];
  const uncertain: number[] = [];
  let accuracy = 0;
  for (let seed = 0; seed < seeds; seed++) {
    const { table, flipped } = flipLabels(clean, target, fraction, seed);
    const { issues, summary } = auditLabelIssues(prepareAuditData({ train: table }, target, { task }), seed);
    const likely = issues.filter((i) => i.verdict === "likely mislabeled").map((i) => i.row);
    const s = scoreFlags(likely, flipped);
    precision.push(s.precision);
    recall.push(s.recall);
    uncertain.push(issues.length - likely.length);
    accuracy += summary.out_of_fold_accuracy / seeds;
  }
  const { issues } = auditLabelIssues(prepareAuditData({ train: clean }, target, { task }), 0);
  const cleanLikely = issues.filter((i) => i.verdict === "likely mislabeled").length;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    rows: clean.rows.length,
    precision: mean(precision),
    recall: mean(recall),
    worstPrecision: smallest(precision),
    worstRecall: smallest(recall),
    cleanFlagged: cleanLikely / clean.rows.length,
    uncertain: mean(uncertain),
    outOfFoldAccuracy: accuracy,
    seconds: (performance.now() - t0) / 1000,
  };
}

async function main(): Promise<void> {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const { values } = parseArgs({
    options: {
      datasets: { type: "string", default: join(root, "..", "shared", "datasets") },
      seeds: { type: "string", default: "5" },
      only: { type: "string" },
      fraction: { type: "string", default: "0.1" },
      json: { type: "string" },
    },
  });
  const only = values.only?.split(",");
  const out: LabelBenchRow[] = [];
  console.log(
    "dataset         rows  precision (worst)  recall (worst)  clean flagged  uncertain  oof acc  seconds",
  );
  for (const d of LABEL_BENCH_DATASETS) {
    if (only && !only.includes(d.name)) continue;
    const r = await measureLabelCheck(
      join(values.datasets!, d.file),
      d.target,
      Number(values.seeds),
      Number(values.fraction),
      "task" in d ? d.task : undefined,
    );
    out.push({ dataset: d.name, ...r });
    console.log(
      `${d.name.padEnd(14)} ${String(r.rows).padStart(5)}  ${r.precision.toFixed(3)} (${r.worstPrecision.toFixed(3)})      ` +
        `${r.recall.toFixed(3)} (${r.worstRecall.toFixed(3)})   ${(100 * r.cleanFlagged).toFixed(2).padStart(6)}%       ` +
        `${r.uncertain.toFixed(1).padStart(5)}    ${r.outOfFoldAccuracy.toFixed(3)}  ${r.seconds.toFixed(1).padStart(6)}`,
    );
  }
  if (values.json) writeFileSync(values.json, `${JSON.stringify(out, null, 2)}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
