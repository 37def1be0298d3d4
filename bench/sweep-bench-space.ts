/** The search space of the sweep benchmarks (bench/sweep-asha.ts, bench/sweep-tpe.ts, scripts/gold/optuna_tpe.py). */
export const BENCH_SPACE = (epochs: number): string =>
  [
    "lr: {log_uniform: [1.0e-4, 3.0e-2]}",
    'hidden: {choice: ["32", "64,64", "128,128"]}',
    "dropout: {uniform: [0.0, 0.3]}",
    "batch-size: {choice: [16, 32, 64]}",
    `epochs: ${epochs}`,
  ].join("\n");
