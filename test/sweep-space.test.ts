/**
 * Search spaces of `nncoach sweep`: distributions over `nncoach train` options, checked against the option
 * vocabulary and each option's own validation, with file and line in every message.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { UserError } from "../src/errors.js";
import { parseSpace } from "../src/sweep/space.js";

const refused = (text: string, pattern: RegExp) =>
  assert.throws(
    () => parseSpace(text, "space.yaml"),
    (e: unknown) => e instanceof UserError && pattern.test(e.message),
  );

describe("search space", () => {
  test("the issue's example: four distributions and a fixed option, in nncoach train's names", () => {
    const s = parseSpace(
      [
        "lr: {log_uniform: [1.0e-4, 1.0e-2]}",
        'hidden: {choice: ["64,64", "128,128", "256,256,256"]}',
        "dropout: {uniform: [0.0, 0.3]}",
        "batch-size: {choice: [32, 64, 128]}",
        "epochs: 20",
      ].join("\n"),
      "space.yaml",
    );
    assert.deepEqual(
      s.params.map((p) => [p.name, p.kind]),
      [
        ["lr", "float"],
        ["hidden", "categorical"],
        ["dropout", "float"],
        ["batchSize", "categorical"],
      ],
    );
    assert.deepEqual(s.params[0], {
      name: "lr",
      flag: "lr",
      kind: "float",
      low: 1e-4,
      high: 1e-2,
      log: true,
    });
    assert.deepEqual(s.fixed, { epochs: 20 });
  });

  test("a typo names the key, the file and line, and the closest option", () => {
    refused(
      "lr: {log_uniform: [1.0e-4, 1.0e-2]}\ndropuot: {uniform: [0, 0.3]}",
      /unknown option "dropuot" in space\.yaml, line 2; did you mean "dropout"\?/,
    );
    refused("batch-sise: {choice: [32, 64]}", /unknown option "batch-sise".*did you mean "batch-size"\?/);
  });

  test("a range outside the option's bounds is refused, naming the bound", () => {
    refused(
      "dropout: {uniform: [0.0, 1.2]}",
      /dropout: the range \[0, 1\.2\] goes outside the option's bounds: dropout must be >= 0 and < 1, got 1\.2 \(in space\.yaml, line 1\)/,
    );
    refused("lr: {uniform: [-0.1, 0.1]}", /lr: the range \[-0\.1, 0\.1\].*must be > 0, got -0\.1/);
    refused("lr: {log_uniform: [0, 0.1]}", /needs low > 0/);
    refused("dropout: {uniform: [0.3, 0.1]}", /needs low < high/);
  });

  test("values go through the option's own parsing: a bad choice, a bad fixed value, a type mismatch", () => {
    refused(
      'hidden: {choice: ["64,64", "64,x"]}',
      /hidden must be a list of whole numbers >= 1.*got "64,x" \(in space\.yaml, line 1\)/,
    );
    refused("optimizer: {choice: [adam, adamw, sgdd]}", /optimizer must be one of .*got "sgdd"/);
    refused("epochs: 0", /epochs must be a whole number >= 1, got 0 \(in space\.yaml, line 1\)/);
    refused("batch-size: {uniform: [16, 128]}", /batch-size takes whole numbers.*\n.*int_uniform/);
    refused("optimizer: {uniform: [0, 1]}", /optimizer is not a number option/);
    refused("lr: {normal: [0, 1]}", /unknown distribution "normal"/);
    const s = parseSpace(
      'batch-size: {log_int_uniform: [16, 256]}\nhidden: {choice: [64, "32,32"]}',
      "s.yml",
    );
    assert.deepEqual(s.params[0], {
      name: "batchSize",
      flag: "batch-size",
      kind: "int",
      low: 16,
      high: 256,
      log: true,
    });
  });

  test("data, output and run-identity options cannot be searched", () => {
    refused(
      "standardize: {choice: [standard, minmax]}",
      /standardize \(in space\.yaml, line 1\) cannot be set in a search space\n.*prepared once/,
    );
    refused("seed: {choice: [1, 2]}", /seed .* cannot be set in a search space/);
    refused("save: out/", /save .* cannot be set/);
  });

  test("bad YAML names the line; every problem of a file is listed at once; an empty space is refused", () => {
    refused(
      "lr: {log_uniform: [1.0e-4, 1.0e-2]}\ndropout: {uniform: [0, 0.3]\nepochs: 5",
      /cannot parse .*space\.yaml, line \d+, column \d+/,
    );
    refused(
      "dropuot: 0.1\nlr: {uniform: [-1, 1]}",
      /2 problems in search space space\.yaml:\n {2}1\. unknown option "dropuot".*\n {2}2\. lr: the range/,
    );
    refused("epochs: 5\nlr: 0.01", /searches nothing/);
    refused("lr: 0.01\nlearning_rate: {uniform: [0.001, 0.01]}", /option lr is given twice/);
    assert.throws(() => parseSpace("lr: 0.1", "space.txt"), /must end in \.yaml, \.yml or \.json/);
  });
});
