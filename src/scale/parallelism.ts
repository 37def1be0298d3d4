/**
 * How a machine's cores are shared between trials: `trials` at once, each with `threads` ONNX Runtime
 * threads. Independent trials scale almost perfectly over processes (no shared work, no synchronization),
 * while one trial's matrix products gain little from a second thread when they are small: the MLPs of
 * bench/scenarios.ts train faster per core as several one-thread trials (bench/local-pool.ts measures it;
 * PyTorch too is faster at 1 thread than at 2 on those MLPs). Only a model whose training step is large
 * (LARGE_STEP_FLOPS: convolutions on big images, wide layers on big batches) gets more threads per trial,
 * since its kernels do split well and several copies of it would also compete for memory bandwidth.
 *
 * The choice is a Decision (recorded, printed), made from the model's size: parameters and the
 * floating-point operations of one training step (forward, backward and update, about 3x the forward
 * pass), computed from the plan the same way for every data kind.
 */
import os from "node:os";
import type { Decision } from "../recipe/decision.js";
import type { RunPlan } from "../recipe/run-plan.js";

/** A training step at or above this many floating-point operations gets all the threads of one trial. */
export const LARGE_STEP_FLOPS = 4e9;

export interface ModelSize {
  params: number;
  /** Forward-pass operations for one sample (multiply-adds count 2). */
  flopsPerSample: number;
  batch: number;
}

function dense(sizes: number[]): { params: number; flops: number } {
  let params = 0;
  for (let i = 1; i < sizes.length; i++) params += sizes[i - 1]! * sizes[i]! + sizes[i]!;
  return { params, flops: 2 * params };
}

/** Parameters and forward operations of a plan's network on inputs of `inputShape` ([features] or [c, h, w]). */
export function modelSize(plan: RunPlan, inputShape: number[], outputs: number): ModelSize {
  const m = plan.model;
  if (m.type === "cnn") {
    let [c, h, w] = [inputShape[0] ?? 1, inputShape[1] ?? 1, inputShape[2] ?? 1];
    let params = 0;
    let flops = 0;
    for (const [s, width] of m.widths.entries()) {
      for (let i = 0; i < Math.max(1, m.depth); i++) {
        const p = 9 * c * width + width;
        params += p;
        flops += 2 * 9 * c * width * h * w;
        c = width;
      }
      if (s < m.widths.length - 1 && h >= 2 && w >= 2) {
        h = Math.floor(h / 2);
        w = Math.floor(w / 2);
      }
    }
    const head = dense([c, ...m.hidden, outputs]);
    return { params: params + head.params, flopsPerSample: flops + head.flops, batch: plan.batchSize };
  }
  if (m.type === "pretrained") return { params: 0, flopsPerSample: 0, batch: plan.batchSize };
  const inputs = m.type === "ngram-bag" ? m.dim : inputShape.reduce((a, b) => a * b, 1);
  const d = dense([inputs, ...m.hidden, outputs]);
  return { params: d.params, flopsPerSample: d.flops, batch: plan.batchSize };
}

export interface Parallelism {
  trials: number;
  threads: number;
  decision: Decision;
}

/**
 * Trials × threads for `cores` cores. The user's --workers and --threads win; otherwise a small model gets
 * one thread per trial and as many trials as cores, a large one (a pretrained model, whose size is not
 * known here, counts as large) all the cores in one trial.
 */
export function chooseParallelism(
  size: ModelSize | null,
  o: { cores?: number; workers?: number; threads?: number } = {},
): Parallelism {
  const cores = o.cores ?? os.availableParallelism();
  const stepFlops = size ? 3 * size.flopsPerSample * size.batch : Number.POSITIVE_INFINITY;
  const large = !size || size.params === 0 || stepFlops >= LARGE_STEP_FLOPS;
  const what = size
    ? size.params === 0
      ? "a pretrained model (size unknown here)"
      : `${size.params.toLocaleString("en")} parameters, ${(stepFlops / 1e6).toFixed(1)} MFLOP per training step (batch ${size.batch})`
    : "a model of unknown size";
  let trials: number;
  let threads: number;
  let reason: string;
  if (o.workers !== undefined && o.threads !== undefined) {
    trials = o.workers;
    threads = o.threads;
    reason = `--workers ${trials} --threads ${threads}`;
  } else if (o.workers !== undefined) {
    trials = o.workers;
    threads = Math.max(1, Math.floor(cores / trials));
    reason = `--workers ${trials} on ${cores} cores: ${threads} thread(s) each`;
  } else if (o.threads !== undefined) {
    threads = o.threads;
    trials = Math.max(1, Math.floor(cores / threads));
    reason = `--threads ${threads} on ${cores} cores: ${trials} trial(s) at once`;
  } else if (large) {
    trials = 1;
    threads = cores;
    reason = `${what}: at least ${(LARGE_STEP_FLOPS / 1e9).toFixed(0)} GFLOP per step splits well over threads, so one trial at a time uses all ${cores} cores`;
  } else {
    trials = cores;
    threads = 1;
    reason = `${what}: below ${(LARGE_STEP_FLOPS / 1e9).toFixed(0)} GFLOP per step a second thread speeds a trial up less than a second trial does, so ${cores} one-thread trials run at once (bench/local-pool.ts)`;
  }
  return {
    trials,
    threads,
    decision: {
      key: "parallelism",
      value: `${trials} trial(s) x ${threads} thread(s)`,
      rule:
        o.workers !== undefined || o.threads !== undefined
          ? "user"
          : large
            ? "large-model-threads"
            : "small-model-trials",
      reason,
      source: o.workers !== undefined || o.threads !== undefined ? "user" : "recipe",
    },
  };
}
