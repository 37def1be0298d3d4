// Checks the stand-in Conv2DBackpropFilter kernel (conv2d-backprop-filter.mjs) against tfjs's cpu backend:
// the filter gradient of sum(conv2d(x, f) * dy) for 'same' and 'valid' padding, strides 1 and 2 (the shapes of
// the benchmark CNN among them), and that the kernel frees every buffer it allocates besides its result.
// Run: cd bench/tfjs && npm run check   (exits 1 and says which case differs when one does)

import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { registerConv2DBackpropFilter } from "./conv2d-backprop-filter.mjs";

async function filterGradient(backend, xShape, fShape, strides, pad, seed) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.randomNormal(xShape, 0, 1, "float32", seed);
    const f = tf.randomNormal(fShape, 0, 1, "float32", seed + 1);
    const outShape = tf.conv2d(x, f, strides, pad).shape;
    const dy = tf.randomNormal(outShape, 0, 1, "float32", seed + 2);
    return tf
      .grad((w) => tf.conv2d(x, w, strides, pad).mul(dy).sum())(f)
      .arraySync();
  });
}

tf.enableProdMode(); // silences the "install tfjs-node" banner of the cpu backend
await tf.setBackend("wasm");
registerConv2DBackpropFilter();
const cases = [
  { xShape: [3, 9, 9, 2], fShape: [3, 3, 2, 4], strides: 1, pad: "same" },
  { xShape: [2, 8, 7, 3], fShape: [3, 3, 3, 5], strides: 1, pad: "valid" },
  { xShape: [4, 28, 28, 1], fShape: [3, 3, 1, 16], strides: 1, pad: "same" },
  { xShape: [2, 14, 14, 16], fShape: [3, 3, 16, 32], strides: 1, pad: "same" },
  { xShape: [2, 7, 7, 32], fShape: [3, 3, 32, 64], strides: 1, pad: "same" },
  { xShape: [2, 10, 10, 1], fShape: [3, 3, 1, 6], strides: 2, pad: "same" },
  { xShape: [2, 11, 9, 3], fShape: [5, 3, 3, 4], strides: [2, 1], pad: "valid" },
];
let failed = 0;
for (const [i, c] of cases.entries()) {
  const want = (await filterGradient("cpu", c.xShape, c.fShape, c.strides, c.pad, 10 * i + 1)).flat(3);
  const got = (await filterGradient("wasm", c.xShape, c.fShape, c.strides, c.pad, 10 * i + 1)).flat(3);
  const scale = Math.max(...want.map(Math.abs));
  const worst = Math.max(...want.map((w, j) => Math.abs(w - got[j])));
  const ok = got.length === want.length && worst <= 1e-4 * scale;
  if (!ok) failed++;
  console.log(
    `${ok ? "ok  " : "FAIL"} x=${c.xShape} f=${c.fShape} strides=${c.strides} pad=${c.pad}: max |diff| ${worst.toExponential(2)} (max |grad| ${scale.toFixed(2)})`,
  );
}
await tf.setBackend("wasm");
const before = tf.backend().numDataIds();
await filterGradient("wasm", [2, 14, 14, 16], [3, 3, 16, 32], 1, "same", 99);
const leaked = tf.backend().numDataIds() - before;
if (leaked !== 0) failed++;
console.log(`${leaked === 0 ? "ok  " : "FAIL"} wasm buffers left behind by one gradient: ${leaked}`);
process.exit(failed ? 1 : 0);
