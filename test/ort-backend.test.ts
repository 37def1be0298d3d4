import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { ROOT, runCli } from "./helpers/cli.js";
import { WITHOUT_NATIVE_ORT } from "./helpers/without-native-ort.js";

const WINE = ["train", "examples/wine.csv", "--target", "cultivar", "--epochs", "3", "--json", "--seed", "0"];
const NATIVE_VERSION = JSON.parse(
  fs.readFileSync(`${ROOT}/node_modules/onnxruntime-node/package.json`, "utf8"),
).version as string;

type Run = { engine: { name: string; version: string; provider: string }; history: { train_loss: number }[] };

test("the development install runs the native build, onnxruntime-node, on its CPU provider", () => {
  const r = runCli(WINE, { env: { NNCOACH_ENGINE: undefined } });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    (r.json as Run).engine,
    { name: "onnxruntime-node", version: NATIVE_VERSION, provider: "cpu" },
    "npm left onnxruntime-node out of this checkout (its install script failed?): run `npm ci` with an npm that reads package.json's allowScripts, or ONNXRUNTIME_NODE_INSTALL=skip npm ci",
  );
  assert.ok(!r.stderr.includes("note: onnxruntime-node"), r.stderr);
});

test("NNCOACH_ENGINE=wasm trains on onnxruntime-web with the native build's losses (float32 tolerance)", (t) => {
  const native = runCli(WINE, { env: { NNCOACH_ENGINE: "native" } });
  const wasm = runCli(WINE, { env: { NNCOACH_ENGINE: "wasm" } });
  assert.equal(native.code, 0, native.stderr);
  assert.equal(wasm.code, 0, wasm.stderr);
  const n = native.json as Run;
  const w = wasm.json as Run;
  assert.equal(w.engine.name, "onnxruntime-web");
  assert.equal(w.engine.provider, "wasm");
  assert.equal(w.history.length, 3);
  for (let i = 0; i < 3; i++) {
    const [a, b] = [n.history[i]!.train_loss, w.history[i]!.train_loss];
    assert.ok(Number.isFinite(b), `wasm epoch ${i + 1} loss ${b}`);
    assert.ok(Math.abs(a - b) <= 1e-3 * Math.abs(a), `epoch ${i + 1}: native loss ${a}, wasm loss ${b}`);
  }
  // asked for explicitly: no note
  assert.ok(!wasm.stderr.includes("note: onnxruntime-node"), wasm.stderr);
  const speed = (r: typeof native) => Math.round(r.json!.train_samples_per_second as number);
  t.diagnostic(`wine, 3 epochs: native ${speed(native)} samples/s, wasm ${speed(wasm)} samples/s`);
});

test("without onnxruntime-node, nncoach falls back to onnxruntime-web with one note saying how to get native", () => {
  const r = runCli(WINE, { nodeArgs: WITHOUT_NATIVE_ORT, env: { NNCOACH_ENGINE: undefined } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((r.json as Run).engine.name, "onnxruntime-web");
  const notes = r.stderr.split("\n").filter((l) => l.includes("onnxruntime"));
  assert.equal(notes.length, 1, r.stderr);
  assert.match(notes[0]!, /^nncoach: note: onnxruntime-node is not installed/);
  assert.match(notes[0]!, /ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node/);
  for (const h of (r.json as Run).history) assert.ok(Number.isFinite(h.train_loss));
});

test("NNCOACH_ENGINE=native refuses to fall back, and an unknown value names the choices", () => {
  const native = runCli(WINE, { nodeArgs: WITHOUT_NATIVE_ORT, env: { NNCOACH_ENGINE: "native" } });
  assert.equal(native.code, 2, native.stderr);
  assert.match(native.stderr, /NNCOACH_ENGINE=native, but onnxruntime-node is not installed/);
  assert.match(native.stderr, /hint: install it: ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node/);
  const bad = runCli(WINE, { env: { NNCOACH_ENGINE: "gpu" } });
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /NNCOACH_ENGINE=gpu is not an engine/);
  assert.match(bad.stderr, /NNCOACH_ENGINE=native .*NNCOACH_ENGINE=wasm/);
});

test('provider "cuda" on the WebAssembly build is refused before any session is made', () => {
  const runtime = fileURLToPath(new URL("../src/engine/runtime.js", import.meta.url));
  const script = `import { CompiledGraph } from ${JSON.stringify(runtime)};
    try { await CompiledGraph.create(new Uint8Array(0), { provider: "cuda" }); console.log("created"); }
    catch (e) { console.log(e.name + ": " + e.message); }`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    encoding: "utf8",
    env: { ...process.env, NNCOACH_ENGINE: "wasm" },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    /^UserError: provider "cuda" needs onnxruntime-node, but this process runs onnxruntime-web/,
  );
  assert.match(r.stdout, /ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node/);
});
