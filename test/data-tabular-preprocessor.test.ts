import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { readTable } from "../src/data/csv.js";
import { stratifiedSplit } from "../src/data/split.js";
import type { Table } from "../src/data/table.js";
import { rowsWithTarget, TabularPreprocessor } from "../src/data/tabular-preprocessor.js";
import { UserError } from "../src/errors.js";

const dataDir = fileURLToPath(new URL("../../test/data/", import.meta.url));

function table(columns: string[], rows: (string | number)[][], source = "t.csv"): Table {
  return { source, columns, rows: rows.map((r) => r.map(String)), lines: rows.map((_, i) => i + 2) };
}

function column(x: Float32Array, width: number, c: number): number[] {
  const out: number[] = [];
  for (let i = c; i < x.length; i += width) out.push(x[i]!);
  return out;
}

test("iris: standardized on train rows, classes sorted, target indices", async () => {
  const iris = await readTable(`${dataDir}iris.csv`);
  const labels = iris.rows.map((r) => r[4]!);
  const split = stratifiedSplit(labels, { train: 0.7, val: 0.15, test: 0.15 }, 1);
  const pre = TabularPreprocessor.fit(iris, split.train, "species");
  assert.equal(pre.task, "classification");
  assert.deepEqual(pre.classes, ["setosa", "versicolor", "virginica"]);
  assert.deepEqual(pre.featureNames, ["sepal_length", "sepal_width", "petal_length", "petal_width"]);
  const x = pre.transformFeatures(iris, split.train);
  assert.equal(x.length, split.train.length * 4);
  for (let c = 0; c < 4; c++) {
    const v = column(x, 4, c);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    assert.ok(Math.abs(mean) < 1e-5, `mean of ${c}: ${mean}`);
    assert.ok(Math.abs(std - 1) < 1e-5, `std of ${c}: ${std}`);
  }
  const y = pre.transformTarget(iris, split.train);
  assert.ok(y instanceof Int32Array);
  assert.deepEqual(pre.classCounts(iris, split.train), [35, 35, 35]);
  assert.equal(y[0], pre.classes.indexOf(iris.rows[split.train[0]!]![4]!));
});

test("fitted statistics depend on training rows only", () => {
  const rows: (string | number)[][] = [];
  for (let i = 0; i < 40; i++)
    rows.push([
      i % 3 === 0 ? "" : (i * 0.37).toFixed(2),
      ["a", "b", "c"][i % 3]!,
      i % 2 ? "yes" : "no",
      i % 2 ? "p" : "q",
    ]);
  const a = table(["x", "cat", "flag", "y"], rows);
  const train = Array.from({ length: 28 }, (_, i) => i);
  const b = structuredClone(a);
  for (let r = 28; r < 40; r++) b.rows[r] = [String(1000 + r), "zzz", r % 3 ? "yes" : "", "p"];
  const pa = TabularPreprocessor.fit(a, train, "y");
  const pb = TabularPreprocessor.fit(b, train, "y");
  assert.deepEqual(pb.toJSON(), pa.toJSON());
  assert.deepEqual(pa.transformFeatures(a, train), pb.transformFeatures(b, train));
  // unseen category of a validation row goes to the <other> slot
  const xb = pb.transformFeatures(b, [30]);
  const other = pb.featureNames.indexOf("cat=<other>");
  assert.equal(xb[other], 1);
  assert.equal(xb[pb.featureNames.indexOf("cat=a")], 0);
});

test("imputation, missing indicators, one-hot, booleans, minmax", () => {
  const t = table(
    ["num", "color", "ok", "target"],
    [
      [1, "red", "true", "x"],
      ["", "blue", "false", "y"],
      [3, "", "true", "x"],
      [10, "red", "", "y"],
      [5, "green", "false", "x"],
    ],
  );
  const pre = TabularPreprocessor.fit(t, [0, 1, 2, 3, 4], "target", { scaling: "minmax" });
  assert.deepEqual(pre.featureNames, [
    "num",
    "num:missing",
    "color=red",
    "color=blue",
    "color=green",
    "color=<other>",
    "color:missing",
    "ok",
    "ok:missing",
  ]);
  const x = pre.transformFeatures(t);
  const w = pre.featureCount;
  // median of 1,3,10,5 = 4; min 1, max 10 (after imputation) -> (v-1)/9
  assert.deepEqual(
    Array.from(column(x, w, 0), (v) => +v.toFixed(6)),
    [0, +(3 / 9).toFixed(6), +(2 / 9).toFixed(6), 1, +(4 / 9).toFixed(6)],
  );
  assert.deepEqual(column(x, w, 1), [0, 1, 0, 0, 0]);
  // missing color -> most frequent (red) plus the indicator
  assert.deepEqual(Array.from(x.subarray(2 * w + 2, 2 * w + 7)), [1, 0, 0, 0, 1]);
  // booleans: missing -> majority; true/false tie (2 vs 2) -> 1
  assert.deepEqual(column(x, w, 7), [1, 0, 1, 1, 0]);
  assert.deepEqual(column(x, w, 8), [0, 0, 0, 1, 0]);
});

test("embedding encoding gives category indices with 0 for unseen", () => {
  const t = table(
    ["c", "y"],
    [
      ["a", 0],
      ["b", 1],
      ["a", 0],
      ["c", 1],
      ["d", 0],
    ],
  );
  const pre = TabularPreprocessor.fit(t, [0, 1, 2, 3], "y", {
    categorical: "embedding",
    task: "classification",
  });
  assert.deepEqual(pre.embeddings, [{ column: "c", featureIndex: 0, cardinality: 4 }]);
  assert.deepEqual(Array.from(pre.transformFeatures(t)), [1, 2, 1, 3, 0]);
  assert.deepEqual(pre.classes, ["0", "1"]);
});

test("identifier-like, constant and all-missing columns are dropped with notices", () => {
  const rows: (string | number)[][] = [];
  for (let i = 0; i < 30; i++) rows.push([i, `id-${i * 31}`, "k", "", i % 4, i % 2 ? "a" : "b"]);
  const t = table(["row", "uid", "const", "blank", "v", "y"], rows);
  const pre = TabularPreprocessor.fit(
    t,
    Array.from({ length: 20 }, (_, i) => 29 - i),
    "y",
  );
  assert.deepEqual(pre.featureNames, ["v"]);
  assert.ok(pre.notices.some((n) => n.includes("dropped identifier-like column 'row'")));
  assert.ok(pre.notices.some((n) => n.includes("dropped identifier-like column 'uid'")));
  assert.ok(pre.notices.some((n) => n.includes("dropped constant column 'const'")));
  assert.ok(pre.notices.some((n) => n.includes("dropped column 'blank': every training value is missing")));
});

test("datetime and free-text features", () => {
  const rows: string[][] = [];
  for (let i = 0; i < 12; i++) {
    rows.push([
      `2024-${String(i + 1).padStart(2, "0")}-0${1 + (i % 7)}`,
      `the cat sat on mat number ${i % 3}`,
      String(i),
    ]);
  }
  const t = table(["when", "note", "y"], rows);
  const pre = TabularPreprocessor.fit(t, [...Array(12).keys()], "y", { textBuckets: 16 });
  assert.equal(pre.task, "regression");
  assert.deepEqual(pre.featureNames.slice(0, 5), [
    "when:days",
    "when:dow_sin",
    "when:dow_cos",
    "when:month_sin",
    "when:month_cos",
  ]);
  assert.equal(pre.featureCount, 5 + 16);
  const x = pre.transformFeatures(t, [0]);
  // 2024-01-01 is a Monday (getUTCDay 1); month 0 -> sin 0, cos 1
  assert.ok(Math.abs(x[1]! - Math.sin((2 * Math.PI) / 7)) < 1e-6);
  assert.equal(x[3], 0);
  assert.equal(x[4], 1);
  const text = x.subarray(5);
  // 7 tokens ("the cat sat on mat number 0"), each log1p(count) in its bucket
  let tokens = 0;
  for (const v of text) tokens += Math.round(Math.expm1(v));
  assert.equal(tokens, 7);
});

test("regression target: standardized, inverse gives the original values", () => {
  const t = table(
    ["x", "y"],
    [
      [1, 10],
      [2, 20],
      [3, 30],
      [4, 40],
    ],
  );
  const pre = TabularPreprocessor.fit(t, [0, 1, 2, 3], "y");
  assert.equal(pre.task, "regression");
  const y = pre.transformTarget(t) as Float32Array;
  assert.ok(y instanceof Float32Array);
  assert.ok(Math.abs(y.reduce((a, b) => a + b, 0)) < 1e-6);
  assert.deepEqual(
    Array.from(pre.inverseTarget(y), (v) => Math.round(v * 1e4) / 1e4),
    [10, 20, 30, 40],
  );
  assert.ok(pre.notices.some((n) => n.includes("regression")));
});

test("house_votes84 transforms without manual preparation to finite features", async () => {
  const votes = await readTable(`${dataDir}house_votes84.csv`);
  const split = stratifiedSplit(
    votes.rows.map((r) => r[0]!),
    { train: 0.7, val: 0.15, test: 0.15 },
    3,
  );
  const pre = TabularPreprocessor.fit(votes, split.train, "Class");
  assert.deepEqual(pre.classes, ["democrat", "republican"]);
  const x = pre.transformFeatures(votes);
  assert.equal(x.length, 435 * pre.featureCount);
  assert.ok(x.every(Number.isFinite));
  assert.ok(pre.featureNames.includes("V1:missing"));
  assert.ok(pre.featureCount >= 16 && pre.featureCount <= 32);
  assert.deepEqual(pre.classCounts(votes), [267, 168]);
});

test("save and load: toJSON/fromJSON applies identically to a prediction file with reordered columns", () => {
  const t = table(
    ["a", "b", "y"],
    [
      [1, "u", "p"],
      [2, "v", "q"],
      [3, "u", "p"],
      [4, "w", "q"],
    ],
  );
  const pre = TabularPreprocessor.fit(t, [0, 1, 2, 3], "y");
  const loaded = TabularPreprocessor.fromJSON(JSON.parse(JSON.stringify(pre.toJSON())));
  const predict = table(
    ["b", "a"],
    [
      ["v", 2],
      ["zz", 9],
    ],
    "new.csv",
  );
  const x1 = pre.transformFeatures(predict);
  assert.deepEqual(loaded.transformFeatures(predict), x1);
  assert.deepEqual(loaded.featureNames, pre.featureNames);
  assert.equal(x1[pre.featureNames.indexOf("b=<other>") + pre.featureCount], 1);
  assert.throws(() => TabularPreprocessor.fromJSON({ format: "x" }), /not a saved tabular preprocessor/);
  const lacking = table(["bb"], [["v"]], "new.csv");
  assert.throws(
    () => pre.transformFeatures(lacking),
    /new\.csv lacks column 'a', which the model was trained with \(missing: a, b\)/,
  );
});

test("user errors: missing target (closest match), one class, non-number in a numeric column", () => {
  const rows: (string | number)[][] = [];
  for (let i = 0; i < 40; i++) rows.push([(i * 1.1).toFixed(1), i % 2 ? "a" : "b"]);
  rows[17]![0] = "abc";
  const t = table(["height", "label"], rows, "people.csv");
  assert.throws(
    () => TabularPreprocessor.fit(t, [...Array(40).keys()], "lable"),
    (e: unknown) =>
      e instanceof UserError &&
      /target column 'lable' is not in people\.csv; its columns are: height, label/.test(e.message) &&
      /did you mean 'label'\?/.test(e.message),
  );
  assert.throws(
    () => TabularPreprocessor.fit(t, [...Array(40).keys()], "label"),
    /people\.csv: data row 17 \(line 19\), column 'height': 'abc' is not a number, but 39 of 40 values in this column are/,
  );
  // the bad cell in a validation row is caught at transform time
  const pre = TabularPreprocessor.fit(t, [...Array(17).keys()], "label");
  assert.throws(
    () => pre.transformFeatures(t, [17]),
    /data row 17 \(line 19\), column 'height': 'abc' is not a number/,
  );
  const one = table(
    ["x", "y"],
    [
      [1, "a"],
      [2, "a"],
      [3, "b"],
    ],
  );
  assert.throws(() => TabularPreprocessor.fit(one, [0, 1], "y"), /single class \('a'\)/);
  const gap = table(
    ["x", "y"],
    [
      [1, "a"],
      [2, ""],
      [3, "b"],
    ],
  );
  assert.throws(
    () => TabularPreprocessor.fit(gap, [0, 1, 2], "y"),
    /missing in 1 training row\(s\), first data row 1 \(line 3\)/,
  );
  assert.deepEqual(rowsWithTarget(gap, "y"), { rows: [0, 2], dropped: 1 });
  assert.throws(
    () => TabularPreprocessor.fit(one, [0, 2], "y", { task: "regression" }),
    /not numeric .* cannot be a regression target/,
  );
  assert.throws(
    () => TabularPreprocessor.fit(one, [0, 2], "y", { scaling: "robust" as "standard" }),
    /scaling must be "standard", "minmax" or "none"; got "robust"/,
  );
  const votes = table(
    ["v", "y"],
    [
      ["y", "a"],
      ["n", "b"],
    ],
  );
  const pv = TabularPreprocessor.fit(votes, [0, 1], "y");
  assert.throws(() => pv.transformFeatures(table(["v"], [["maybe"]])), /'maybe' is neither 'y' nor 'n'/);
  assert.throws(
    () => pv.transformTarget(table(["v", "y"], [["y", "c"]])),
    /class 'c' of target 'y' was not among the training classes \(a, b\)/,
  );
});

test("numeric class labels are sorted numerically and canonicalized", () => {
  const t = table(
    ["x", "y"],
    [
      [1, "10"],
      [2, "9"],
      [3, "2.0"],
      [4, "2"],
      [5, "10"],
    ],
  );
  const pre = TabularPreprocessor.fit(t, [0, 1, 2, 3, 4], "y", { task: "classification" });
  assert.deepEqual(pre.classes, ["2", "9", "10"]);
  assert.deepEqual(Array.from(pre.transformTarget(t)), [2, 1, 0, 0, 2]);
});

test("unknownCategories counts the rows per column whose category the model did not learn", async () => {
  // house_votes84: predict the first vote from the party and the other votes; the prediction file has a
  // party the training rows never had
  const votes = await readTable(`${dataDir}house_votes84.csv`);
  const pre = TabularPreprocessor.fit(votes, rowsWithTarget(votes, "V1").rows, "V1");
  assert.deepEqual(pre.unknownCategories(votes), []);
  const party = votes.columns.indexOf("Class");
  const predict: Table = {
    ...votes,
    source: "new-votes.csv",
    rows: votes.rows.map((r, i) => (i % 100 === 7 ? r.map((v, c) => (c === party ? "independent" : v)) : r)),
  };
  assert.deepEqual(pre.unknownCategories(predict), [{ column: "Class", rows: 5, examples: ["independent"] }]);
  assert.deepEqual(pre.unknownCategories(predict, [7, 8, 107]), [
    { column: "Class", rows: 2, examples: ["independent"] },
  ]);
  // such a cell is encoded in the "<other>" slot
  const x = pre.transformFeatures(predict, [7]);
  assert.equal(x[pre.featureNames.indexOf("Class=<other>")], 1);
});
