/**
 * The benchmark scenarios and the command line each engine's training script is started with.
 * Every engine trains the same model on random data and prints one JSON line (see bench/README.md).
 */
import { REAL_LOOP_SCENARIO } from "./real-loop.js";

/** One benchmark scenario: a model, a batch size and an optimizer, trained by every engine. */
export interface Scenario {
  /** Short name used by `--only` and in the results, e.g. "mlp-large". */
  readonly name: string;
  /** What it is, for the printed table. */
  readonly title: string;
  readonly model: "mlp" | "cnn";
  /** MLP layer sizes, inputs first and classes last; absent for the CNN. */
  readonly sizes?: readonly number[];
  readonly batch: number;
  readonly optimizer: "adam" | "sgd";
  /**
   * true: the whole training loop of a run (bench/real-loop.ts), timed by each engine's loop script,
   * instead of training steps on a pool of random batches.
   */
  readonly loop?: boolean;
}

/**
 * The scenarios `npm run bench` runs, in order. The CNN is the one documented in bench/torch_train.py:
 * conv3x3(1->16)+ReLU+maxpool2, conv3x3(16->32)+ReLU+maxpool2, conv3x3(32->64)+ReLU, global average pool,
 * linear 64->10, on 28x28x1 inputs ('same' padding). The last, "real-loop", times whole `nncoach train` runs
 * against a plain PyTorch loop (bench/real-loop.ts).
 */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: "mlp-large",
    title: "MLP 784-256-256-10, batch 128, Adam",
    model: "mlp",
    sizes: [784, 256, 256, 10],
    batch: 128,
    optimizer: "adam",
  },
  {
    name: "mlp-small",
    title: "MLP 16-64-64-2, batch 32, Adam",
    model: "mlp",
    sizes: [16, 64, 64, 2],
    batch: 32,
    optimizer: "adam",
  },
  {
    name: "cnn",
    title: "CNN 3 conv blocks on 28x28x1, batch 64, Adam",
    model: "cnn",
    batch: 64,
    optimizer: "adam",
  },
  REAL_LOOP_SCENARIO,
];

/** The engines compared; "nncoach" is the one the ratios are about. */
export type EngineName = "pytorch" | "tfjs-wasm" | "nncoach";

/**
 * The arguments every engine script understands, in the order they are passed:
 * `--model mlp --sizes 784,256,256,10 --batch 128 --optimizer adam --threads 2 --seconds 8`
 * (no `--sizes` for the CNN).
 *
 * @param scenario what to train
 * @param threads the thread count the engine should use
 * @param seconds timed wall time, after the engine's own untimed warm-up
 */
export function engineArgs(scenario: Scenario, threads: number, seconds: number): string[] {
  const args = ["--model", scenario.model];
  if (scenario.sizes) args.push("--sizes", scenario.sizes.join(","));
  args.push(
    "--batch",
    String(scenario.batch),
    "--optimizer",
    scenario.optimizer,
    "--threads",
    String(threads),
    "--seconds",
    String(seconds),
  );
  return args;
}
