import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { readTable } from "../src/data/csv.js";
import { HeldOutTest, sealTest } from "../src/data/held-out-test.js";
import {
  allocate,
  groupSplit,
  kFold,
  randomSplit,
  stratifiedKFold,
  stratifiedSplit,
  timeSplit,
} from "../src/data/split.js";
import { checkSplitSize } from "../src/data/split-check.js";
import { UserError } from "../src/errors.js";

const F = { train: 0.7, val: 0.15, test: 0.15 };

function labelsWith(counts: Record<string, number>): string[] {
  const out: string[] = [];
  // interleave so classes are not in blocks
  const left = { ...counts };
  while (Object.values(left).some((c) => c > 0)) {
    for (const k of Object.keys(left)) {
      if (left[k]! > 0) {
        out.push(k);
        left[k]!--;
      }
    }
  }
  return out;
}

function assertPartition(parts: number[][], n: number): void {
  const all = parts.flat().sort((a, b) => a - b);
  assert.deepEqual(
    all,
    Array.from({ length: n }, (_, i) => i),
  );
}

test("allocate: largest remainder sums to n, each within one of exact", () => {
  for (const n of [1, 2, 3, 7, 10, 13, 101]) {
    const c = allocate(n, [0.7, 0.15, 0.15]);
    assert.equal(c[0]! + c[1]! + c[2]!, n);
    [0.7, 0.15, 0.15].forEach((f, i) => {
      assert.ok(Math.abs(c[i]! - n * f) < 1, `n=${n} split ${i}`);
    });
  }
  assert.deepEqual(allocate(1, [0.7, 0.15, 0.15]), [1, 0, 0]);
});

test("stratified split: every class within one row of exact in each split; a partition", () => {
  const counts = { a: 50, b: 37, c: 13, d: 3, e: 1 };
  const labels = labelsWith(counts);
  for (const seed of [0, 1, 2, 99]) {
    const s = stratifiedSplit(labels, F, seed);
    assertPartition([s.train, s.val, s.test], labels.length);
    for (const [cls, n] of Object.entries(counts)) {
      for (const [name, rows] of Object.entries(s)) {
        const got = rows.filter((r: number) => labels[r] === cls).length;
        const exact = n * F[name as keyof typeof F];
        assert.ok(Math.abs(got - exact) < 1, `class ${cls} in ${name}: ${got} vs ${exact}`);
      }
    }
    assert.ok(
      s.train.some((r) => labels[r] === "e"),
      "a single-row class goes to train",
    );
  }
});

test("splits: same seed same split, different seed different split", () => {
  const labels = labelsWith({ x: 60, y: 40 });
  assert.deepEqual(stratifiedSplit(labels, F, 5), stratifiedSplit(labels, F, 5));
  assert.notDeepEqual(stratifiedSplit(labels, F, 5), stratifiedSplit(labels, F, 6));
  assert.deepEqual(randomSplit(100, F, 3), randomSplit(100, F, 3));
  assert.notDeepEqual(randomSplit(100, F, 3), randomSplit(100, F, 4));
  const r = randomSplit(100, F, 3);
  assert.deepEqual([r.train.length, r.val.length, r.test.length], [70, 15, 15]);
  assertPartition([r.train, r.val, r.test], 100);
});

test("bad fractions and seeds are refused naming the value", () => {
  assert.throws(() => randomSplit(10, { train: 0.8, val: 0.3, test: 0 }), /sum to 1; got train 0.8/);
  assert.throws(
    () => randomSplit(10, { train: -0.1, val: 0.6, test: 0.5 }),
    /'train' must be between 0 and 1; got -0.1/,
  );
  assert.throws(() => stratifiedSplit(["a"], F, 1.5), /seed must be an integer; got 1.5/);
});

test("group split: no group straddles two splits; sizes near the fractions", () => {
  const groups: string[] = [];
  for (let g = 0; g < 40; g++) for (let k = 0; k < 1 + (g % 5); k++) groups.push(`patient${g}`);
  for (const seed of [0, 1, 2]) {
    const s = groupSplit(groups, F, seed);
    assertPartition([s.train, s.val, s.test], groups.length);
    const where = new Map<string, string>();
    for (const [name, rows] of Object.entries(s)) {
      for (const r of rows as number[]) {
        const prev = where.get(groups[r]!);
        assert.ok(prev === undefined || prev === name, `${groups[r]} in ${prev} and ${name}`);
        where.set(groups[r]!, name);
      }
    }
    assert.ok(Math.abs(s.train.length - 0.7 * groups.length) <= 5);
    assert.ok(s.val.length > 0 && s.test.length > 0);
  }
  assert.throws(() => groupSplit(["a", "a", "b"], F, 0), /2 distinct group\(s\) for 3 non-empty splits/);
  const few = groupSplit(["a", "a", "a", "a", "a", "a", "a", "a", "b", "c"], F, 0);
  assert.ok(few.val.length > 0 && few.test.length > 0);
});

test("time split: past to train, future to val/test; ties never straddle", () => {
  const times = [
    "2023-01-05",
    "2023-01-01",
    "2023-01-03",
    "2023-01-03",
    "2023-01-02",
    "2023-01-09",
    "2023-01-07",
    "2023-01-08",
    "2023-01-06",
    "2023-01-04",
  ];
  const s = timeSplit(times, { train: 0.6, val: 0.2, test: 0.2 });
  assertPartition([s.train, s.val, s.test], 10);
  const t = (r: number) => Date.parse(times[r]!);
  const max = (rows: number[]) => Math.max(...rows.map(t));
  const min = (rows: number[]) => Math.min(...rows.map(t));
  assert.ok(max(s.train) < min(s.val) && max(s.val) < min(s.test));
  assert.equal(s.train.length, 6);
  const ties = timeSplit([1, 2, 2, 2, 3, 4], { train: 0.5, val: 0.25, test: 0.25 });
  assert.deepEqual(ties, { train: [0, 1, 2, 3], val: [4], test: [5] });
  assert.throws(() => timeSplit(["2023-01-01", "soon"], F), /row 1 has time "soon"/);
});

test("k-fold covers every row exactly once; stratified folds keep class shares", () => {
  const n = 53;
  for (const folds of [kFold(n, 5, 1), stratifiedKFold(labelsWith({ a: 30, b: 20, c: 3 }), 5, 1)]) {
    assert.equal(folds.length, 5);
    const seen = new Array(n).fill(0);
    for (const f of folds) {
      for (const r of f.val) seen[r]++;
      assert.equal(f.train.length + f.val.length, n);
      assert.ok(f.val.every((r) => !f.train.includes(r)));
      assert.ok(f.val.length === 10 || f.val.length === 11);
    }
    assert.ok(seen.every((c) => c === 1));
  }
  const labels = labelsWith({ a: 30, b: 20, c: 3 });
  for (const f of stratifiedKFold(labels, 5, 4)) {
    const a = f.val.filter((r) => labels[r] === "a").length;
    const b = f.val.filter((r) => labels[r] === "b").length;
    assert.equal(a, 6);
    assert.equal(b, 4);
  }
  assert.deepEqual(kFold(20, 4, 9), kFold(20, 4, 9));
  assert.notDeepEqual(kFold(20, 4, 9), kFold(20, 4, 10));
  assert.throws(() => kFold(3, 4), /at most the number of rows \(3\); got 4/);
  assert.throws(() => kFold(10, 1), /integer >= 2; got 1/);
});

test("HeldOutTest: rows only through unseal, once, with the reason recorded", () => {
  const split = sealTest(stratifiedSplit(labelsWith({ a: 20, b: 20 }), F, 0));
  const test = split.test;
  assert.equal(test.size, 6);
  assert.equal(test.isUnsealed, false);
  assert.equal(Object.keys(test).length, 0, "no enumerable field exposes the rows");
  assert.equal(JSON.stringify(String(test)), JSON.stringify("HeldOutTest(6 rows, sealed)"));
  assert.throws(() => test.unseal(""), UserError);
  const rows = test.unseal("final evaluation");
  assert.equal(rows.length, 6);
  assert.ok(rows.every((r) => !split.train.includes(r) && !split.val.includes(r)));
  assert.equal(test.unsealRecord!.reason, "final evaluation");
  assert.throws(
    () => test.unseal("pick the best epoch"),
    /already unsealed at .* for "final evaluation"; refusing to unseal them again for "pick the best epoch"/,
  );
  const saved = JSON.parse(JSON.stringify(test));
  const restored = HeldOutTest.fromJSON(saved);
  assert.equal(restored.isUnsealed, true);
  assert.throws(() => restored.unseal("again"), UserError);
  const sealedCopy = HeldOutTest.fromJSON({ rows: [1, 2], unsealed: null });
  assert.deepEqual([...sealedCopy.unseal("final")], [1, 2]);
});

test("checkSplitSize: tiny data is refused before training, saying the minimum and what to do", async () => {
  const iris = await readTable(fileURLToPath(new URL("../../test/data/iris.csv", import.meta.url)));
  const countsOf = (rows: string[][]) => {
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r[4]!, (counts.get(r[4]!) ?? 0) + 1);
    return counts;
  };
  assert.deepEqual(checkSplitSize({ rows: 150, classCounts: countsOf(iris.rows) }), []);
  // one row per class: everything would land in train
  const onePerClass = [iris.rows[0]!, iris.rows[50]!, iris.rows[100]!];
  assert.throws(
    () => checkSplitSize({ rows: 3, classCounts: countsOf(onePerClass), source: "iris-3.csv" }),
    (e: unknown) =>
      e instanceof UserError &&
      /^iris-3\.csv: 3 rows are too few for a 70\/15\/15 train\/validation\/test split: it would give validation 0 rows, test 0 rows/.test(
        e.message,
      ) &&
      /the split needs at least 12 rows; stratified by class \(3 classes, setosa: 1, versicolor: 1, virginica: 1\), every class needs 5 rows or more/.test(
        e.message,
      ) &&
      /hint: add rows/.test(e.message),
  );
  // a 3-row regression would "succeed" with one validation row and no test set
  assert.throws(() => checkSplitSize({ rows: 3 }), /validation 1 row, test 0 rows/);
  // 8 rows, 4 per class: test would be empty; cross-validation is the way
  assert.throws(
    () => checkSplitSize({ rows: 8, classCounts: countsOf(iris.rows.slice(46, 54)) }),
    /test 0 rows[\s\S]*hint: evaluate with cross-validation instead \(--cv 4\), or add rows/,
  );
  // 10 rows, 5 per class: two rows each in validation and test
  assert.deepEqual(checkSplitSize({ rows: 10, classCounts: countsOf(iris.rows.slice(45, 55)) }), []);
  assert.deepEqual(checkSplitSize({ rows: 12 }), []);
  assert.throws(() => checkSplitSize({ rows: 11 }), /test 1 row/);
  // allowed, with a notice: a class too small to reach validation and test
  const fewVirginica = [...iris.rows.slice(0, 100), ...iris.rows.slice(100, 103)];
  const notices = checkSplitSize({ rows: fewVirginica.length, classCounts: countsOf(fewVirginica) });
  assert.equal(notices.length, 1);
  assert.match(
    notices[0]!,
    /1 class has fewer than 5 rows \(virginica: 3\): they will be missing from validation or test/,
  );
  // the counts agree with what stratifiedSplit does
  const labels = fewVirginica.map((r) => r[4]!);
  const s = stratifiedSplit(labels, F, 0);
  assert.equal(s.test.filter((r) => labels[r] === "virginica").length, 0);
});
