/**
 * The "real loop" scenario of `npm run bench`: `nncoach train` through the command-line path with its
 * defaults, against the same loop written plainly in PyTorch (bench/torch_real_loop.py), on one generated
 * table: 20,000 rows, 16 numeric features, 26 classes (Gaussian clusters, seeded). MLP 256-256, batch 128,
 * Adam, 5 epochs.
 *
 * Speed, for both engines: rows trained on x epochs / the wall time of the training part of the epochs
 * (from each epoch's start to the start of its validation; batch gathering, callbacks and monitors
 * included; compile, data preparation and validation excluded). For nncoach it is the run's
 * `train_samples_per_second`; see `FitResult.trainSamplesPerSecond` in src/train/fit.ts.
 */
import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "../src/util/atomic-write.js";
import { Random } from "../src/util/random.js";
import type { Scenario } from "./scenarios.js";

/** The generated table's shape and the run's settings. */
export const REAL_LOOP = {
  rows: 20_000,
  features: 16,
  classes: 26,
  hidden: [256, 256],
  batch: 128,
  epochs: 5,
  /** The data generator's seed. */
  seed: 7,
} as const;

/**
 * The training rows of the table: nncoach holds out a seeded, stratified 15% for validation and 15% for a
 * sealed test split (src/data/split.ts). The nncoach script reports its count; this is what the PyTorch
 * loop uses until it has.
 */
export const REAL_LOOP_TRAIN_ROWS = 14_000;

/** The scenario as the runner lists it (model and sizes describe the MLP both engines train). */
export const REAL_LOOP_SCENARIO: Scenario = {
  name: "real-loop",
  title: `nncoach train (CLI, defaults) vs a plain PyTorch loop: ${REAL_LOOP.rows} rows x ${REAL_LOOP.features} features, ${REAL_LOOP.classes} classes, MLP ${REAL_LOOP.hidden.join("-")}, batch ${REAL_LOOP.batch}, Adam, ${REAL_LOOP.epochs} epochs`,
  model: "mlp",
  sizes: [REAL_LOOP.features, ...REAL_LOOP.hidden, REAL_LOOP.classes],
  batch: REAL_LOOP.batch,
  optimizer: "adam",
  loop: true,
};

/**
 * The table as CSV text: columns f0..f15 and `label` (c0..c25); each class is a Gaussian cluster (unit
 * variance) around a random center, so the classes overlap and the model has something to learn.
 */
export function realLoopCsv(): string {
  const { rows, features, classes, seed } = REAL_LOOP;
  const rng = new Random(seed);
  const centers = Array.from({ length: classes }, () => Array.from({ length: features }, () => rng.normal()));
  const lines = [`${Array.from({ length: features }, (_, i) => `f${i}`).join(",")},label`];
  for (let r = 0; r < rows; r++) {
    const c = rng.int(classes);
    const center = centers[c]!;
    const cells = center.map((m) => (m + rng.normal()).toFixed(4));
    lines.push(`${cells.join(",")},c${c}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Writes the table once per machine (it is deterministic) and returns its path. */
export function realLoopCsvPath(): string {
  const dir = join(tmpdir(), "nncoach-bench");
  const file = join(dir, `real-loop-${REAL_LOOP.rows}x${REAL_LOOP.features}-${REAL_LOOP.seed}.csv`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(file, realLoopCsv());
  }
  return file;
}
