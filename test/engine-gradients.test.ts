import assert from "node:assert/strict";
import { test } from "node:test";
import type { Tensor } from "../src/engine/graph.js";
import * as T from "../src/engine/ops.js";
import { gradCheck } from "./helpers/gradcheck.js";

const positive = (n: number, seed = 3) =>
  Array.from({ length: n }, (_, i) => 0.5 + ((i * 7 + seed) % 11) / 5);
// values kept away from kinks (0 for relu/abs, clip bounds) so finite differences are valid
const awayFromZero = (n: number) =>
  Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1) * (0.3 + ((i * 5) % 7) / 4));

const cases: [string, Parameters<typeof gradCheck>[0]][] = [
  ["add with broadcasting", { shapes: [[3, 4], [4]], fn: (a, b) => T.add(a, b) }],
  [
    "sub with broadcasting",
    {
      shapes: [
        [3, 1],
        [1, 4],
      ],
      fn: (a, b) => T.sub(a, b),
    },
  ],
  [
    "mul with broadcasting",
    {
      shapes: [
        [2, 3, 4],
        [3, 1],
      ],
      fn: (a, b) => T.mul(a, b),
    },
  ],
  [
    "div",
    {
      shapes: [
        [3, 4],
        [3, 4],
      ],
      values: [undefined, positive(12)],
      fn: (a, b) => T.div(a, b),
    },
  ],
  ["neg", { shapes: [[5]], fn: (a) => T.neg(a) }],
  ["exp", { shapes: [[5]], fn: (a) => T.exp(a) }],
  ["log", { shapes: [[6]], values: [positive(6)], fn: (a) => T.log(a) }],
  ["sqrt", { shapes: [[6]], values: [positive(6)], fn: (a) => T.sqrt(a) }],
  ["pow 3", { shapes: [[6]], fn: (a) => T.pow(a, 3) }],
  ["pow -0.5", { shapes: [[6]], values: [positive(6)], fn: (a) => T.pow(a, -0.5) }],
  ["abs", { shapes: [[6]], values: [awayFromZero(6)], fn: (a) => T.abs(a) }],
  ["max", { shapes: [[6], [6]], values: [awayFromZero(6), positive(6)], fn: (a, b) => T.maximum(a, b) }],
  ["relu", { shapes: [[8]], values: [awayFromZero(8)], fn: (a) => T.relu(a) }],
  ["leaky relu", { shapes: [[8]], values: [awayFromZero(8)], fn: (a) => T.leakyRelu(a, 0.1) }],
  ["sigmoid", { shapes: [[6]], fn: (a) => T.sigmoid(a) }],
  ["tanh", { shapes: [[6]], fn: (a) => T.tanh(a) }],
  ["softplus (float64 composite)", { shapes: [[6]], fn: (a) => T.softplus(a) }],
  ["softplus (float32 kernel)", { shapes: [[6]], dtype: "float32", fn: (a) => T.softplus(a) }],
  ["erf (float32: no float64 Erf kernel)", { shapes: [[6]], dtype: "float32", fn: (a) => T.erf(a) }],
  ["softmax", { shapes: [[3, 5]], fn: (a) => T.softmax(a, -1) }],
  ["softmax axis 0", { shapes: [[3, 5]], fn: (a) => T.softmax(a, 0) }],
  ["log softmax", { shapes: [[3, 5]], fn: (a) => T.logSoftmax(a, 1) }],
  [
    "matmul 2d",
    {
      shapes: [
        [3, 4],
        [4, 5],
      ],
      fn: (a, b) => T.matmul(a, b),
    },
  ],
  [
    "matmul 3d x 2d",
    {
      shapes: [
        [2, 3, 4],
        [4, 2],
      ],
      fn: (a, b) => T.matmul(a, b),
    },
  ],
  ["reduce sum axis", { shapes: [[3, 4]], fn: (a) => T.reduceSum(a, [1]) }],
  ["reduce sum keepdims", { shapes: [[3, 4, 2]], fn: (a) => T.reduceSum(a, [0, 2], true) }],
  ["reduce mean", { shapes: [[3, 4]], fn: (a) => T.reduceMean(a, [0]) }],
  ["reduce mean all", { shapes: [[3, 4]], fn: (a) => T.reduceMean(a) }],
  ["reduce max", { shapes: [[3, 4]], fn: (a) => T.reduceMax(a, [1]) }],
  ["reduce sum square", { shapes: [[3, 4]], fn: (a) => T.reduceSumSquare(a, [1]) }],
  [
    "where",
    {
      shapes: [[6], [6]],
      values: [awayFromZero(6)],
      fn: (a, b) => T.where(T.greater(a, 0), T.mul(a, b), T.exp(b)),
    },
  ],
  [
    "cast float64->float32->float64",
    { shapes: [[4]], fn: (a) => T.cast(T.cast(a, "float32"), "float64"), eps: 1e-3, rtol: 1e-3 },
  ],
  ["reshape", { shapes: [[3, 4]], fn: (a) => T.mul(T.reshape(a, [2, 6]), T.reshape(a, [2, 6])) }],
  ["transpose", { shapes: [[2, 3, 4]], fn: (a) => T.transpose(a, [2, 0, 1]) }],
  [
    "concat",
    {
      shapes: [
        [2, 3],
        [2, 2],
      ],
      fn: (a, b) => T.concat([a, b, a], 1),
    },
  ],
  ["slice", { shapes: [[4, 5]], fn: (a) => T.slice(a, [1, 2], [3, 5], [0, 1]) }],
  ["pad", { shapes: [[2, 3]], fn: (a) => T.pad(a, [1, 0], [0, 2]) }],
  ["clip", { shapes: [[8]], values: [awayFromZero(8)], fn: (a) => T.clip(a, -0.85, 0.9) }],
  [
    "gather rows (embedding) with repeated indices",
    {
      shapes: [[5, 3]],
      fn: (a) => T.gather(a, T.constant([0, 2, 2, 4, 0, 1], "int64", [2, 3])),
    },
  ],
];

for (const [name, c] of cases) {
  test(`gradient of ${name} matches central finite differences`, async () => {
    const checked = await gradCheck(c);
    assert.ok(checked > 0);
  });
}

test("composite: two-layer net with softmax cross-entropy", async () => {
  await gradCheck({
    shapes: [[4, 3], [3, 5], [5], [5, 2]],
    fn: (x: Tensor, w1: Tensor, b1: Tensor, w2: Tensor) => {
      const h = T.tanh(T.add(T.matmul(x, w1), b1));
      const logp = T.logSoftmax(T.matmul(h, w2), 1);
      return T.neg(
        T.reduceMean(T.reduceSum(T.mul(logp, T.constant([1, 0, 0, 1, 1, 0, 0, 1], "float64", [4, 2])), [1])),
      );
    },
  });
});

test("composite: ReLU MLP with a sigmoid BCE loss and a bias broadcast over the batch", async () => {
  await gradCheck({
    shapes: [[5, 4], [4, 6], [6], [6, 1], [1]],
    values: [undefined, undefined, [0.3, -0.2, 0.5, 0.1, -0.4, 0.25]],
    fn: (x: Tensor, w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor) => {
      const h = T.relu(T.add(T.matmul(x, w1), b1));
      const z = T.reshape(T.add(T.matmul(h, w2), b2), [-1]);
      const y = T.constant([1, 0, 1, 1, 0], "float64", [5]);
      return T.reduceMean(T.sub(T.softplus(z), T.mul(z, y)));
    },
  });
});
