import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { UserError } from "../src/errors.js";
import {
  accuracy,
  averagePrecision,
  confusionMatrix,
  defaultMonitoredMetric,
  expectedCalibrationError,
  f1Score,
  getMetric,
  logLoss,
  meanAbsoluteError,
  meanSquaredError,
  metricNames,
  precisionRecallF1,
  precisionRecallF1PerClass,
  precisionScore,
  r2Score,
  recallScore,
  rocAuc,
  rootMeanSquaredError,
  topKAccuracy,
} from "../src/nn/metrics/index.js";

interface ClassificationCase {
  name: string;
  numClasses: number;
  columns: number;
  yTrue: number[];
  yPred: number[];
  proba: number[];
  expected: Record<string, number | null>;
  raises?: Record<string, string>;
  confusionMatrix: number[][];
}
interface RegressionCase {
  name: string;
  yTrue: number[];
  yPred: number[];
  expected: Record<string, number | null>;
}

const fixture = JSON.parse(
  readFileSync(new URL("../../test/fixtures/metrics.json", import.meta.url), "utf8"),
) as {
  classification: ClassificationCase[];
  regression: RegressionCase[];
};

const TOL = 1e-9;
let worst = 0;
function close(actual: number, expected: number, what: string): void {
  const err = Math.abs(actual - expected) / Math.max(1, Math.abs(expected));
  worst = Math.max(worst, err);
  assert.ok(err <= TOL, `${what}: got ${actual}, sklearn ${expected} (error ${err})`);
}

function throwsUserError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UserError, `UserError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

/** Direct calls of the label and score functions for each fixture metric name. */
function direct(c: ClassificationCase, key: string): (() => number) | undefined {
  const yTrue = Int32Array.from(c.yTrue);
  const yPred = c.yPred; // number[] on purpose: both array kinds are accepted
  const proba = Float64Array.from(c.proba);
  const prf = /^(precision|recall|f1)(?:_(macro|micro|weighted))?(_all_labels|_zero_division_1)?$/.exec(key);
  if (prf) {
    const [, which, avg, extra] = prf;
    const options = {
      average: (avg ?? "binary") as "binary" | "macro" | "micro" | "weighted",
      labels: extra === "_all_labels" ? Array.from({ length: c.numClasses }, (_, i) => i) : undefined,
      zeroDivision: extra === "_zero_division_1" ? (1 as const) : undefined,
    };
    const fn = { precision: precisionScore, recall: recallScore, f1: f1Score }[which as "precision"];
    return () => fn(yTrue, yPred, options);
  }
  const top = /^top(\d+)_accuracy$/.exec(key);
  if (top) return () => topKAccuracy(yTrue, proba, Number(top[1]));
  switch (key) {
    case "accuracy":
      return () => accuracy(yTrue, yPred);
    case "roc_auc":
      return () => rocAuc(yTrue, proba);
    case "pr_auc":
      return () => averagePrecision(yTrue, proba);
    case "log_loss":
      return () => logLoss(yTrue, proba);
    case "ece":
      return () => expectedCalibrationError(yTrue, proba);
    case "ece_10_bins":
      return () => expectedCalibrationError(yTrue, proba, { bins: 10 });
    default:
      return undefined;
  }
}

describe("classification metrics match scikit-learn 1.2", () => {
  test("the fixture covers the edge cases", () => {
    const names = fixture.classification.map((c) => c.name).join("\n");
    for (const p of [/one class present/, /tied scores/, /all correct/, /imbalanced/, /never predicted/]) {
      assert.match(names, p);
    }
    assert.ok(fixture.classification.length >= 15);
  });

  for (const c of fixture.classification) {
    test(c.name, () => {
      let checked = 0;
      for (const [key, expected] of Object.entries(c.expected)) {
        const fn = direct(c, key);
        assert.ok(fn, `a function for ${key}`);
        if (expected === null) {
          const why = c.raises?.[key] ?? "";
          if (key === "roc_auc") {
            // sklearn raises where AUC is undefined; nncoach answers NaN.
            assert.match(why, /Only one class present|Number of classes in y_true|not equal/);
            assert.ok(Number.isNaN(fn()), `${key} is NaN where sklearn raises: ${why}`);
          } else {
            assert.match(why, /average='binary'/);
            throwsUserError(fn, /average "binary" needs two classes/);
          }
        } else {
          close(fn(), expected, `${c.name} ${key}`);
        }
        checked++;
      }
      assert.deepEqual(confusionMatrix(c.yTrue, c.yPred, c.numClasses), c.confusionMatrix);
      assert.ok(checked >= 18);
    });
  }

  test("the registry computes the same values from the probabilities", () => {
    let checked = 0;
    for (const c of fixture.classification) {
      const proba = Float64Array.from(c.proba);
      for (const [key, expected] of Object.entries(c.expected)) {
        if (!metricNames().includes(key) && !/^top\d+_accuracy$/.test(key)) continue;
        const spec = getMetric(key);
        assert.equal(spec.task, "classification");
        const run = () => spec.compute(c.yTrue, proba, c.numClasses);
        if (expected === null) {
          if (key === "roc_auc") assert.ok(Number.isNaN(run()));
          else throwsUserError(run, /f1_macro/);
        } else {
          close(run(), expected, `registry ${c.name} ${key}`);
        }
        checked++;
      }
    }
    assert.ok(checked > 300, `checked ${checked}`);
  });

  test("Float32Array probabilities are accepted; log loss clips at the input type's epsilon like sklearn", () => {
    close(logLoss([1], new Float32Array([1, 0])), 23 * Math.LN2, "P(true) = 0 in float32: -ln(2^-23)");
    close(logLoss([1], new Float64Array([1, 0])), 52 * Math.LN2, "P(true) = 0 in float64: -ln(2^-52)");
    close(
      logLoss([0, 1], new Float32Array([0.75, 0.25, 0.5, 0.5])),
      (-Math.log(0.75) - Math.log(0.5)) / 2,
      "f32",
    );
    close(
      logLoss([1, 0], new Float32Array([0.25, 1])),
      (-Math.log(0.25) - Math.log(2 ** -23)) / 2,
      "one column",
    );
  });

  test("worst error against sklearn is within 1e-9", (t) => {
    t.diagnostic(`worst error: ${worst.toExponential(2)}`);
    assert.ok(worst <= TOL);
  });
});

describe("regression metrics match scikit-learn 1.2", () => {
  const fns = { mae: meanAbsoluteError, mse: meanSquaredError, rmse: rootMeanSquaredError, r2: r2Score };
  for (const c of fixture.regression) {
    test(c.name, () => {
      for (const [key, expected] of Object.entries(c.expected)) {
        const fn = fns[key as keyof typeof fns];
        const spec = getMetric(key);
        assert.equal(spec.task, "regression");
        for (const value of [
          fn(Float64Array.from(c.yTrue), c.yPred),
          spec.compute(c.yTrue, Float64Array.from(c.yPred)),
        ]) {
          if (expected === null) assert.ok(Number.isNaN(value), `${key} NaN`);
          else close(value, expected, `${c.name} ${key}`);
        }
      }
    });
  }
});

describe("metric functions beyond the fixture", () => {
  test("documented examples", () => {
    assert.equal(accuracy([0, 1, 2, 1], [0, 2, 2, 1]), 0.75);
    assert.equal(topKAccuracy([2, 0], [0.1, 0.5, 0.4, 0.2, 0.3, 0.5], 2), 0.5);
    assert.equal(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75);
    close(averagePrecision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.8333333333333333, "AP example");
    close(logLoss([0, 1], [0.9, 0.1, 0.2, 0.8]), (-Math.log(0.9) - Math.log(0.8)) / 2, "log loss example");
    close(expectedCalibrationError([0, 1], [0.9, 0.1, 0.6, 0.4]), 0.35, "ECE example");
    assert.deepEqual(confusionMatrix([0, 1, 1], [0, 1, 0]), [
      [1, 0],
      [1, 1],
    ]);
    assert.deepEqual(precisionRecallF1([0, 1, 1, 0], [0, 1, 0, 0]), { precision: 1, recall: 0.5, f1: 2 / 3 });
    assert.equal(f1Score([0, 1, 2, 2], [0, 2, 2, 1], { average: "macro" }), (1 + 0 + 0.5) / 3);
    assert.deepEqual(precisionRecallF1PerClass([0, 1, 2, 0], [0, 2, 2, 0]).recall, [1, 0, 1]);
    assert.equal(meanAbsoluteError([3, -0.5, 2, 7], [2.5, 0, 2, 8]), 0.5);
    assert.equal(meanSquaredError([3, -0.5, 2, 7], [2.5, 0, 2, 8]), 0.375);
    close(r2Score([3, -0.5, 2, 7], [2.5, 0, 2, 8]), 0.9486081370449679, "r2 example");
  });

  test("ECE bins are (b/B, (b+1)/B]: a confidence on an edge goes to the lower bin", () => {
    // Confidence 0.6 with 5 bins lies on the edge 3/5: bin (0.4, 0.6], with a wrong 0.5 sample.
    const y = [0, 1];
    const proba = [0.6, 0.4, 0.5, 0.5]; // row 1 predicts class 0 (first on ties), wrong
    // one bin holding both: accuracy 0.5, mean confidence 0.55
    close(expectedCalibrationError(y, proba, { bins: 5 }), 0.05, "edge goes low");
    // with 10 bins, 0.6 is in (0.5, 0.6] and 0.5 in (0.4, 0.5]
    close(expectedCalibrationError(y, proba, { bins: 10 }), 0.5 * 0.4 + 0.5 * 0.5, "separate bins");
  });

  test("per-class scores match the macro average", () => {
    const c = fixture.classification.find((x) => x.name === "multiclass 4, class 2 never predicted")!;
    const per = precisionRecallF1PerClass(c.yTrue, c.yPred);
    assert.deepEqual(per.labels, [0, 1, 2, 3]);
    assert.equal(per.precision[2], 0, "never predicted: precision 0 (zero division)");
    const mean = per.f1.reduce((a, b) => a + b, 0) / per.f1.length;
    close(mean, c.expected.f1_macro!, "macro F1 from per-class");
    assert.deepEqual(
      per.support,
      [0, 1, 2, 3].map((k) => c.yTrue.filter((y) => y === k).length),
    );
  });

  test("bad inputs are refused with the argument and value named", () => {
    throwsUserError(() => accuracy([0, 1], [0]), /yTrue has 2 values but yPred has 1/);
    throwsUserError(() => accuracy([], []), /yTrue is empty/);
    throwsUserError(() => accuracy([0, 1.5], [0, 1]), /yTrue\[1\] must be a class index.*1\.5/);
    throwsUserError(() => accuracy([0, -1], [0, 1]), /yTrue\[1\].*-1/);
    throwsUserError(() => rocAuc([0, 2], [0.1, 0.9]), /yTrue\[1\] is class 2, but there are only 2 classes/);
    throwsUserError(
      () => rocAuc([0, 1, 1], [0.1, 0.9]),
      /2 values, not a whole number of columns for 3 samples/,
    );
    throwsUserError(
      () => topKAccuracy([0, 1], [0.5, 0.5, 0.5, 0.5], 0),
      /k must be a whole number >= 1; received 0/,
    );
    throwsUserError(() => f1Score([0, 1, 2], [0, 1, 1]), /average "binary" needs two classes/);
    throwsUserError(() => f1Score([0, 2], [0, 2]), /posLabel 1 is not one of the classes present \(0, 2\)/);
    throwsUserError(
      () => f1Score([0, 1], [0, 1], { average: "mean" as never }),
      /average must be one of.*"mean"/,
    );
    throwsUserError(
      () => f1Score([0, 1], [0, 1], { zeroDivision: 2 as never }),
      /zeroDivision must be 0 or 1; received 2/,
    );
    throwsUserError(() => f1Score([0, 1], [0, 1], { average: "macro", labels: [0, 0] }), /must not repeat/);
    throwsUserError(() => expectedCalibrationError([0], [1.2, -0.2]), /row 0, column 0 is 1\.2/);
    throwsUserError(() => expectedCalibrationError([0], [0.5, 0.5], { bins: 0 }), /bins.*received 0/);
    throwsUserError(() => confusionMatrix([0, 3], [0, 1], 3), /yTrue\[1\] is class 3/);
    throwsUserError(() => meanAbsoluteError([1, 2], [1]), /yTrue has 2 values but yPred has 1/);
    throwsUserError(() => r2Score([], []), /empty/);
  });

  test("zero division: 0 by default, 1 when asked; an all-negative binary F1 is 0", () => {
    assert.equal(precisionScore([0, 0], [0, 0]), 0);
    assert.equal(recallScore([0, 0], [0, 0]), 0);
    assert.equal(precisionScore([0, 0], [0, 0], { zeroDivision: 1 }), 1);
    assert.equal(f1Score([0, 0], [0, 0], { zeroDivision: 1 }), 1);
    assert.equal(f1Score([0, 0], [0, 0]), 0);
  });

  test("micro-averaged precision, recall and F1 equal accuracy for single-label classes", () => {
    const c = fixture.classification.find((x) => x.name === "multiclass 5 random")!;
    const micro = precisionRecallF1(c.yTrue, c.yPred, { average: "micro" });
    const acc = accuracy(c.yTrue, c.yPred);
    close(micro.precision, acc, "micro precision");
    close(micro.recall, acc, "micro recall");
    close(micro.f1, acc, "micro f1");
  });
});

describe("metric registry", () => {
  test("names, tasks and directions", () => {
    const want: [string, "classification" | "regression", boolean][] = [
      ["accuracy", "classification", true],
      ["top5_accuracy", "classification", true],
      ["f1", "classification", true],
      ["f1_macro", "classification", true],
      ["f1_micro", "classification", true],
      ["f1_weighted", "classification", true],
      ["precision_macro", "classification", true],
      ["recall_macro", "classification", true],
      ["roc_auc", "classification", true],
      ["pr_auc", "classification", true],
      ["log_loss", "classification", false],
      ["ece", "classification", false],
      ["mae", "regression", false],
      ["mse", "regression", false],
      ["rmse", "regression", false],
      ["r2", "regression", true],
    ];
    for (const [name, task, higher] of want) {
      const m = getMetric(name);
      assert.equal(m.name, name);
      assert.equal(m.task, task, name);
      assert.equal(m.higherIsBetter, higher, name);
      assert.ok(m.description.length > 5);
    }
    assert.equal(getMetric("F1-Macro").name, "f1_macro");
    assert.equal(getMetric("auc").name, "roc_auc");
    assert.equal(getMetric("top3_accuracy").name, "top3_accuracy");
  });

  test("unknown names list the metrics and suggest the closest", () => {
    throwsUserError(() => getMetric("f1_marco"), /unknown metric "f1_marco" \(did you mean "f1_macro"\?\)/);
    throwsUserError(() => getMetric("acuracy"), /did you mean "accuracy"/);
    throwsUserError(
      () => getMetric("zzzzzzzzzzzz"),
      /metrics: accuracy, top5_accuracy, precision, recall, f1,/,
    );
    throwsUserError(() => getMetric("top0_accuracy"), /unknown metric/);
  });

  test("compute checks the probability matrix against numClasses", () => {
    const acc = getMetric("accuracy");
    assert.equal(acc.compute([0, 1], [0.7, 0.9], 2), 0.5, "one column P(class 1) for two classes");
    assert.equal(acc.compute([0, 1], [0.8, 0.2, 0.1, 0.9], 2), 1);
    throwsUserError(
      () => acc.compute([0, 1], [0.8, 0.2, 0.1, 0.9], 3),
      /2 column\(s\) per sample but numClasses is 3/,
    );
    throwsUserError(() => getMetric("f1").compute([0, 1], [0.2, 0.3, 0.5, 0.1, 0.1, 0.8]), /use f1_macro/);
  });

  test("defaultMonitoredMetric", () => {
    assert.equal(defaultMonitoredMetric("regression").name, "mae");
    assert.equal(defaultMonitoredMetric("classification", [50, 50]).name, "accuracy");
    assert.equal(defaultMonitoredMetric("classification", [59, 20]).name, "accuracy", "ratio 2.95");
    assert.equal(defaultMonitoredMetric("classification", [60, 20]).name, "roc_auc", "ratio exactly 3");
    assert.equal(defaultMonitoredMetric("classification", [900, 100]).name, "roc_auc");
    assert.equal(defaultMonitoredMetric("classification", [40, 30, 20]).name, "accuracy");
    assert.equal(defaultMonitoredMetric("classification", [200, 30, 10, 5]).name, "f1_macro");
    assert.equal(
      defaultMonitoredMetric("classification", [10, 0, 10]).name,
      "accuracy",
      "empty classes ignored",
    );
    throwsUserError(() => defaultMonitoredMetric("classification", [10]), /classCounts.*\[10\]/);
    throwsUserError(() => defaultMonitoredMetric("classification", [10, 2.5]), /classCounts\[1\].*2\.5/);
  });
});
