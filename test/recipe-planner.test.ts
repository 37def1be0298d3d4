import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { UserError } from "../src/errors.js";
import type { DataSummary } from "../src/recipe/data-summary.js";
import {
  MAX_DEFAULT_EPOCHS,
  MIN_DEFAULT_STEPS,
  MIN_PATIENCE_STEPS,
  planRun,
} from "../src/recipe/plan-run.js";
import { prepareData } from "../src/recipe/prepare-data.js";
import { resolveConfig } from "../src/train/config.js";
import { ROOT } from "./helpers/cli.js";

const wine = path.join(ROOT, "examples/wine.csv");

async function summaryOf(cli: Record<string, unknown>): Promise<DataSummary> {
  return (await prepareData(resolveConfig(null, cli))).summary;
}

describe("planRun: a pure function from (data summary, config) to a plan and decision records", () => {
  test("the same inputs give the same plan and decisions; every decision is a record with its source", async () => {
    const s = await summaryOf({ data: wine, target: "cultivar" });
    const cfg = resolveConfig(null, { data: wine, target: "cultivar", lr: "0.003" });
    const a = planRun(s, cfg);
    const b = planRun(structuredClone(s), cfg);
    assert.deepEqual(a, b);
    for (const d of a.decisions) {
      assert.equal(typeof d.key, "string");
      assert.ok(["user", "default", "recipe"].includes(d.source), JSON.stringify(d));
      assert.ok(d.rule.length > 0 && typeof d.reason === "string");
    }
    const lr = a.decisions.find((d) => d.key === "lr")!;
    assert.deepEqual([lr.value, lr.source], [0.003, "user"]);
    // the recipe's defaults (RECIPE.md §11)
    assert.equal(a.plan.optimizer.name, "adamw");
    assert.equal(a.plan.optimizer.weightDecay, 1e-4);
    assert.equal(a.plan.loss.labelSmoothing, 0.05);
    assert.equal(a.plan.schedule, "cosine+warmup:3");
    assert.equal(a.plan.batchSize, 32);
    assert.deepEqual(a.plan.model, {
      type: "mlp",
      hidden: [256, 256],
      activation: "relu",
      norm: "none",
      dropout: 0.1,
    });
  });

  test("imbalanced classes switch the monitored metric, recorded as a recipe decision", () => {
    const s: DataSummary = {
      kind: "table",
      task: "classification",
      taskReason: "labels",
      classes: ["a", "b"],
      classCounts: [300, 10],
      trainRows: 310,
      valRows: 66,
      testRows: 66,
      inputShape: [5],
    };
    const { plan, decisions } = planRun(s, resolveConfig(null, { data: wine }));
    assert.equal(plan.monitor, "val_roc_auc");
    const d = decisions.find((x) => x.key === "monitor")!;
    assert.equal(d.source, "recipe");
    assert.match(d.reason, /30\.0:1/);
    // three classes: macro-F1
    const three = planRun(
      { ...s, classes: ["a", "b", "c"], classCounts: [300, 10, 50] },
      resolveConfig(null, {}),
    );
    assert.equal(three.plan.monitor, "val_f1_macro");
  });

  test("the LR scales with the batch size the data allows, not the nominal one", () => {
    const s: DataSummary = {
      kind: "table",
      task: "regression",
      taskReason: "numbers",
      classes: [],
      classCounts: [],
      trainRows: 125,
      valRows: 27,
      testRows: 26,
      inputShape: [10],
    };
    const big = planRun(s, resolveConfig(null, { "batch-size": "100000" }));
    assert.equal(big.plan.batchSize, 125);
    assert.ok(Math.abs(big.plan.optimizer.lr - 1e-3 * (125 / 64)) < 1e-12, String(big.plan.optimizer.lr));
    const user = planRun(s, resolveConfig(null, { "batch-size": "128", lr: "0.001" }));
    assert.equal(user.plan.optimizer.lr, 0.001);
    // a regression task has no label smoothing, and refuses it when asked for
    assert.equal(big.plan.loss.labelSmoothing, 0);
    assert.throws(
      () => planRun(s, resolveConfig(null, { "label-smoothing": "0.1" })),
      (e: unknown) => e instanceof UserError && /label-smoothing applies to classification/.test(e.message),
    );
  });

  test("the plan does not depend on anything but its inputs: a table option on images is refused, naming both", () => {
    const img: DataSummary = {
      kind: "images",
      task: "classification",
      taskReason: "folders",
      classes: ["0", "1"],
      classCounts: [50, 50],
      trainRows: 100,
      valRows: 20,
      testRows: 20,
      inputShape: [1, 8, 8],
    };
    assert.throws(
      () => planRun(img, resolveConfig(null, { drop: "a,b" })),
      (e: unknown) => e instanceof UserError && /--drop has no meaning for an image folder/.test(e.message),
    );
    assert.throws(
      () => planRun({ ...img, kind: "table", inputShape: [4] }, resolveConfig(null, { widths: "8,16" })),
      (e: unknown) => e instanceof UserError && /--widths has no meaning for a table/.test(e.message),
    );
    assert.throws(
      () => planRun(img, resolveConfig(null, { precision: "mixed" })),
      (e: unknown) => e instanceof UserError && /float16/.test(e.message),
    );
    const { plan } = planRun(img, resolveConfig(null, {}));
    assert.equal(plan.model.type, "cnn");
    assert.equal((plan.model as { norm: string }).norm, "batch");
  });

  test("a small table gets at least MIN_DEFAULT_STEPS optimizer steps and a patience of MIN_PATIENCE_STEPS; the user's epochs are kept", () => {
    const small: DataSummary = {
      kind: "table",
      task: "classification",
      taskReason: "labels",
      classes: ["a", "b", "c"],
      classCounts: [35, 35, 35],
      trainRows: 105,
      valRows: 24,
      testRows: 21,
      inputShape: [4],
    };
    const { plan, decisions } = planRun(small, resolveConfig(null, {}));
    // 105 rows at batch 32 = 4 steps per epoch: 20 epochs would be 80 steps
    assert.equal(plan.epochs, Math.ceil(MIN_DEFAULT_STEPS / 4));
    assert.equal(plan.earlyStopping, Math.ceil(MIN_PATIENCE_STEPS / 4));
    const e = decisions.find((d) => d.key === "epochs")!;
    assert.deepEqual([e.source, e.rule], ["recipe", "min-optimizer-steps"]);
    assert.match(e.reason, /80 optimizer steps/);
    assert.match(e.reason, /defaults-ablation\.md/);
    assert.equal(plan.schedule, "cosine+warmup:3");
    // the user's choice stands, and patience stays the default with it
    const user = planRun(small, resolveConfig(null, { epochs: "20" }));
    assert.equal(user.plan.epochs, 20);
    assert.equal(user.plan.earlyStopping, 10);
    assert.equal(user.decisions.find((d) => d.key === "epochs")!.source, "user");
    // a large table keeps the recipe's 20 epochs (RECIPE.md §7.1): 20 x 313 steps is plenty
    const large = planRun({ ...small, trainRows: 10_000 }, resolveConfig(null, {}));
    assert.equal(large.plan.epochs, 20);
    assert.equal(large.plan.earlyStopping, 10);
    assert.equal(large.decisions.find((d) => d.key === "epochs")!.rule, "recipe-default");
    // the step rule never exceeds MAX_DEFAULT_EPOCHS
    assert.equal(
      planRun({ ...small, trainRows: 4 }, resolveConfig(null, {})).plan.epochs,
      MAX_DEFAULT_EPOCHS,
    );
  });

  test("defaults cite the ablation that measured them", async () => {
    const s = await summaryOf({ data: wine, target: "cultivar" });
    const { decisions } = planRun(s, resolveConfig(null, { data: wine, target: "cultivar" }));
    for (const key of [
      "optimizer",
      "weightDecay",
      "dropout",
      "labelSmoothing",
      "schedule",
      "warmup",
      "earlyStopping",
    ])
      assert.match(
        decisions.find((d) => d.key === key)!.reason,
        /bench\/results\/defaults-ablation\.md/,
        key,
      );
  });
});
