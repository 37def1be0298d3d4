/**
 * nncoach side of the bench's real-loop scenario (bench/real-loop.ts): runs `nncoach train` on the
 * generated table through the command (bin/nncoach, so with the allocator settings a user gets) with its
 * defaults plus the scenario's batch size, optimizer and epochs, and prints one bench JSON line whose
 * samples_per_second is the run's `train_samples_per_second`.
 *
 *   node dist/bench/nncoach-real-loop.js --csv /tmp/nncoach-bench/real-loop.csv --threads 2
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { REAL_LOOP, realLoopCsvPath } from "./real-loop.js";

const { values } = parseArgs({
  options: {
    csv: { type: "string" },
    threads: { type: "string", default: "2" },
  },
});
const csv = values.csv ?? realLoopCsvPath();
const threads = Number(values.threads);
const bin = fileURLToPath(new URL("../../bin/nncoach", import.meta.url));
const args = [
  "train",
  csv,
  "--batch-size",
  String(REAL_LOOP.batch),
  "--optimizer",
  "adam",
  "--epochs",
  String(REAL_LOOP.epochs),
  "--threads",
  String(threads),
  "--json",
  "--no-track",
];
const t0 = process.hrtime.bigint();
const child = spawnSync(bin, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
const wall = Number(process.hrtime.bigint() - t0) / 1e9;
const last = child.stdout
  .trim()
  .split("\n")
  .filter((l) => l.startsWith("{"))
  .at(-1);
if (child.status !== 0 || !last) {
  process.stderr.write(child.stderr.split("\n").slice(-20).join("\n"));
  process.exit(1);
}
const r = JSON.parse(last) as {
  train_samples_per_second: number;
  epochs_run: number;
  val: { samples: number };
  test_rows_sealed: number;
  history: { train_loss: number; val_accuracy?: number }[];
};
const rows = REAL_LOOP.rows - r.val.samples - r.test_rows_sealed;
console.log(
  JSON.stringify({
    engine: "nncoach",
    model: "real-loop",
    threads,
    batch: REAL_LOOP.batch,
    samples_per_second: r.train_samples_per_second,
    steps: Math.ceil(rows / REAL_LOOP.batch) * r.epochs_run,
    rows,
    epochs: r.epochs_run,
    final_train_loss: r.history.at(-1)?.train_loss,
    final_val_accuracy: r.history.at(-1)?.val_accuracy,
    process_seconds: Math.round(wall * 1000) / 1000,
  }),
);
