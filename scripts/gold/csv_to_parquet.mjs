// Converts a CSV file (or any table file nncoach reads) to Parquet, for checking that training on the
// Parquet file gives the same result as on the CSV. Needs `npm run build` first (and the devDependency
// hyparquet-writer). Debian's python3 here has no pyarrow, so the file is written with hyparquet-writer.
//
//   node scripts/gold/csv_to_parquet.mjs /work/shared/datasets/wine.csv /tmp/wine.parquet
import { csvToParquet } from "../../dist/test/helpers/csv-to-parquet.js";

const [input, output, rowGroupSize] = process.argv.slice(2);
if (!input || !output) {
  console.error("usage: node scripts/gold/csv_to_parquet.mjs <in.csv> <out.parquet> [rowGroupSize]");
  process.exit(2);
}
await csvToParquet(input, output, rowGroupSize ? Number(rowGroupSize) : undefined);
console.log(`wrote ${output}`);
