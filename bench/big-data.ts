/**
 * Big data on one machine (issue 15): tables of millions of rows and a folder of 60,000 images.
 *
 *   npm run build && node dist/bench/big-data.js [--rows 1000000,3000000,10000000] [--dir /tmp/nncoach-big]
 *       [--images 60000] [--no-duckdb] [--out bench/results/big-data]
 *
 * Tables: for each size a CSV of 20 numeric columns and a yes/no target is generated (seeded), and DuckDB
 * writes the same rows as Parquet (Snappy, its default). Each reader runs in a child process of its own,
 * so that its peak RSS (process.resourceUsage().maxRSS) is its own: nncoach reads the file (readTableFile)
 * and prepares it as training does (the rows with a target, a 70/15/15 stratified split, the preprocessing
 * fitted on the training rows, the float32 feature matrix and targets of every row); DuckDB
 * (@duckdb/node-api, a devDependency) reads the same file into an in-memory table (read_csv_auto,
 * read_parquet). Targets: load + prepare <= 3x DuckDB's read, peak RSS <= 3x the float32 matrix + 300 MB,
 * Parquet load <= CSV load, linear growth (the slope per million rows is reported).
 *
 * Images (--images N, 0 to skip): a folder of N variants of the shared 8x8 digit PNGs, each randomly
 * shifted, rotated and noised and upscaled to 28x28 (MNIST-sized), is written once under --dir; then, each
 * in its own process, the first load (decoding on worker threads, writing the cache), the cached load, and
 * `nncoach train <folder> --epochs 1` with its peak RSS.
 *
 * Prints one JSON line per measurement; writes <out>.json and <out>.md (with `uptime` beside the figures).
 * Not part of `npm test`.
 */
import { spawnSync } from "node:child_process";
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PNG } from "pngjs";
import { csvThreads } from "../src/data/csv-parallel.js";
import { readImageFolder } from "../src/data/image/image-folder.js";
import { readTableFile } from "../src/data/read-table-file.js";
import { stratifiedSplit } from "../src/data/split.js";
import { cellText, rowCount } from "../src/data/table.js";
import { rowsWithTarget, TabularPreprocessor } from "../src/data/tabular-preprocessor.js";
import { writeFileAtomic } from "../src/util/atomic-write.js";
import { Random } from "../src/util/random.js";

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

interface DuckConn {
  run(sql: string): Promise<unknown>;
  runAndReadAll(sql: string): Promise<{ getRows(): unknown[][] }>;
}

async function duckConnection(): Promise<DuckConn> {
  const name = "@duckdb/node-api";
  const duck = (await import(name)) as {
    DuckDBInstance: { create(path: string): Promise<{ connect(): Promise<DuckConn> }> };
  };
  const db = await duck.DuckDBInstance.create(":memory:");
  return db.connect();
}

/** DuckDB writes the rows of `csv` as Parquet (Snappy, row groups of 122,880 rows: its defaults). */
async function csvToParquetWithDuckDB(csv: string, out: string): Promise<void> {
  const conn = await duckConnection();
  const q = (f: string) => f.replace(/'/g, "''");
  await conn.run(`COPY (SELECT * FROM read_csv_auto('${q(csv)}')) TO '${q(out)}' (FORMAT parquet)`);
}

/** DuckDB's read_csv_auto (read_parquet) of `file` into an in-memory table, timed, in this process. */
async function duckChild(file: string): Promise<void> {
  const t0 = performance.now();
  const conn = await duckConnection();
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

/**
 * Writes `count` PNGs (28x28 grayscale) into `dir/<digit>/`: the shared 8x8 digit images, each drawn
 * again with a random shift (up to 1.5 source pixels), rotation (up to 15 degrees), upscaling and Gaussian
 * noise (sigma 12 of 255), seeded. A hidden marker file says the folder is complete.
 */
export async function writeImageFolder(dir: string, count: number, seed = 1): Promise<void> {
  const marker = join(dir, ".complete");
  if (existsSync(marker) && readFileSync(marker, "utf8") === String(count)) return;
  rmSync(dir, { recursive: true, force: true });
  const shared = process.env.NNCOACH_DATASETS ?? "/work/shared/datasets";
  const source = await readImageFolder(join(shared, "digits_png"), { cache: false, channels: 1 });
  const [n, , h, w] = source.shape;
  const rng = new Random(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const S = 28;
  for (const c of source.classes) mkdirSync(join(dir, c), { recursive: true });
  const png = new PNG({ width: S, height: S, colorType: 0 });
  for (let k = 0; k < count; k++) {
    const i = Math.floor(rng.next() * n);
    const angle = ((rng.next() * 2 - 1) * 15 * Math.PI) / 180;
    const dx = (rng.next() * 2 - 1) * 1.5;
    const dy = (rng.next() * 2 - 1) * 1.5;
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    const px = source.pixels.subarray(i * h * w, (i + 1) * h * w);
    const at = (y: number, x: number) => (y < 0 || x < 0 || y >= h || x >= w ? 0 : px[y * w + x]!);
    for (let y = 0; y < S; y++)
      for (let x = 0; x < S; x++) {
        // output pixel -> source coordinates: scale, rotate about the centre, shift; bilinear sampling
        const u = ((x + 0.5) * w) / S - w / 2;
        const v = ((y + 0.5) * h) / S - h / 2;
        const sx = cos * u - sin * v + w / 2 - 0.5 - dx;
        const sy = sin * u + cos * v + h / 2 - 0.5 - dy;
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const fx = sx - x0;
        const fy = sy - y0;
        const value =
          (at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx) * (1 - fy) +
          (at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx) * fy +
          gauss() * 12;
        const o = 4 * (y * S + x);
        const g = Math.max(0, Math.min(255, Math.round(value)));
        png.data[o] = g;
        png.data[o + 1] = g;
        png.data[o + 2] = g;
        png.data[o + 3] = 255;
      }
    const label = source.classes[source.labels[i]!]!;
    writeFileSync(join(dir, label, `${k}.png`), PNG.sync.write(png, { colorType: 0 }));
  }
  writeFileSync(marker, String(count));
}

/** The child: read an image folder (through its cache), print {load_s, max_rss_mb, images, from_cache}. */
async function imageChild(dir: string): Promise<void> {
  const t0 = performance.now();
  const folder = await readImageFolder(dir, { cache: true });
  const t1 = performance.now();
  console.log(
    JSON.stringify({
      folder: dir,
      images: folder.shape[0],
      shape: folder.shape,
      from_cache: folder.notes.some((n) => n.startsWith("read ")),
      load_s: +((t1 - t0) / 1000).toFixed(2),
      max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      pixels_mb: Math.round(folder.pixels.byteLength / 2 ** 20),
    }),
  );
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

type Row = Record<string, unknown>;

function runChild(self: string, flag: string, file: string): Row {
  const p = spawnSync(process.execPath, ["--max-old-space-size=16384", self, flag, file], {
    encoding: "utf8",
    maxBuffer: 1 << 24,
  });
  if (p.status !== 0) throw new Error(`${flag} ${file} failed:\n${p.stderr}`);
  const r = JSON.parse(p.stdout.trim().split("\n").pop()!) as Row;
  console.log(JSON.stringify(r));
  return r;
}

/** Least-squares slope of y over x. */
function slope(x: number[], y: number[]): number {
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < x.length; i++) {
    num += (x[i]! - mx) * (y[i]! - my);
    den += (x[i]! - mx) ** 2;
  }
  return den > 0 ? num / den : Number.NaN;
}

const load = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(", ");

async function main(): Promise<void> {
  const childFile = arg("--child");
  if (childFile) return child(childFile);
  const duckFile = arg("--duck-child");
  if (duckFile) return duckChild(duckFile);
  const imageDir = arg("--image-child");
  if (imageDir) return imageChild(imageDir);
  const sizes = (arg("--rows") ?? "1000000,3000000,10000000").split(",").filter(Boolean).map(Number);
  const dir = arg("--dir") ?? "/tmp/nncoach-big";
  const images = Number(arg("--images") ?? 60000);
  const withDuck = !process.argv.includes("--no-duckdb");
  const out = arg("--out") ?? "bench/results/big-data";
  mkdirSync(dir, { recursive: true });
  const self = fileURLToPath(import.meta.url);
  const started = new Date().toISOString();
  const loadBefore = load();
  const tables: Row[] = [];
  for (const n of sizes) {
    const csv = join(dir, `big-${n}.csv`);
    if (!existsSync(csv)) {
      process.stderr.write(`writing ${csv}\n`);
      await writeBigCsv(csv, n);
    }
    const parquet = join(dir, `big-${n}.parquet`);
    if (!existsSync(parquet)) {
      process.stderr.write(`writing ${parquet}\n`);
      await csvToParquetWithDuckDB(csv, parquet);
    }
    for (const [format, file] of [
      ["csv", csv],
      ["parquet", parquet],
    ] as const) {
      const ours = runChild(self, "--child", file);
      const duck = withDuck ? runChild(self, "--duck-child", file) : undefined;
      const matrix = ours.matrix_mb as number;
      tables.push({
        rows: n,
        format,
        file_mb: Math.round(statSync(file).size / 2 ** 20),
        load_s: ours.load_s,
        prepare_s: ours.prepare_s,
        total_s: ours.total_s,
        max_rss_mb: ours.max_rss_mb,
        matrix_mb: matrix,
        rss_target_mb: 3 * matrix + 300,
        duckdb_load_s: duck?.load_s,
        duckdb_max_rss_mb: duck?.max_rss_mb,
        x_duckdb: duck ? +((ours.total_s as number) / (duck.load_s as number)).toFixed(2) : undefined,
        load_avg: load(),
      });
    }
  }
  const slopes: Row[] = [];
  for (const format of ["csv", "parquet"]) {
    const rs = tables.filter((t) => t.format === format);
    if (rs.length < 2) continue;
    const x = rs.map((t) => (t.rows as number) / 1e6);
    slopes.push({
      format,
      s_per_million_rows: +slope(
        x,
        rs.map((t) => t.total_s as number),
      ).toFixed(2),
      mb_per_million_rows: Math.round(
        slope(
          x,
          rs.map((t) => t.max_rss_mb as number),
        ),
      ),
      duckdb_s_per_million_rows: withDuck
        ? +slope(
            x,
            rs.map((t) => t.duckdb_load_s as number),
          ).toFixed(2)
        : undefined,
    });
  }
  for (const s of slopes) console.log(JSON.stringify({ slope: s }));
  let imageResult: Row | undefined;
  if (images > 0) {
    const folder = join(dir, `digits-${images}`);
    const tw = performance.now();
    await writeImageFolder(folder, images);
    process.stderr.write(
      `image folder ${folder} ready (${((performance.now() - tw) / 1000).toFixed(0)} s)\n`,
    );
    rmSync(join(folder, ".nncoach-cache"), { recursive: true, force: true });
    const first = runChild(self, "--image-child", folder);
    const cached = runChild(self, "--image-child", folder);
    // one epoch of `nncoach train`, its peak RSS reported by the process itself as it exits
    const cli = join(dirname(self), "../src/cli/main.js");
    const report =
      'data:text/javascript,process.on("exit",()=>process.stderr.write("MAXRSS_KB "+process.resourceUsage().maxRSS+"\\n"))';
    const t0 = performance.now();
    const p = spawnSync(
      process.execPath,
      ["--import", report, cli, "train", folder, "--epochs", "1", "--json"],
      {
        encoding: "utf8",
        maxBuffer: 1 << 26,
      },
    );
    const trainS = (performance.now() - t0) / 1000;
    if (p.status !== 0) throw new Error(`nncoach train ${folder} failed:\n${p.stderr.slice(-4000)}`);
    const rssKb = Number(/MAXRSS_KB (\d+)/.exec(p.stderr)?.[1]);
    const result = JSON.parse(p.stdout.trim().split("\n").pop()!) as Row;
    const history = result.history as Row[] | undefined;
    imageResult = {
      images,
      shape: first.shape,
      first_load_s: first.load_s,
      first_load_max_rss_mb: first.max_rss_mb,
      cached_load_s: cached.load_s,
      cached_load_max_rss_mb: cached.max_rss_mb,
      cached: cached.from_cache,
      cache_mb: Math.round(
        readdirSync(join(folder, ".nncoach-cache")).reduce(
          (a, f) => a + statSync(join(folder, ".nncoach-cache", f)).size,
          0,
        ) /
          2 ** 20,
      ),
      train_epoch_wall_s: +trainS.toFixed(1),
      train_max_rss_mb: Math.round(rssKb / 1024),
      train_loss: history?.[0]?.train_loss,
      val_accuracy: (result.val as Row | undefined)?.accuracy,
      load_avg: load(),
    };
    console.log(JSON.stringify(imageResult));
  }
  const results = {
    started,
    load_before: loadBefore,
    load_after: load(),
    tables,
    slopes,
    images: imageResult,
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileAtomic(`${out}.json`, `${JSON.stringify(results, null, 2)}\n`);
  writeFileAtomic(`${out}.md`, markdown(results));
  process.stderr.write(`wrote ${out}.json and ${out}.md\n`);
}

function markdown(r: {
  started: string;
  load_before: string;
  load_after: string;
  tables: Row[];
  slopes: Row[];
  images?: Row;
}): string {
  const lines = [
    "# Big data on one machine (bench/big-data.ts)",
    "",
    `Run ${r.started}; load average (1, 5, 15 min) ${r.load_before} before, ${r.load_after} after.`,
    "",
    "## Tables: 20 numeric columns + a yes/no target",
    "",
    `nncoach: read + prepare (split, preprocessing fitted, float32 matrix of every row), each in its own process; CSV files are parsed on ${csvThreads()} threads (src/data/csv-parallel.ts). DuckDB: read into an in-memory table.`,
    "",
    "| rows | format | file MB | load s | prepare s | total s | peak RSS MB | RSS target MB (3x matrix + 300) | DuckDB read s | DuckDB RSS MB | total / DuckDB | load avg |",
    "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ...r.tables.map(
      (t) =>
        `| ${(t.rows as number).toLocaleString("en-US")} | ${t.format} | ${t.file_mb} | ${t.load_s} | ${t.prepare_s} | ${t.total_s} | ${t.max_rss_mb} | ${t.rss_target_mb} | ${t.duckdb_load_s ?? "-"} | ${t.duckdb_max_rss_mb ?? "-"} | ${t.x_duckdb ?? "-"} | ${t.load_avg} |`,
    ),
    "",
    "Slopes (least squares over the sizes):",
    "",
    ...r.slopes.map(
      (s) =>
        `- ${s.format}: ${s.s_per_million_rows} s and ${s.mb_per_million_rows} MB per million rows (DuckDB ${s.duckdb_s_per_million_rows ?? "-"} s)`,
    ),
  ];
  if (r.images) {
    const i = r.images;
    lines.push(
      "",
      `## Image folder: ${(i.images as number).toLocaleString("en-US")} PNGs (${JSON.stringify(i.shape)} N,C,H,W)`,
      "",
      "| first load s (decode on workers + write cache) | its peak RSS MB | cached load s | its peak RSS MB | cache MB | `nncoach train --epochs 1` wall s | its peak RSS MB | load avg |",
      "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
      `| ${i.first_load_s} | ${i.first_load_max_rss_mb} | ${i.cached_load_s} | ${i.cached_load_max_rss_mb} | ${i.cache_mb} | ${i.train_epoch_wall_s} | ${i.train_max_rss_mb} | ${i.load_avg} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

await main();
