/**
 * The saved run: `<dir>/run.json`, the run record written next to a saved model (`--save <dir>`) or the
 * checkpoints (`--checkpoint <dir>`), read back by `nncoach diagnose <dir>`. Plain JSON (NaN and infinite
 * losses become null), written atomically.
 *
 * @example
 * saveRunRecord("runs/wine", record);            // writes runs/wine/run.json
 * const again = readRunRecord("runs/wine");      // the same record
 * diagnose(again);
 */
import fs from "node:fs";
import path from "node:path";
import { UserError } from "../../errors.js";
import { writeJsonAtomic } from "../../util/atomic-write.js";
import { RUN_RECORD_FORMAT, RUN_RECORD_VERSION, type RunRecord } from "./run-record.js";

/** The file name of a saved run record inside a run folder. */
export const RUN_FILE = "run.json";

/** Writes `record` to `<dir>/run.json` (creating the folder); returns the file's path. */
export function saveRunRecord(dir: string, record: RunRecord): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, RUN_FILE);
  writeJsonAtomic(file, { ...record, format: RUN_RECORD_FORMAT, version: RUN_RECORD_VERSION });
  return file;
}

const WRITES_IT =
  "nncoach train <data> --target <col> --save <dir> (or --checkpoint <dir>) writes it with the model or checkpoints";

/**
 * Reads the run record saved in `dir` (or the run.json file named directly). A folder without one, or a
 * file that is not a run record, is a UserError saying what is missing and which command writes it.
 */
export function readRunRecord(dir: string): RunRecord {
  if (!fs.existsSync(dir))
    throw new UserError(`${dir}: no such folder`, `give the folder of a saved run; ${WRITES_IT}`);
  const file = fs.statSync(dir).isDirectory() ? path.join(dir, RUN_FILE) : dir;
  if (!fs.existsSync(file)) {
    const present = fs.readdirSync(dir).slice(0, 8);
    throw new UserError(
      `no saved run in ${dir}: ${RUN_FILE} is missing` +
        (present.length ? ` (the folder holds ${present.join(", ")})` : " (the folder is empty)"),
      WRITES_IT,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new UserError(`${file} is not valid JSON: ${(e as Error).message}`, WRITES_IT);
  }
  const r = value as Partial<RunRecord> | null;
  if (!r || typeof r !== "object" || r.format !== RUN_RECORD_FORMAT)
    throw new UserError(
      `${file} is not an nncoach run record (no "format": "${RUN_RECORD_FORMAT}")`,
      WRITES_IT,
    );
  if ((r.version ?? 0) > RUN_RECORD_VERSION)
    throw new UserError(
      `${file} is run record version ${r.version}; this nncoach reads up to version ${RUN_RECORD_VERSION}`,
      "upgrade nncoach",
    );
  const missing = (["task", "monitor", "history", "health", "data"] as const).filter(
    (k) => r[k] === undefined,
  );
  if (missing.length || !Array.isArray(r.history) || !Array.isArray(r.health))
    throw new UserError(
      `${file} is incomplete: missing ${missing.join(", ") || "history/health lists"}`,
      WRITES_IT,
    );
  return { classes: [], classCounts: [], ...r } as RunRecord;
}
