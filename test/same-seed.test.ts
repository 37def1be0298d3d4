/**
 * Same seed, same run, for every kind of data: `nncoach train` run twice with the same small config (in two
 * processes) must make the same decisions (records and plan) and give the same numbers exactly (every
 * epoch's losses, metrics and health records, and the final validation metrics); a third run with another
 * seed must give other numbers, so that the comparison can fail. Dropout, and augmentation where the kind
 * has one, are on, so that every generator of a run is exercised. Real data, made small: wine; 400 first
 * names; 5 digit images per class; 12 spoken digits per class.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type { DataKind } from "../src/train/config-options.js";
import { ROOT } from "./helpers/cli.js";
import { inParallel, runCliAsync } from "./helpers/cli-async.js";
import { buildFirstNamesCsv } from "./helpers/text-datasets.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-same-seed-"));
const DIGITS = path.join(ROOT, "test/data/digits_png");

const RUNS: Record<DataKind, string[]> = {
  table: ["examples/wine.csv", "--target", "cultivar", "--epochs", "4", "--dropout", "0.3"],
  text: [path.join(tmp, "names.csv"), "--target", "gender", "--epochs", "3", "--augment", "drop:0.2"],
  images: [path.join(tmp, "digits"), "--epochs", "2", "--widths", "8,16", "--augment", "flip,crop:1"],
  audio: [path.join(tmp, "spoken"), "--epochs", "2", "--widths", "8,16", "--augment", "specaugment"],
};

/** Copies the first `n` files (in sorted order) of each class folder of `src` into `dst`. */
function subset(src: string, dst: string, n: number): void {
  for (const c of fs.readdirSync(src).sort()) {
    fs.mkdirSync(path.join(dst, c), { recursive: true });
    for (const f of fs.readdirSync(path.join(src, c)).sort().slice(0, n))
      fs.copyFileSync(path.join(src, c, f), path.join(dst, c, f));
  }
}

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

before(async () => {
  subset(DIGITS, path.join(tmp, "digits"), 5);
  subset(path.join(ROOT, "examples/spoken-digits/train"), path.join(tmp, "spoken"), 12);
  const names = await buildFirstNamesCsv(tmp);
  const lines = fs.readFileSync(names.path, "utf8").trim().split("\n");
  const kept = lines.slice(1).filter((_, i) => i % 20 === 0);
  fs.writeFileSync(path.join(tmp, "names.csv"), `${[lines[0], ...kept].join("\n")}\n`);
});

for (const kind of Object.keys(RUNS) as DataKind[]) {
  test(`${kind}: the same seed gives the same decisions and the same numbers; another seed other numbers`, async () => {
    const run = (seed: number) => () =>
      runCliAsync(["train", ...RUNS[kind], "--seed", String(seed), "--threads", "1", "--json"]);
    const [a, b, c] = await inParallel([run(5), run(5), run(6)]);
    for (const r of [a, b, c]) assert.equal(r!.code, 0, r!.stderr);
    const [ja, jb, jc] = [a!.json!, b!.json!, c!.json!];
    assert.equal(ja.kind, kind);
    assert.ok((ja.decisions as unknown[]).length > 5, "the run records its decisions");
    assert.deepEqual(jb.decisions, ja.decisions);
    assert.deepEqual(jb.plan, ja.plan);
    assert.deepEqual(jb.history, ja.history, "every epoch's numbers (losses, metrics, health)");
    assert.deepEqual(jb.val, ja.val);
    assert.notDeepEqual(
      (jc.history as { train_loss: number }[]).map((h) => h.train_loss),
      (ja.history as { train_loss: number }[]).map((h) => h.train_loss),
      "another seed trains otherwise",
    );
  });
}
