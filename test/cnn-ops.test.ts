import assert from "node:assert/strict";
import { test } from "node:test";
import { gradients } from "../src/engine/autodiff.js";
import { emitModel } from "../src/engine/emit.js";
import type { Tensor } from "../src/engine/graph.js";
import { decodeModel } from "../src/engine/onnx/decode.js";
import * as T from "../src/engine/ops.js";
import {
  avgPool2d,
  conv2d,
  flatten,
  globalAvgPool,
  maxPool2d,
  outputLength,
} from "../src/engine/ops-spatial.js";
import { CompiledGraph, makeTensor } from "../src/engine/runtime.js";
import { Random } from "../src/util/random.js";
import { gradCheck } from "./helpers/gradcheck.js";

// ---- float64 reference convolution (forward and backward), written directly from the definition ----------

interface ConvGeom {
  x: [number, number, number, number]; // N, C, H, W
  m: number;
  k: [number, number];
  s: [number, number];
  p: [number, number, number, number]; // top, left, bottom, right
  d: [number, number];
  g: number;
}

function outHW(c: ConvGeom): [number, number] {
  return [
    outputLength(c.x[2], c.k[0], c.s[0], c.p[0], c.p[2], c.d[0]),
    outputLength(c.x[3], c.k[1], c.s[1], c.p[1], c.p[3], c.d[1]),
  ];
}

/** Calls f(xIndex, wIndex, yIndex) for every multiply-add of the convolution. */
function convTaps(c: ConvGeom, f: (xi: number, wi: number, yi: number) => void): void {
  const [n, ch, h, w] = c.x;
  const [ho, wo] = outHW(c);
  const cg = ch / c.g;
  const mg = c.m / c.g;
  for (let b = 0; b < n; b++)
    for (let m = 0; m < c.m; m++) {
      const grp = Math.floor(m / mg);
      for (let oh = 0; oh < ho; oh++)
        for (let ow = 0; ow < wo; ow++) {
          const yi = ((b * c.m + m) * ho + oh) * wo + ow;
          for (let cc = 0; cc < cg; cc++)
            for (let i = 0; i < c.k[0]; i++)
              for (let j = 0; j < c.k[1]; j++) {
                const ih = oh * c.s[0] - c.p[0] + i * c.d[0];
                const iw = ow * c.s[1] - c.p[1] + j * c.d[1];
                if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                const xi = ((b * ch + grp * cg + cc) * h + ih) * w + iw;
                const wi = ((m * cg + cc) * c.k[0] + i) * c.k[1] + j;
                f(xi, wi, yi);
              }
        }
    }
}

function refForward(c: ConvGeom, x: Float64Array, w: Float64Array, bias: Float64Array): Float64Array {
  const [ho, wo] = outHW(c);
  const y = new Float64Array(c.x[0] * c.m * ho * wo);
  for (let i = 0; i < y.length; i++) y[i] = bias[Math.floor(i / (ho * wo)) % c.m]!;
  convTaps(c, (xi, wi, yi) => {
    y[yi] += x[xi]! * w[wi]!;
  });
  return y;
}

function refBackward(c: ConvGeom, x: Float64Array, w: Float64Array, dy: Float64Array) {
  const [ho, wo] = outHW(c);
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  const db = new Float64Array(c.m);
  convTaps(c, (xi, wi, yi) => {
    dx[xi] += w[wi]! * dy[yi]!;
    dw[wi] += x[xi]! * dy[yi]!;
  });
  for (let i = 0; i < dy.length; i++) db[Math.floor(i / (ho * wo)) % c.m] += dy[i]!;
  return { dx, dw, db };
}

const rand = (n: number, rng: Random) => Float64Array.from({ length: n }, () => rng.normal());

const geometries: [string, ConvGeom][] = [
  [
    "3x3 stride 1 same padding",
    { x: [2, 3, 6, 6], m: 4, k: [3, 3], s: [1, 1], p: [1, 1, 1, 1], d: [1, 1], g: 1 },
  ],
  [
    "stride 2 with a remainder, no padding",
    { x: [2, 2, 7, 6], m: 3, k: [3, 2], s: [2, 2], p: [0, 0, 0, 0], d: [1, 1], g: 1 },
  ],
  [
    "stride 2, asymmetric 'same' padding",
    { x: [1, 3, 8, 8], m: 4, k: [3, 3], s: [2, 2], p: [0, 0, 1, 1], d: [1, 1], g: 1 },
  ],
  [
    "dilation 2 and asymmetric padding",
    { x: [2, 2, 7, 7], m: 3, k: [3, 3], s: [1, 1], p: [2, 1, 0, 2], d: [2, 2], g: 1 },
  ],
  ["groups 2", { x: [2, 4, 5, 5], m: 6, k: [3, 3], s: [1, 1], p: [1, 1, 1, 1], d: [1, 1], g: 2 }],
  [
    "depthwise (groups = channels), multiplier 2, stride 2",
    { x: [2, 3, 6, 6], m: 6, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1], d: [1, 1], g: 3 },
  ],
  ["1x1 kernel", { x: [3, 4, 3, 3], m: 2, k: [1, 1], s: [1, 1], p: [0, 0, 0, 0], d: [1, 1], g: 1 }],
  [
    "7x7 kernel (large-kernel weight gradient), stride 3",
    { x: [2, 2, 12, 11], m: 3, k: [7, 7], s: [3, 3], p: [3, 3, 3, 3], d: [1, 1], g: 1 },
  ],
];

test("the float64 reference convolution's backward matches finite differences of its forward", () => {
  for (const [name, c] of geometries.slice(0, 6)) {
    const rng = new Random(11);
    const x = rand(
      c.x.reduce((a, d) => a * d, 1),
      rng,
    );
    const w = rand((c.m * c.x[1] * c.k[0] * c.k[1]) / c.g, rng);
    const b = rand(c.m, rng);
    const [ho, wo] = outHW(c);
    const r = rand(c.x[0] * c.m * ho * wo, rng);
    const loss = (xx: Float64Array, ww: Float64Array, bb: Float64Array) =>
      refForward(c, xx, ww, bb).reduce((a, v, i) => a + v * r[i]!, 0);
    const { dx, dw, db } = refBackward(c, x, w, r);
    const eps = 1e-6;
    for (const [arr, grad, label] of [
      [x, dx, "x"],
      [w, dw, "w"],
      [b, db, "b"],
    ] as const) {
      for (let i = 0; i < arr.length; i += Math.max(1, Math.floor(arr.length / 15))) {
        const keep = arr[i]!;
        arr[i] = keep + eps;
        const up = loss(x, w, b);
        arr[i] = keep - eps;
        const down = loss(x, w, b);
        arr[i] = keep;
        const num = (up - down) / (2 * eps);
        assert.ok(
          Math.abs(num - grad[i]!) < 1e-7 * (1 + Math.abs(num)),
          `${name} d${label}[${i}]: ${grad[i]} vs ${num}`,
        );
      }
    }
  }
});

// threads 1: the input gradient as a ConvTranspose; 2: as a Conv with the flipped kernel where the
// geometry allows (stride 1, one group, no dilation), else the ConvTranspose again
for (const [name, c] of geometries)
  for (const threads of [1, 2])
    test(`Conv forward and gradients through ONNX Runtime match the float64 reference: ${name}, ${threads} thread(s)`, async () => {
      const rng = new Random(7);
      const [ho, wo] = outHW(c);
      const x = rand(
        c.x.reduce((a, d) => a * d, 1),
        rng,
      );
      const wShape = [c.m, c.x[1] / c.g, ...c.k];
      const w = rand(
        wShape.reduce((a, d) => a * d, 1),
        rng,
      );
      const b = rand(c.m, rng);
      const r = rand(c.x[0] * c.m * ho * wo, rng);
      const xi = T.input("x", c.x, "float32");
      const wi = T.input("w", wShape, "float32");
      const bi = T.input("b", [c.m], "float32");
      const ri = T.input("r", [c.x[0], c.m, ho, wo], "float32");
      const y = conv2d(xi, wi, bi, { strides: c.s, pads: c.p, dilations: c.d, group: c.g });
      assert.deepEqual(y.shape, [c.x[0], c.m, ho, wo]);
      const loss = T.reduceSum(T.mul(y, ri));
      const [gx, gw, gb] = gradients(loss, [xi, wi, bi]) as Tensor[];
      const bytes = emitModel({
        inputs: [xi, wi, bi, ri],
        outputs: { y, gx: gx!, gw: gw!, gb: gb! },
        threads,
      });
      const opCount = (b: Uint8Array, op: string) =>
        decodeModel(b).graph.nodes.filter((n) => n.opType === op).length;
      const flipped = opCount(bytes, "ConvTranspose") === 0;
      const strideOne = c.s.every((v) => v === 1) && c.d.every((v) => v === 1) && c.g === 1;
      assert.equal(flipped, threads >= 2 && strideOne && c.p.every((p, i) => p < c.k[i % 2]!), "formulation");
      const graph = await CompiledGraph.create(bytes, { threads });
      const f32 = (v: Float64Array) => Float32Array.from(v);
      const out = await graph.run({
        x: makeTensor("float32", f32(x), c.x),
        w: makeTensor("float32", f32(w), wShape),
        b: makeTensor("float32", f32(b), [c.m]),
        r: makeTensor("float32", f32(r), [c.x[0], c.m, ho, wo]),
      });
      const ref = refBackward(c, x, w, r);
      const check = (got: ArrayLike<number>, want: Float64Array, label: string) => {
        assert.equal(got.length, want.length, `${label} size`);
        const scale = Math.max(...Array.from(want, Math.abs));
        for (let i = 0; i < want.length; i++)
          assert.ok(
            Math.abs(got[i]! - want[i]!) <= 1e-5 * scale + 1e-5,
            `${label}[${i}]: ${got[i]} vs ${want[i]}`,
          );
      };
      check(out.y!.data as Float32Array, refForward(c, x, w, b), "y");
      check(out.gx!.data as Float32Array, ref.dx, "dx");
      check(out.gw!.data as Float32Array, ref.dw, "dw");
      check(out.gb!.data as Float32Array, ref.db, "db");
      await graph.release();
      // the forward alone (inference, export): a plain Conv; with the weight gradient (training) from the
      // patches the gradient uses when the geometry allows (one group, kernel area up to 25)
      const forwardOnly = emitModel({ inputs: [xi, wi, bi], outputs: { y }, threads });
      assert.deepEqual(
        [opCount(forwardOnly, "Conv"), opCount(forwardOnly, "Gemm")],
        [1, 0],
        "forward only: a Conv",
      );
      const patches = c.g === 1 && c.k[0]! * c.k[1]! <= 25;
      // forward and weight gradient each one Gemm on the same patches (one Concat builds them)
      assert.deepEqual(
        [opCount(bytes, "Gemm"), opCount(bytes, "Concat")],
        patches ? [2, c.k[0]! * c.k[1]! > 1 ? 1 : 0] : [0, opCount(bytes, "Concat")],
        "training: forward from the weight gradient's patches",
      );
      const alone = await CompiledGraph.create(forwardOnly, { threads });
      const yAlone = await alone.run({
        x: makeTensor("float32", f32(x), c.x),
        w: makeTensor("float32", f32(w), wShape),
        b: makeTensor("float32", f32(b), [c.m]),
      });
      check(yAlone.y!.data as Float32Array, refForward(c, x, w, b), "y alone");
      await alone.release();
    });

test("Conv gradients match finite differences in float32 (ONNX Runtime has no float64 Conv)", async () => {
  const checked = await gradCheck({
    shapes: [[2, 2, 5, 5], [3, 2, 3, 3], [3]],
    dtype: "float32",
    fn: (x, w, b) => conv2d(x, w, b, { strides: [2, 2], pads: [1, 1, 1, 1] }),
  });
  assert.ok(checked > 0);
  await gradCheck({
    shapes: [
      [1, 4, 5, 5],
      [4, 2, 3, 3],
    ],
    dtype: "float32",
    fn: (x, w) => conv2d(x, w, undefined, { group: 2, dilations: [2, 1], pads: [1, 0, 2, 1] }),
  });
});

// distinct values (no ties), away from each other, so finite differences see one maximum per window
const distinct = (n: number, seed: number) => {
  const rng = new Random(seed);
  return rng.permutation(n).map((v) => v * 0.37 - n * 0.15);
};

test("MaxPool gradient (float64) with overlapping windows and padding matches finite differences", async () => {
  await gradCheck({
    shapes: [[2, 2, 5, 5]],
    values: [distinct(100, 3)],
    eps: 1e-3,
    fn: (x) => maxPool2d(x, { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }),
  });
  await gradCheck({
    shapes: [[1, 2, 7, 6]],
    values: [distinct(84, 4)],
    eps: 1e-3,
    fn: (x) => maxPool2d(x, { kernel: [3, 2], strides: [1, 2], ceil: true }),
  });
  await gradCheck({
    shapes: [[1, 1, 6, 6]],
    values: [distinct(36, 5)],
    eps: 1e-3,
    fn: (x) => maxPool2d(x, { kernel: [2, 2], strides: [2, 2], dilations: [2, 2] }),
  });
});

test("MaxPool gradient with ties goes to the first maximum of each window (PyTorch), accumulating over overlaps", async () => {
  // a 1x1x3x4 image with ties; 2x2 windows with stride 1 overlap
  const x = [1, 5, 5, 0, 5, 2, 5, 1, 0, 0, 3, 3];
  const xi = T.input("x", [1, 1, 3, 4], "float64");
  const y = maxPool2d(xi, { kernel: [2, 2], strides: [1, 1] });
  const [gx] = gradients(T.reduceSum(y), [xi]) as Tensor[];
  const graph = await CompiledGraph.create(emitModel({ inputs: [xi], outputs: { y, gx: gx! } }), {
    threads: 1,
  });
  const out = await graph.run({ x: makeTensor("float64", Float64Array.from(x), [1, 1, 3, 4]) });
  assert.deepEqual(Array.from(out.y!.data as Float64Array), [5, 5, 5, 5, 5, 5]);
  // windows (row-major scan, first maximum): (0,0)->x[0,1] (0,1)->x[0,1] (0,2)->x[0,2]
  // (1,0)->x[1,0] (1,1)->x[1,2] (1,2)->x[1,2]
  assert.deepEqual(Array.from(out.gx!.data as Float64Array), [0, 2, 1, 0, 1, 0, 2, 0, 0, 0, 0, 0]);
  await graph.release();
});

test("AveragePool gradient (float32) matches finite differences, with and without padding in the count", async () => {
  for (const countIncludePad of [true, false])
    await gradCheck({
      shapes: [[2, 2, 5, 5]],
      dtype: "float32",
      fn: (x) => avgPool2d(x, { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], countIncludePad }),
    });
  await gradCheck({
    shapes: [[1, 2, 7, 6]],
    dtype: "float32",
    fn: (x) =>
      avgPool2d(x, {
        kernel: [2, 3],
        strides: [2, 2],
        pads: [0, 1, 0, 1],
        ceil: true,
        countIncludePad: false,
      }),
  });
});

test("global average pooling and flatten gradients (float64) match finite differences", async () => {
  await gradCheck({ shapes: [[2, 3, 2, 3]], fn: (x) => flatten(globalAvgPool(x)) });
  await gradCheck({ shapes: [[2, 3, 2, 2]], fn: (x) => T.mul(flatten(x), flatten(x)) });
});

test("the fast MaxPool gradient for tiling windows (float32) equals the general one (float64), ties included", async () => {
  for (const [shape, b] of [
    [[3, 5, 8, 6], 2],
    [[2, 3, 6, 9], 3],
  ] as const) {
    const n = shape.reduce((a, d) => a * d, 1);
    const x = Array.from({ length: n }, (_, i) => Math.floor(Math.sin(i * 7.3) * 3)); // many ties
    const gShape = [shape[0], shape[1], shape[2] / b, shape[3] / b];
    const g = Array.from({ length: n / (b * b) }, (_, i) => (i % 7) + 1);
    const run = async (dtype: "float32" | "float64") => {
      const xi = T.input("x", shape, dtype);
      const gi = T.input("g", gShape, dtype);
      const y = maxPool2d(xi, { kernel: [b, b] });
      const [gx] = gradients(T.reduceSum(T.mul(y, gi)), [xi]) as Tensor[];
      const graph = await CompiledGraph.create(emitModel({ inputs: [xi, gi], outputs: { gx: gx! } }), {
        threads: 1,
      });
      const A = dtype === "float32" ? Float32Array : Float64Array;
      const out = await graph.run({
        x: makeTensor(dtype, A.from(x), shape),
        g: makeTensor(dtype, A.from(g), gShape),
      });
      await graph.release();
      return Array.from(out.gx!.data as Float32Array | Float64Array);
    };
    const fast = await run("float32");
    const general = await run("float64");
    assert.deepEqual(fast, general);
    // each window's gradient lands on one element: as many nonzeros as windows
    assert.equal(fast.filter((v) => v !== 0).length, n / (b * b));
  }
});
