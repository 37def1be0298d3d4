/**
 * `--exclude-rows`: training without chosen rows (the audit's likely mislabeled rows), and improve's
 * label_issues step that tries it. Real data: iris, whose audit doubts a few virginica labels.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { likelyMislabeled, STEPS } from "../src/coach/improve/steps.js";
import { runAudit } from "../src/data/audit/run-audit.js";
import { readTableFile } from "../src/data/read-table-file.js";
import { UserError } from "../src/errors.js";
import { trainingWithout } from "../src/recipe/exclude-rows.js";
import { planRun } from "../src/recipe/plan-run.js";
import { prepareData } from "../src/recipe/prepare-data.js";
import { trainPlan } from "../src/recipe/train-plan.js";
import { resolveConfig } from "../src/train/config.js";
import { ROOT } from "./helpers/cli.js";

const iris = path.join(ROOT, "test/data/iris.csv");

describe("--exclude-rows", () => {
  test("leaves the named training rows out, keeps validation rows, and changes what is trained", async () => {
    const resolved = resolveConfig(null, { data: iris, target: "species", epochs: 3, threads: 1 });
    const data = await prepareData(resolved);
    const trainRows = data.rows.train.slice(0, 5);
    const valRow = data.rows.val[0]!;
    const { train, notice } = trainingWithout(data, [...trainRows, valRow]);
    assert.equal(train.n, data.train.n - 5);
    assert.match(notice!, /5 of 105 training rows left out; 1 of the named rows are not training rows/);
    // the rows kept are the others, in order: the first kept one is the sixth training row
    const per = data.train.x.length / data.train.n;
    assert.deepEqual([...train.x.subarray(0, per)], [...data.train.x.subarray(5 * per, 6 * per)]);
    assert.equal(train.y[0], data.train.y[5]);

    const without = resolveConfig(null, {
      data: iris,
      target: "species",
      epochs: 3,
      threads: 1,
      excludeRows: trainRows.join(","),
    });
    const a = await trainPlan(data, planRun(data.summary, resolved).plan);
    const planned = planRun(data.summary, without);
    assert.deepEqual(
      planned.plan.excludeRows,
      [...trainRows].sort((x, y) => x - y),
    );
    assert.equal(planned.decisions.find((d) => d.key === "excludeRows")!.source, "user");
    const b = await trainPlan(data, planned.plan);
    assert.notDeepEqual(
      a.history.map((h) => h.train_loss),
      b.history.map((h) => h.train_loss),
    );
    // judged on the same validation rows
    assert.equal(a.val.samples, b.val.samples);
    assert.ok(b.notices.some((n) => /5 of 105 training rows left out/.test(n)));
  });

  test("row numbers the data does not have, a bad list, and leaving out every row are refused", async () => {
    const data = await prepareData(resolveConfig(null, { data: iris, target: "species" }));
    assert.throws(
      () => trainingWithout(data, [3, 150, 999]),
      (e: unknown) =>
        e instanceof UserError &&
        /has data rows 0 to 149, not 150, 999/.test(e.message) &&
        /nncoach audit/.test(e.hint ?? ""),
    );
    assert.throws(
      () => trainingWithout(data, data.rows.train),
      (e: unknown) => e instanceof UserError && /leaves no training rows/.test(e.message),
    );
    assert.throws(() => resolveConfig(null, { excludeRows: "3,x" }), /data row numbers/);
    // a config file's list and the CLI's string mean the same
    assert.deepEqual(resolveConfig(null, { excludeRows: [9, 3, 3] }).values.excludeRows, [3, 9]);
  });
});

describe("improve's label_issues step", () => {
  test("tries training without the audit's likely mislabeled rows of the training file, or says why not", async () => {
    const table = await readTableFile(iris);
    const report = runAudit(table, "species", { seed: 0 });
    const found = likelyMislabeled(report);
    assert.ok("rows" in found, JSON.stringify(found));
    const likely = report.label_issues.filter((i) => i.verdict === "likely mislabeled").map((i) => i.row);
    assert.deepEqual(
      found.rows,
      [...new Set(likely)].sort((a, b) => a - b),
    );
    const step = STEPS.find((s) => s.name === "label_issues")!;
    const data = await prepareData(resolveConfig(null, { data: iris, target: "species" }));
    const plan = planRun(data.summary, resolveConfig(null, { data: iris, target: "species" })).plan;
    assert.deepEqual(step.candidates({ data, plan, options: {}, labelIssues: found }), [
      { change: { excludeRows: found.rows } },
    ]);
    const none = step.candidates({
      data,
      plan,
      options: {},
      labelIssues: { none: "the audit found no likely mislabeled rows" },
    });
    assert.deepEqual(none, { skip: "the audit found no likely mislabeled rows" });
    assert.ok("skip" in step.candidates({ data, plan, options: {} }));
  });
});
