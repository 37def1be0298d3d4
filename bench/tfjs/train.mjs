// TensorFlow.js (wasm backend) side of the nncoach training benchmark: times full training steps on random data.
//
//   cd bench/tfjs && npm install          # once: @tensorflow/tfjs + @tensorflow/tfjs-backend-wasm (the .wasm
//                                         # binaries ship inside the npm package; nothing is fetched at run time)
//   node bench/tfjs/train.mjs --model mlp --sizes 784,256,256,10 --batch 128 --optimizer adam --threads 1
//   node bench/tfjs/train.mjs --model cnn --batch 64 --seconds 6
//
// Prints ONE JSON line on stdout: {"engine":"tfjs-wasm","model":...,"threads":N,"batch":B,"samples_per_second":X,
// "steps":S,...}. "threads" is what the wasm backend reports it actually used (getThreadsCount()).
//
// Threads: tfjs-backend-wasm 4.22 disables its multi-threaded build under Node (the WASM_HAS_MULTITHREAD_SUPPORT
// flag is hard-wired to false when IS_NODE; tensorflow/tfjs#3830), so it runs the single-threaded SIMD build and
// --threads above 1 changes nothing; the JSON line says threads 1 and "requested_threads" what was asked for.
//
// What is timed, the models, data, loss and optimizers are exactly those of bench/torch_train.py (see its
// docstring): a full step (forward, mean softmax cross-entropy, backward, optimizer update) via
// optimizer.minimize, on a pool of random batches generated once with a fixed seed and cycled, after an untimed
// warm-up. The CNN uses NHWC: conv3x3(1->16,same)+ReLU+maxpool2, conv3x3(16->32,same)+ReLU+maxpool2,
// conv3x3(32->64,same)+ReLU, global average pool, dense 64->10.

import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { getThreadsCount, setThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import { registerConv2DBackpropFilter } from "./conv2d-backprop-filter.mjs";

function fail(message) {
  process.stderr.write(`tfjs/train.mjs: ${message}\n`);
  process.exit(2);
}

function positiveNumber(name, text, integer) {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    fail(`--${name} must be a positive ${integer ? "integer" : "number"}, got ${JSON.stringify(text)}`);
  }
  return n;
}

function parseSizes(text) {
  const sizes = text.split(",").map((s) => Number(s));
  if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s <= 0)) {
    fail(`--sizes needs at least two positive integers (inputs,...,classes), got ${JSON.stringify(text)}`);
  }
  return sizes;
}

function buildMlp(sizes) {
  const model = tf.sequential();
  for (let i = 1; i < sizes.length; i++) {
    model.add(
      tf.layers.dense({
        units: sizes[i],
        activation: i < sizes.length - 1 ? "relu" : "linear",
        ...(i === 1 ? { inputShape: [sizes[0]] } : {}),
      }),
    );
  }
  return model;
}

function buildCnn(classes) {
  const conv = (filters, extra = {}) =>
    tf.layers.conv2d({ filters, kernelSize: 3, strides: 1, padding: "same", activation: "relu", ...extra });
  const model = tf.sequential();
  model.add(conv(16, { inputShape: [28, 28, 1] }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(conv(32));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(conv(64));
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(tf.layers.dense({ units: classes }));
  return model;
}

async function main() {
  const { values: a } = parseArgs({
    options: {
      model: { type: "string" },
      sizes: { type: "string", default: "784,256,256,10" },
      batch: { type: "string", default: "128" },
      optimizer: { type: "string", default: "adam" },
      threads: { type: "string", default: "1" },
      seconds: { type: "string", default: "8" },
      steps: { type: "string" },
      "warmup-seconds": { type: "string", default: "1" },
      pool: { type: "string", default: "8" },
      seed: { type: "string", default: "0" },
    },
  });
  if (a.model !== "mlp" && a.model !== "cnn")
    fail(`--model must be mlp or cnn, got ${JSON.stringify(a.model)}`);
  if (a.optimizer !== "adam" && a.optimizer !== "sgd") {
    fail(`--optimizer must be adam or sgd, got ${JSON.stringify(a.optimizer)}`);
  }
  const batch = positiveNumber("batch", a.batch, true);
  const requestedThreads = positiveNumber("threads", a.threads, true);
  const seconds = positiveNumber("seconds", a.seconds, false);
  const fixedSteps = a.steps === undefined ? 0 : positiveNumber("steps", a.steps, true);
  const warmupSeconds = Number(a["warmup-seconds"]);
  const pool = positiveNumber("pool", a.pool, true);
  const seed = Number(a.seed);

  tf.enableProdMode();
  setThreadsCount(requestedThreads);
  if (!(await tf.setBackend("wasm"))) fail("the wasm backend failed to initialise");
  await tf.ready();
  const threads = getThreadsCount();
  const standInKernels = a.model === "cnn" ? registerConv2DBackpropFilter() : [];

  const sizes = a.model === "mlp" ? parseSizes(a.sizes) : undefined;
  const classes = sizes ? sizes[sizes.length - 1] : 10;
  const inShape = sizes ? [sizes[0]] : [28, 28, 1];
  const model = sizes ? buildMlp(sizes) : buildCnn(classes);

  const xs = [];
  const ys = [];
  for (let i = 0; i < pool; i++) {
    xs.push(tf.randomNormal([batch, ...inShape], 0, 1, "float32", seed * 1000 + 2 * i + 1));
    const labels = tf.randomUniform([batch], 0, classes, "float32", seed * 1000 + 2 * i + 2);
    ys.push(tf.tidy(() => tf.oneHot(labels.floor().toInt(), classes).toFloat()));
    labels.dispose();
  }

  const optimizer =
    a.optimizer === "adam" ? tf.train.adam(1e-3, 0.9, 0.999, 1e-8) : tf.train.momentum(0.01, 0.9);
  let step = 0;
  const trainStep = (returnCost) => {
    const i = step % pool;
    step++;
    return optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(ys[i], model.apply(xs[i], { training: true })),
      returnCost,
    );
  };

  const t0 = performance.now();
  let warmupSteps = 0;
  while (warmupSteps < 5 || performance.now() - t0 < warmupSeconds * 1000) {
    trainStep(false);
    warmupSteps++;
  }
  const tensorsAfterWarmup = tf.memory().numTensors;

  let steps = 0;
  const start = performance.now();
  // The wasm backend runs every kernel synchronously, so wall time around the calls is the step time.
  for (;;) {
    trainStep(false);
    steps++;
    if (fixedSteps ? steps >= fixedSteps : performance.now() - start >= seconds * 1000) break;
  }
  const elapsed = (performance.now() - start) / 1000;
  const lossTensor = trainStep(true);
  const loss = (await lossTensor.data())[0];
  lossTensor.dispose();
  const leaked = tf.memory().numTensors - tensorsAfterWarmup;
  if (leaked !== 0) fail(`the training step leaks tensors (${leaked} more after the timed loop)`);

  const result = {
    engine: "tfjs-wasm",
    model: a.model,
    threads,
    batch,
    samples_per_second: Math.round((steps * batch * 10) / elapsed) / 10,
    steps,
    seconds: Math.round(elapsed * 1000) / 1000,
    warmup_steps: warmupSteps,
    optimizer: a.optimizer,
    loss: Math.round(loss * 1e5) / 1e5,
    version: tf.version.tfjs,
    requested_threads: requestedThreads,
    simd: await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"),
  };
  if (sizes) result.sizes = sizes;
  if (standInKernels.length) result.stand_in_kernels = standInKernels;
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e) => fail(e?.stack ?? String(e)));
