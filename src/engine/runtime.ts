/**
 * Runs compiled graphs on ONNX Runtime (onnxruntime-node). One `CompiledGraph` per ONNX model; its inputs
 * and outputs are plain typed arrays. The execution provider and thread count come from `RuntimeOptions`,
 * so the same graphs run on CUDA by configuration (`provider: "cuda"`, with a CUDA build of onnxruntime).
 */
import os from "node:os";
import * as ort from "onnxruntime-node";
import type { DType } from "./graph.js";

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

const ortType: Record<DType, ort.Tensor.Type> = {
  float32: "float32",
  float64: "float64",
  float16: "float16",
  int64: "int64",
  bool: "bool",
};

export function makeTensor(dtype: DType, data: TypedArray, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor(ortType[dtype], data as never, dims);
}

/** A loaded ONNX model ready to run. */
export class CompiledGraph {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly inputNames: readonly string[],
    readonly outputNames: readonly string[],
  ) {}

  static async create(bytes: Uint8Array, opts: RuntimeOptions = {}): Promise<CompiledGraph> {
    const threads = opts.threads ?? os.availableParallelism();
    const session = await ort.InferenceSession.create(bytes, {
      executionProviders: [opts.provider === "cuda" ? "cuda" : "cpu"],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
      enableCpuMemArena: true,
      enableMemPattern: true,
    });
    return new CompiledGraph(session, session.inputNames, session.outputNames);
  }

  /**
   * Runs the graph. `fetch` limits the outputs computed (default all); as a map it may also give
   * pre-allocated tensors for outputs to be written into (null = let the runtime allocate).
   */
  async run(
    feeds: Record<string, ort.Tensor>,
    fetch?: readonly string[] | Record<string, ort.Tensor | null>,
  ): Promise<Record<string, ort.Tensor>> {
    let out: ort.InferenceSession.ReturnType;
    if (Array.isArray(fetch)) out = await this.session.run(feeds, [...fetch]);
    else if (fetch) out = await this.session.run(feeds, fetch as Record<string, ort.Tensor | null>);
    else out = await this.session.run(feeds);
    return out as Record<string, ort.Tensor>;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
