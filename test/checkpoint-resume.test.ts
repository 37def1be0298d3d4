import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { readCheckpoint } from "../src/train/checkpoint.js";
import { CLI, ROOT, runCli } from "./helpers/cli.js";

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
