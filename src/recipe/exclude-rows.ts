/**
 * `--exclude-rows`: training without chosen rows of the data (e.g. the audit's likely mislabeled rows).
 * The rows are named by their data row numbers in the loaded table, as `nncoach audit` prints them. Only
 * training rows are left out; a named row that falls in validation (or a cross-validation fold's
 * validation) stays there, so runs with and without the option are judged on the same rows.
 */
import { UserError } from "../errors.js";
import type { Dataset } from "../train/fit.js";
import type { PreparedData } from "./prepared-data.js";

/** Rows of the loaded data (tables and text), labelled or not. */
function rowCount(data: PreparedData): number {
  const d = data.loaded;
  return d.kind === "table" || d.kind === "text" ? d.table.rows.length : 0;
}

/** Dataset rows at `keep` (positions), in order. */
export function datasetRows(ds: Dataset, keep: readonly number[]): Dataset {
  const per = ds.n ? ds.x.length / ds.n : 0;
  const yPer = ds.n ? ds.y.length / ds.n : 0;
  const x = new Float32Array(keep.length * per);
  const y =
    ds.y instanceof Int32Array ? new Int32Array(keep.length * yPer) : new Float32Array(keep.length * yPer);
  const weight = ds.weight ? new Float32Array(keep.length) : undefined;
  keep.forEach((i, j) => {
    x.set(ds.x.subarray(i * per, (i + 1) * per), j * per);
    y.set(ds.y.subarray(i * yPer, (i + 1) * yPer), j * yPer);
    if (weight) weight[j] = ds.weight![i]!;
  });
  return { x, y, n: keep.length, ...(weight ? { weight } : {}) };
}

/**
 * The training rows without `rows`, and a notice saying how many were left out. Refuses row numbers the
 * data does not have, and leaving out every training row.
 */
export function trainingWithout(
  data: PreparedData,
  rows: readonly number[],
): { train: Dataset; notice: string | null } {
  if (rows.length === 0) return { train: data.train, notice: null };
  const total = rowCount(data);
  const beyond = rows.filter((r) => r >= total);
  if (beyond.length)
    throw new UserError(
      `--exclude-rows: ${data.source} has data rows 0 to ${total - 1}, not ${beyond.slice(0, 5).join(", ")}${beyond.length > 5 ? ", ..." : ""}`,
      "give the data row numbers `nncoach audit` prints for this file",
    );
  const out = new Set(rows);
  const keep: number[] = [];
  data.rows.train.forEach((r, i) => {
    if (!out.has(r)) keep.push(i);
  });
  const left = data.rows.train.length - keep.length;
  if (keep.length === 0)
    throw new UserError(
      "--exclude-rows leaves no training rows",
      "leave out fewer rows (the audit's likely mislabeled rows, for example)",
    );
  const elsewhere = rows.length - left;
  return {
    train: left ? datasetRows(data.train, keep) : data.train,
    notice: `--exclude-rows: ${left} of ${data.rows.train.length} training rows left out${elsewhere ? `; ${elsewhere} of the named rows are not training rows here (validation, test or unlabelled) and stay` : ""}`,
  };
}
