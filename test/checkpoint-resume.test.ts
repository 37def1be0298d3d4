import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { readCheckpoint } from "../src/train/checkpoint.js";
import { CLI, ROOT, runCli } from "./helpers/cli.js";
import { killAfterEpoch } from "./helpers/kill-after-checkpoint.js";

/** 50 real digit images (5 per class) shipped with the tests. */
const DIGITS = path.join(ROOT, "test/data/digits_png");

const args = (dir: string) => [
  "train",
  "examples/breast_cancer.csv",
  "--target",
  "diagnosis",
  "--epochs",
  "30",
  "--batch-size",
  "8",
  "--dropout",
  "0.2",
  "--early-stopping",
  "false",
  "--seed",
  "3",
  "--threads",
  "1",
  "--checkpoint",
  dir,
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("a run killed with SIGKILL mid-epoch and resumed with --resume ends with the same weights as an uninterrupted run", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-resume-"));
  const a = path.join(tmp, "a");
  const b = path.join(tmp, "b");
  const full = runCli(args(a));
  assert.equal(full.code, 0, full.stderr);

  // start the same run and kill it hard once a few epochs are checkpointed
  const child = spawn(process.execPath, [CLI, ...args(b)], { cwd: ROOT, stdio: "ignore" });
  const last = path.join(b, "last.ckpt");
  let killedAfter = -1;
  for (let i = 0; i < 3000; i++) {
    await sleep(10);
    if (fs.existsSync(last)) {
      const epoch = readCheckpoint(last).header.epoch;
      if (epoch >= 3) {
        child.kill("SIGKILL");
        killedAfter = epoch;
        break;
      }
    }
  }
  await new Promise((r) => child.once("exit", r));
  assert.ok(killedAfter >= 3 && killedAfter < 30, `killed after epoch ${killedAfter}`);
  // no temp files are left looking like checkpoints, and the last one is readable
  assert.equal(readCheckpoint(last).header.epoch >= killedAfter, true);

  const resumed = runCli([...args(b), "--resume", "--json"]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.json!.notices!.toString(), /resumed from .*last\.ckpt after epoch \d+/);

  const ca = readCheckpoint(path.join(a, "last.ckpt"));
  const cb = readCheckpoint(last);
  assert.equal(ca.header.epoch, 30);
  assert.equal(cb.header.epoch, 30);
  assert.equal(ca.header.step, cb.header.step);
  assert.deepEqual([...ca.values.keys()], [...cb.values.keys()]);
  for (const [k, v] of ca.values) assert.deepEqual(cb.values.get(k), v, `tensor ${k} differs after resume`);
  assert.deepEqual(
    cb.header.history.map((h) => h.train_loss),
    ca.header.history.map((h) => h.train_loss),
  );
});

test("a damaged or missing checkpoint gives a clear error", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-ckpt-"));
  const bad = path.join(tmp, "last.ckpt");
  fs.writeFileSync(bad, "not a checkpoint");
  const r = runCli([...args(tmp), "--resume"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /is not an nncoach checkpoint/);
  const missing = runCli([...args(path.join(tmp, "nothing")), "--resume"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /does not exist/);
});

/** Runs the CLI, killed with SIGKILL right after it wrote the checkpoint of epoch `epoch`. */
function runKilledAfter(args: string[], epoch: number): void {
  const k = killAfterEpoch(epoch);
  const r = spawnSync(process.execPath, [...k.nodeArgs, CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...k.env },
    encoding: "utf8",
  });
  assert.equal(r.signal, "SIGKILL", `the run was to be killed after epoch ${epoch}: ${r.stderr}`);
}

interface RunJson {
  history: Record<string, unknown>[];
  val: Record<string, number>;
  stop_reason?: string;
  epochs_run: number;
}

/**
 * Trains `args` uninterrupted, then again killed with SIGKILL after epoch `killAfter(full run)` and
 * resumed with --resume; both must end with the same history (health records included), stop, validation
 * metrics and saved model bytes. Returns the uninterrupted run's JSON and the checkpoint at the kill.
 */
function resumeMatchesUninterrupted(args: string[], killAfter: (full: RunJson) => number) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-resume-es-"));
  const a = path.join(tmp, "a");
  const b = path.join(tmp, "b");
  const full = runCli([
    ...args,
    "--checkpoint",
    path.join(a, "ckpt"),
    "--save",
    path.join(a, "model"),
    "--json",
  ]);
  assert.equal(full.code, 0, full.stderr);
  const fullJson = full.json as unknown as RunJson;
  const epoch = killAfter(fullJson);
  runKilledAfter([...args, "--checkpoint", path.join(b, "ckpt")], epoch);
  const atKill = readCheckpoint(path.join(b, "ckpt", "last.ckpt"));
  assert.equal(atKill.header.epoch, epoch, "the checkpoint left is the one of the epoch killed after");
  const resumed = runCli([
    ...args,
    "--checkpoint",
    path.join(b, "ckpt"),
    "--resume",
    "--save",
    path.join(b, "model"),
    "--json",
  ]);
  assert.equal(resumed.code, 0, resumed.stderr);
  const r = resumed.json as unknown as RunJson & { notices: string[] };
  assert.ok(
    r.notices.some((n) => n.includes(`after epoch ${epoch}`)),
    r.notices.join("; "),
  );
  assert.equal(r.epochs_run, fullJson.epochs_run);
  assert.equal(r.stop_reason, fullJson.stop_reason);
  assert.deepEqual(r.history, fullJson.history);
  assert.deepEqual(r.val, fullJson.val);
  assert.ok(
    fs
      .readFileSync(path.join(b, "model", "model.onnx"))
      .equals(fs.readFileSync(path.join(a, "model", "model.onnx"))),
    "the saved models (the restored best weights) are byte-identical",
  );
  fs.rmSync(tmp, { recursive: true });
  return { full: fullJson, atKill };
}

/** The epoch (1-based) of the lowest val_loss. */
const bestEpoch = (j: RunJson) => {
  const losses = j.history.map((h) => h.val_loss as number);
  return losses.indexOf(Math.min(...losses)) + 1;
};

/** The early-stopping state saved in a checkpoint. */
function earlyStoppingState(c: ReturnType<typeof readCheckpoint>) {
  const entry = Object.entries(c.header.callbacks ?? {}).find(([k]) => k.endsWith(":EarlyStopping"));
  assert.ok(entry, `the checkpoint holds the early-stopping state: ${Object.keys(c.header.callbacks ?? {})}`);
  return entry[1] as { wait: number; bestEpoch: number; stoppedEpoch: number; bestValues?: object };
}

const esTable = [
  "train",
  "examples/breast_cancer.csv",
  "--target",
  "diagnosis",
  "--epochs",
  "60",
  "--batch-size",
  "4",
  "--lr",
  "0.01",
  "--early-stopping",
  "10",
  "--seed",
  "3",
  "--threads",
  "1",
];

test("with early stopping, a table run killed after its best epoch resumes to the same stop, best weights and numbers", () => {
  const { full, atKill } = resumeMatchesUninterrupted(esTable, (j) => bestEpoch(j) + 2);
  assert.match(full.stop_reason ?? "", /^early stopping: .*restored the weights of epoch/);
  // the case is the one that needs the saved state: killed while waiting, the best epoch behind
  const es = earlyStoppingState(atKill);
  assert.equal(es.wait, 2);
  assert.equal(es.bestEpoch, bestEpoch(full));
  assert.ok(es.bestValues && Object.keys(es.bestValues).length > 0, "the best weights are in the checkpoint");
  assert.ok(atKill.header.epoch < full.epochs_run);
});

test("a table run killed after early stopping ended it resumes to the same end without training more", () => {
  const { full, atKill } = resumeMatchesUninterrupted(esTable, (j) => j.epochs_run);
  assert.ok(full.epochs_run < 60, `stopped early at ${full.epochs_run}`);
  assert.equal(earlyStoppingState(atKill).stoppedEpoch, full.epochs_run);
});

test("with early stopping, an image-folder run (digits_png) killed after its best epoch resumes to the same numbers", () => {
  const args = [
    "train",
    DIGITS,
    "--epochs",
    "40",
    "--batch-size",
    "8",
    "--lr",
    "0.03",
    "--schedule",
    "constant",
    "--widths",
    "8,16",
    "--early-stopping",
    "4",
    "--seed",
    "1",
    "--threads",
    "1",
  ];
  const { full, atKill } = resumeMatchesUninterrupted(args, (j) => bestEpoch(j) + 1);
  assert.match(full.stop_reason ?? "", /^early stopping: .*restored the weights of epoch/);
  const es = earlyStoppingState(atKill);
  assert.equal(es.wait, 1);
  assert.ok(es.bestValues, "the best weights are in the checkpoint");
});
