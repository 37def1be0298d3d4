/**
 * `nncoach diagnose <dir>` and the saved run (run.json): a saved record reads back to the same diagnosis,
 * text and --json agree on the next command, a folder without a run says what is missing and which command
 * writes it; actions edit the base command correctly.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { plantedRun } from "../bench/planted-pathologies.js";
import { diagnoseCommand } from "../src/cli/diagnose.js";
import {
  applyChange,
  baseArgv,
  commandFor,
  isTrainFlag,
  shellQuote,
} from "../src/coach/diagnosis/actions.js";
import { diagnose } from "../src/coach/diagnosis/diagnose.js";
import { RUN_FILE, readRunRecord, saveRunRecord } from "../src/coach/diagnosis/run-file.js";
import type { RunRecord } from "../src/coach/diagnosis/run-record.js";
import { UserError } from "../src/errors.js";
import { TRAIN_OPTIONS } from "../src/train/config-options.js";
import { HEALTHY, makeRecord } from "./helpers/run-record.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-diagnose-cli-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function run(argv: string[]): Promise<string> {
  let text = "";
  await diagnoseCommand(argv, { write: (t: string) => (text += t) });
  return text;
}

describe("nncoach diagnose", () => {
  let record: RunRecord;
  const dir = path.join(tmp, "run");
  before(async () => {
    record = await plantedRun("diverged", "wine", 0, tmp);
    saveRunRecord(dir, record);
  });

  test("the saved run reads back to the same diagnosis", () => {
    const again = readRunRecord(dir);
    assert.equal(again.format, "nncoach.run-record");
    assert.deepEqual(diagnose(again), diagnose(record));
  });

  test("prints the diagnosis ending with the next command; --json gives the same command", async () => {
    const text = await run([dir]);
    const lines = text.trim().split("\n");
    assert.match(lines[1]!, /^1\. \[high\] diverged/);
    const json = JSON.parse(await run([dir, "--json"])) as {
      findings: { symptom: string }[];
      next_command: string;
    };
    assert.equal(json.findings[0]!.symptom, "diverged");
    assert.equal(lines[lines.length - 1], `next: ${json.next_command}`);
    assert.match(json.next_command, /^nncoach train \S+wine\.csv --target cultivar --seed 0 --lr 0\.001$/);
  });

  test("also reads the run.json file named directly", async () => {
    assert.equal(await run([path.join(dir, RUN_FILE)]), await run([dir]));
  });

  test("a folder without a saved run: what is missing and which command writes it", async () => {
    const empty = path.join(tmp, "model-only");
    fs.mkdirSync(empty);
    fs.writeFileSync(path.join(empty, "model.onnx"), "");
    await assert.rejects(run([empty]), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.match(
        e.message,
        /no saved run in .*model-only: run\.json is missing \(the folder holds model\.onnx\)/,
      );
      assert.match(e.message, /--save <dir> \(or --checkpoint <dir>\) writes it/);
      return true;
    });
    await assert.rejects(run([path.join(tmp, "nowhere")]), /nowhere: no such folder/);
    fs.writeFileSync(path.join(empty, RUN_FILE), JSON.stringify({ history: [] }));
    await assert.rejects(run([empty]), /is not an nncoach run record/);
    await assert.rejects(run([]), /give the folder of a saved run/);
  });
});

describe("actions as commands", () => {
  test("changed flags replace every spelling of the old value; other flags stay", () => {
    const argv = [
      "nncoach",
      "train",
      "d.csv",
      "--target",
      "y",
      "--lr=10",
      "--json",
      "--epochs",
      "5",
      "--resume",
      "--lr",
      "3",
    ];
    assert.deepEqual(applyChange(argv, { lr: 0.001, epochs: 40 }), [
      "nncoach",
      "train",
      "d.csv",
      "--target",
      "y",
      "--json",
      "--resume",
      "--lr",
      "0.001",
      "--epochs",
      "40",
    ]);
    assert.deepEqual(
      applyChange(["nncoach", "train", "d.csv", "--hidden", "64,64"], { hidden: [128, 128] }).slice(-2),
      ["--hidden", "128,128"],
    );
  });

  test("an option nncoach train does not have is refused", () => {
    assert.throws(
      () => applyChange(["nncoach", "train"], { "learning-rate": 1 }),
      /'--learning-rate', which is not an option of nncoach train/,
    );
  });

  test("standardize, drop and cv are options of the table; a value the option refuses is refused", () => {
    for (const flag of ["standardize", "drop", "cv"]) {
      assert.ok(isTrainFlag(flag), flag);
      assert.equal(TRAIN_OPTIONS.find((o) => o.flag === flag)?.arity, "value", flag);
    }
    assert.deepEqual(
      applyChange(["nncoach", "train", "d.csv"], { standardize: "none", drop: "a,b", cv: 5 }),
      ["nncoach", "train", "d.csv", "--standardize", "none", "--drop", "a,b", "--cv", "5"],
    );
    assert.throws(
      () => applyChange(["nncoach", "train"], { lr: -1 }),
      /action sets --lr -1, which nncoach train refuses: --lr must be > 0/,
    );
    assert.throws(
      () => applyChange(["nncoach", "train"], { cv: 1 }),
      /--cv must be a whole number from 2 to 50/,
    );
    assert.throws(
      () => applyChange(["nncoach", "train"], { standardize: "zscore" }),
      /--standardize must be one of/,
    );
    assert.ok(!isTrainFlag("config") && !isTrainFlag("data"));
  });

  test("without a recorded command the base comes from the plan, then from the data summary", () => {
    const r = makeRecord(HEALTHY, {
      plan: { options: { data: "/d/x.csv", target: "y", lr: 0.01, hidden: [256, 256] } },
    });
    assert.deepEqual(baseArgv(r), ["nncoach", "train", "/d/x.csv", "--target", "y", "--lr", "0.01"]);
    assert.equal(
      commandFor(makeRecord(HEALTHY), { dropout: 0.2 }),
      "nncoach train data.csv --target label --dropout 0.2",
    );
  });

  test("tokens are shell-quoted when needed", () => {
    assert.equal(shellQuote("my data.csv"), "'my data.csv'");
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
    assert.equal(shellQuote("/a/b-c_d.csv"), "/a/b-c_d.csv");
  });
});
