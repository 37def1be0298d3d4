/**
 * The fast audit `nncoach train` runs before training (src/recipe/fast-audit.ts), on real data with planted
 * repeats: it tags rows with the run's own split (the count of validation/test rows seen in training is
 * the one the run's split gives), reads a text table as text (repeated texts, no identifier or leakage
 * noise about the one free-text column), and finds images filed under two classes in an image folder.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { SHARED, writeCsv } from "../bench/planted-pathologies.js";
import { runImageFolderAudit } from "../src/data/audit/image-folder-audit.js";
import { readTableFile } from "../src/data/read-table-file.js";
import { fastAudit } from "../src/recipe/fast-audit.js";
import { prepareData } from "../src/recipe/prepare-data.js";
import { toResolved } from "../src/recipe/train-run.js";
import { buildFirstNamesCsv } from "./helpers/text-datasets.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-fast-audit-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function audit(config: { data: string; target?: string; text?: string; seed?: number }) {
  const resolved = toResolved(config);
  const data = await prepareData(resolved);
  return { data, report: (await fastAudit(data, resolved.values))! };
}

test("tables: repeated rows are counted against the run's own split, with no label check", async () => {
  // wine with its first 30 rows repeated at the end: row i and row n + i hold the same inputs
  const table = await readTableFile(path.join(SHARED, "wine.csv"));
  const n = table.rows.length;
  const file = path.join(tmp, "wine-repeats.csv");
  writeCsv(file, table.columns, [...table.rows, ...table.rows.slice(0, 30)]);
  for (const seed of [0, 1]) {
    const { data, report } = await audit({ data: file, target: "cultivar", seed });
    const train = new Set(data.rows.train);
    let expected = 0;
    for (let i = 0; i < 30; i++) if (train.has(i) !== train.has(n + i)) expected++;
    assert.ok(expected > 0);
    assert.equal(report.duplicate_summary.exact_groups, 30);
    assert.equal(report.duplicate_summary.evaluation_rows_seen_in_training, expected, `seed ${seed}`);
    assert.equal(
      report.label_issue_summary.skipped,
      "nncoach train runs the fast checks only; nncoach audit runs the label check",
    );
    assert.deepEqual(report.label_issues, []);
    assert.deepEqual(
      report.files.map((f) => [f.split, f.rows]),
      [
        ["train", data.rows.train.length],
        ["validation", data.rows.val.length],
        ["test", n + 30 - data.rows.train.length - data.rows.val.length],
      ],
    );
  }
});

test("text tables: repeated texts are found; the free-text column is not called an identifier or a leak", async () => {
  const names = await buildFirstNamesCsv(tmp);
  const table = await readTableFile(names.path);
  const kept = table.rows.filter((_, i) => i % 10 === 0);
  const file = path.join(tmp, "names-repeats.csv");
  writeCsv(file, table.columns, [...kept, ...kept.slice(0, 20)]);
  const { data, report } = await audit({ data: file, target: "gender", text: "name" });
  assert.equal(data.kind, "text");
  assert.equal(report.duplicate_summary.exact_groups, 20);
  assert.deepEqual(report.duplicate_summary.ignored_columns, []);
  assert.deepEqual(report.leakage, []);
  assert.ok(!report.findings.some((f) => /identifier/.test(f.message)), JSON.stringify(report.findings));
});

/** A class folder of `perClass` shared digit images per class, the first `copies` threes copied into 8. */
function digitsWithThreesInEight(folder: string, perClass: number, copies: number): string[] {
  for (const c of fs.readdirSync(path.join(SHARED, "digits_png"))) {
    fs.mkdirSync(path.join(folder, c), { recursive: true });
    for (const f of fs
      .readdirSync(path.join(SHARED, "digits_png", c))
      .sort()
      .slice(0, perClass))
      fs.copyFileSync(path.join(SHARED, "digits_png", c, f), path.join(folder, c, f));
  }
  const threes = fs.readdirSync(path.join(folder, "3")).sort().slice(0, copies);
  for (const f of threes) fs.copyFileSync(path.join(folder, "3", f), path.join(folder, "8", `from-3-${f}`));
  return threes;
}

test("image folders: the same image filed under two classes is found", async () => {
  const folder = path.join(tmp, "digits");
  digitsWithThreesInEight(folder, 12, 4);
  const { data, report } = await audit({ data: folder });
  assert.equal(data.kind, "images");
  assert.equal(report.duplicate_summary.exact_groups, 4);
  assert.equal(report.duplicate_summary.conflicting_groups, 4);
  assert.ok(
    report.findings.some(
      (f) => f.severity === "medium" && /same inputs but different targets/.test(f.message),
    ),
    JSON.stringify(report.findings),
  );
});

test("image folders with a cache: the audit compares the pixels training read, the files are not decoded again", async () => {
  const folder = path.join(tmp, "digits-cached");
  const threes = digitsWithThreesInEight(folder, 10, 3);
  // a copy whose time is known, so that it can be put back after its bytes are changed
  const copy = path.join(folder, "8", `from-3-${threes[0]}`);
  fs.utimesSync(copy, 1_000_000_000, 1_000_000_000);
  process.env.NNCOACH_IMAGE_CACHE = "on";
  try {
    const first = await audit({ data: folder });
    assert.equal(first.report.duplicate_summary.conflicting_groups, 3);
    // the copy's bytes become garbage of the same size and time: the cache still holds the folder, and only
    // a decode of the file would see the garbage (it does not decode: the folder could not be read at all,
    // and the copy would no longer match its original)
    fs.writeFileSync(copy, Buffer.alloc(fs.statSync(copy).size, 7));
    fs.utimesSync(copy, 1_000_000_000, 1_000_000_000);
    const second = await audit({ data: folder });
    assert.ok(
      second.data.loaded.notices.some((n) => /^read \d+ decoded images from the cache/.test(n)),
      JSON.stringify(second.data.loaded.notices),
    );
    assert.deepEqual(second.report.duplicates, first.report.duplicates);
    assert.deepEqual(second.report.findings, first.report.findings);
    // nncoach audit reads the folder the same way, through its cache
    const alone = await runImageFolderAudit({ train: folder });
    assert.deepEqual(alone.duplicates, first.report.duplicates);
  } finally {
    delete process.env.NNCOACH_IMAGE_CACHE;
  }
});
