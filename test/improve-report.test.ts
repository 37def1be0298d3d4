/**
 * report.html of a real `nncoach improve` study, rendered in a real browser: Debian's `chromium`
 * (.ci/run installs it when missing) driven by playwright-core, with JavaScript disabled. No request
 * leaves file://, the ledger table has one row per summary.json step with the same cells, the sections
 * and plots are there and take up room, nothing spills over the page's width, and a full-page
 * screenshot is saved (kept with NNCOACH_KEEP_TMP=1, its path printed as a diagnostic).
 *
 * No browser download: playwright-core launches the system's chromium by path. Without it the test
 * fails, saying how to install it (a skipped browser test would hide a broken report).
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { PNG } from "pngjs";
import { type ImproveSummary, improve } from "../src/coach/improve/improve.js";
import { headline, LEDGER_HEADER, ledgerRow } from "../src/coach/improve/improve-report.js";

import { chromiumPath } from "./helpers/chromium.js";

const SHARED = process.env.NNCOACH_DATASETS ?? "/work/shared/datasets";
const WINE = path.join(SHARED, "wine.csv");
const VIEWPORT = { width: 1100, height: 900 };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-improve-report-"));
let browser: Browser | undefined;
after(async () => {
  await browser?.close();
  if (process.env.NNCOACH_KEEP_TMP !== "1") fs.rmSync(tmp, { recursive: true, force: true });
});

const clean = (t: string) => t.replace(/\s+/g, " ").trim();

// Counted as a failure of its own (the suite's tests below are then cancelled by their setup hook).
test("headless Chromium is installed", () => {
  assert.ok(fs.statSync(chromiumPath("the report test renders report.html")).isFile());
});

describe("report.html in headless Chromium, JavaScript off", { timeout: 180_000 }, () => {
  const out = path.join(tmp, "wine");
  let summary: ImproveSummary;
  let context: BrowserContext;
  let page: Page;
  const requests: string[] = [];

  before(async () => {
    const executablePath = chromiumPath("the report test renders report.html");
    // A baseline learning rate ten times too small and few epochs: the learning-rate step is kept, the
    // next steps are rejected, and --trials 6 leaves the rest skipped: all three kinds of ledger row.
    await improve({
      data: WINE,
      target: "cultivar",
      budget: 600,
      trials: 6,
      out,
      threads: 1,
      train: { epochs: 8, lr: 0.0001 },
    });
    summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8"));
    browser = await chromium.launch({ executablePath, headless: true });
    context = await browser.newContext({ javaScriptEnabled: false, viewport: VIEWPORT });
    context.on("request", (r) => requests.push(r.url()));
    page = await context.newPage();
    await page.goto(pathToFileURL(path.join(out, "report.html")).href, { waitUntil: "load" });
    await page.waitForLoadState("networkidle");
  });

  test("nothing is fetched: the page is the only request, and it names no outside resource", async () => {
    const report = pathToFileURL(path.join(out, "report.html")).href;
    assert.deepEqual(requests, [report], `requests: ${requests.join(", ")}`);
    assert.equal(
      await page.locator("script, link, img, iframe, object, embed, video, audio, source").count(),
      0,
      "no script and no element that loads a resource",
    );
    for (const href of await page
      .locator("a[href]")
      .evaluateAll((as) => as.map((a) => a.getAttribute("href"))))
      assert.match(href ?? "", /^#/, "links stay on the page");
    const html = fs.readFileSync(path.join(out, "report.html"), "utf8");
    assert.ok(!/url\(\s*['"]?(https?:|data:|\/\/)/i.test(html), "no CSS url() to a resource");
    assert.ok(!/(src|href)\s*=\s*["']?(https?:|\/\/)/i.test(html), "no outside src or href");
  });

  test("the ledger table has one row per summary.json step, with the same cells", async () => {
    const head = await page.locator("table.ledger thead th").allTextContents();
    assert.deepEqual(head, LEDGER_HEADER);
    const rows = page.locator("table.ledger tbody tr");
    assert.equal(await rows.count(), summary.steps.length);
    const outcomes = new Set<string>();
    for (const [i, st] of summary.steps.entries()) {
      const row = rows.nth(i);
      const cells = (await row.locator("td").allTextContents()).map(clean);
      assert.deepEqual(cells, ledgerRow(st).map(clean), `row ${i + 1} (${st.name})`);
      // The same facts, read without ledgerRow: name, outcome, and the before/after means.
      const outcome = st.skipped ? "skipped" : st.kept ? "kept" : "rejected";
      outcomes.add(outcome);
      assert.equal(cells[0], st.name);
      assert.equal(cells[4], outcome);
      assert.equal(await row.getAttribute("class"), outcome);
      for (const [cell, spread] of [
        [cells[2]!, st.val_before],
        [cells[3]!, st.val_after],
      ] as const) {
        if (spread)
          assert.ok(cell.startsWith(String(Number(spread.mean.toPrecision(4)))), `${st.name}: ${cell}`);
        else assert.equal(cell, "–");
      }
      assert.ok(await row.isVisible(), `row ${st.name} is shown`);
    }
    assert.deepEqual(
      [...outcomes].sort(),
      ["kept", "rejected", "skipped"],
      "the study makes every kind of row",
    );
    // kept rows stand out from the others
    const bg = (cls: string) =>
      page
        .locator(`table.ledger tr.${cls} td`)
        .first()
        .evaluate((td) => getComputedStyle(td).backgroundColor);
    const kept = await bg("kept");
    assert.notEqual(kept, await bg("rejected"));
    assert.notEqual(kept, await bg("skipped"));
  });

  test("readable without JavaScript: headline, sections, plots with room, nothing wider than the window", async () => {
    const headlineText = clean((await page.locator("p.headline").textContent()) ?? "");
    assert.equal(headlineText, clean(headline(summary)));
    assert.match(headlineText, /^Final test accuracy \d/);
    const box = await page.locator("p.headline").boundingBox();
    assert.ok(box && box.y + box.height < VIEWPORT.height, "the headline is on the first screen");
    assert.equal(await page.locator(".cards .card").count(), 4);

    const h2 = (await page.locator("h2").allTextContents()).map(clean);
    for (const want of [
      "Outcome",
      "Ledger",
      "Metric across the steps",
      "Baseline and final training curves",
      "Diagnosis",
      "Decisions",
      "Reproduce",
    ])
      assert.ok(h2.includes(want), `section "${want}" in ${h2.join(" | ")}`);
    assert.match(
      clean((await page.locator("#reproduce pre").textContent()) ?? ""),
      /nncoach improve .*wine\.csv/,
    );
    assert.ok((await page.locator("#decisions li").count()) > 0);

    const svgs = page.locator("svg");
    const n = await svgs.count();
    assert.ok(n >= 3, `steps, curves and LR-finder plots, got ${n} SVGs`);
    for (let i = 0; i < n; i++) {
      const b = await svgs.nth(i).boundingBox();
      assert.ok(b && b.width > 100 && b.height > 100, `SVG ${i} is drawn with room: ${JSON.stringify(b)}`);
      assert.ok(b.x >= 0 && b.x + b.width <= VIEWPORT.width, `SVG ${i} fits the window`);
    }
    assert.equal(await page.locator("svg.steps-plot g.step").count(), summary.steps.length);
    const curves = page.locator("#curves svg polyline.series");
    const same = JSON.stringify(summary.curves.baseline) === JSON.stringify(summary.curves.final);
    assert.equal(
      await curves.count(),
      same ? 2 : 4,
      "train and validation, of the baseline and the final run",
    );
    const ids = await page.locator("[id]").evaluateAll((els) => els.map((e) => e.id));
    assert.equal(new Set(ids).size, ids.length, `element ids are unique: ${ids.join(", ")}`);

    const fits = () =>
      page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
    assert.ok(await fits(), "no horizontal scrolling at 1100 px");
    await page.setViewportSize({ width: 420, height: 900 });
    assert.ok(await fits(), "no horizontal scrolling on a phone-sized window (wide tables scroll in place)");
    await page.setViewportSize(VIEWPORT);
  });

  test("a full-page screenshot is saved", async (t) => {
    const file = path.join(tmp, "report.png");
    await page.screenshot({ path: file, fullPage: true });
    t.diagnostic(`screenshot: ${file}`);
    const bytes = fs.readFileSync(file);
    assert.ok(bytes.subarray(0, 8).equals(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10])), "PNG signature");
    assert.ok(bytes.length > 50_000, `${bytes.length} bytes`);
    const png = PNG.sync.read(bytes);
    assert.equal(png.width, VIEWPORT.width);
    assert.ok(png.height > 2 * VIEWPORT.height, `the whole page: ${png.height} px high`);
    let inked = 0;
    for (let i = 0; i < png.data.length; i += 4)
      if (png.data[i]! + png.data[i + 1]! + png.data[i + 2]! < 600) inked++;
    const share = inked / (png.width * png.height);
    assert.ok(
      share > 0.02 && share < 0.5,
      `text and plots, not a blank or black page: ${share.toFixed(3)} inked`,
    );
  });
});
