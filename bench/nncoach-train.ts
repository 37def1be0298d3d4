/**
 * nncoach side of the benchmark: trains an MLP (or the benchmark CNN) on random data for a fixed wall
 * time and prints one JSON line with samples/s. Run through bench/run.ts.
 */
import { parseArgs } from "node:util";
import { benchCnn } from "../src/nn/cnn.js";
import { SparseCrossEntropy } from "../src/nn/losses/cross-entropy.js";
import { mlp } from "../src/nn/sequential.js";
import { Adam } from "../src/optim/adam.js";
import { Trainer } from "../src/train/trainer.js";
import { Random } from "../src/util/random.js";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: "mlp" },
    sizes: { type: "string", default: "784,256,256,10" },
    batch: { type: "string", default: "128" },
    optimizer: { type: "string", default: "adam" },
    threads: { type: "string", default: "2" },
    seconds: { type: "string", default: "8" },
  },
});
const sizes = values.sizes!.split(",").map(Number);
const batch = Number(values.batch);
const threads = Number(values.threads);
if (values.model !== "mlp" && values.model !== "cnn") {
  console.log(JSON.stringify({ engine: "nncoach", model: values.model, error: "model not supported yet" }));
  process.exit(0);
}
// cnn: the benchmark CNN of bench/torch_train.py on 28x28x1 inputs, 10 classes
const cnn = values.model === "cnn";
const inputs = cnn ? 28 * 28 : sizes[0]!;
const classes = cnn ? 10 : sizes[sizes.length - 1]!;
const model = cnn
  ? benchCnn()
  : mlp({ inputs, outputs: classes, hidden: sizes.slice(1, -1), activation: "relu" });
const trainer = new Trainer(model, new SparseCrossEntropy(), new Adam(), { threads, seed: 0 });
await trainer.compile();
const rng = new Random(1);
const nBatches = 16;
const xs = Array.from({ length: nBatches }, () =>
  Float32Array.from({ length: batch * inputs }, () => rng.normal()),
);
const ys = Array.from({ length: nBatches }, () =>
  BigInt64Array.from({ length: batch }, () => BigInt(rng.int(classes))),
);
const weight = new Float32Array(batch).fill(1);
for (let i = 0; i < 20; i++)
  await trainer.trainStep({ x: xs[i % nBatches]!, y: ys[i % nBatches]!, weight, n: batch }, 1e-3);
const seconds = Number(values.seconds);
let steps = 0;
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
let elapsed = 0;
while (elapsed < seconds) {
  await trainer.trainStep({ x: xs[steps % nBatches]!, y: ys[steps % nBatches]!, weight, n: batch }, 1e-3);
  steps++;
  elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
}
console.log(
  JSON.stringify({
    engine: "nncoach",
    model: values.model,
    ...(cnn ? {} : { sizes }),
    threads,
    batch,
    samples_per_second: (steps * batch) / elapsed,
    steps,
    // CPU time (user + system, all threads) per timed step: on a shared machine far steadier than wall time
    cpu_ms_per_step: (() => {
      const c = process.cpuUsage(cpu0);
      return (c.user + c.system) / 1000 / steps;
    })(),
  }),
);
await trainer.release();
