/**
 * Unit tests of the diagnosis rules, one describe per rule, on small hand-made run records: each rule fires
 * on the pattern it names, with the severity its doc comment gives, and stays silent on a healthy run and
 * on the near misses its thresholds are there to exclude.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { diagnose } from "../src/coach/diagnosis/diagnose.js";
import type { Rule } from "../src/coach/diagnosis/rule.js";
import { classImbalance } from "../src/coach/diagnosis/rules/class-imbalance.js";
import { deadRelus } from "../src/coach/diagnosis/rules/dead-relus.js";
import { diverged } from "../src/coach/diagnosis/rules/diverged.js";
import { duplicatesAcrossSplits } from "../src/coach/diagnosis/rules/duplicates-across-splits.js";
import { explodingGradients } from "../src/coach/diagnosis/rules/exploding-gradients.js";
import { RULES } from "../src/coach/diagnosis/rules/index.js";
import { labelNoise } from "../src/coach/diagnosis/rules/label-noise.js";
import { leakage } from "../src/coach/diagnosis/rules/leakage.js";
import { lossSpikes } from "../src/coach/diagnosis/rules/loss-spikes.js";
import { lrTooHigh } from "../src/coach/diagnosis/rules/lr-too-high.js";
import { lrTooLow } from "../src/coach/diagnosis/rules/lr-too-low.js";
import { metricMismatch } from "../src/coach/diagnosis/rules/metric-mismatch.js";
import { notLearning } from "../src/coach/diagnosis/rules/not-learning.js";
import { overfitting } from "../src/coach/diagnosis/rules/overfitting.js";
import { saturatedActivations } from "../src/coach/diagnosis/rules/saturated-activations.js";
import { slowTraining } from "../src/coach/diagnosis/rules/slow-training.js";
import { stuckAtChance } from "../src/coach/diagnosis/rules/stuck-at-chance.js";
import { tooLittleData } from "../src/coach/diagnosis/rules/too-little-data.js";
import { underfitting } from "../src/coach/diagnosis/rules/underfitting.js";
import { unnormalizedInputs } from "../src/coach/diagnosis/rules/unnormalized-inputs.js";
import { unstableTraining } from "../src/coach/diagnosis/rules/unstable-training.js";
import { vanishingGradients } from "../src/coach/diagnosis/rules/vanishing-gradients.js";
import { runFacts } from "../src/coach/diagnosis/run-facts.js";
import type { AuditSummary, RunRecord } from "../src/coach/diagnosis/run-record.js";
import { HEALTHY, makeRecord, type RecordSpec } from "./helpers/run-record.js";

const check = (rule: Rule, r: RunRecord) => rule.check(runFacts(r));
const healthy = () => makeRecord(HEALTHY);
const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

const NO_AUDIT: AuditSummary = {
  leakage: [],
  duplicates: { evaluation_rows_seen_in_training: 0, cross_split_groups: 0, conflicting_groups: 0 },
  label_issues: { count: 0, checked: 120 },
  constant_columns: [],
  findings: [],
};

test("every rule stays silent on a healthy run, and the verdict is healthy", () => {
  for (const rule of RULES) assert.equal(check(rule, healthy()), undefined, rule.symptom);
  const findings = diagnose(healthy());
  assert.deepEqual(
    findings.map((f) => f.symptom),
    ["healthy"],
  );
  assert.match(findings[0]!.actions[0]!.command!, /--hidden 256,256,256/);
});

test("a healthy CNN grows by a conv block per stage, a text model (no hidden layer by default) by one", () => {
  const images = healthy();
  images.data = { ...images.data, kind: "images", featureScales: [] };
  assert.deepEqual(diagnose(images)[0]!.actions[0]!.change, { depth: 2 });
  const text = healthy();
  text.data = { ...text.data, kind: "text", featureScales: [] };
  assert.deepEqual(diagnose(text)[0]!.actions[0]!.change, { hidden: [64] });
});

describe("diverged", () => {
  test("a non-finite loss that stopped training", () => {
    const r = makeRecord(
      { train: [1.05], val: [1.0], lr: 10 },
      { stopReason: "non-finite loss at step 7 (epoch 2, batch 3): the loss became NaN; learning rate 10" },
    );
    const f = check(diverged, r)!;
    assert.equal(f.severity, "high");
    assert.equal(f.confidence, 0.99);
    assert.match(String(f.evidence.non_finite), /step 7/);
    assert.deepEqual(f.actions[0]!.change, { lr: 1 });
  });
  test("a training loss that ends above twice the untrained level", () => {
    const f = check(diverged, makeRecord({ train: [1.2, 3, 4, 5], val: [1, 3, 4, 6] }))!;
    assert.equal(f.evidence.last_train_loss, 5);
    assert.ok(f.confidence > 0.5);
  });
  test("a loss that exploded a hundredfold and came back", () => {
    const f = check(diverged, makeRecord({ train: [1.1, 500, 0.6, 0.5], val: [1, 40, 0.7, 0.6] }))!;
    assert.equal(f.evidence.max_train_loss_epoch, 2);
  });
  test("not a run that merely ends a little above where it started", () => {
    assert.equal(check(diverged, makeRecord({ train: [1.1, 1.3, 1.5, 1.6] })), undefined);
  });
});

describe("unstable_training", () => {
  test("a training loss that keeps jumping back above its best", () => {
    const f = check(
      unstableTraining,
      makeRecord({ train: [1, 0.6, 0.9, 0.5, 0.8, 0.45], val: [1, 0.6, 0.9, 0.5, 0.8, 0.45] }),
    )!;
    assert.equal(f.severity, "medium");
    assert.deepEqual(f.evidence.train_loss_rises, [3, 5]);
    assert.ok("lr" in f.actions[0]!.change);
  });
  test("one rise is not a pattern", () => {
    assert.equal(check(unstableTraining, makeRecord({ train: [1, 0.6, 0.7, 0.5, 0.45, 0.4] })), undefined);
  });
  test("the learning rate is lowered as far as the update ratios say, not just tenfold", () => {
    // LR 10 moving every layer by 8x its size per step: a tenfold cut (to 1) stays unstable; the band
    // (median update ratio near 1e-2) asks for 1000x
    const r = makeRecord({
      train: [2.4, 7, 3.9, 3.1, 3, 3.1, 2.8],
      val: [1.4, 125, 2.8, 2.8, 3.9, 2.9, 3.3],
      lr: 10,
      health: () => ({ updateRatio: { dense_0: 6, dense_1: 8, output: 9 } }),
    });
    const f = check(unstableTraining, r)!;
    assert.equal(f.severity, "high");
    assert.deepEqual(f.actions[0]!.change, { lr: 0.01 });
  });
  test("rises within the noise of a few-batch epoch mean do not count", () => {
    // batch losses spread +-40%: 3 standard errors of the epoch mean exceed the rises
    const noisy = (e: number) => ({
      batchLoss: { every: 1, values: [0.4, 1.4, 0.5, 1.3].map((v) => v * (1 / e + 0.3)) },
    });
    const r = makeRecord({ train: [1, 0.6, 0.64, 0.5, 0.53, 0.45], health: noisy });
    assert.equal(check(unstableTraining, r), undefined);
  });
});

describe("loss_spikes", () => {
  const spikes =
    (n: number, loss = 0.9) =>
    (e: number) =>
      e === 2 ? { spikes: range(n, (i) => ({ step: 10 + i * 7, loss, median: 0.3, batches: 1 })) } : {};
  test("two spikes the run recovered from: low", () => {
    assert.equal(check(lossSpikes, makeRecord({ ...HEALTHY, health: spikes(2) }))!.severity, "low");
  });
  test("many spikes, in more than 1% of the steps: medium", () => {
    const f = check(lossSpikes, makeRecord({ ...HEALTHY, health: spikes(6) }))!;
    assert.equal(f.severity, "medium");
    assert.equal(f.evidence.spikes, 6);
  });
  test("one spike above the untrained loss: low", () => {
    assert.equal(check(lossSpikes, makeRecord({ ...HEALTHY, health: spikes(1, 5) }))!.severity, "low");
  });
  test("six spikes in 4,000 steps: low", () => {
    const r = makeRecord({ ...HEALTHY, health: (e) => ({ ...spikes(6)(e), steps: 400 }) });
    assert.equal(check(lossSpikes, r)!.severity, "low");
  });
  test("one small spike: nothing", () => {
    assert.equal(check(lossSpikes, makeRecord({ ...HEALTHY, health: spikes(1) })), undefined);
  });
});

describe("exploding_gradients", () => {
  const grown = (max: number) => (e: number) => ({
    gradNorm: { mean: max / 2, max: e === 1 ? 1.5 : max, first: 1 },
  });
  test("a gradient norm grown a thousandfold: medium", () => {
    const f = check(explodingGradients, makeRecord({ ...HEALTHY, health: grown(1000) }))!;
    assert.equal(f.severity, "medium");
    assert.equal(f.evidence.growth, 1000);
    assert.deepEqual(f.actions[0]!.change, { "clip-norm": 1 });
  });
  test("grown 100,000-fold: high", () => {
    assert.equal(check(explodingGradients, makeRecord({ ...HEALTHY, health: grown(1e5) }))!.severity, "high");
  });
  test("tenfold growth is not explosion", () => {
    assert.equal(check(explodingGradients, makeRecord({ ...HEALTHY, health: grown(10) })), undefined);
  });
  test("non-finite gradients named in the stop reason", () => {
    const r = makeRecord(
      { train: [1.1] },
      {
        stopReason:
          "non-finite gradient norm at step 3 (epoch 1, batch 3): the gradient norm became Infinity; non-finite gradients in layer dense_0; learning rate 1",
      },
    );
    assert.equal(check(explodingGradients, r)!.severity, "high");
  });
});

describe("vanishing_gradients", () => {
  const deep = { dense_0: 1e-6, dense_1: 1e-5, dense_2: 1e-4, dense_3: 1e-3, output: 0.05 };
  test("first-layer gradients five orders below the last: high", () => {
    const f = check(vanishingGradients, makeRecord({ ...HEALTHY, health: () => ({ layerGradRms: deep }) }))!;
    assert.equal(f.severity, "high");
    assert.equal(f.evidence.first_to_last_rms_ratio, 2e-5);
    assert.deepEqual(f.actions[0]!.change, { activation: "relu" });
  });
  test("two layers cannot vanish", () => {
    const r = makeRecord({ ...HEALTHY, health: () => ({ layerGradRms: { dense_0: 1e-6, output: 0.05 } }) });
    assert.equal(check(vanishingGradients, r), undefined);
  });
  test("a text model's n-gram embedding table (sparse gradient) is not the first layer compared", () => {
    // a healthy first-names run with two hidden layers: the table's RMS gradient per weight is diluted by
    // the share of its rows a batch touches; the dense layers after it are within 10x of the output
    const rms = { ngrams: 2e-4, dense_0: 2.6e-3, dense_1: 2.5e-3, output: 2.2e-2 };
    const text = makeRecord({ ...HEALTHY, health: () => ({ layerGradRms: rms }) });
    text.data = { ...text.data, kind: "text" };
    assert.equal(check(vanishingGradients, text), undefined);
    assert.deepEqual(runFacts(text).gradientLayers, ["dense_0", "dense_1", "output"]);
    // the same numbers from a table's first dense layer would be vanishing gradients
    const table = makeRecord({ ...HEALTHY, health: () => ({ layerGradRms: { ...rms, ngrams: 2e-5 } }) });
    assert.equal(check(vanishingGradients, table)!.evidence.first_layer, "ngrams");
    // and a deep sigmoid stack behind the table still is
    const deepText = makeRecord({
      ...HEALTHY,
      health: () => ({ layerGradRms: { ngrams: 5e-8, ...deep } }),
    });
    deepText.data = { ...deepText.data, kind: "text" };
    assert.equal(check(vanishingGradients, deepText)!.evidence.first_layer, "dense_0");
  });
});

describe("dead_relus and saturated_activations", () => {
  test("more than half of a layer dead: medium; nearly all: high", () => {
    const at = (d: number) =>
      makeRecord({ ...HEALTHY, health: () => ({ deadRelu: { relu_0: 0.1, relu_1: d } }) });
    assert.equal(check(deadRelus, at(0.6))!.severity, "medium");
    assert.equal(check(deadRelus, at(0.95))!.evidence.layer, "relu_1");
    assert.equal(check(deadRelus, at(0.95))!.severity, "high");
    assert.equal(check(deadRelus, at(0.3)), undefined);
  });
  test("a sigmoid layer mostly in its flat tails", () => {
    const at = (s: number) => makeRecord({ ...HEALTHY, health: () => ({ saturation: { sigmoid_0: s } }) });
    const f = check(saturatedActivations, at(0.7))!;
    assert.equal(f.severity, "medium");
    assert.deepEqual(f.actions[0]!.change, { activation: "relu" });
    assert.equal(check(saturatedActivations, at(0.1)), undefined);
  });
});

describe("not_learning", () => {
  test("a training loss that never beats the chance level", () => {
    const f = check(
      notLearning,
      makeRecord({ train: [1.12, 1.1, 1.099, 1.1, 1.098, 1.1], val: range(6, () => 1.1) }),
    )!;
    assert.equal(f.severity, "high");
    assert.equal(f.evidence.chance_loss, 1.099);
  });
  test("a focal gamma recorded beside cross-entropy (saved runs keep the option) leaves the chance level; the focal loss has none", () => {
    const stuck = { train: [1.12, 1.1, 1.099, 1.1, 1.098, 1.1], val: range(6, () => 1.1) };
    const ce = makeRecord(stuck, { loss: { name: "sparse_ce", labelSmoothing: 0, focalGamma: 2 } });
    assert.equal(runFacts(ce).chance?.loss.toFixed(4), "1.0986");
    assert.equal(check(notLearning, ce)!.evidence.chance_loss, 1.099);
    const focal = makeRecord(stuck, { loss: { name: "focal", focalGamma: 2 } });
    assert.equal(runFacts(focal).chance, undefined);
  });
  test("regression: a loss that fell less than 1% from its start", () => {
    const flat = () => ({ batchLoss: { every: 1, values: [1, 1, 1, 1] } });
    const r = makeRecord(
      { train: [1.0, 0.999, 0.998, 0.997], health: flat },
      { task: "regression", classes: [], classCounts: [], loss: { name: "mse" } },
    );
    assert.ok(check(notLearning, r));
  });
  test("a training loss 3% under chance has learned nothing that matters", () => {
    assert.ok(check(notLearning, makeRecord({ train: [1.1, 1.08, 1.07, 1.065] })));
  });
  test("a training loss that falls well below chance is learning", () => {
    assert.equal(check(notLearning, makeRecord({ train: [1.1, 1.0, 0.95, 0.9] })), undefined);
  });
});

describe("stuck_at_chance", () => {
  test("accuracy and loss at the chance level", () => {
    const f = check(
      stuckAtChance,
      makeRecord({ train: [1.1, 0.8, 0.5, 0.3], val: [1.1, 1.12, 1.15, 1.2], acc: [0.33, 0.35, 0.32, 0.36] }),
    )!;
    assert.equal(f.severity, "high");
    assert.equal(f.evidence.majority_rate, 0.3333);
    assert.equal(
      f.actions.some((a) => Object.keys(a.change).length === 0),
      true,
      "checking the labels is a data step",
    );
  });
  test("imbalanced binary: accuracy at the majority rate but a ranking AUC is not stuck", () => {
    const r = makeRecord(
      {
        train: [0.3, 0.2, 0.15, 0.1],
        val: [0.3, 0.25, 0.24, 0.24],
        acc: [0.95, 0.95, 0.95, 0.95],
        logs: range(4, () => ({ val_roc_auc: 0.9 })),
      },
      { classes: ["a", "b"], classCounts: [114, 6], loss: { name: "bce" } },
    );
    assert.equal(check(stuckAtChance, r), undefined);
  });
  test("perfect accuracy on a dozen rows is not stuck, even when statistically indistinguishable from the majority rate", () => {
    const r = makeRecord(
      { train: [0.3, 0.1, 0.05, 0.02], val: [0.2, 0.05, 0.02, 0.01], acc: [1, 1, 1, 1] },
      { classCounts: [50, 2, 2], data: { ...healthy().data, rows: { train: 54, validation: 13, test: 13 } } },
    );
    assert.equal(check(stuckAtChance, r), undefined);
  });
});

describe("overfitting", () => {
  const spec: RecordSpec = {
    train: [1.0, 0.5, 0.3, 0.2, 0.1, 0.06, 0.03, 0.02, 0.015, 0.01],
    val: [0.95, 0.55, 0.4, 0.3, 0.35, 0.45, 0.55, 0.65, 0.75, 0.8],
    acc: [0.5, 0.8, 0.88, 0.9, 0.89, 0.87, 0.86, 0.85, 0.84, 0.83],
  };
  test("validation loss rising for 6 epochs while training loss falls: high", () => {
    const f = check(overfitting, makeRecord(spec))!;
    assert.equal(f.severity, "high");
    assert.equal(f.evidence.best_epoch, 4);
    assert.equal(f.evidence.val_loss_at_best, 0.3);
    assert.equal(f.evidence.val_loss_last, 0.8);
    assert.deepEqual(f.actions[0]!.change, { "weight-decay": 1e-4 });
    assert.ok(f.actions.some((a) => "early-stopping" in a.change));
  });
  test("contained by early stopping: low, and no early-stopping action", () => {
    const r = makeRecord(spec, {
      stopReason:
        "early stopping: val_loss has not improved on 0.3 (epoch 4) for 6 epochs (patience 6); restored the weights of epoch 4",
    });
    const f = check(overfitting, r)!;
    assert.equal(f.severity, "low");
    assert.ok(!f.actions.some((a) => "early-stopping" in a.change));
  });
  test("a nearly perfect model whose validation loss wiggles from 0.021 to 0.028 is not overfitting", () => {
    const r = makeRecord({
      train: [0.8, 0.11, 0.04, 0.02, 0.014, 0.009, 0.007, 0.005, 0.004, 0.003],
      val: [0.29, 0.1, 0.06, 0.043, 0.029, 0.022, 0.021, 0.023, 0.027, 0.028],
    });
    assert.equal(check(overfitting, r), undefined);
  });
  test("validation loss still above its best more than 10 epochs later: the run had no early stopping, which comes first", () => {
    const r = makeRecord({
      train: range(20, (i) => 1 / (i + 1)),
      val: range(20, (i) => (i < 4 ? 0.9 - 0.15 * i : 0.45 + 0.03 * (i - 3))),
    });
    const f = check(overfitting, r)!;
    assert.equal(f.severity, "high");
    assert.deepEqual(
      f.actions.slice(0, 3).map((a) => Object.keys(a.change)[0]),
      ["early-stopping", "weight-decay", "dropout"],
    );
  });
  test("images far above their training loss without early stopping to blame: augmentation first", () => {
    // the validation loss stays flat at its best, well above a memorized training set
    const r = makeRecord(
      {
        train: range(10, (i) => 1 / 10 ** i),
        val: range(10, (i) => (i < 3 ? 1 - 0.2 * i : 0.6)),
      },
      { classes: range(10, (i) => String(i)), classCounts: range(10, () => 6) },
    );
    r.data = { ...r.data, kind: "images", features: 64, featureScales: [] };
    const f = check(overfitting, r)!;
    assert.deepEqual(f.actions[0]!.change, { augment: "translate:0.1" });
    assert.deepEqual(f.actions[1]!.change, { "weight-decay": 1e-4 });
    // a smaller CNN has fewer filters per stage (its hidden layers are a dense head, none by default)
    assert.ok(f.actions.some((a) => JSON.stringify(a.change) === '{"widths":[16,32,64]}'));
    assert.ok(!f.actions.some((a) => "hidden" in a.change));
  });
  test("a saved run's plan keeps only the options the user set: the others are at their defaults", () => {
    // weight decay 1e-4, dropout 0.1 and early stopping (patience 10) are the defaults: proposing them
    // again would change nothing
    const f = check(overfitting, makeRecord(spec, { plan: { options: { seed: 1 } } }))!;
    assert.deepEqual(f.actions[0]!.change, { "weight-decay": 1e-3 });
    assert.deepEqual(f.actions[1]!.change, { dropout: 0.2 });
    assert.ok(!f.actions.some((a) => "early-stopping" in a.change));
  });
  test("the plan's weight decay is raised tenfold", () => {
    const r = makeRecord(spec, { plan: { options: { weightDecay: 1e-3, dropout: 0.2 } } });
    const f = check(overfitting, r)!;
    assert.deepEqual(f.actions[0]!.change, { "weight-decay": 0.01 });
    assert.deepEqual(f.actions[1]!.change, { dropout: 0.3 });
  });
});

describe("underfitting", () => {
  test("a validation loss still falling steadily when the epochs ran out", () => {
    const f = check(
      underfitting,
      makeRecord({ train: range(10, (i) => 1.05 - 0.05 * i), val: range(10, (i) => 1.0 - 0.05 * i) }),
    )!;
    assert.equal(f.evidence.still_falling, true);
    assert.ok("epochs" in f.actions[0]!.change);
  });
  test("a training loss flat at a high level with no gap: more capacity", () => {
    const f = check(
      underfitting,
      makeRecord({ train: [1.0, 0.85, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8], val: range(8, () => 0.81) }),
    )!;
    assert.equal(f.evidence.low_capacity, true);
    assert.deepEqual(f.actions[0]!.change, { hidden: [512, 512] });
  });
  test("a validation loss drifting down while the training loss has flattened is not short of epochs", () => {
    // boston_housing under the cosine schedule: the last epochs settle the weights at a learning rate near 0
    const r = makeRecord({
      train: [
        1.71, 1.25, 1.03, 0.52, 0.6, 0.41, 0.48, 0.34, 0.47, 0.36, 0.34, 0.31, 0.29, 0.27, 0.3, 0.27, 0.26,
        0.22, 0.28, 0.24,
      ],
      val: [
        1.25, 0.54, 0.38, 0.36, 0.24, 0.24, 0.26, 0.26, 0.28, 0.21, 0.21, 0.15, 0.17, 0.19, 0.164, 0.161,
        0.157, 0.152, 0.146, 0.146,
      ],
    });
    assert.equal(check(underfitting, r), undefined);
  });
  test("not a run that early stopping ended", () => {
    const r = makeRecord(
      { train: range(10, (i) => 1.05 - 0.05 * i), val: range(10, (i) => 1.0 - 0.05 * i) },
      { stopReason: "early stopping: val_loss has not improved" },
    );
    assert.equal(check(underfitting, r), undefined);
  });
});

describe("unnormalized_inputs", () => {
  const scales = [
    { name: "a", mean: 0.5, std: 0.2, min: 0, max: 1 },
    { name: "b", mean: 800, std: 300, min: 100, max: 2000 },
  ];
  test("raw features in the hundreds, not standardized: high", () => {
    const r = makeRecord(HEALTHY, {
      data: { ...healthy().data, standardization: "none", featureScales: scales },
    });
    const f = check(unnormalizedInputs, r)!;
    assert.equal(f.severity, "high");
    assert.equal(f.evidence.largest_feature, "b");
    assert.deepEqual(f.actions[0]!.change, { standardize: "standard" });
  });
  test("the same features standardized: nothing", () => {
    const r = makeRecord(HEALTHY, {
      data: { ...healthy().data, standardization: "standard", featureScales: scales },
    });
    assert.equal(check(unnormalizedInputs, r), undefined);
  });
  test("unscaled but already of unit size: nothing", () => {
    const r = makeRecord(HEALTHY, {
      data: {
        ...healthy().data,
        standardization: "none",
        featureScales: [scales[0]!, { ...scales[0]!, name: "c", std: 0.9 }],
      },
    });
    assert.equal(check(unnormalizedInputs, r), undefined);
  });
});

describe("learning rate", () => {
  test("every layer updating by 1e-6 of its size: lr_too_low, raised 1000x", () => {
    const r = makeRecord({ train: [1.5, 1.49, 1.48, 1.47], val: [1.6, 1.59, 1.58, 1.57], lr: 1e-6 }, {});
    r.health.forEach((h) => {
      h.updateRatio = { dense_0: 3e-7, dense_1: 8e-7, output: 1e-6 };
    });
    const f = check(lrTooLow, r)!;
    assert.equal(f.severity, "high");
    assert.deepEqual(f.actions[0]!.change, { lr: 0.001 });
  });
  test("a slow first layer with a fast output layer is not a low learning rate", () => {
    const r = makeRecord(HEALTHY);
    r.health.forEach((h) => {
      h.updateRatio = { dense_0: 1e-7, dense_1: 1e-5, output: 7e-4 };
    });
    assert.equal(check(lrTooLow, r), undefined);
  });
  test("updates of half the weights' size: lr_too_high", () => {
    const r = makeRecord(HEALTHY, {});
    r.health.forEach((h) => {
      h.updateRatio = { dense_0: 0.3, dense_1: 0.5, output: 0.6 };
    });
    const f = check(lrTooHigh, r)!;
    assert.equal(f.severity, "medium");
    assert.deepEqual(f.actions[0]!.change, { lr: 0.00001 }, "100x brings a median ratio of 0.5 near 1e-2");
  });
  test("5e-2 updates count only with instability", () => {
    const steady = makeRecord(HEALTHY);
    const shaky = makeRecord({ train: [1, 0.6, 0.9, 0.5, 0.8, 0.45], val: [1, 0.6, 0.9, 0.5, 0.8, 0.45] });
    for (const r of [steady, shaky])
      r.health.forEach((h) => {
        h.updateRatio = { dense_0: 0.05, dense_1: 0.05, output: 0.05 };
      });
    assert.equal(check(lrTooHigh, steady), undefined);
    assert.ok(check(lrTooHigh, shaky));
  });
});

describe("class_imbalance and metric_mismatch", () => {
  const imbalanced = (monitor: string, acc: number) =>
    makeRecord(
      { train: [0.3, 0.15, 0.12, 0.11], val: [0.3, 0.16, 0.14, 0.14], acc: [acc, acc, acc, acc] },
      { classes: ["a", "b"], classCounts: [300, 10], loss: { name: "bce" }, monitor },
    );
  test("1:30 classes, accuracy monitored and at the majority rate: high, class weights first, then a metric change", () => {
    const f = check(classImbalance, imbalanced("val_accuracy", 0.97))!;
    assert.equal(f.severity, "high");
    assert.deepEqual(
      f.actions.slice(0, 2).map((a) => a.change),
      [{ "class-weights": "balanced" }, { monitor: "val_roc_auc" }],
    );
    assert.equal(check(metricMismatch, imbalanced("val_accuracy", 0.97))!.severity, "medium");
  });
  test("1:30 classes with accuracy above the majority rate: the metric change comes first", () => {
    const f = check(classImbalance, imbalanced("val_accuracy", 0.995))!;
    assert.equal(f.severity, "medium");
    assert.deepEqual(f.actions[0]!.change, { monitor: "val_roc_auc" });
    assert.ok(f.actions.some((a) => a.change["class-weights"] === "balanced"));
  });
  test("moderate imbalance with a class-balanced monitor and a model beyond the majority rate: low, no mismatch", () => {
    const r = makeRecord(
      { train: [0.5, 0.3, 0.2, 0.15], val: [0.5, 0.3, 0.25, 0.22], acc: [0.8, 0.9, 0.93, 0.95] },
      { classes: ["a", "b"], classCounts: [96, 24], loss: { name: "bce" }, monitor: "val_roc_auc" },
    );
    assert.equal(check(classImbalance, r)!.severity, "low");
    assert.equal(check(metricMismatch, r), undefined);
  });
  test("monitoring training loss is a mismatch whatever the classes", () => {
    const f = check(metricMismatch, makeRecord(HEALTHY, { monitor: "train_loss" }))!;
    assert.deepEqual(f.actions[0]!.change, { monitor: "val_loss" });
  });
});

describe("audit-based rules", () => {
  test("leakage confirmed by a perfect validation score: high, drop the column", () => {
    const audit = {
      ...NO_AUDIT,
      leakage: [
        {
          column: "copy",
          score: 1,
          metric: "balanced_accuracy",
          reasons: ["predicts the target almost perfectly on its own"],
        },
      ],
    };
    const f = check(leakage, makeRecord({ ...HEALTHY, acc: range(10, () => 1) }, { audit }))!;
    assert.equal(f.severity, "high");
    assert.deepEqual(f.actions[0]!.change, { drop: "copy" });
    assert.equal(check(leakage, makeRecord(HEALTHY, { audit: NO_AUDIT })), undefined);
  });
  test("duplicates across splits: a data step without a command", () => {
    const at = (n: number) =>
      makeRecord(HEALTHY, {
        audit: {
          ...NO_AUDIT,
          duplicates: { evaluation_rows_seen_in_training: n, cross_split_groups: n, conflicting_groups: 0 },
        },
      });
    assert.equal(check(duplicatesAcrossSplits, at(10))!.severity, "high");
    assert.equal(check(duplicatesAcrossSplits, at(2))!.severity, "medium");
    assert.equal(check(duplicatesAcrossSplits, at(0)), undefined);
    const d = diagnose(at(10)).find((f) => f.symptom === "duplicates_across_splits")!;
    assert.deepEqual(d.actions[0]!.change, {});
    assert.equal(d.actions[0]!.command, undefined);
  });
  test("label noise: a quarter of the rows flagged is high; 2% is low", () => {
    const at = (n: number) =>
      makeRecord(HEALTHY, { audit: { ...NO_AUDIT, label_issues: { count: n, checked: 120 } } });
    assert.equal(check(labelNoise, at(30))!.severity, "high");
    assert.equal(check(labelNoise, at(3))!.severity, "low");
    assert.equal(check(labelNoise, at(1)), undefined);
  });
});

describe("too_little_data and slow_training", () => {
  test("few rows per feature with overfitting: medium", () => {
    const r = makeRecord(
      {
        train: [1.0, 0.5, 0.3, 0.2, 0.1, 0.06, 0.03, 0.02],
        val: [0.95, 0.55, 0.4, 0.3, 0.35, 0.45, 0.55, 0.65],
      },
      { data: { ...healthy().data, features: 30 } },
    );
    const f = check(tooLittleData, r)!;
    assert.equal(f.severity, "medium");
    assert.deepEqual(f.actions[0]!.change, { cv: 5 });
  });
  test("a long run on small batches", () => {
    assert.equal(
      check(slowTraining, makeRecord(HEALTHY, { timing: { trainSeconds: 900 } }))!.severity,
      "low",
    );
    assert.equal(check(slowTraining, makeRecord(HEALTHY, { timing: { trainSeconds: 60 } })), undefined);
  });
});

describe("ranking", () => {
  test("unscaled inputs rank before the divergence they cause; high before medium before low", () => {
    const r = makeRecord(
      { train: [1.2, 3, 4, 5], val: [1, 3, 4, 6] },
      {
        data: {
          ...healthy().data,
          standardization: "none",
          featureScales: [{ name: "b", mean: 800, std: 300, min: 100, max: 2000 }],
        },
      },
    );
    const findings = diagnose(r);
    assert.deepEqual(
      findings.slice(0, 2).map((f) => f.symptom),
      ["unnormalized_inputs", "diverged"],
    );
    const order = ["high", "medium", "low", "info"];
    for (let i = 1; i < findings.length; i++)
      assert.ok(order.indexOf(findings[i - 1]!.severity) <= order.indexOf(findings[i]!.severity));
  });
});
