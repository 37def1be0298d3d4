/**
 * Dashboard benchmark: how long `nncoach ui` takes to show the runs table of a store of 1,000 runs x 100
 * epochs, measured in headless Chromium (Debian's chromium, driven by playwright-core).
 *
 * The store: 5 real wine trainings of 100 epochs each (different learning rates and seeds, early stopping
 * off), recorded by the same RunRecorder that `nncoach train` uses, then copied in SQL (runs, their 100
 * epochs with health records) until the store holds 1,000 runs and 100,000 epochs. The measure: for each
 * of 5 fresh navigations to the dashboard, the time from navigation start to the moment the runs view has
 * put all 1,000 rows into the page (the app's `window.__nncoach.renderedAt`, a performance.now() taken
 * after rendering, so it counts the HTML, the scripts, the /api/runs request and the DOM work); the median
 * is the figure. A timing is kept only after the row count was checked.
 *
 *   npm run build && node dist/bench/dashboard.js [--runs 1000] [--epochs 100] [--navigations 5] [--keep]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { chromium } from "playwright-core";
import { toResolved, trainRun } from "../src/recipe/train-run.js";
import { finalMetrics, RunRecorder } from "../src/store/record-run.js";
import { StoreSession } from "../src/store/session.js";
import { SqliteRunStore } from "../src/store/sqlite-store.js";
import { startDashboard } from "../src/ui/server.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "1000" },
    epochs: { type: "string", default: "100" },
    navigations: { type: "string", default: "5" },
    data: { type: "string", default: process.env.NNCOACH_DATASETS ?? "/work/shared/datasets" },
    keep: { type: "boolean", default: false },
  },
});
const RUNS = Number(values.runs);
const EPOCHS = Number(values.epochs);
const NAVIGATIONS = Number(values.navigations);
const WINE = path.join(values.data!, "wine.csv");

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-bench-dashboard-"));
const file = path.join(dir, "runs.db");
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

// ---- 1. real runs
const t0 = performance.now();
const store = await SqliteRunStore.open(file);
const session = await StoreSession.open({ store });
const seeds = [0.0003, 0.001, 0.003, 0.01, 0.03].map((lr, seed) => ({ lr, seed }));
const real: number[] = [];
for (const { lr, seed } of seeds) {
  const rec = new RunRecorder(session, "train", ["nncoach", "train", WINE, "--lr", String(lr)]);
  const resolved = toResolved({
    data: WINE,
    target: "cultivar",
    epochs: EPOCHS,
    lr,
    seed,
    earlyStopping: false,
    threads: 1,
  });
  const r = await trainRun(resolved, {
    audit: false,
    callbacks: [rec.callback()],
    onPlan: (plan, data) => rec.begin({ data, plan, resolved }),
  });
  rec.finish({ status: "completed", metrics: finalMetrics(r), epochsRun: r.epochsRun });
  await r.trainer.release();
  real.push(rec.id!);
}
store.close();
const trained = (performance.now() - t0) / 1000;

// ---- 2. copies, in SQL, up to RUNS runs
const db = new Database(file);
const cols = (db.prepare("PRAGMA table_info(runs)").all() as { name: string }[])
  .map((c) => c.name)
  .filter((c) => c !== "id" && c !== "name");
const copyRun = db.prepare(
  `INSERT INTO runs (name, ${cols.join(", ")}) SELECT name || ' #' || ?, ${cols.join(", ")} FROM runs WHERE id = ?`,
);
const copyEpochs = db.prepare(
  "INSERT INTO epochs (run_id, epoch, metrics_json, lr, health_json) SELECT ?, epoch, metrics_json, lr, health_json FROM epochs WHERE run_id = ?",
);
db.transaction(() => {
  for (let i = real.length; i < RUNS; i++) {
    const from = real[i % real.length]!;
    const id = Number(copyRun.run(i + 1, from).lastInsertRowid);
    copyEpochs.run(id, from);
  }
})();
const counts = db
  .prepare("SELECT (SELECT count(*) FROM runs) AS runs, (SELECT count(*) FROM epochs) AS epochs")
  .get() as {
  runs: number;
  epochs: number;
};
db.close();
if (counts.runs !== RUNS || counts.epochs !== RUNS * EPOCHS)
  throw new Error(`the store holds ${counts.runs} runs and ${counts.epochs} epochs, not ${RUNS} x ${EPOCHS}`);

// ---- 3. the dashboard in Chromium
const served = await SqliteRunStore.open(file);
const ui = await startDashboard({ store: served, port: 0 });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  headless: true,
});
const times: number[] = [];
const api: number[] = [];
try {
  for (let i = 0; i < NAVIGATIONS; i++) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${ui.url}?n=${i}#/`);
    await page.waitForFunction(
      () => (window as { __nncoach?: { view: string } }).__nncoach?.view === "runs",
      null,
      {
        timeout: 60_000,
      },
    );
    const rows = await page.locator("table.runs tbody tr").count();
    if (rows !== RUNS) throw new Error(`the runs table shows ${rows} rows, not ${RUNS}`);
    times.push(
      await page.evaluate(
        () => (window as unknown as { __nncoach: { renderedAt: number } }).__nncoach.renderedAt,
      ),
    );
    const entry = await page.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .filter((e) => e.name.includes("/api/runs"))
        .map((e) => e.duration),
    );
    api.push(entry[0] ?? Number.NaN);
    await page.close();
  }
} finally {
  await browser.close();
  await ui.close();
  served.close();
}
const result = {
  runs: RUNS,
  epochs_per_run: EPOCHS,
  store_mb: Number((fs.statSync(file).size / 2 ** 20).toFixed(1)),
  navigations_ms: times.map((t) => Math.round(t)),
  median_ms: Math.round(median(times)),
  api_runs_ms_median: Math.round(median(api)),
  real_runs_seconds: Number(trained.toFixed(1)),
  cpu: os.cpus()[0]?.model,
  cores: os.cpus().length,
};
process.stdout.write(
  `dashboard: ${RUNS} runs x ${EPOCHS} epochs (${result.store_mb} MB): runs table rendered in ${result.median_ms} ms (median of ${NAVIGATIONS} navigations: ${result.navigations_ms.join(", ")} ms; /api/runs ${result.api_runs_ms_median} ms)\n`,
);
process.stdout.write(`${JSON.stringify(result)}\n`);
if (values.keep) process.stdout.write(`store kept: ${file}\n`);
else fs.rmSync(dir, { recursive: true, force: true });
