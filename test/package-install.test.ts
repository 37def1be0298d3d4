/**
 * nncoach as a user gets it: `npm pack`, then `npm install <tarball>` in a new project with no flags and a
 * bare environment (PATH, HOME and proxy settings only: none of the npm_config_* variables `npm test` sets,
 * no ONNXRUNTIME_NODE_INSTALL). The install must succeed without a warning caused by nncoach's own
 * configuration, the library and the CLI must train there, and the engine they report must be the one the
 * install left: native when npm kept onnxruntime-node (its install script could fetch its CUDA files),
 * else the WebAssembly fallback, whose note's command then brings the native build from the npm registry.
 * Reaches the npm registry (or npm's cache) only; takes about a minute.
 */
import assert from "node:assert/strict";
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { bareEnv } from "./helpers/bare-env.js";
import { ROOT } from "./helpers/cli.js";

const NATIVE_INSTALL_COMMAND = "ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node";

function sh(command: string, cwd: string): SpawnSyncReturns<string> {
  return spawnSync("sh", ["-c", command], { cwd, env: bareEnv(), encoding: "utf8", timeout: 300_000 });
}

const output = (r: SpawnSyncReturns<string>) => `${r.stdout}${r.stderr}${r.error ? `\n${r.error}` : ""}`;

/**
 * `npm warn` lines that do not come from nncoach's configuration: third-party deprecations, and npm's
 * notice about dependencies' install scripts (npm 11's allowScripts review), where nncoach may appear only
 * with `prepare` (listed because this install is from a tarball file; npm lists no `prepare` for a
 * package from the registry, and never runs it for a packed tarball).
 */
function unexpectedWarnings(log: string): string[] {
  return log
    .split("\n")
    .filter((l) => /^npm warn/i.test(l))
    .filter((l) => {
      if (/^npm warn deprecated /i.test(l)) return false;
      const entry = /^npm warn install-scripts\s+(\S+)@\S+ \((.*)\)$/.exec(l);
      if (entry) return entry[1] === "nncoach" && !/^prepare: [^;]*$/.test(entry[2]!);
      return !/^npm warn install-scripts(\s|$)/.test(l) || /nncoach/.test(l);
    });
}

type Engine = { name: string; version: string; provider: string };

test("npm install <nncoach tarball> in a new project: no flags, no warnings of ours; library and CLI train", (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-install-"));
  const pack = sh(`npm pack --ignore-scripts --silent --pack-destination ${JSON.stringify(dir)}`, ROOT);
  assert.equal(pack.status, 0, output(pack));
  const tarball = path.join(dir, pack.stdout.trim().split("\n").pop()!);
  const project = path.join(dir, "app");
  fs.mkdirSync(project);
  fs.writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ name: "app", version: "1.0.0", private: true, type: "module" }),
  );
  fs.copyFileSync(path.join(ROOT, "examples/wine.csv"), path.join(project, "wine.csv"));

  const install = sh(`npm install --no-audit --no-fund ${JSON.stringify(tarball)}`, project);
  assert.equal(install.status, 0, output(install));
  assert.deepEqual(unexpectedWarnings(output(install)), [], output(install));
  const keptNative = fs.existsSync(path.join(project, "node_modules/onnxruntime-node/package.json"));
  const expected = keptNative ? "onnxruntime-node" : "onnxruntime-web";
  t.diagnostic(`npm ${keptNative ? "kept" : "left out"} onnxruntime-node; expecting ${expected}`);

  // the library, through the package's public entry point
  fs.writeFileSync(
    path.join(project, "train.mjs"),
    `import { ortBackend, trainTabular } from "nncoach";
const r = await trainTabular({ data: "wine.csv", target: "cultivar", epochs: 2, seed: 0 });
await r.trainer.release();
console.log(JSON.stringify({ engine: ortBackend, losses: r.history.map((h) => h.train_loss), accuracy: r.val.accuracy }));
`,
  );
  const lib = sh("node train.mjs", project);
  assert.equal(lib.status, 0, output(lib));
  const libOut = JSON.parse(lib.stdout.trim().split("\n").pop()!) as { engine: Engine; losses: number[] };
  assert.equal(libOut.engine.name, expected);
  assert.equal(libOut.losses.length, 2);
  for (const l of libOut.losses) assert.ok(Number.isFinite(l), `loss ${l}`);

  // the CLI, through npx
  const cliTrain = "npx nncoach train wine.csv --target cultivar --epochs 2 --json";
  const cli = sh(cliTrain, project);
  assert.equal(cli.status, 0, output(cli));
  const cliOut = JSON.parse(cli.stdout.trim().split("\n").pop()!) as { engine: Engine; history: unknown[] };
  assert.equal(cliOut.engine.name, expected);
  assert.equal(cliOut.history.length, 2);
  const notes = cli.stderr.split("\n").filter((l) => l.startsWith("nncoach: note: onnxruntime-node"));
  assert.equal(notes.length, keptNative ? 0 : 1, cli.stderr);
  if (keptNative) {
    assert.equal(cliOut.engine.provider, "cpu");
  } else {
    // the note's command brings the native build from the npm registry alone
    assert.ok(notes[0]!.endsWith(`for native speed run: ${NATIVE_INSTALL_COMMAND}`), notes[0]);
    const add = sh(`${NATIVE_INSTALL_COMMAND} --no-audit --no-fund`, project);
    assert.equal(add.status, 0, output(add));
    assert.deepEqual(unexpectedWarnings(output(add)), [], output(add));
    const again = sh(cliTrain, project);
    assert.equal(again.status, 0, output(again));
    const engine = (JSON.parse(again.stdout.trim().split("\n").pop()!) as { engine: Engine }).engine;
    assert.equal(engine.name, "onnxruntime-node");
    assert.equal(engine.provider, "cpu");
    assert.ok(!again.stderr.includes("note: onnxruntime-node"), again.stderr);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
