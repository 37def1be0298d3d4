/**
 * Which ONNX Runtime executes nncoach's graphs, decided once, here. Every other module gets ONNX Runtime
 * through `ort` below (types come from `onnxruntime-common`, the API both builds implement).
 *
 * - `onnxruntime-node` (native; CPU binaries inside its npm package, CUDA where its CUDA files are
 *   installed) is used whenever it loads. It is an optional dependency: behind a firewall its install
 *   script fails (on linux/x64 it fetches the CUDA provider from NuGet, outside npm) and npm then leaves
 *   it out instead of failing the whole install.
 * - `onnxruntime-web` (the same runtime compiled to WebAssembly; a plain dependency without install
 *   script) is the fallback. It runs every graph nncoach emits, slower, and a one-line note on stderr
 *   says so and how to get the native build.
 *
 * `NNCOACH_ENGINE=wasm` forces the WebAssembly build (tests, comparisons); `NNCOACH_ENGINE=native`
 * refuses to fall back. Example:
 *
 * ```ts
 * import { ortBackend } from "./ort-backend.js";
 * ortBackend.name; // "onnxruntime-node" or "onnxruntime-web"
 * ```
 */
import os from "node:os";
import type * as OrtApi from "onnxruntime-common";
import { UserError } from "../errors.js";

/** The ONNX Runtime JavaScript API, as both builds export it. */
export type Ort = typeof OrtApi;

/** Which build loaded: the `engine` of `nncoach train --json`. */
export interface OrtBackendInfo {
  /** The npm package that runs the graphs. */
  name: "onnxruntime-node" | "onnxruntime-web";
  /** Its version. */
  version: string;
  /** The execution provider graphs run on unless `provider: "cuda"` is asked: "cpu" (native) or "wasm". */
  provider: "cpu" | "wasm";
}

/** The environment variable that picks the engine: unset (native, else WebAssembly), "native" or "wasm". */
export const ENGINE_ENV = "NNCOACH_ENGINE";

/** The command that adds the native build to a project from the npm registry alone. */
export const NATIVE_INSTALL_COMMAND = "ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node";

/** How to get the native build, for notes and errors. */
export const NATIVE_INSTALL_HINT = `${NATIVE_INSTALL_COMMAND} (the variable keeps its installer from fetching CUDA files from outside npm)`;

/** A specifier in a variable: the build must not fail where npm left the optional package out. */
const NATIVE_PACKAGE: string = "onnxruntime-node";

async function loadNative(): Promise<{ ort: Ort; info: OrtBackendInfo }> {
  const ort = (await import(NATIVE_PACKAGE)) as Ort;
  return { ort, info: { name: "onnxruntime-node", version: ort.env.versions.node ?? "?", provider: "cpu" } };
}

async function loadWasm(): Promise<{ ort: Ort; info: OrtBackendInfo }> {
  const ort = (await import("onnxruntime-web")) as unknown as Ort;
  // The WebAssembly thread pool is sized once, before the first session (sessions' intraOpNumThreads
  // do not apply); its own default is half the cores.
  ort.env.wasm.numThreads = os.availableParallelism();
  return { ort, info: { name: "onnxruntime-web", version: ort.env.versions.web ?? "?", provider: "wasm" } };
}

/** Why `onnxruntime-node` did not load, in one line. */
function nativeFailure(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === "ERR_MODULE_NOT_FOUND" && /'onnxruntime-node'/.test(err.message))
    return "onnxruntime-node is not installed (npm leaves it out when its install script cannot download CUDA files)";
  return `onnxruntime-node is installed but did not load (${String(err?.message ?? e).split("\n")[0]})`;
}

async function load(): Promise<{ ort: Ort; info: OrtBackendInfo }> {
  const wanted = process.env[ENGINE_ENV] ?? "";
  if (wanted === "wasm") return loadWasm();
  if (wanted !== "" && wanted !== "native")
    throw new UserError(
      `${ENGINE_ENV}=${wanted} is not an engine`,
      `use ${ENGINE_ENV}=native (onnxruntime-node), ${ENGINE_ENV}=wasm (onnxruntime-web), or unset it for native with a WebAssembly fallback`,
    );
  try {
    return await loadNative();
  } catch (e) {
    if (wanted === "native")
      throw new UserError(
        `${ENGINE_ENV}=native, but ${nativeFailure(e)}`,
        `install it: ${NATIVE_INSTALL_HINT}`,
      );
    const wasm = await loadWasm();
    process.stderr.write(
      `nncoach: note: ${nativeFailure(e)}, so nncoach runs on onnxruntime-web (WebAssembly, several times slower); for native speed run: ${NATIVE_INSTALL_COMMAND}\n`,
    );
    return wasm;
  }
}

const loaded = await load();

/** The loaded ONNX Runtime module. */
export const ort: Ort = loaded.ort;

/** Which build it is. */
export const ortBackend: Readonly<OrtBackendInfo> = Object.freeze(loaded.info);
