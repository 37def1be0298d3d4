/**
 * The learning curve answers "would more data help?": on a 10% subsample of the shared digits it does
 * (too_little_data), on the full set it does not.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { learningCurve } from "../src/coach/improve/learning-curve.js";
import { objectiveFor } from "../src/coach/improve/objective.js";
import { prepareFolds } from "../src/recipe/cross-validate.js";
import { prepareData } from "../src/recipe/prepare-data.js";
import { resolveConfig } from "../src/train/config.js";

const SHARED = process.env.NNCOACH_DATASETS ?? "/work/shared/datasets";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-lc-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function curve(file: string) {
  const options = { data: file, target: "digit", task: "classification", seed: 0, threads: 1 };
  const resolved = resolveConfig(null, options);
  const data = await prepareData(resolved);
  const folds = await prepareFolds(data, [...data.rows.train, ...data.rows.val], resolved, 5);
  return learningCurve(
    folds.map((d) => ({ data: d, seed: 0 })),
    options,
    objectiveFor("accuracy"),
    1,
  );
}

test("digits: a 10% subsample would gain from more data, the full set has flattened", async () => {
  const lines = fs.readFileSync(path.join(SHARED, "digits.csv"), "utf8").trim().split("\n");
  const small = path.join(tmp, "digits-10pct.csv");
  fs.writeFileSync(small, `${[lines[0], ...lines.slice(1).filter((_, i) => i % 10 === 0)].join("\n")}\n`);
  const s = await curve(small);
  assert.equal(s.moreDataHelps, true, s.explanation);
  assert.ok(s.mean[3]! > s.mean[0]!, "accuracy rises with rows");
  assert.deepEqual(s.fractions, [0.25, 0.5, 0.75, 1]);
  const full = await curve(path.join(SHARED, "digits.csv"));
  assert.equal(full.moreDataHelps, false, full.explanation);
  assert.ok(full.gainPerDoubling < s.gainPerDoubling);
});
