/**
 * Spatial ops of convolutional networks on NCHW tensors, registered into the op table (ops.ts):
 * 2-D convolution (stride, explicit padding, dilation, groups), max and average pooling, global average
 * pooling, and the ops their gradients are made of.
 *
 * Gradient rules:
 * - Conv, input gradient: for a graph that runs on 2 threads or more and a stride-1 convolution (one
 *   group, no dilation), a Conv of the output gradient with the kernel flipped and its channel axes
 *   swapped (ONNX Runtime's Conv multiplies on all threads, where ConvTranspose's col2im is serial: the
 *   bench CNN's step 3,200 → 3,800 samples/s at 2 threads); otherwise a ConvTranspose with the forward's
 *   weights, whose end padding / output_padding restore the input size exactly (on 1 thread 10% faster
 *   than the flipped Conv: its col2im being serial costs nothing there).
 * - Conv, forward in a training graph: from the patches its weight gradient multiplies (patchesShared).
 * - Conv, weight gradient: for kernels up to 5x5 one matrix product of the output gradient [M, N·Ho·Wo]
 *   with the input's patches [C·kH·kW, N·Ho·Wo] (im2col from kH·kW strided slices of the padded input; for
 *   stride 1 from kW column-shifted copies, each row shift a contiguous slice of one of them; a batched
 *   MatMul per group); for larger kernels a Conv with batch and channel axes swapped (the input
 *   [N, C, H, W] becomes [C/G, G·N, H, W], the output gradient the kernel [M, N, Ho, Wo], strides and
 *   dilations trade places; the result is cropped to the kernel and transposed).
 * - MaxPool: when the windows tile the input (kernel = stride, no padding, float32), elementwise in the
 *   input's layout: the members equal to the upsampled pooled output are maxima, ranks within each window
 *   pick the first of tied ones, and it gets the upsampled output gradient (see emitMaxPoolGradBlocks);
 *   otherwise MaxPool runs again with its Indices output and the output gradient is
 *   scatter-added (ScatterElements, reduction "add") into zeros. Either way the first maximum of each
 *   window gets the gradient (PyTorch's convention for ties) and overlapping windows accumulate.
 * - AveragePool: the output gradient divided by each window's element count, spread back by a
 *   ConvTranspose with a ones kernel over [N·C, 1, Ho, Wo].
 *
 * ONNX Runtime's CPU provider has no float64 Conv, ConvTranspose or AveragePool kernels: these ops run
 * in float32 (MaxPool and GlobalAveragePool also in float64).
 */
import type { Emitter } from "./emit.js";
import { type Attrs, type Dim, shapeToString, type Tensor } from "./graph.js";
import { apply, mul, type OpDef, reduceSum, registerOps, reshape } from "./ops.js";

/** Geometry of a 2-D convolution or pooling window. Pads are [top, left, bottom, right] (ONNX order). */
export interface Window2d {
  kernel: readonly [number, number];
  strides: readonly [number, number];
  pads: readonly [number, number, number, number];
  dilations: readonly [number, number];
}

function windowOf(a: Attrs): Window2d {
  return {
    kernel: a.kernel as [number, number],
    strides: a.strides as [number, number],
    pads: a.pads as [number, number, number, number],
    dilations: a.dilations as [number, number],
  };
}

/**
 * Output length of one spatial axis: floor((in + padBegin + padEnd - dilation·(k-1) - 1) / stride) + 1;
 * with `ceil`, rounded up as PyTorch does (a last window starting inside the end padding is dropped).
 */
export function outputLength(
  input: number,
  k: number,
  stride: number,
  padBegin: number,
  padEnd: number,
  dilation: number,
  ceil = false,
): number {
  const span = input + padBegin + padEnd - dilation * (k - 1) - 1;
  if (span < 0) return 0;
  let out = (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  if (ceil && (out - 1) * stride >= input + padBegin) out--;
  return out;
}

function spatialOut(h: number, w: number, win: Window2d, ceil = false): [number, number] {
  return [
    outputLength(h, win.kernel[0], win.strides[0], win.pads[0], win.pads[2], win.dilations[0], ceil),
    outputLength(w, win.kernel[1], win.strides[1], win.pads[1], win.pads[3], win.dilations[1], ceil),
  ];
}

function need4d(x: Tensor, op: string): [Dim, number, number, number] {
  if (x.rank !== 4 || !x.shape.slice(1).every((d) => typeof d === "number"))
    throw new Error(`${op}: needs an input [N, C, H, W] with fixed C, H, W, got ${shapeToString(x.shape)}`);
  return x.shape as [Dim, number, number, number];
}

function windowAttrs(win: Window2d) {
  return {
    kernel_shape: { kind: "ints" as const, value: [...win.kernel] },
    strides: { kind: "ints" as const, value: [...win.strides] },
    pads: { kind: "ints" as const, value: [...win.pads] },
    dilations: { kind: "ints" as const, value: [...win.dilations] },
  };
}

/**
 * End padding and output_padding of a ConvTranspose that maps `out` positions back onto exactly `input`
 * positions of an axis with the given window (begin padding as in the forward op).
 */
function transposeGeometry(
  input: number,
  out: number,
  k: number,
  stride: number,
  padBegin: number,
  dilation: number,
): { padEnd: number; outputPadding: number } {
  const total = (out - 1) * stride + (k - 1) * dilation + 1 - padBegin;
  const excess = total - input;
  return excess >= 0 ? { padEnd: excess, outputPadding: 0 } : { padEnd: 0, outputPadding: -excess };
}

/** Emits a ConvTranspose mapping g [B, M, Ho, Wo] back to [B, C, H, W] with weights `w` [M, C/G, kH, kW]. */
function emitConvTranspose(
  e: Emitter,
  g: string,
  w: string,
  out: string,
  win: Window2d,
  hw: readonly [number, number],
  gOut: readonly [number, number],
  group: number,
): void {
  const gh = transposeGeometry(hw[0], gOut[0], win.kernel[0], win.strides[0], win.pads[0], win.dilations[0]);
  const gw = transposeGeometry(hw[1], gOut[1], win.kernel[1], win.strides[1], win.pads[1], win.dilations[1]);
  e.node("ConvTranspose", [g, w], [out], {
    kernel_shape: { kind: "ints", value: [...win.kernel] },
    strides: { kind: "ints", value: [...win.strides] },
    dilations: { kind: "ints", value: [...win.dilations] },
    pads: { kind: "ints", value: [win.pads[0], win.pads[1], gh.padEnd, gw.padEnd] },
    output_padding: { kind: "ints", value: [gh.outputPadding, gw.outputPadding] },
    group: { kind: "int", value: group },
  });
}

/**
 * Whether the input gradient of a convolution can be a plain Conv of the output gradient with the kernel
 * flipped and its channel axes swapped: stride 1, no dilation, one group, padding below the kernel size.
 */
function flippable(win: Window2d, group: number): boolean {
  return (
    group === 1 &&
    win.strides.every((s) => s === 1) &&
    win.dilations.every((d) => d === 1) &&
    win.pads[0] < win.kernel[0] &&
    win.pads[2] < win.kernel[0] &&
    win.pads[1] < win.kernel[1] &&
    win.pads[3] < win.kernel[1]
  );
}

/**
 * Input gradient g [N, M, Ho, Wo] -> [N, C, H, W] of a stride-1 convolution as a Conv with the weights
 * w [M, C, kH, kW] transposed to [C, M, kH, kW] and flipped in both spatial axes, padded k - 1 - pad on
 * each side (which gives back H and W exactly).
 */
function emitFlippedConv(e: Emitter, g: string, w: string, out: string, win: Window2d): void {
  const [kh, kw] = win.kernel;
  const wt = e.tmp();
  const flipped = e.tmp();
  e.node("Transpose", [w], [wt], { perm: { kind: "ints", value: [1, 0, 2, 3] } });
  const end = -(2 ** 53);
  e.node(
    "Slice",
    [wt, e.int64Const([-1, -1]), e.int64Const([end, end]), e.int64Const([2, 3]), e.int64Const([-1, -1])],
    [flipped],
  );
  const [pt, pl, pb, pr] = win.pads;
  e.node("Conv", [g, flipped], [out], {
    kernel_shape: { kind: "ints", value: [kh, kw] },
    strides: { kind: "ints", value: [1, 1] },
    dilations: { kind: "ints", value: [1, 1] },
    pads: { kind: "ints", value: [kh - 1 - pt, kw - 1 - pl, kh - 1 - pb, kw - 1 - pr] },
    group: { kind: "int", value: 1 },
  });
}

/** Largest kernel area (kH·kW) whose weight gradient is computed from explicit patches (im2col). */
const IM2COL_MAX_WINDOW = 25;

/**
 * The input's patches (im2col) as [C·kH·kW, N·Ho·Wo] (rows c·kk + k, columns n·Ho·Wo + p), built from
 * kH·kW strided slices of the padded input with batch and channel axes swapped; for stride 1 from kW
 * column-shifted copies, each row shift a contiguous slice of one of them. Emitted once per input and
 * window (Emitter.shared): a forward convolution computed from patches and its weight gradient use the
 * same buffer.
 */
function emitPatches(e: Emitter, x: string, chw: readonly [number, number, number], win: Window2d): string {
  const key = `patches:${x}:${win.kernel}:${win.strides}:${win.pads}:${win.dilations}`;
  return e.shared(key, () => {
    const [c, h, w] = chw;
    const [ho, wo] = spatialOut(h, w, win);
    const [kh, kw] = win.kernel;
    const kk = kh * kw;
    const xt = e.tmp();
    e.node("Transpose", [x], [xt], { perm: { kind: "ints", value: [1, 0, 2, 3] } });
    let xp = xt;
    if (win.pads.some((p) => p > 0)) {
      xp = e.tmp();
      const [pt, pl, pb, pr] = win.pads;
      e.node("Pad", [xt, e.int64Const([0, 0, pt, pl, 0, 0, pb, pr])], [xp]);
    }
    const pieces: string[] = [];
    const [dh, dw] = win.dilations;
    if (win.strides[0] === 1 && win.strides[1] === 1) {
      // stride 1: kW column-shifted copies [C, N, Hp, Wo]; seen flat, a row shift is a contiguous offset
      const hp = h + win.pads[0] + win.pads[2];
      const shifted = Array.from({ length: kw }, (_, j) => {
        const q = e.tmp();
        const flat = e.tmp();
        e.node("Slice", [xp, e.int64Const([j * dw]), e.int64Const([j * dw + wo]), e.int64Const([3])], [q]);
        e.node("Reshape", [q, e.int64Const([c, -1, hp * wo])], [flat]);
        return flat;
      });
      for (let i = 0; i < kh; i++)
        for (let j = 0; j < kw; j++) {
          const piece = e.tmp();
          const start = i * dh * wo;
          e.node(
            "Slice",
            [shifted[j]!, e.int64Const([start]), e.int64Const([start + ho * wo]), e.int64Const([2])],
            [piece],
          );
          pieces.push(piece);
        }
    } else
      for (let i = 0; i < kh; i++)
        for (let j = 0; j < kw; j++) {
          const s0 = [i * dh, j * dw];
          const piece = e.tmp();
          e.node(
            "Slice",
            [
              xp,
              e.int64Const(s0),
              e.int64Const([s0[0]! + win.strides[0] * (ho - 1) + 1, s0[1]! + win.strides[1] * (wo - 1) + 1]),
              e.int64Const([2, 3]),
              e.int64Const([...win.strides]),
            ],
            [piece],
          );
          pieces.push(piece);
        }
    let patches = pieces[0]!;
    if (pieces.length > 1) {
      patches = e.tmp();
      e.node("Concat", pieces, [patches], { axis: { kind: "int", value: 1 } });
    }
    const cols = e.tmp();
    e.node("Reshape", [patches, e.int64Const([c * kk, -1])], [cols]);
    return cols;
  });
}

/**
 * Weight gradient as one matrix product: the input's patches [C·kH·kW, N·Ho·Wo] (emitPatches) times the
 * output gradient [M, N·Ho·Wo]ᵀ; per group a batched MatMul. Fast for small kernels; memory kH·kW times
 * the input's.
 */
function emitWeightGradIm2col(e: Emitter, t: Tensor, ins: string[], out: string): void {
  const win = windowOf(t.attrs);
  const group = t.attrs.group as number;
  const [, c, h, w] = t.inputs[0]!.shape as [Dim, number, number, number];
  const [, m, ho, wo] = t.inputs[1]!.shape as [Dim, number, number, number];
  const [kh, kw] = win.kernel;
  const kk = kh * kw;
  const cols = emitPatches(e, ins[0]!, [c, h, w], win);
  if (group === 1) {
    const gt = e.tmp();
    const g2 = e.tmp();
    const prod = e.tmp();
    e.node("Transpose", [ins[1]!], [gt], { perm: { kind: "ints", value: [1, 0, 2, 3] } });
    e.node("Reshape", [gt, e.int64Const([m, -1])], [g2]);
    e.node("Gemm", [g2, cols], [prod], { transB: { kind: "int", value: 1 } });
    e.node("Reshape", [prod, e.int64Const([m, c, kh, kw])], [out]);
    return;
  }
  const cg = c / group;
  const mg = m / group;
  const grouped = e.tmp();
  e.node("Reshape", [cols, e.int64Const([group, cg * kk, -1])], [grouped]);
  const g4 = e.tmp();
  const gT = e.tmp();
  const g3 = e.tmp();
  const prod = e.tmp();
  const prodT = e.tmp();
  e.node("Reshape", [ins[1]!, e.int64Const([-1, group, mg, ho * wo])], [g4]);
  e.node("Transpose", [g4], [gT], { perm: { kind: "ints", value: [1, 0, 3, 2] } });
  e.node("Reshape", [gT, e.int64Const([group, -1, mg])], [g3]);
  e.node("MatMul", [grouped, g3], [prod]);
  e.node("Transpose", [prod], [prodT], { perm: { kind: "ints", value: [0, 2, 1] } });
  e.node("Reshape", [prodT, e.int64Const([m, cg, kh, kw])], [out]);
}

/**
 * Whether a forward convolution is computed from the input's patches: in a graph that also computes its
 * weight gradient from patches (a training step; one group, float32, kernel area up to IM2COL_MAX_WINDOW),
 * so that the patches are built once for both. Measured on the bench CNN: 3,970 → 4,310 samples/s on 2
 * threads (the whole-batch matrix product uses both; ONNX Runtime's Conv multiplies image by image), the
 * same on 1. Inference graphs and exported models keep the plain Conv.
 */
function patchesShared(e: Emitter, t: Tensor): boolean {
  const win = windowOf(t.attrs);
  if (
    (t.attrs.group as number) !== 1 ||
    t.dtype !== "float32" ||
    win.kernel[0] * win.kernel[1] > IM2COL_MAX_WINDOW
  )
    return false;
  const key = JSON.stringify(win);
  return e.order.some(
    (u) =>
      u.op === "conv2dWeightGrad" && u.inputs[0] === t.inputs[0] && JSON.stringify(windowOf(u.attrs)) === key,
  );
}

/**
 * Forward convolution (one group) as one matrix product over the whole batch: weights [M, C·kH·kW] times
 * the input's patches [C·kH·kW, N·Ho·Wo] plus the bias, then batch and channel axes swapped back. The
 * patches are the ones the weight gradient multiplies (emitPatches), so a training step builds them once.
 */
function emitConvFromPatches(e: Emitter, t: Tensor, ins: string[], out: string): void {
  const win = windowOf(t.attrs);
  const [, c, h, w] = t.inputs[0]!.shape as [Dim, number, number, number];
  const [, m, ho, wo] = t.shape as [Dim, number, number, number];
  const cols = emitPatches(e, ins[0]!, [c, h, w], win);
  const w2 = e.tmp();
  const prod = e.tmp();
  const y4 = e.tmp();
  e.node("Reshape", [ins[1]!, e.int64Const([m, -1])], [w2]);
  const gemmIns = [w2, cols];
  if (ins[2]) {
    const b2 = e.tmp();
    e.node("Reshape", [ins[2], e.int64Const([m, 1])], [b2]);
    gemmIns.push(b2);
  }
  e.node("Gemm", gemmIns, [prod]);
  e.node("Reshape", [prod, e.int64Const([m, -1, ho, wo])], [y4]);
  e.node("Transpose", [y4], [out], { perm: { kind: "ints", value: [1, 0, 2, 3] } });
}

/**
 * Weight gradient as a Conv with batch and channel axes swapped (no patch buffer; for large kernels).
 */
function emitWeightGradSwappedConv(e: Emitter, t: Tensor, ins: string[], out: string): void {
  const win = windowOf(t.attrs);
  const group = t.attrs.group as number;
  const [, c, h, w] = t.inputs[0]!.shape as [Dim, number, number, number];
  const [, , ho, wo] = t.inputs[1]!.shape as [Dim, number, number, number];
  const cg = c / group;
  const xt = e.tmp();
  if (group === 1) e.node("Transpose", [ins[0]!], [xt], { perm: { kind: "ints", value: [1, 0, 2, 3] } });
  else {
    const x5 = e.tmp();
    const t5 = e.tmp();
    e.node("Reshape", [ins[0]!, e.int64Const([-1, group, cg, h, w])], [x5]);
    e.node("Transpose", [x5], [t5], { perm: { kind: "ints", value: [2, 1, 0, 3, 4] } });
    e.node("Reshape", [t5, e.int64Const([cg, -1, h, w])], [xt]);
  }
  const gt = e.tmp();
  e.node("Transpose", [ins[1]!], [gt], { perm: { kind: "ints", value: [1, 0, 2, 3] } });
  // kernel extent that the swapped convolution produces (>= the real kernel when strides leave a remainder)
  const ext = [0, 1].map((i) => {
    const size = i === 0 ? h : w;
    const outLen = i === 0 ? ho : wo;
    return (
      Math.floor(
        (size + win.pads[i]! + win.pads[i + 2]! - win.strides[i]! * (outLen - 1) - 1) / win.dilations[i]!,
      ) + 1
    );
  });
  const r = e.tmp();
  e.node("Conv", [xt, gt], [r], {
    kernel_shape: { kind: "ints", value: [ho, wo] },
    strides: { kind: "ints", value: [...win.dilations] },
    dilations: { kind: "ints", value: [...win.strides] },
    pads: { kind: "ints", value: [...win.pads] },
    group: { kind: "int", value: group },
  });
  let cropped = r;
  if (ext[0] !== win.kernel[0] || ext[1] !== win.kernel[1]) {
    cropped = e.tmp();
    e.node(
      "Slice",
      [r, e.int64Const([0, 0]), e.int64Const([...win.kernel]), e.int64Const([2, 3])],
      [cropped],
    );
  }
  e.node("Transpose", [cropped], [out], { perm: { kind: "ints", value: [1, 0, 2, 3] } });
}

/**
 * The window size b when a max pool tiles its input exactly with square b x b windows (kernel = stride,
 * no padding or dilation, sizes divisible by b) in float32: then its gradient takes the fast path below.
 */
function blockWindow(t: Tensor): number | undefined {
  const win = windowOf(t.attrs);
  const [, , h, w] = t.inputs[0]!.shape as number[];
  const b = win.kernel[0];
  const tiles =
    win.kernel[1] === b &&
    win.strides[0] === b &&
    win.strides[1] === b &&
    win.pads.every((p) => p === 0) &&
    win.dilations[0] === 1 &&
    win.dilations[1] === 1 &&
    h! % b === 0 &&
    w! % b === 0;
  return tiles && t.dtype === "float32" && b > 1 ? b : undefined;
}

/**
 * Max-pool gradient for windows that tile the input, in the input's own layout (no scatter, no
 * SpaceToDepth/DepthToSpace copies): each member of a window is a maximum where it equals the pooled
 * output upsampled (Resize, nearest); of tied maxima the first in row-major order wins (PyTorch) by giving
 * the members of every window the distinct ranks b·b, ..., 1 and max-pooling rank x maximum-mask: the member
 * whose rank equals that window maximum (upsampled) gets the upsampled output gradient, the others 0.
 * `y` is the forward MaxPool's output.
 */
function emitMaxPoolGradBlocks(e: Emitter, t: Tensor, ins: string[], out: string): void {
  const b = blockWindow(t)!;
  const [, , h, w] = t.inputs[0]!.shape as [Dim, number, number, number];
  const [x, g, y] = ins as [string, string, string];
  const pool = windowAttrs(windowOf(t.attrs));
  const scales = e.tmp();
  e.initializer(scales, [1, 1, b, b], "float32", [4]);
  const nearest = {
    mode: { kind: "string" as const, value: "nearest" },
    coordinate_transformation_mode: { kind: "string" as const, value: "asymmetric" },
    nearest_mode: { kind: "string" as const, value: "floor" },
  };
  const upsample = (from: string): string => {
    const to = e.tmp();
    e.node("Resize", [from, "", scales], [to], nearest);
    return to;
  };
  const asFloat = (mask: string): string => {
    const to = e.tmp();
    e.node("Cast", [mask], [to], { to: { kind: "int", value: e.dtypeCode(t.dtype) } });
    return to;
  };
  // rank of each member in its window: b·b for the first (top left), 1 for the last
  const rank = e.tmp();
  e.initializer(
    rank,
    Array.from({ length: h * w }, (_, i) => b * b - (Math.floor(i / w) % b) * b - ((i % w) % b)),
    t.dtype,
    [1, 1, h, w],
  );
  const isMax = e.tmp();
  const maxRank = e.tmp();
  const firstRank = e.tmp();
  const isFirst = e.tmp();
  e.node("Equal", [x, upsample(y)], [isMax]);
  e.node("Mul", [asFloat(isMax), rank], [maxRank]);
  e.node("MaxPool", [maxRank], [firstRank], pool);
  e.node("Equal", [upsample(firstRank), rank], [isFirst]);
  e.node("Mul", [asFloat(isFirst), upsample(g)], [out]);
}

const SPATIAL_OPS: Record<string, OpDef> = {
  conv2d: {
    // x [N, C, H, W], w [M, C/G, kH, kW], optional bias [M]
    infer: (xs, a) => {
      const [x, w, b] = xs as [Tensor, Tensor, Tensor | undefined];
      const [n, c, h, wd] = need4d(x, "Conv");
      const group = a.group as number;
      const [m, cg, kh, kw] = w.shape as number[];
      if (w.rank !== 4 || cg! * group !== c || m! % group !== 0)
        throw new Error(
          `Conv: weights ${shapeToString(w.shape)} do not fit input ${shapeToString(x.shape)} with ${group} group(s)`,
        );
      if (b && (b.rank !== 1 || b.shape[0] !== m))
        throw new Error(`Conv: bias ${shapeToString(b.shape)} does not fit ${m} filters`);
      const win = windowOf(a);
      if (win.kernel[0] !== kh || win.kernel[1] !== kw)
        throw new Error("Conv: kernel attribute differs from w");
      const [ho, wo] = spatialOut(h, wd, win);
      if (ho < 1 || wo < 1)
        throw new Error(`Conv: input ${h}x${wd} is smaller than the ${kh}x${kw} window (with dilation)`);
      return { shape: [n, m!, ho, wo], dtype: x.dtype };
    },
    emit: (e, t, ins, out) => {
      const win = windowOf(t.attrs);
      if (patchesShared(e, t)) return emitConvFromPatches(e, t, ins, out);
      e.node("Conv", ins, [out], {
        ...windowAttrs(win),
        group: { kind: "int", value: t.attrs.group as number },
      });
    },
    grad: (g, y) => {
      const [x, w, b] = y.inputs as [Tensor, Tensor, Tensor | undefined];
      const gx = apply("conv2dInputGrad", [g, w], { ...y.attrs, inputHW: x.shape.slice(2) as number[] });
      const gw = apply("conv2dWeightGrad", [x, g], y.attrs);
      return b ? [gx, gw, reduceSum(g, [0, 2, 3])] : [gx, gw];
    },
  },
  conv2dInputGrad: {
    // g [N, M, Ho, Wo], w [M, C/G, kH, kW] -> [N, C, H, W]
    infer: (xs, a) => {
      const [g, w] = xs as [Tensor, Tensor];
      const hw = a.inputHW as number[];
      return {
        shape: [g.shape[0]!, (w.shape[1] as number) * (a.group as number), hw[0]!, hw[1]!],
        dtype: g.dtype,
      };
    },
    emit: (e, t, ins, out) => {
      const gOut = t.inputs[0]!.shape.slice(2) as [number, number];
      const win = windowOf(t.attrs);
      if (e.threads >= 2 && flippable(win, t.attrs.group as number)) {
        emitFlippedConv(e, ins[0]!, ins[1]!, out, win);
        return;
      }
      emitConvTranspose(
        e,
        ins[0]!,
        ins[1]!,
        out,
        win,
        t.attrs.inputHW as [number, number],
        gOut,
        t.attrs.group as number,
      );
    },
    grad: (gg, y) => {
      const a = { ...y.attrs };
      delete (a as Record<string, unknown>).inputHW;
      return [apply("conv2d", [gg, y.inputs[1]!], a), null];
    },
  },
  conv2dWeightGrad: {
    // x [N, C, H, W], g [N, M, Ho, Wo] -> [M, C/G, kH, kW]
    infer: (xs, a) => {
      const [x, g] = xs as [Tensor, Tensor];
      const group = a.group as number;
      const k = a.kernel as number[];
      return { shape: [g.shape[1]!, (x.shape[1] as number) / group, k[0]!, k[1]!], dtype: x.dtype };
    },
    emit: (e, t, ins, out) => {
      const win = windowOf(t.attrs);
      if (win.kernel[0] * win.kernel[1] <= IM2COL_MAX_WINDOW) emitWeightGradIm2col(e, t, ins, out);
      else emitWeightGradSwappedConv(e, t, ins, out);
    },
  },
  maxPool2d: {
    infer: (xs, a) => {
      const [n, c, h, w] = need4d(xs[0]!, "MaxPool");
      const [ho, wo] = spatialOut(h, w, windowOf(a), a.ceil as boolean);
      if (ho < 1 || wo < 1) throw new Error(`MaxPool: input ${h}x${w} is smaller than the pooling window`);
      return { shape: [n, c, ho, wo], dtype: xs[0]!.dtype };
    },
    emit: (e, t, ins, out) =>
      e.node("MaxPool", ins, [out], {
        ...windowAttrs(windowOf(t.attrs)),
        ceil_mode: { kind: "int", value: t.attrs.ceil ? 1 : 0 },
      }),
    grad: (g, y) => [apply("maxPool2dGrad", [y.inputs[0]!, g, y], y.attrs)],
  },
  maxPool2dGrad: {
    // x [N, C, H, W], g [N, C, Ho, Wo], y = MaxPool(x) -> gradient of x: g routed to each window's (first)
    // maximum
    infer: (xs) => ({ shape: xs[0]!.shape, dtype: xs[1]!.dtype }),
    emit: (e, t, ins, out) => {
      if (blockWindow(t)) return emitMaxPoolGradBlocks(e, t, ins, out);
      const y = e.tmp();
      const idx = e.tmp();
      e.node("MaxPool", [ins[0]!], [y, idx], {
        ...windowAttrs(windowOf(t.attrs)),
        ceil_mode: { kind: "int", value: t.attrs.ceil ? 1 : 0 },
      });
      const flatIdx = e.tmp();
      const flatG = e.tmp();
      const shape = e.tmp();
      const zeros = e.tmp();
      const flatZeros = e.tmp();
      const scattered = e.tmp();
      e.node("Reshape", [idx, e.int64Const([-1])], [flatIdx]);
      e.node("Reshape", [ins[1]!, e.int64Const([-1])], [flatG]);
      e.node("Shape", [ins[0]!], [shape]);
      e.node("ConstantOfShape", [shape], [zeros], {
        value: { kind: "tensor", value: e.tensorData("", new Float64Array([0]), t.dtype, [1]) },
      });
      e.node("Reshape", [zeros, e.int64Const([-1])], [flatZeros]);
      e.node("ScatterElements", [flatZeros, flatIdx, flatG], [scattered], {
        axis: { kind: "int", value: 0 },
        reduction: { kind: "string", value: "add" },
      });
      e.node("Reshape", [scattered, shape], [out]);
    },
  },
  avgPool2d: {
    infer: (xs, a) => {
      const [n, c, h, w] = need4d(xs[0]!, "AveragePool");
      const [ho, wo] = spatialOut(h, w, windowOf(a), a.ceil as boolean);
      if (ho < 1 || wo < 1)
        throw new Error(`AveragePool: input ${h}x${w} is smaller than the pooling window`);
      return { shape: [n, c, ho, wo], dtype: xs[0]!.dtype };
    },
    emit: (e, t, ins, out) => {
      const win = windowOf(t.attrs);
      e.node("AveragePool", ins, [out], {
        kernel_shape: { kind: "ints", value: [...win.kernel] },
        strides: { kind: "ints", value: [...win.strides] },
        pads: { kind: "ints", value: [...win.pads] },
        ceil_mode: { kind: "int", value: t.attrs.ceil ? 1 : 0 },
        count_include_pad: { kind: "int", value: t.attrs.countIncludePad ? 1 : 0 },
      });
    },
    grad: (g, y) => [apply("avgPool2dGrad", [g], { ...y.attrs, inputShape: y.inputs[0]!.shape as Dim[] })],
  },
  avgPool2dGrad: {
    // g [N, C, Ho, Wo] -> [N, C, H, W]
    infer: (xs, a) => ({ shape: a.inputShape as Dim[], dtype: xs[0]!.dtype }),
    emit: (e, t, ins, out) => {
      const win = windowOf(t.attrs);
      const [, c, h, w] = t.attrs.inputShape as [Dim, number, number, number];
      const [ho, wo] = t.inputs[0]!.shape.slice(2) as [number, number];
      const inv = avgPoolInverseCounts(h, w, ho, wo, win, t.attrs.countIncludePad as boolean);
      const scaled = e.tmp();
      const flat = e.tmp();
      const spread = e.tmp();
      const invName = e.tmp();
      e.initializer(invName, inv, t.dtype, [ho, wo]);
      e.node("Mul", [ins[0]!, invName], [scaled]);
      e.node("Reshape", [scaled, e.int64Const([-1, 1, ho, wo])], [flat]);
      const ones = e.tmp();
      e.initializer(ones, new Float64Array(win.kernel[0] * win.kernel[1]).fill(1), t.dtype, [
        1,
        1,
        ...win.kernel,
      ]);
      emitConvTranspose(e, flat, ones, spread, win, [h, w], [ho, wo], 1);
      e.node("Reshape", [spread, e.int64Const([-1, c, h, w])], [out]);
    },
  },
  globalAvgPool: {
    // [N, C, H, W] -> [N, C, 1, 1]
    infer: (xs) => {
      const [n, c] = need4d(xs[0]!, "GlobalAveragePool");
      return { shape: [n, c, 1, 1], dtype: xs[0]!.dtype };
    },
    emit: (e, t, ins, out) => {
      // no float64 GlobalAveragePool kernel in ONNX Runtime: the same mean as a ReduceMean there
      if (t.dtype === "float32") e.node("GlobalAveragePool", ins, [out]);
      else
        e.node("ReduceMean", ins, [out], {
          axes: { kind: "ints", value: [2, 3] },
          keepdims: { kind: "int", value: 1 },
        });
    },
    grad: (g, y) => {
      const [, , h, w] = y.inputs[0]!.shape as number[];
      return [apply("expandTo", [mul(g, 1 / (h! * w!))], { shape: y.inputs[0]!.shape as Dim[] })];
    },
  },
  expandTo: {
    // broadcast x to `shape` (symbolic batch taken from the runtime size of x's first axis)
    infer: (xs, a) => ({ shape: a.shape as Dim[], dtype: xs[0]!.dtype }),
    emit: (e, t, ins, out) => {
      const shape = t.attrs.shape as Dim[];
      // Expand broadcasts 1 -> n; a size-1 target keeps the input's size (used for the batch axis)
      e.node("Expand", [ins[0]!, e.int64Const(shape.map((d) => (typeof d === "number" ? d : 1)))], [out]);
    },
    grad: (g, y) => [reduceSum(g, broadcastAxes(y.inputs[0]!.shape, y.shape), true)],
  },
};

function broadcastAxes(from: readonly Dim[], to: readonly Dim[]): number[] {
  const axes: number[] = [];
  to.forEach((d, i) => {
    if (from[i] === 1 && d !== 1) axes.push(i);
  });
  return axes;
}

/**
 * 1 / (number of elements averaged) for each output position of an average pool: the full window when
 * padding counts, else only the positions inside the input (and never beyond the end padding).
 */
export function avgPoolInverseCounts(
  h: number,
  w: number,
  ho: number,
  wo: number,
  win: Window2d,
  countIncludePad: boolean,
): Float64Array {
  const inv = new Float64Array(ho * wo);
  const count = (o: number, size: number, axis: 0 | 1) => {
    const start = o * win.strides[axis] - win.pads[axis];
    const end = Math.min(start + win.kernel[axis], size + win.pads[axis + 2]!);
    if (countIncludePad) return end - start;
    return Math.min(end, size) - Math.max(start, 0);
  };
  for (let i = 0; i < ho; i++)
    for (let j = 0; j < wo; j++) inv[i * wo + j] = 1 / (count(i, h, 0) * count(j, w, 1));
  return inv;
}

registerOps(SPATIAL_OPS);

// ---- builders -------------------------------------------------------------------------------------------

/** Padding of a spatial op: "valid" (none), "same" (output = ceil(input / stride), extra at the end) or explicit. */
export type Padding2d =
  | "valid"
  | "same"
  | number
  | readonly [number, number]
  | readonly [number, number, number, number];

/** Explicit [top, left, bottom, right] pads for `padding` on an input of h x w. */
export function resolvePads(
  padding: Padding2d,
  h: number,
  w: number,
  kernel: readonly [number, number],
  strides: readonly [number, number],
  dilations: readonly [number, number],
): [number, number, number, number] {
  if (padding === "valid") return [0, 0, 0, 0];
  if (padding === "same") {
    const total = [h, w].map((size, i) => {
      const out = Math.ceil(size / strides[i]!);
      return Math.max((out - 1) * strides[i]! + (kernel[i]! - 1) * dilations[i]! + 1 - size, 0);
    });
    const begin = total.map((t) => Math.floor(t / 2));
    return [begin[0]!, begin[1]!, total[0]! - begin[0]!, total[1]! - begin[1]!];
  }
  if (typeof padding === "number") return [padding, padding, padding, padding];
  if (padding.length === 2) return [padding[0], padding[1], padding[0], padding[1]];
  return [...padding] as [number, number, number, number];
}

export interface Conv2dOptions {
  strides?: readonly [number, number];
  /** Explicit [top, left, bottom, right] (see resolvePads for "same"/"valid"). */
  pads?: readonly [number, number, number, number];
  dilations?: readonly [number, number];
  group?: number;
}

/** 2-D convolution (cross-correlation, as ONNX and PyTorch): x [N, C, H, W], w [M, C/G, kH, kW], bias [M]. */
export function conv2d(x: Tensor, w: Tensor, bias?: Tensor, o: Conv2dOptions = {}): Tensor {
  const kernel = [w.shape[2] as number, w.shape[3] as number];
  return apply("conv2d", bias ? [x, w, bias] : [x, w], {
    kernel,
    strides: [...(o.strides ?? [1, 1])],
    pads: [...(o.pads ?? [0, 0, 0, 0])],
    dilations: [...(o.dilations ?? [1, 1])],
    group: o.group ?? 1,
  });
}

export interface Pool2dOptions {
  kernel: readonly [number, number];
  /** Default: the kernel size. */
  strides?: readonly [number, number];
  pads?: readonly [number, number, number, number];
  dilations?: readonly [number, number];
  /** Round the output size up (PyTorch ceil_mode). */
  ceil?: boolean;
}

/** Max pooling over [N, C, H, W]. */
export function maxPool2d(x: Tensor, o: Pool2dOptions): Tensor {
  return apply("maxPool2d", [x], {
    kernel: [...o.kernel],
    strides: [...(o.strides ?? o.kernel)],
    pads: [...(o.pads ?? [0, 0, 0, 0])],
    dilations: [...(o.dilations ?? [1, 1])],
    ceil: o.ceil ?? false,
  });
}

/** Average pooling over [N, C, H, W]; `countIncludePad` divides by the whole window (PyTorch's default). */
export function avgPool2d(x: Tensor, o: Pool2dOptions & { countIncludePad?: boolean }): Tensor {
  if (o.dilations && (o.dilations[0] !== 1 || o.dilations[1] !== 1))
    throw new Error("AveragePool: dilation is not supported");
  return apply("avgPool2d", [x], {
    kernel: [...o.kernel],
    strides: [...(o.strides ?? o.kernel)],
    pads: [...(o.pads ?? [0, 0, 0, 0])],
    dilations: [1, 1],
    ceil: o.ceil ?? false,
    countIncludePad: o.countIncludePad ?? true,
  });
}

/** Mean over the spatial positions: [N, C, H, W] -> [N, C, 1, 1] (ONNX GlobalAveragePool). */
export function globalAvgPool(x: Tensor): Tensor {
  return apply("globalAvgPool", [x]);
}

/** [N, d1, d2, ...] -> [N, d1·d2·...]. */
export function flatten(x: Tensor): Tensor {
  const rest = x.shape.slice(1).reduce((a: number, d) => a * (d as number), 1);
  return reshape(x, [x.shape[0]!, rest]);
}
