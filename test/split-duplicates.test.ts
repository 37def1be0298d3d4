/**
 * `--drop-split-duplicates`: validation and test rows whose inputs repeat a training row are dropped
 * before training (test rows before they are sealed), and the run's fast audit then finds no evaluation
 * row seen in training. Real data: iris, which has exact duplicate rows, and iris with every row twice.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { fastAudit } from "../src/recipe/fast-audit.js";
import { planRun } from "../src/recipe/plan-run.js";
import { prepareData } from "../src/recipe/prepare-data.js";
import { resolveConfig } from "../src/train/config.js";
import { ROOT } from "./helpers/cli.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-split-dups-"));
const lines = fs.readFileSync(path.join(ROOT, "test/data/iris.csv"), "utf8").trim().split("\n");
const twice = path.join(tmp, "iris-twice.csv");
fs.writeFileSync(twice, `${[...lines, ...lines.slice(1)].join("\n")}\n`);
const inputsOf = (row: number) => lines[1 + (row % 150)]!.split(",").slice(0, 4).map(Number).join(",");

describe("--drop-split-duplicates", () => {
  test("no validation or test row repeats a training row; the fast audit agrees; the plan records it", async () => {
    const plain = resolveConfig(null, { data: twice, target: "species" });
    const before = await prepareData(plain);
    const auditBefore = (await fastAudit(before, plain.values))!;
    assert.ok(auditBefore.duplicate_summary.evaluation_rows_seen_in_training > 30);

    const resolved = resolveConfig(null, { data: twice, target: "species", dropSplitDuplicates: true });
    const data = await prepareData(resolved);
    const seen = new Set(data.rows.train.map(inputsOf));
    assert.ok(data.rows.val.every((r) => !seen.has(inputsOf(r))));
    // the same split, fewer evaluation rows: training rows are untouched
    assert.deepEqual(data.rows.train, before.rows.train);
    assert.ok(data.rows.val.length < before.rows.val.length);
    assert.ok(data.test!.size < before.test!.size);
    const dropped = before.rows.val.length - data.rows.val.length + before.test!.size - data.test!.size;
    assert.equal(data.rows.dropped?.length, dropped);
    assert.ok(data.notices.some((n) => /validation row\(s\) repeat a training row exactly: dropped/.test(n)));
    assert.ok(
      data.notices.some((n) => /test row\(s\) repeat a training or validation row exactly: dropped/.test(n)),
    );
    const audit = (await fastAudit(data, resolved.values))!;
    assert.equal(audit.duplicate_summary.evaluation_rows_seen_in_training, 0);
    assert.equal(audit.files.find((f) => f.split === "test")!.rows, data.test!.size);
    const d = planRun(data.summary, resolved).decisions.find((x) => x.key === "dropSplitDuplicates")!;
    assert.deepEqual([d.value, d.source], [true, "user"]);
  });

  test("a separate validation file loses the rows that repeat training rows", async () => {
    const val = path.join(tmp, "val.csv");
    // 10 rows of the training file and 5 that are not in it (data rows 120-124 are held back)
    const train = path.join(tmp, "train.csv");
    fs.writeFileSync(train, `${[...lines.slice(0, 121), ...lines.slice(126)].join("\n")}\n`);
    fs.writeFileSync(val, `${[lines[0], ...lines.slice(1, 11), ...lines.slice(121, 126)].join("\n")}\n`);
    const data = await prepareData(
      resolveConfig(null, { data: train, target: "species", validationData: val, dropSplitDuplicates: true }),
    );
    assert.equal(data.validation.n, 5);
    assert.deepEqual(data.rows.val, [10, 11, 12, 13, 14]);
  });
});
