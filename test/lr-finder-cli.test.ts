import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { PNG } from "pngjs";
import { findLearningRate } from "../src/train/lr-finder.js";
import { prepareTabular } from "../src/train/prepare-tabular.js";
import { ROOT } from "./helpers/cli.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-lr-find-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs `nncoach lr-find <args>` in a child process through lrFindCommand (exit code 2 for a UserError). */
function lrFind(args: string[]) {
  const mod = new URL("../src/cli/lr-find.js", import.meta.url).href;
  const errors = new URL("../src/errors.js", import.meta.url).href;
  const code = `
    const { lrFindCommand } = await import(${JSON.stringify(mod)});
    const { UserError } = await import(${JSON.stringify(errors)});
    try { process.exitCode = await lrFindCommand(process.argv.slice(1)); }
    catch (e) { if (!(e instanceof UserError)) throw e; process.stderr.write("nncoach: " + e.message + "\\n"); process.exitCode = 2; }`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", code, "--", ...args], {
    cwd: ROOT,
    encoding: "utf8",
  });
  const last = r.stdout.trim().split("\n").at(-1) ?? "";
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(last);
  } catch {
    json = undefined;
  }
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json };
}

const model = ["--hidden", "64", "--threads", "2", "--steps", "60"];

test("--json: the last stdout line holds the suggestion, the curve and the plot path; the plot is a PNG", async () => {
  const plot = path.join(tmp, "plots", "lr.png");
  const r = lrFind(["examples/wine.csv", "--target", "cultivar", ...model, "--json", "--plot", plot]);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json!;
  assert.ok(j, `stdout: ${r.stdout}`);
  assert.equal(r.stdout.trim().split("\n").length, 1, "progress goes to stderr with --json");
  assert.match(r.stderr, /suggestions: valley .* \(chosen\)/);
  assert.equal(j.rule, "valley");
  const s = j.suggestions as Record<string, number>;
  assert.deepEqual(Object.keys(s).sort(), ["minimum/10", "steepest", "valley"]);
  assert.equal(j.suggestion, s.valley);
  assert.match(j.explanation as string, /^valley /);
  const lrs = j.lrs as number[];
  assert.ok(lrs.length > 10 && lrs.length <= 60);
  assert.equal((j.losses as number[]).length, lrs.length);
  assert.equal(j.plot, plot);
  const png = PNG.sync.read(fs.readFileSync(plot));
  assert.equal(png.width, 720);
  assert.equal(png.height, 440);

  // the CLI builds the same model from the same rows as the library call with the same options
  const p = await prepareTabular({
    data: path.join(ROOT, "examples/wine.csv"),
    target: "cultivar",
    hidden: [64],
    threads: 2,
  });
  const lib = await findLearningRate(p.trainer, p.train, { steps: 60, batchSize: 32, seed: 0 });
  assert.deepEqual(lib.suggestions, s);
  await p.trainer.release();
});

test("--rule minimum/10 and an SVG plot", () => {
  const plot = path.join(tmp, "lr.svg");
  const r = lrFind([
    "examples/diabetes.csv",
    "--target",
    "progression",
    ...model,
    "--rule",
    "minimum/10",
    "--plot",
    plot,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /suggestions: .*minimum\/10 \d\.\de-\d \(chosen\)/);
  assert.match(r.stdout, /^minimum\/10 \d\.\de-\d: the smoothed loss is lowest at/m);
  assert.match(r.stdout, /next: nncoach train .*diabetes\.csv --target progression --lr \d\.\de-\d/);
  assert.ok(fs.readFileSync(plot, "utf8").includes("<svg"));
});

test("mistakes are reported with the option and the value (exit code 2)", () => {
  const cases: [string[], RegExp][] = [
    [["--target", "cultivar"], /needs a data file/],
    [["examples/nope.csv", "--target", "cultivar"], /nope\.csv/],
    [
      ["examples/wine.csv", "--target", "cultivar", "--steps", "5"],
      /--steps must be a whole number >= 10, got '5'/,
    ],
    [
      ["examples/wine.csv", "--target", "cultivar", "--start", "1", "--end", "0.5"],
      /--end must be greater than --start \(1\), got '0\.5'/,
    ],
    [
      ["examples/wine.csv", "--target", "cultivar", "--plot", "lr.jpg"],
      /--plot must name a \.png or \.svg file, got 'lr\.jpg'/,
    ],
    [
      ["examples/wine.csv", "--target", "cultivar", "--rule", "valey"],
      /--rule must be one of valley, steepest, minimum\/10, got 'valey'[\s\S]*did you mean 'valley'/,
    ],
    [
      ["examples/wine.csv", "--target", "cultivar", "--hiden", "64"],
      /unknown option '--hiden'[\s\S]*did you mean '--hidden'/,
    ],
    [
      ["examples/wine.csv", "--target", "cultivar", "--hidden", "0"],
      /--hidden must be a list of whole numbers >= 1.*got "0"/,
    ],
  ];
  for (const [args, msg] of cases) {
    const r = lrFind(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, msg, args.join(" "));
  }
});
