/**
 * A sweep's study page in a real browser (Debian's chromium driven by playwright-core), for two real
 * `nncoach sweep`s on wine recorded in one store: one scored by log loss (lower is better, so the chart
 * must not take the highest value as the best), one by accuracy with ASHA, with trials completed, pruned
 * and failed (an augmentation tables do not have). The chart shows one mark per trial at its trial number with its status and value as the sweep
 * recorded them, failed trials apart from the value axis, and the best-so-far line equal to the running
 * minimum over completed trials. A screenshot is kept in $TMPDIR/nncoach-dashboard-screenshots.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";
import { SqliteRunStore } from "../src/store/sqlite-store.js";
import type { SweepSummary } from "../src/sweep/sweep.js";
import { type Dashboard, startDashboard } from "../src/ui/server.js";
import { chromiumPath } from "./helpers/chromium.js";
import { runCli } from "./helpers/cli.js";

const SHARED = process.env.NNCOACH_DATASETS ?? "/work/shared/datasets";
const WINE = path.join(SHARED, "wine.csv");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-dashboard-sweep-"));
const SHOTS = path.join(os.tmpdir(), "nncoach-dashboard-screenshots");

describe("a sweep's chart in the dashboard, in headless Chromium", { timeout: 240_000 }, () => {
  const file = path.join(tmp, "runs.db");
  let store: SqliteRunStore;
  let ui: Dashboard;
  let browser: Browser;
  let page: Page;
  const sweeps: Record<string, { summary: SweepSummary; study: number }> = {};
  const errors: string[] = [];

  const runSweep = (name: string, space: string[], extra: string[]) => {
    const file_ = path.join(tmp, `${name}.yaml`);
    fs.writeFileSync(file_, space.join("\n"));
    const r = runCli([
      "sweep",
      WINE,
      "--target",
      "cultivar",
      "--space",
      file_,
      "--budget",
      "10m",
      "--threads",
      "1",
      "--json",
      "--store",
      file,
      ...extra,
    ]);
    assert.equal(r.code, 0, r.stderr);
    sweeps[name] = {
      summary: r.json as unknown as SweepSummary,
      study: Number(/store: study (\d+) recorded/.exec(r.stderr)![1]),
    };
  };

  before(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    const lr = "lr: {log_uniform: [1.0e-4, 3.0e-2]}";
    // log loss (lower is better), every trial to the end: completed and failed ones
    runSweep(
      "log-loss",
      [lr, 'augment: {choice: ["noise:0.02", "noise:0.05", "flip"]}', "epochs: 9"],
      ["--trials", "10", "--metric", "log_loss", "--sampler", "random", "--pruner", "none"],
    );
    // accuracy (higher is better), TPE and ASHA: completed, pruned and failed ones
    runSweep(
      "accuracy",
      [
        lr,
        'hidden: {choice: ["16", "64,64"]}',
        'augment: {choice: ["noise:0.02", "noise:0.05", "flip"]}',
        "epochs: 9",
      ],
      ["--trials", "14", "--seed", "1"],
    );
    store = await SqliteRunStore.open(file);
    ui = await startDashboard({ store, port: 0, pollMs: 200 });
    browser = await chromium.launch({
      executablePath: chromiumPath("the dashboard test drives the dashboard"),
      headless: true,
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on("pageerror", (e) => errors.push(e.message));
  });
  after(async () => {
    await browser?.close();
    await ui?.close();
    store?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** The study page's chart against the sweep's own record of its trials. */
  async function checkChart(name: string, caption: RegExp): Promise<void> {
    const { summary: sweep, study } = sweeps[name]!;
    const lower = !sweep.metric.higherIsBetter;
    await page.goto(`${ui.url}?load=${Date.now()}#/study/${study}`);
    await page.waitForFunction(() => document.body.dataset.view === "study");
    const chart = page.locator("figure.sweep-chart");
    assert.equal(await chart.count(), 1);
    assert.match((await chart.locator("figcaption").textContent())!, caption);
    const marks = await chart.locator("g.trial").evaluateAll((gs) =>
      gs.map((g) => {
        const e = g as SVGGElement;
        const circle = e.querySelector("circle");
        return {
          id: Number(e.dataset.id),
          status: e.dataset.status,
          val: e.dataset.val === "" ? null : Number(e.dataset.val),
          fill: circle?.getAttribute("fill") ?? null,
          cross: e.querySelector("path") !== null,
        };
      }),
    );
    assert.deepEqual(
      marks.map(({ id, status, val }) => ({ id, status, val })),
      sweep.trials.map((t) => ({ id: t.id, status: t.status, val: t.val })),
    );
    for (const m of marks) {
      if (m.status === "failed") assert.ok(m.cross && m.fill === null, `trial ${m.id}: a cross`);
      else if (m.status === "pruned") assert.equal(m.fill, "#fff", `trial ${m.id}: hollow`);
      else assert.notEqual(m.fill, "#fff", `trial ${m.id}: filled`);
    }
    // the running best (minimum for log loss, maximum for accuracy) over completed trials, null before one
    let best: number | null = null;
    const expected = sweep.trials.map((t) => {
      if (
        t.status === "completed" &&
        t.val !== null &&
        (best === null || (lower ? t.val < best : t.val > best))
      )
        best = t.val;
      return best;
    });
    const line = JSON.parse((await chart.locator("path.best-so-far").getAttribute("data-best"))!);
    assert.deepEqual(line, expected);
    assert.equal(line.at(-1), sweep.best!.val);
    // values on a plain axis (higher up is higher): the best log loss is the lowest completed dot, the
    // best accuracy the highest one
    const ys = await chart.locator("g.trial.completed circle").evaluateAll((cs) =>
      cs.map((c) => ({
        id: Number((c.parentNode as SVGGElement).dataset.id),
        y: Number(c.getAttribute("cy")),
      })),
    );
    assert.equal(ys.reduce((a, b) => ((lower ? b.y > a.y : b.y < a.y) ? b : a)).id, sweep.best!.id);
    await page.screenshot({ path: path.join(SHOTS, `sweep-chart-${name}.png`), fullPage: true });
    assert.deepEqual(errors, []);
  }

  test("log loss: every trial at its number with its status and value; the best-so-far line is the running minimum", async () => {
    const c = sweeps["log-loss"]!.summary.counts;
    assert.ok(c.completed >= 2 && c.failed >= 1, JSON.stringify(c));
    await checkChart("log-loss", /validation log_loss by trial \(lower is better/);
  });

  test("accuracy with ASHA: completed, pruned (hollow, at the value when stopped) and failed trials; running maximum", async () => {
    const c = sweeps.accuracy!.summary.counts;
    assert.ok(c.completed >= 2 && c.pruned >= 1 && c.failed >= 1, JSON.stringify(c));
    await checkChart("accuracy", /validation accuracy by trial \(higher is better/);
  });
});
