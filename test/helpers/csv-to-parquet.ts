/**
 * Writes a table file as Parquet with hyparquet-writer (a devDependency), the way a data tool would: a
 * column of integers as INT32, of other numbers as DOUBLE, anything else as STRING; empty cells as nulls.
 * Used by test/data-parquet.test.ts and scripts/gold/csv_to_parquet.mjs.
 */
import { parquetWriteFile } from "hyparquet-writer";
import { readTableFile } from "../../src/data/read-table-file.js";
import { cellText, rowCount } from "../../src/data/table.js";

export async function csvToParquet(csv: string, out: string, rowGroupSize = 100_000): Promise<void> {
  const t = await readTableFile(csv);
  const n = rowCount(t);
  const columnData = t.columns.map((name, c) => {
    const cells: string[] = [];
    for (let r = 0; r < n; r++) cells.push(cellText(t, r, c).trim());
    const present = cells.filter((v) => v !== "");
    const numeric =
      present.length > 0 && present.every((v) => /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v));
    if (numeric) {
      const ints = present.every((v) => /^-?\d{1,9}$/.test(v));
      return {
        name,
        data: cells.map((v) => (v === "" ? null : Number(v))),
        type: ints ? ("INT32" as const) : ("DOUBLE" as const),
      };
    }
    return { name, data: cells.map((v) => (v === "" ? null : v)), type: "STRING" as const };
  });
  parquetWriteFile({ filename: out, columnData, rowGroupSize });
}
