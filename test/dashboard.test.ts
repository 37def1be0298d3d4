/**
 * `nncoach ui` in a real browser (Debian's chromium driven by playwright-core) over a store that real
 * short wine trainings filled (one of them diverges; two carry XSS payloads in a run name and a column
 * name). The runs table sorts in the store's ORDER BY order and filters by status to the exact count; a
 * run's loss curve has its recorded epochs, hovering shows the stored value, dragging zooms; compare shows
 * the differing config keys and overlays the runs; a training started while the page is open is followed
 * live for two epochs; the payloads render as text, and no dialog ever opens. Screenshots are kept in
 * $TMPDIR/nncoach-dashboard-screenshots.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";
import { compareRuns } from "../src/store/compare.js";
import { SqliteRunStore } from "../src/store/sqlite-store.js";
import { type Dashboard, startDashboard } from "../src/ui/server.js";
import { chromiumPath } from "./helpers/chromium.js";
import { CLI, ROOT, runCli } from "./helpers/cli.js";

const SHARED = process.env.NNCOACH_DATASETS ?? "/work/shared/datasets";
const WINE = path.join(SHARED, "wine.csv");
const DIGITS = path.join(SHARED, "digits.csv");
const IMG = "<img src=x onerror=alert(1)>";
const SCRIPT = '"><script>alert(1)</script>';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-dashboard-"));
const SHOTS = path.join(os.tmpdir(), "nncoach-dashboard-screenshots");

/** The number a chart shows for a value (charts.js's fmtNum, for values of ordinary size). */
const shown = (v: number) => String(Number(v.toPrecision(6)));

describe("the dashboard in headless Chromium", { timeout: 240_000 }, () => {
  const file = path.join(tmp, "runs.db");
  let store: SqliteRunStore;
  let ui: Dashboard;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];
  const ids: Record<string, number> = {};
  let live: ChildProcess | undefined;

  const train = (name: string, args: string[], data = WINE, target = "cultivar") => {
    const r = runCli([
      "train",
      data,
      "--target",
      target,
      "--threads",
      "1",
      "--store",
      file,
      "--json",
      ...args,
    ]);
    assert.ok(r.code === 0 || r.code === 3, r.stderr);
    ids[name] = r.json!.run_id as number;
  };

  before(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    train("a", ["--epochs", "6", "--lr", "0.001", "--save", path.join(tmp, "a")]);
    train("b", ["--epochs", "6", "--lr", "0.01"]);
    train("img", ["--epochs", "4", "--lr", "0.0003", "--run-name", IMG]);
    // a column named with a script payload: the target of a copy of wine
    const lines = fs.readFileSync(WINE, "utf8").split("\n");
    lines[0] = lines[0]!.replace("cultivar", `"${SCRIPT.replace(/"/g, '""')}"`);
    const xss = path.join(tmp, "wine-xss.csv");
    fs.writeFileSync(xss, lines.join("\n"));
    train("script", ["--epochs", "3"], xss, SCRIPT);
    train("diverged", ["--epochs", "5", "--optimizer", "sgd", "--lr", "10"]);
    store = await SqliteRunStore.open(file);
    assert.equal(store.getRun(ids.diverged!)!.status, "diverged");
    ui = await startDashboard({ store, port: 0, pollMs: 200 });
    browser = await chromium.launch({
      executablePath: chromiumPath("the dashboard test drives the dashboard"),
      headless: true,
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on("pageerror", (e) => dialogs.push(`page error: ${e.message}`));
  });
  after(async () => {
    live?.kill("SIGKILL");
    await browser?.close();
    await ui?.close();
    store?.close();
    if (process.env.NNCOACH_KEEP_TMP !== "1") fs.rmSync(tmp, { recursive: true, force: true });
  });

  const rendered = (view: string) =>
    page.waitForFunction(
      (v) => document.body.dataset.view === v && (window as { __nncoach?: unknown }).__nncoach,
      view,
    );

  const goto = async (hash: string, view: string) => {
    await page.evaluate(() => {
      document.body.dataset.view = "";
    });
    // a new document each time (a query string that changes), so that every view starts from the store
    await page.goto(`${ui.url}?load=${Date.now()}${hash}`);
    await rendered(view);
  };

  const tableIds = () =>
    page
      .locator("table.runs tbody tr")
      .evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.id)));

  test("the runs table sorts by a metric in the store's ORDER BY order", async () => {
    await goto("#/", "runs");
    assert.equal(await page.locator("table.runs tbody tr").count(), store.countRuns());
    for (const descending of [true, false]) {
      await page.evaluate(() => {
        document.body.dataset.view = "";
      });
      await page.locator('th[data-sort="val_accuracy"]').click();
      await rendered("runs");
      assert.equal(
        await page.locator('th[data-sort="val_accuracy"]').getAttribute("aria-sort"),
        descending ? "descending" : "ascending",
      );
      assert.deepEqual(
        await tableIds(),
        store.listRuns({ sort: "val_accuracy", descending }).map((r) => r.id),
      );
    }
    await page.screenshot({ path: path.join(SHOTS, "runs-sorted.png"), fullPage: true });
  });

  test("filtering by status shows exactly the store's count", async () => {
    await goto("#/", "runs");
    for (const status of ["diverged", "completed"]) {
      await page.evaluate(() => {
        document.body.dataset.view = "";
      });
      await page.locator("#status-filter").selectOption(status);
      await rendered("runs");
      const expected = store.countRuns({ status: status as "completed" });
      assert.equal(await page.locator("table.runs tbody tr").count(), expected, status);
      assert.equal(await page.locator("#run-count").getAttribute("data-count"), String(expected));
      const statuses = await page.locator("table.runs tbody .status").allTextContents();
      assert.ok(
        statuses.every((s) => s === status),
        statuses.join(","),
      );
    }
    assert.equal(store.countRuns({ status: "diverged" }), 1);
  });

  test("XSS payloads in a run name and a column name render as text", async () => {
    await page.evaluate(() => {
      document.body.dataset.view = "";
    });
    await page.locator("#status-filter").selectOption("");
    await rendered("runs");
    const names = await page.locator("table.runs td.name").allTextContents();
    assert.ok(names.includes(IMG), names.join(" | "));
    assert.ok(names.includes(`wine-xss.csv → ${SCRIPT}`), names.join(" | "));
    await goto(`#/run/${ids.script}`, "run");
    assert.equal(await page.locator("#run-name").textContent(), `wine-xss.csv → ${SCRIPT}`);
    const target = page.locator("table tr", { has: page.locator("td", { hasText: /^target$/ }) });
    assert.equal((await target.locator("td").nth(1).textContent())?.trim(), SCRIPT);
    await goto(`#/run/${ids.img}`, "run");
    assert.equal(await page.locator("#run-name").textContent(), IMG);
    assert.equal(await page.locator('img[src="x"]').count(), 0);
    assert.equal(await page.locator("script").count(), 1, "only the page's own module");
    await page.waitForTimeout(200);
    assert.deepEqual(dialogs, []);
  });

  test("a run's curve: the recorded epochs, hover values from the store, drag-zoom", async () => {
    await goto("#/", "runs");
    await page.evaluate(() => {
      document.body.dataset.view = "";
    });
    await page.locator(`table.runs tr[data-id="${ids.a}"] td.name a`).click();
    await rendered("run");
    const run = store.getRun(ids.a!)!;
    assert.equal(run.epochs.length, 6);
    const chart = page.locator('figure[data-chart="loss"]');
    const line = chart.locator('polyline[data-series="train_loss"]');
    assert.equal(await line.getAttribute("data-n"), "6");
    assert.equal(((await line.getAttribute("points")) ?? "").trim().split(/\s+/).length, 6);
    const svg = chart.locator("svg");
    const box = (await svg.boundingBox())!;
    const geom = async () =>
      svg.evaluate((s) => {
        const d = (s as SVGSVGElement).dataset;
        return {
          left: Number(d.plotLeft),
          width: Number(d.plotWidth),
          min: Number(d.xMin),
          max: Number(d.xMax),
        };
      });
    const g = await geom();
    const xOf = (epoch: number) => box.x + g.left + ((epoch - g.min) / (g.max - g.min)) * g.width;
    const y = box.y + box.height / 2;
    for (const epoch of [2, 5]) {
      await page.mouse.move(xOf(epoch), y);
      const v = chart.locator('.tooltip .v[data-series="train_loss"]');
      await v.waitFor({ state: "visible" });
      const stored = run.epochs[epoch - 1]!.metrics.train_loss!;
      assert.equal(await v.getAttribute("data-value"), String(stored));
      assert.equal(await v.textContent(), shown(stored));
      assert.equal(await chart.locator(".tooltip .x").getAttribute("data-x"), String(epoch));
    }
    await page.screenshot({ path: path.join(SHOTS, "run-hover.png"), fullPage: false });
    // drag from epoch 2.5 to 4.5: the x range shrinks to it; a double-click restores it
    await page.mouse.move(xOf(2.5), y);
    await page.mouse.down();
    await page.mouse.move(xOf(3.5), y, { steps: 4 });
    await page.mouse.move(xOf(4.5), y, { steps: 4 });
    await page.mouse.up();
    const zoomed = await geom();
    assert.ok(Math.abs(zoomed.min - 2.5) < 0.1 && Math.abs(zoomed.max - 4.5) < 0.1, JSON.stringify(zoomed));
    await page.screenshot({ path: path.join(SHOTS, "run-zoomed.png"), fullPage: false });
    await page.mouse.dblclick(xOf(3), y);
    const reset = await geom();
    assert.deepEqual([reset.min, reset.max], [1, 6]);
  });

  test("compare two runs: the differing config keys and both curves", async () => {
    await goto("#/", "runs");
    await page.locator(`table.runs tr[data-id="${ids.a}"] input[type=checkbox]`).check();
    await page.locator(`table.runs tr[data-id="${ids.b}"] input[type=checkbox]`).check();
    await page.evaluate(() => {
      document.body.dataset.view = "";
    });
    await page.locator("#compare-selected").click();
    await rendered("compare");
    const expected = compareRuns([store.getRun(ids.a!)!, store.getRun(ids.b!)!]);
    const keys = await page.locator("table.config-diff tbody tr td:first-child").allTextContents();
    assert.deepEqual(keys, Object.keys(expected.config));
    assert.deepEqual(keys, ["lr", "save"]);
    const lines = page.locator('figure[data-chart="compare-val_loss"] polyline');
    assert.equal(await lines.count(), 2);
    assert.deepEqual(await lines.evaluateAll((ls) => ls.map((l) => (l as SVGElement).dataset.n)), ["6", "6"]);
    await page.screenshot({ path: path.join(SHOTS, "compare.png"), fullPage: true });
  });

  test("a run that is training is followed live for two epochs", async () => {
    live = spawn(
      process.execPath,
      [
        CLI,
        "train",
        DIGITS,
        "--target",
        "digit",
        "--epochs",
        "300",
        "--early-stopping",
        "false",
        "--threads",
        "1",
        "--store",
        file,
      ],
      { cwd: ROOT, stdio: "ignore" },
    );
    let id: number | undefined;
    const t0 = Date.now();
    while (id === undefined) {
      await new Promise((r) => setTimeout(r, 200));
      const r = store.listRuns({ status: "running" })[0];
      if (r && r.epochsRun >= 1) id = r.id;
      assert.equal(live.exitCode, null, "the live training ended early");
      assert.ok(Date.now() - t0 < 60_000, "the live run never appeared");
    }
    await goto(`#/run/${id}`, "run");
    assert.equal(await page.locator("#run-status").textContent(), "running");
    const view = page.locator(".run-view");
    const first = Number(await view.getAttribute("data-epochs"));
    await page.waitForFunction(
      (n) => Number(document.querySelector(".run-view")?.getAttribute("data-epochs")) >= n,
      first + 2,
      { timeout: 60_000 },
    );
    const now = Number(await view.getAttribute("data-epochs"));
    assert.ok(now >= first + 2);
    const n = Number(
      await page
        .locator('figure[data-chart="loss"] polyline[data-series="train_loss"]')
        .getAttribute("data-n"),
    );
    assert.ok(n >= first + 2, `${n} points after ${now} epochs`);
    // the page was not reloaded: the same document, updated by server-sent events
    assert.equal(await page.evaluate(() => performance.getEntriesByType("navigation").length), 1);
    const stored = store.getRun(id!)!.epochs;
    assert.ok(stored.length >= now);
    await page.screenshot({ path: path.join(SHOTS, "live.png"), fullPage: false });
    live.kill("SIGKILL");
    assert.deepEqual(dialogs, []);
  });
});
