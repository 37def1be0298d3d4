import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { readTable } from "../src/data/csv.js";
import {
  groupSplit,
  kFold,
  randomSplit,
  stratifiedKFold,
  stratifiedSplit,
  timeSplit,
} from "../src/data/split.js";
import type { Table } from "../src/data/table.js";
import { TabularPreprocessor } from "../src/data/tabular-preprocessor.js";

const dataDir = fileURLToPath(new URL("../../test/data/", import.meta.url));
const ROWS = 3_000_000;
const F = { train: 0.7, val: 0.15, test: 0.15 };

/** Seconds `fn` takes, and its result. */
function timed<T>(fn: () => T): { seconds: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { seconds: (performance.now() - t0) / 1000, value };
}

/** True when `parts` cover 0..n-1 exactly once, each ascending. */
function isPartition(parts: readonly number[][], n: number): boolean {
  const seen = new Uint8Array(n);
  let total = 0;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      if (seen[p[i]!] || (i > 0 && p[i]! <= p[i - 1]!)) return false;
      seen[p[i]!] = 1;
    }
    total += p.length;
  }
  return total === n;
}

test("3,000,000 rows go through every split and the tabular preprocessor in seconds, without stack overflows", async () => {
  // iris tiled 20,000 times: every row array is shared, so 3M rows cost one pointer each
  const iris = await readTable(`${dataDir}iris.csv`);
  const rows = Array.from({ length: ROWS }, (_, i) => iris.rows[i % iris.rows.length]!);
  const table: Table = { source: "iris x 20000", columns: iris.columns, rows };
  const labels = rows.map((r) => r[4]!);
  const times: string[] = [];
  const log: string[] = [];
  const check = (name: string, seconds: number) => {
    log.push(`${name} ${seconds.toFixed(2)} s`);
    // about 1 s each on an idle 2-core machine (fit: 2-3 s); the bound leaves room for a loaded one
    assert.ok(seconds < 12, `${name} took ${seconds.toFixed(1)} s`);
  };

  const strat = timed(() => stratifiedSplit(labels, F, 0));
  check("stratifiedSplit", strat.seconds);
  const s = strat.value;
  assert.ok(isPartition([s.train, s.val, s.test], ROWS));
  for (const cls of ["setosa", "versicolor", "virginica"]) {
    const inVal = s.val.reduce((a, r) => a + (labels[r] === cls ? 1 : 0), 0);
    assert.ok(Math.abs(inVal - (ROWS / 3) * 0.15) <= 1, `${cls}: ${inVal} validation rows`);
  }

  const random = timed(() => randomSplit(ROWS, F, 1));
  check("randomSplit", random.seconds);
  assert.deepEqual(
    [random.value.train.length, random.value.val.length, random.value.test.length],
    [2_100_000, 450_000, 450_000],
  );

  // groups of 30 consecutive rows (100,000 groups): no group straddles two splits
  const groups = Array.from({ length: ROWS }, (_, i) => Math.floor(i / 30));
  const grouped = timed(() => groupSplit(groups, F, 2));
  check("groupSplit", grouped.seconds);
  const g = grouped.value;
  assert.ok(isPartition([g.train, g.val, g.test], ROWS));
  const splitOfGroup = new Int8Array(ROWS / 30).fill(-1);
  [g.train, g.val, g.test].forEach((part, k) => {
    for (const r of part) {
      const group = groups[r]!;
      assert.ok(splitOfGroup[group] === -1 || splitOfGroup[group] === k, `group ${group} straddles`);
      splitOfGroup[group] = k;
    }
  });
  assert.ok(Math.abs(g.train.length / ROWS - 0.7) < 0.001);

  // times: one reading every 7 rows, as text, out of order (a shuffled log)
  const order = randomSplit(ROWS, { train: 1, val: 0, test: 0 }, 3).train;
  for (let i = 0; i < ROWS; i++)
    times.push(String(1_600_000_000 + Math.floor(order[(i * 7919) % ROWS]! / 7)));
  const byTime = timed(() => timeSplit(times, F));
  check("timeSplit", byTime.seconds);
  const t = byTime.value;
  assert.ok(isPartition([t.train, t.val, t.test], ROWS));
  const latestTrain = t.train.reduce((m, r) => Math.max(m, Number(times[r])), 0);
  const earliestVal = t.val.reduce((m, r) => Math.min(m, Number(times[r])), Number.POSITIVE_INFINITY);
  assert.ok(latestTrain < earliestVal);

  const folds = timed(() => kFold(ROWS, 5, 4));
  check("kFold", folds.seconds);
  assert.equal(folds.value.length, 5);
  assert.ok(isPartition([folds.value[0]!.train, folds.value[0]!.val], ROWS));
  assert.ok(
    isPartition(
      folds.value.map((f) => f.val),
      ROWS,
    ),
  );
  const stratFolds = timed(() => stratifiedKFold(labels, 5, 4));
  check("stratifiedKFold", stratFolds.seconds);
  assert.ok(
    isPartition(
      stratFolds.value.map((f) => f.val),
      ROWS,
    ),
  );

  const fit = timed(() => TabularPreprocessor.fit(table, s.train, "species"));
  check("TabularPreprocessor.fit", fit.seconds);
  const pre = fit.value;
  assert.deepEqual(pre.classes, ["setosa", "versicolor", "virginica"]);
  const x = timed(() => pre.transformFeatures(table));
  check("transformFeatures", x.seconds);
  assert.equal(x.value.length, ROWS * 4);
  // standardized on the training rows: the first feature's mean over the training rows is ~0
  let sum = 0;
  for (const r of s.train) sum += x.value[r * 4]!;
  assert.ok(Math.abs(sum / s.train.length) < 1e-3);
  const y = timed(() => pre.transformTarget(table));
  check("transformTarget", y.seconds);
  assert.equal(y.value.length, ROWS);
  console.log(log.join("; "));
});
