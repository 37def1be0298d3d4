/**
 * nncoach installed where better-sqlite3 cannot be built: `npm pack`, then `npm install <tarball>` in a
 * new project whose PATH has no working C/C++ compiler or make (stand-ins that fail, put first on the
 * PATH) and no network beyond npm. npm leaves the optional SQLite driver out, the install succeeds, and
 * `nncoach train` trains and prints its results with one note that runs are not recorded. Takes about a
 * minute (npm's cache serves the packages).
 */
import assert from "node:assert/strict";
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { bareEnv } from "./helpers/bare-env.js";
import { ROOT } from "./helpers/cli.js";

const TOOLS = ["cc", "gcc", "c++", "g++", "clang", "clang++", "make"];

const output = (r: SpawnSyncReturns<string>) => `${r.stdout}${r.stderr}${r.error ? `\n${r.error}` : ""}`;

test("no compiler: npm leaves better-sqlite3 out, nncoach installs and trains, one note says runs are not recorded", {
  timeout: 400_000,
}, (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-store-install-"));
  const shims = path.join(dir, "no-compiler");
  fs.mkdirSync(shims);
  for (const tool of TOOLS) {
    const f = path.join(shims, tool);
    fs.writeFileSync(
      f,
      `#!/bin/sh\necho "${tool}: not installed (this test's machine has no compiler)" >&2\nexit 127\n`,
    );
    fs.chmodSync(f, 0o755);
  }
  // a user's environment (no npm_config_*), with failing compilers first on the PATH
  const env = bareEnv(shims);
  const sh = (command: string, cwd: string) =>
    spawnSync("sh", ["-c", command], { cwd, env, encoding: "utf8", timeout: 300_000 });
  assert.notEqual(sh("g++ --version", dir).status, 0, "the stand-in compiler fails");

  const pack = sh(`npm pack --ignore-scripts --silent --pack-destination ${JSON.stringify(dir)}`, ROOT);
  assert.equal(pack.status, 0, output(pack));
  const tarball = path.join(dir, pack.stdout.trim().split("\n").pop()!);
  const project = path.join(dir, "app");
  fs.mkdirSync(project);
  fs.writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ name: "app", version: "1.0.0", private: true }),
  );
  fs.copyFileSync(path.join(ROOT, "examples/wine.csv"), path.join(project, "wine.csv"));

  const install = sh(`npm install --no-audit --no-fund ${JSON.stringify(tarball)}`, project);
  assert.equal(install.status, 0, output(install));
  const kept = fs.existsSync(
    path.join(project, "node_modules/better-sqlite3/build/Release/better_sqlite3.node"),
  );
  // only a prebuilt binary downloaded from outside npm could give a driver here
  t.diagnostic(kept ? "better-sqlite3 came prebuilt (network beyond npm)" : "npm left better-sqlite3 out");

  const train = sh("npx nncoach train wine.csv --target cultivar --epochs 2 --json", project);
  assert.equal(train.status, 0, output(train));
  const result = JSON.parse(train.stdout.trim().split("\n").pop()!) as {
    history: unknown[];
    run_id: number | null;
  };
  assert.equal(result.history.length, 2);
  assert.match(train.stderr, /^validation \(27\): loss [\d.]+, accuracy/m);
  const notes = train.stderr.split("\n").filter((l) => /runs are not recorded/.test(l));
  if (kept) {
    assert.equal(notes.length, 0, train.stderr);
    assert.equal(typeof result.run_id, "number");
  } else {
    assert.equal(notes.length, 1, train.stderr);
    assert.match(
      notes[0]!,
      /^nncoach: note: runs are not recorded \(no SQLite driver: .*better-sqlite3 is not installed/,
    );
    assert.equal(result.run_id, null);
    assert.equal(fs.existsSync(path.join(project, ".nncoach")), false);
    const list = sh("npx nncoach runs list", project);
    assert.equal(list.status, 2, output(list));
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
