import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { runCli } from "./helpers/cli.js";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-cli-"));

type History = {
  epoch: number;
  train_loss: number;
  val_loss: number;
  val_accuracy?: number;
  val_mae?: number;
}[];

test("default MLP reaches validation accuracy >= 0.95 on wine", () => {
  const r = runCli(["train", "examples/wine.csv", "--target", "cultivar", "--json", "--threads", "2"]);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json!;
  assert.equal(j.task, "classification");
  // the planned epochs (at least 1,000 optimizer steps on a table this small); early stopping may end sooner
  const hist = j.history as History;
  const decided = (key: string) =>
    (j.decisions as { key: string; value: number }[]).find((d) => d.key === key)!.value;
  const [epochs, patience] = [decided("epochs"), decided("earlyStopping")];
  assert.ok(epochs * Math.ceil(124 / 32) >= 1000, `epochs ${epochs}`);
  assert.ok(
    (j.epochs_run as number) >= patience + 1 && (j.epochs_run as number) <= epochs,
    `epochs_run ${j.epochs_run}, planned ${epochs}, patience ${patience}`,
  );
  assert.equal(hist.length, j.epochs_run);
  for (const h of hist)
    for (const k of ["train_loss", "val_loss", "val_accuracy"] as const) assert.ok(Number.isFinite(h[k]));
  assert.ok((j.train_samples_per_second as number) > 0);
  const val = j.val as { accuracy: number };
  assert.ok(val.accuracy >= 0.95, `wine validation accuracy ${val.accuracy}`);
});

test("default MLP reaches validation accuracy >= 0.95 on breast_cancer", () => {
  const r = runCli(["train", "examples/breast_cancer.csv", "--target", "diagnosis", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const val = r.json!.val as { accuracy: number };
  assert.ok(val.accuracy >= 0.95, `breast_cancer validation accuracy ${val.accuracy}`);
  // binary task: one sigmoid output, BCE
  assert.deepEqual(
    r.json!.classes,
    ["benign", "malignant"].filter((c) => (r.json!.classes as string[]).includes(c)),
  );
});

test("regression on diabetes reports val_mae in the target's units, and predict writes numbers", () => {
  const dir = tmp();
  const r = runCli([
    "train",
    "examples/diabetes.csv",
    "--target",
    "progression",
    "--json",
    "--epochs",
    "30",
    "--save",
    dir,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json!.task, "regression");
  const val = r.json!.val as { mae: number };
  // the target spans 25..346 (std ~77); a useful model is well under the std
  assert.ok(val.mae > 10 && val.mae < 60, `diabetes val MAE ${val.mae}`);
  const out = path.join(dir, "preds.csv");
  const p = runCli(["predict", dir, "examples/diabetes.csv", "--out", out]);
  assert.equal(p.code, 0, p.stderr);
  const lines = fs.readFileSync(out, "utf8").trim().split(/\r?\n/);
  assert.equal(lines[0], "prediction");
  assert.equal(lines.length - 1, 442);
  const preds = lines.slice(1).map(Number);
  const truth = fs
    .readFileSync("examples/diabetes.csv", "utf8")
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) => Number(l.split(",").at(-1)));
  const mae = preds.reduce((a, v, i) => a + Math.abs(v - truth[i]!), 0) / preds.length;
  assert.ok(mae < 60, `MAE of saved model over all rows ${mae}`);
});

test("same seed and threads give bit-identical histories; another seed differs", () => {
  const args = [
    "train",
    "examples/wine.csv",
    "--target",
    "cultivar",
    "--json",
    "--epochs",
    "5",
    "--threads",
    "2",
    "--dropout",
    "0.2",
  ];
  const a = runCli([...args, "--seed", "7"]);
  const b = runCli([...args, "--seed", "7"]);
  const c = runCli([...args, "--seed", "8"]);
  for (const r of [a, b, c]) assert.equal(r.code, 0, r.stderr);
  const losses = (r: typeof a) => (r.json!.history as History).map((h) => [h.train_loss, h.val_loss]);
  assert.deepEqual(losses(a), losses(b));
  assert.notDeepEqual(losses(a), losses(c));
});

test("saved classifier predicts labels as in the training file, in input order", () => {
  const dir = tmp();
  const r = runCli(["train", "examples/wine.csv", "--target", "cultivar", "--epochs", "10", "--save", dir]);
  assert.equal(r.code, 0, r.stderr);
  for (const f of ["model.onnx", "preprocess.json", "config.json"])
    assert.ok(fs.existsSync(path.join(dir, f)), f);
  const out = path.join(dir, "preds.csv");
  const p = runCli(["predict", dir, "examples/wine.csv", "--out", out]);
  assert.equal(p.code, 0, p.stderr);
  const rows = fs.readFileSync(out, "utf8").trim().split(/\r?\n/);
  const header = rows[0]!.split(",");
  assert.equal(header[0], "prediction");
  const truth = fs
    .readFileSync("examples/wine.csv", "utf8")
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) => l.split(",").at(-1)!);
  assert.equal(rows.length - 1, truth.length);
  const labels = new Set(truth);
  let correct = 0;
  rows.slice(1).forEach((line, i) => {
    const cells = line.split(",");
    assert.ok(labels.has(cells[0]!), `unknown label ${cells[0]}`);
    const probs = cells.slice(1).map(Number);
    assert.ok(Math.abs(probs.reduce((a, b) => a + b, 0) - 1) < 1e-4);
    if (cells[0] === truth[i]) correct++;
  });
  assert.ok(correct / truth.length > 0.95, `accuracy over all rows ${correct / truth.length}`);
});

test("--validation-data uses the whole first file for training", () => {
  const dir = tmp();
  const lines = fs.readFileSync("examples/wine.csv", "utf8").trim().split(/\r?\n/);
  fs.writeFileSync(path.join(dir, "train.csv"), `${lines.slice(0, 141).join("\n")}\n`);
  fs.writeFileSync(path.join(dir, "val.csv"), `${[lines[0], ...lines.slice(141)].join("\n")}\n`);
  const r = runCli([
    "train",
    path.join(dir, "train.csv"),
    "--target",
    "cultivar",
    "--validation-data",
    path.join(dir, "val.csv"),
    "--epochs",
    "3",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((r.json!.val as { samples: number }).samples, 38);
  assert.equal(r.json!.test, undefined);
});

test("a missing target column names the columns there are and the closest match", () => {
  const r = runCli(["train", "examples/wine.csv", "--target", "cultivr"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cultivr/);
  assert.match(r.stderr, /cultivar/);
  assert.match(r.stderr, /alcohol/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
});

test("a non-numeric value in a numeric column names the row and column", () => {
  const dir = tmp();
  const lines = fs.readFileSync("examples/wine.csv", "utf8").trim().split(/\r?\n/);
  const cells = lines[10]!.split(",");
  cells[1] = "abc";
  lines[10] = cells.join(",");
  const file = path.join(dir, "bad.csv");
  fs.writeFileSync(file, `${lines.join("\n")}\n`);
  const r = runCli(["train", file, "--target", "cultivar"]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /abc/);
  assert.match(r.stderr, /malic_acid/);
  assert.match(r.stderr, /line 11|row 9/);
});

test("NaN loss stops training with a message saying at which step, and exit code 3", () => {
  const r = runCli([
    "train",
    "examples/diabetes.csv",
    "--target",
    "progression",
    "--optimizer",
    "sgd",
    "--lr",
    "1e12",
  ]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(
    r.stderr,
    /nncoach: training diverged: non-finite (loss|gradient norm) at step \d+ \(epoch \d+, batch \d+\): the (loss|gradient norm) became (NaN|Infinity)/,
  );
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, "no stack trace");
});

test("bad option values are refused naming the option", () => {
  const lr = runCli(["train", "examples/wine.csv", "--target", "cultivar", "--lr=-1"]);
  assert.equal(lr.code, 2);
  assert.match(lr.stderr, /--lr must be > 0, got "?-1"?/);
  const zero = runCli(["train", "examples/wine.csv", "--target", "cultivar", "--lr", "0"]);
  assert.match(zero.stderr, /--lr must be > 0, got "?0"?/);
  const typo = runCli(["train", "examples/wine.csv", "--target", "cultivar", "--epoch", "3"]);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /unknown option '--epoch'.*did you mean '--epochs'/s);
  const act = runCli(["train", "examples/wine.csv", "--target", "cultivar", "--activation", "rleu"]);
  assert.match(act.stderr, /did you mean 'relu'/);
});

test("house_votes84 (categorical y/n with missing values) trains end to end without manual preparation", () => {
  const r = runCli(["train", "test/data/house_votes84.csv", "--target", "Class", "--epochs", "10", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.json!.classes, ["democrat", "republican"]);
  const val = r.json!.val as { accuracy: number };
  assert.ok(val.accuracy >= 0.9, `house_votes84 validation accuracy ${val.accuracy}`);
});
