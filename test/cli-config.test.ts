import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { listEventFiles, readEventFile } from "../src/track/tensorboard/index.js";
import { ROOT, runCli } from "./helpers/cli.js";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-cfg-"));
type Hist = { train_loss: number; val_loss: number; lr: number }[];

test("options come from a YAML config, flags override it, and the saved config.json reproduces the run exactly", () => {
  const dir = tmp();
  const cfg = path.join(dir, "run.yaml");
  fs.writeFileSync(
    cfg,
    `data: ${path.join(ROOT, "examples/wine.csv")}\ntarget: cultivar\nepochs: 4\nhidden: [32, 16]\nbatch-size: 16\ndropout: 0.1\nseed: 5\nthreads: 1\n`,
  );
  const a = runCli(["train", "--config", cfg, "--epochs", "3", "--save", path.join(dir, "out"), "--json"]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.json!.epochs_run, 3);
  const saved = JSON.parse(fs.readFileSync(path.join(dir, "out", "config.json"), "utf8"));
  assert.equal(saved.epochs, 3);
  assert.deepEqual(saved.hidden, [32, 16]);
  // the resolved config alone reproduces the same numbers
  const b = runCli([
    "train",
    "--config",
    path.join(dir, "out", "config.json"),
    "--save",
    path.join(dir, "out2"),
    "--json",
  ]);
  assert.equal(b.code, 0, b.stderr);
  const losses = (r: typeof a) => (r.json!.history as Hist).map((h) => [h.train_loss, h.val_loss]);
  assert.deepEqual(losses(b), losses(a));
});

test("a typo in a config key names the key, the file and the closest valid key", () => {
  const dir = tmp();
  const cfg = path.join(dir, "run.yaml");
  fs.writeFileSync(cfg, "target: cultivar\nepohcs: 3\n");
  const r = runCli(["train", "examples/wine.csv", "--config", cfg]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /epohcs/);
  assert.match(r.stderr, /run\.yaml, line 2/);
  assert.match(r.stderr, /did you mean "?epochs"?/);
  fs.writeFileSync(cfg, "target: cultivar\nearly-stopping: 2.5\n");
  const p = runCli(["train", "examples/wine.csv", "--config", cfg]);
  assert.equal(p.code, 2);
  assert.match(p.stderr, /whole number/);
});

test("batch size above 64 scales the default LR linearly and warms up; --lr turns that off", () => {
  const r = runCli([
    "train",
    "examples/breast_cancer.csv",
    "--target",
    "diagnosis",
    "--batch-size",
    "128",
    "--epochs",
    "6",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const lr = (r.json!.decisions as { key: string; value: number; source: string; rule: string }[]).find(
    (d) => d.key === "lr",
  )!;
  assert.deepEqual([lr.value, lr.source, lr.rule], [0.002, "recipe", "linear-lr-scaling"]);
  const lrs = (r.json!.history as Hist).map((h) => h.lr);
  // warm-up: the first epoch runs below the scaled rate, the peak is 2e-3, then cosine decay
  assert.ok(lrs[0]! < 0.002 - 1e-9, `first epoch lr ${lrs[0]}`);
  assert.ok(Math.abs(Math.max(...lrs) - 0.002) < 1e-9, `peak lr ${Math.max(...lrs)}`);
  const fixed = runCli([
    "train",
    "examples/breast_cancer.csv",
    "--target",
    "diagnosis",
    "--batch-size",
    "128",
    "--epochs",
    "2",
    "--lr",
    "0.001",
    "--schedule",
    "constant",
    "--warmup",
    "none",
    "--json",
  ]);
  assert.ok((fixed.json!.history as Hist).every((h) => Math.abs(h.lr - 0.001) < 1e-12));
});

test("--log-dir writes TensorBoard events and history.csv; --precision mixed is refused on the CPU, before training", () => {
  const dir = tmp();
  const r = runCli([
    "train",
    "examples/wine.csv",
    "--target",
    "cultivar",
    "--epochs",
    "3",
    "--log-dir",
    dir,
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const mixed = runCli(["train", "examples/wine.csv", "--target", "cultivar", "--precision", "mixed"]);
  assert.equal(mixed.code, 2);
  assert.match(mixed.stderr, /--precision mixed needs float16 kernels/);
  assert.doesNotMatch(mixed.stdout, /epoch/);
  const csv = fs.readFileSync(path.join(dir, "history.csv"), "utf8").trim().split("\n");
  assert.equal(csv.length, 4);
  assert.match(csv[0]!, /train_loss/);
  const files = listEventFiles(dir);
  assert.ok(files.length >= 1);
  const events = readEventFile(files[0]!).events;
  const tags = new Set(events.flatMap((e) => (e.values ?? []).map((v) => v.tag)));
  assert.ok(
    [...tags].some((t) => /val_loss/.test(t)),
    `tags: ${[...tags].join(", ")}`,
  );
  // health numbers are recorded with the history
  const h = (
    r.json!.history as {
      health: { layerGradNorm: Record<string, number>; updateRatio: Record<string, number> };
    }[]
  )[0]!.health;
  assert.ok(Object.values(h.layerGradNorm).every((v) => v > 0));
  assert.ok(Object.values(h.updateRatio).every((v) => v > 0 && v < 1));
});

test("--augment noise:STD perturbs training batches only, prints the recipe's caution, and stays repeatable", () => {
  const base = [
    "train",
    "examples/wine.csv",
    "--target",
    "cultivar",
    "--epochs",
    "3",
    "--json",
    "--threads",
    "1",
  ];
  const plain = runCli(base);
  const a = runCli([...base, "--augment", "noise:0.1"]);
  const b = runCli([...base, "--augment", "noise:0.1"]);
  for (const r of [plain, a, b]) assert.equal(r.code, 0, r.stderr);
  const aug = (a.json!.decisions as { key: string; reason: string }[]).find((d) => d.key === "augment")!;
  assert.match(aug.reason, /rarely helps on tables/);
  assert.match(a.stderr, /rarely helps on tables/);
  const losses = (r: typeof a) => (r.json!.history as Hist).map((h) => h.train_loss);
  assert.deepEqual(losses(a), losses(b));
  assert.notDeepEqual(losses(a), losses(plain));
  const bad = runCli([...base, "--augment", "gauss"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--augment gauss is not an augmentation for tables/);
  assert.match(bad.stderr, /noise:STD/);
});
