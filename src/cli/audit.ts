/**
 * `nncoach audit`: checks a dataset before training and prints what it found.
 *
 *   nncoach audit <data.csv> --target <col> [--validation-data v.csv] [--test-data t.csv]
 *                 [--task classification|regression] [--seed 0] [--json] [--fail-on high|medium|low]
 *   nncoach audit <image-folder> [--validation-data dir] [--test-data dir] [--seed 0] [--json]
 */
import { stat } from "node:fs/promises";
import type { AuditReport } from "../data/audit/audit-report.js";
import { runImageFolderAudit } from "../data/audit/image-folder-audit.js";
import { renderAuditReport } from "../data/audit/render-audit.js";
import { runAudit } from "../data/audit/run-audit.js";
import { readTableFile } from "../data/read-table-file.js";
import { UserError } from "../errors.js";
import { choiceOption, intOption, parseCommandArgs } from "./args.js";

const HELP = `usage: nncoach audit <data> --target <column> [options]
       nncoach audit <image-folder> [options]

Checks the data before training: column types, missing values, constant and identifier-like columns,
input scales, exact and near duplicates (within and across train/validation/test), target leakage,
label issues (confident learning) and class imbalance. <data> is a CSV/TSV/JSON Lines file; an image
folder holds one subfolder per class.

options
  --target <column>          the column to predict (required for tables)
  --validation-data <path>   the user's validation file (or folder); otherwise rows are tagged with the
                             seeded 70/15/15 split nncoach would use
  --test-data <path>         the user's test file (or folder)
  --task <task>              classification or regression (default: guessed from the target)
  --seed <n>                 seed of the split, folds and searches (default 0)
  --json                     print the report as one JSON object on the last line of stdout
  --fail-on <severity>       exit with code 1 when a finding of this severity or worse exists
                             (high, medium or low); default: exit 0 whatever was found
  -h, --help                 show this help
`;

const SEVERITIES = ["high", "medium", "low"] as const;

/**
 * Runs `nncoach audit` with the arguments after "audit". Prints the human-readable report, or with
 * `--json` the report as one JSON line. Returns the exit code: 0, or 1 when `--fail-on` is given and a
 * finding at or above that severity exists. Mistakes in the arguments or files throw a UserError.
 *
 * @param argv arguments after `audit`, e.g. `["data.csv", "--target", "label", "--json"]`
 * @param out where to write the report (default process.stdout)
 */
export async function auditCommand(
  argv: string[],
  out: { write(text: string): unknown } = process.stdout,
): Promise<number> {
  const { values, positionals } = parseCommandArgs("audit", argv, {
    target: { type: "string" },
    "validation-data": { type: "string" },
    "test-data": { type: "string" },
    task: { type: "string" },
    seed: { type: "string" },
    json: { type: "boolean" },
    "fail-on": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    out.write(HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UserError(
      positionals.length === 0
        ? "give the data to audit"
        : `expected one data path, got ${positionals.length}: ${positionals.join(" ")}`,
      "usage: nncoach audit <data.csv> --target <column> (see nncoach audit --help)",
    );
  }
  const dataPath = positionals[0]!;
  const task = choiceOption("task", values.task, ["classification", "regression"] as const);
  const seed = intOption("seed", values.seed, 0) ?? 0;
  const failOn = choiceOption("fail-on", values["fail-on"], SEVERITIES);
  const validationPath = values["validation-data"];
  const testPath = values["test-data"];

  let report: AuditReport;
  if (await isDirectory(dataPath)) {
    if (values.target !== undefined || task === "regression") {
      throw new UserError(
        `${dataPath} is an image folder, whose classes are its subfolders`,
        "leave out --target and --task for image folders",
      );
    }
    report = await runImageFolderAudit(
      { train: dataPath, validation: validationPath, test: testPath },
      { seed },
    );
  } else {
    const train = await readTableFile(dataPath);
    if (values.target === undefined) {
      throw new UserError(
        `--target is required: name the column to predict (columns of ${dataPath}: ${train.columns.join(", ")})`,
        `for example: nncoach audit ${dataPath} --target ${train.columns[train.columns.length - 1]}`,
      );
    }
    const validation = validationPath === undefined ? undefined : await readTableFile(validationPath);
    const test = testPath === undefined ? undefined : await readTableFile(testPath);
    report = runAudit(
      { train, ...(validation ? { validation } : {}), ...(test ? { test } : {}) },
      values.target,
      { ...(task ? { task } : {}), seed },
    );
  }

  out.write(values.json ? `${JSON.stringify(report)}\n` : renderAuditReport(report));
  if (failOn !== undefined) {
    const limit = SEVERITIES.indexOf(failOn);
    if (report.findings.some((f) => SEVERITIES.indexOf(f.severity) <= limit)) return 1;
  }
  return 0;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
