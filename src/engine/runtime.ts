/**
 * Runs compiled graphs on ONNX Runtime (the build `ort-backend.ts` loaded: onnxruntime-node, else
 * onnxruntime-web). One `CompiledGraph` per ONNX model; its inputs and outputs are plain typed arrays.
 * The execution provider and thread count come from `RuntimeOptions`, so the same graphs run on CUDA by
 * configuration (`provider: "cuda"`, with onnxruntime-node's CUDA files installed).
 */
import os from "node:os";
import type * as ortTypes from "onnxruntime-common";
import { UserError } from "../errors.js";
import type { DType } from "./graph.js";
import { ort, ortBackend } from "./ort-backend.js";

export interface RuntimeOptions {
  /** Intra-op threads; default: all cores. */
  threads?: number;
  /** Execution provider: "cpu" (default) or "cuda". */
  provider?: "cpu" | "cuda";
}

export type TypedArray = Float32Array | Float64Array | BigInt64Array | Uint8Array | Uint16Array;

export interface Feed {
  data: TypedArray;
  dims: readonly number[];
}

const ortType: Record<DType, ortTypes.Tensor.Type> = {
  float32: "float32",
  float64: "float64",
  float16: "float16",
  int64: "int64",
  bool: "bool",
};

export function makeTensor(dtype: DType, data: TypedArray, dims: readonly number[]): ortTypes.Tensor {
  return new ort.Tensor(ortType[dtype], data as never, dims);
}

/** The environment variable that turns on ONNX Runtime's profiler: its value is the trace files' prefix. */
export const PROFILE_ENV = "NNCOACH_ORT_PROFILE";

/** Session options that write ORT's per-node profile (a Chrome trace JSON) when PROFILE_ENV is set. */
function profiling(): ortTypes.InferenceSession.SessionOptions {
  const prefix = process.env[PROFILE_ENV];
  return prefix ? { enableProfiling: true, profileFilePrefix: prefix } : {};
}

/**
 * How ONNX Runtime's intra-op threads wait between the parallel sections of a run (2 threads or more):
 * by default they busy-wait for at most SPIN_MICROSECONDS, then sleep; `NNCOACH_ORT_SPINNING=0` makes them
 * sleep at once, `=1` spin without that bound (ORT's own default). Measured on the 2-core machine, mlp-large
 * (784-256-256-10, b128, 2 threads), best of 3-4 interleaved runs: idle, sleeping 79,500 samples/s, bounded
 * spin 85,600, unbounded spin 86,700; with one core busy elsewhere, 69,700, 67,100 and 40,100 (unbounded
 * spinning takes the core the other thread needs, which round 1 saw as 3x slower under load); the bench
 * CNN idle 4,590 sleeping and 4,862 with the bounded spin (bench/results/speed-log.md, round 4).
 */
export const SPINNING_ENV = "NNCOACH_ORT_SPINNING";
const SPIN_MICROSECONDS = 20;

/**
 * `NNCOACH_ORT_SESSION_CONFIG="intra_op.spin_duration_us=20,set_denormal_as_zero=1"`: further ONNX Runtime
 * session config entries (keys after `session.`), for measuring a setting before making it a default.
 */
export const SESSION_CONFIG_ENV = "NNCOACH_ORT_SESSION_CONFIG";

function sessionConfig(threads: number): ortTypes.InferenceSession.SessionOptions {
  const session: Record<string, unknown> = {};
  const put = (key: string, value: string) => {
    const parts = key.split(".");
    let at = session;
    for (const k of parts.slice(0, -1)) {
      at[k] ??= {};
      at = at[k] as Record<string, unknown>;
    }
    at[parts.at(-1)!] = value;
  };
  if (threads > 1) {
    const mode = process.env[SPINNING_ENV];
    put("intra_op.allow_spinning", mode === "0" ? "0" : "1");
    if (mode !== "0" && mode !== "1") put("intra_op.spin_duration_us", String(SPIN_MICROSECONDS));
  }
  for (const entry of (process.env[SESSION_CONFIG_ENV] ?? "").split(",").filter(Boolean)) {
    const [key, value] = entry.split("=");
    if (!key || value === undefined)
      throw new UserError(
        `${SESSION_CONFIG_ENV}: '${entry}' is not key=value`,
        "e.g. set_denormal_as_zero=1",
      );
    put(key.trim(), value.trim());
  }
  return Object.keys(session).length ? { extra: { session } } : {};
}

/** The intra-op thread count a graph runs with: `threads`, else every core. */
export function runtimeThreads(opts: RuntimeOptions): number {
  return opts.threads ?? os.availableParallelism();
}

/** A loaded ONNX model ready to run. */
export class CompiledGraph {
  private constructor(
    private readonly session: ortTypes.InferenceSession,
    readonly inputNames: readonly string[],
    readonly outputNames: readonly string[],
  ) {}

  static async create(bytes: Uint8Array, opts: RuntimeOptions = {}): Promise<CompiledGraph> {
    const threads = runtimeThreads(opts);
    if (opts.provider === "cuda" && ortBackend.name !== "onnxruntime-node")
      throw new UserError(
        `provider "cuda" needs onnxruntime-node, but this process runs ${ortBackend.name} (WebAssembly, CPU only)`,
        `install the native build with its CUDA files (ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node downloads them from NuGet), or leave provider "cuda" out to train on the CPU`,
      );
    const session = await ort.InferenceSession.create(bytes, {
      executionProviders: [opts.provider === "cuda" ? "cuda" : ortBackend.provider],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
      enableCpuMemArena: true,
      enableMemPattern: true,
      ...profiling(),
      ...sessionConfig(threads),
    });
    return new CompiledGraph(session, session.inputNames, session.outputNames);
  }

  /**
   * Runs the graph. `fetch` limits the outputs computed (default all); as a map it may also give
   * pre-allocated tensors for outputs to be written into (null = let the runtime allocate). Read the
   * results from the returned tensors: a runtime may return others than those given.
   */
  async run(
    feeds: Record<string, ortTypes.Tensor>,
    fetch?: readonly string[] | Record<string, ortTypes.Tensor | null>,
  ): Promise<Record<string, ortTypes.Tensor>> {
    let out: ortTypes.InferenceSession.ReturnType;
    if (Array.isArray(fetch)) out = await this.session.run(feeds, [...fetch]);
    // onnxruntime-web computes a pre-allocated CPU output in WebAssembly memory and returns the given
    // tensor without copying the result back into it: there the runtime allocates every output
    else if (fetch && ortBackend.name === "onnxruntime-web")
      out = await this.session.run(feeds, Object.keys(fetch));
    else if (fetch) out = await this.session.run(feeds, fetch as Record<string, ortTypes.Tensor | null>);
    else out = await this.session.run(feeds);
    return out as Record<string, ortTypes.Tensor>;
  }

  /**
   * Whether `run` leaves each pre-allocated output's values in the tensor it was given. onnxruntime-node
   * does (it runs into the given buffer, and returns a copy in a new tensor besides), so a caller need not
   * copy the result back; onnxruntime-web is given no pre-allocated outputs (see `run`).
   */
  get writesFetchesInPlace(): boolean {
    return ortBackend.name === "onnxruntime-node";
  }

  async release(): Promise<void> {
    if (process.env[PROFILE_ENV]) this.session.endProfiling();
    await this.session.release();
  }
}
