/**
 * Big tables on one machine: how long reading and preparing a generated table takes, and the peak memory,
 * at several sizes (default 1M and 3M rows of 20 numeric columns and a yes/no target).
 *
 *   npm run build && node dist/bench/big-data.js [--rows 1000000,3000000] [--dir /tmp/nncoach-big]
 *       [--format csv|parquet] [--duckdb]
 *
 * Each size runs in a child process (`--child FILE`) so that its peak RSS (process.resourceUsage().maxRSS)
 * is its own. The child reads the file (readTableFile), then prepares it as training does: the rows with a
 * target, a 70/15/15 stratified split, the preprocessing fitted on the training rows, and the float32
 * feature matrix and targets of every row. With --duckdb (@duckdb/node-api, a devDependency),
 * DuckDB's read_csv_auto (read_parquet) of the same file into a table is timed in its own child too, for
 * comparison. --format parquet converts each generated CSV to Parquet first (hyparquet-writer) and reads that.
 * Prints one JSON line per measurement and a summary table; not part of `npm test`.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readTableFile } from "../src/data/read-table-file.js";
import { stratifiedSplit } from "../src/data/split.js";
import { cellText, rowCount } from "../src/data/table.js";
import { rowsWithTarget, TabularPreprocessor } from "../src/data/tabular-preprocessor.js";
import { Random } from "../src/util/random.js";
import { csvToParquet } from "../test/helpers/csv-to-parquet.js";

const FEATURES = 20;

/** Writes a CSV of `rows` rows: x1..x20 (6 decimals, a few missing) and target yes/no, seeded. */
export async function writeBigCsv(path: string, rows: number, seed = 1): Promise<void> {
  const rng = new Random(seed);
  const out = createWriteStream(path);
  const header = [...Array.from({ length: FEATURES }, (_, i) => `x${i + 1}`), "target"].join(",");
  let buf = `${header}\n`;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    let line = "";
    for (let c = 0; c < FEATURES; c++) {
      const v = rng.next() * 2 - 1;
      if (c < 3) s += v;
      line += (rng.next() < 0.001 ? "" : v.toFixed(6)) + ",";
    }
    line += s + (rng.next() - 0.5) > 0 ? "yes" : "no";
    buf += `${line}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((ok) => out.once("drain", () => ok()));
      buf = "";
    }
  }
  out.write(buf);
  await new Promise<void>((ok, fail) => out.end((e?: Error | null) => (e ? fail(e) : ok())));
}

/** The child: read + prepare `file`, print {load_s, prepare_s, max_rss_mb, rows}. */
async function child(file: string): Promise<void> {
  const t0 = performance.now();
  const table = await readTableFile(file);
  const t1 = performance.now();
  const target = table.columns[table.columns.length - 1]!;
  const { rows } = rowsWithTarget(table, target);
  const c = table.columns.indexOf(target);
  const labels = rows.map((r) => cellText(table, r, c).trim());
  const split = stratifiedSplit(labels, { train: 0.7, val: 0.15, test: 0.15 }, 1);
  const train = split.train.map((i) => rows[i]!);
  const pre = TabularPreprocessor.fit(table, train, target);
  const x = pre.transformFeatures(table, rows);
  const y = pre.transformTarget(table, rows);
  const t2 = performance.now();
  const maxRss = process.resourceUsage().maxRSS / 1024;
  console.log(
    JSON.stringify({
      file,
      rows: rowCount(table),
      columnar: table.store !== undefined,
      load_s: +((t1 - t0) / 1000).toFixed(2),
      prepare_s: +((t2 - t1) / 1000).toFixed(2),
      total_s: +((t2 - t0) / 1000).toFixed(2),
      max_rss_mb: Math.round(maxRss),
      matrix_mb: Math.round(x.byteLength / 2 ** 20),
      y: y.length,
    }),
  );
}

/** DuckDB's read_csv_auto of `file` into an in-memory table, timed, in this process. */
async function duckChild(file: string): Promise<void> {
  const name = "@duckdb/node-api";
  const duck = (await import(name)) as {
    DuckDBInstance: { create(path: string): Promise<{ connect(): Promise<DuckConn> }> };
  };
  interface DuckConn {
    run(sql: string): Promise<unknown>;
    runAndReadAll(sql: string): Promise<{ getRows(): unknown[][] }>;
  }
  const t0 = performance.now();
  const db = await duck.DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  const quoted = file.replace(/'/g, "''");
  const reader = file.endsWith(".parquet") ? `read_parquet('${quoted}')` : `read_csv_auto('${quoted}')`;
  await conn.run(`CREATE TABLE t AS SELECT * FROM ${reader}`);
  const n = (await conn.runAndReadAll("SELECT count(*) FROM t")).getRows()[0]![0];
  const t1 = performance.now();
  console.log(
    JSON.stringify({
      file,
      engine: "duckdb",
      rows: Number(n),
      load_s: +((t1 - t0) / 1000).toFixed(2),
      max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const childFile = arg("--child");
  if (childFile) return child(childFile);
  const duckFile = arg("--duck-child");
  if (duckFile) return duckChild(duckFile);
  const sizes = (arg("--rows") ?? "1000000,3000000").split(",").map(Number);
  const dir = arg("--dir") ?? "/tmp/nncoach-big";
  const withDuck = process.argv.includes("--duckdb");
  const format = arg("--format") ?? "csv";
  if (format !== "csv" && format !== "parquet") throw new Error(`--format csv or parquet; got ${format}`);
  mkdirSync(dir, { recursive: true });
  const self = fileURLToPath(import.meta.url);
  const results: Record<string, unknown>[] = [];
  for (const n of sizes) {
    const csv = join(dir, `big-${n}.csv`);
    if (!existsSync(csv)) {
      process.stderr.write(`writing ${csv}\n`);
      await writeBigCsv(csv, n);
    }
    let file = csv;
    if (format === "parquet") {
      file = join(dir, `big-${n}.parquet`);
      if (!existsSync(file)) {
        process.stderr.write(`writing ${file}\n`);
        await csvToParquet(csv, file);
      }
    }
    const run = (flag: string) => {
      const p = spawnSync(process.execPath, ["--max-old-space-size=8192", self, flag, file], {
        encoding: "utf8",
        maxBuffer: 1 << 24,
      });
      if (p.status !== 0) throw new Error(`${flag} ${file} failed:\n${p.stderr}`);
      const r = JSON.parse(p.stdout.trim().split("\n").pop()!) as Record<string, unknown>;
      r.file_mb = Math.round(statSync(file).size / 2 ** 20);
      console.log(JSON.stringify(r));
      results.push(r);
      return r;
    };
    run("--child");
    if (withDuck) run("--duck-child");
  }
  // slope between the sizes: seconds and MB per million rows
  const ours = results.filter((r) => r.engine === undefined);
  for (let i = 1; i < ours.length; i++) {
    const a = ours[i - 1]!;
    const b = ours[i]!;
    const dm = ((b.rows as number) - (a.rows as number)) / 1e6;
    console.log(
      `slope ${a.rows} -> ${b.rows} rows: ${(((b.total_s as number) - (a.total_s as number)) / dm).toFixed(2)} s and ` +
        `${Math.round(((b.max_rss_mb as number) - (a.max_rss_mb as number)) / dm)} MB per million rows`,
    );
  }
}

await main();
