// A stand-in Conv2DBackpropFilter kernel for tfjs-backend-wasm, so the benchmark CNN can be trained on it.

import * as tf from "@tensorflow/tfjs";

/**
 * tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel, so a conv net cannot be trained on it as shipped.
 * This registers one built only from the backend's own kernels, the usual im2col + GEMM way:
 *   xt   = Transpose(PadV2(x))  to [Hp, Wp, N, C]     (the conv's own 'same'/'valid' padding)
 *   dyt  = Transpose(dy)        to [OH, OW, N, O] = [M, O] with M = OH*OW*N
 *   cols = Concat over (i, j) of Transpose(patch_ij)   [KH*KW*C, M], rows in filter order (i, j, c), where
 *          patch_ij = xt[i : i+OH, j : j+OW] as [M, C] (a Slice of contiguous N*C runs; StridedSlice at stride > 1)
 *   dW   = cols @ dyt                                  [KH*KW*C, O] = [KH, KW, C, O]  (BatchMatMul)
 * The layouts are chosen so that every copy is a long contiguous run or a wasm Transpose: the backend's Slice and
 * Concat copy in JavaScript, one typed-array set per innermost run, and its BatchMatMul is ~20x slower with
 * transposeA (measured), so the obvious NHWC im2col is several times slower than this.
 * Intermediates are freed before returning. Returns the names of the kernels it registered (empty when the
 * backend already has one). Checked against the cpu backend by check-conv2d-backprop-filter.mjs (`npm run check`).
 */
export function registerConv2DBackpropFilter() {
  if (tf.getKernel("Conv2DBackpropFilter", "wasm")) return [];
  const kernel = (name) => {
    const k = tf.getKernel(name, "wasm");
    if (!k) throw new Error(`Conv2DBackpropFilter stand-in: the wasm backend has no ${name} kernel`);
    return k.kernelFunc;
  };
  const padV2 = kernel("PadV2");
  const slice = kernel("Slice");
  const stridedSlice = kernel("StridedSlice");
  const concat = kernel("Concat");
  const transpose = kernel("Transpose");
  const batchMatMul = kernel("BatchMatMul");

  tf.registerKernel({
    kernelName: "Conv2DBackpropFilter",
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs;
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
      if ((dataFormat ?? "NHWC") !== "NHWC") {
        throw new Error(`Conv2DBackpropFilter stand-in: only NHWC, got ${dataFormat}`);
      }
      const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode);
      const { batchSize: n, inChannels: c, outChannels: o, outHeight: oh, outWidth: ow } = info;
      const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
      const m = oh * ow * n;
      const k = kh * kw * c;
      const temps = [];
      const keep = (t) => {
        temps.push(t);
        return t;
      };
      const paddings = [
        [0, 0],
        [padInfo.top, padInfo.bottom],
        [padInfo.left, padInfo.right],
        [0, 0],
      ];
      const xp = keep(padV2({ inputs: { x }, backend, attrs: { paddings, constantValue: 0 } }));
      const xt = keep(transpose({ inputs: { x: xp }, backend, attrs: { perm: [1, 2, 0, 3] } }));
      const [hp, wp] = xt.shape;
      const dyt = keep(transpose({ inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } }));
      const rows = [];
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const patch =
            sh === 1 && sw === 1
              ? slice({
                  inputs: { x: { ...xt, shape: [hp, wp, n * c] } },
                  backend,
                  attrs: { begin: [i, j, 0], size: [oh, ow, n * c] },
                })
              : stridedSlice({
                  inputs: { x: xt },
                  backend,
                  attrs: {
                    begin: [i, j, 0, 0],
                    end: [i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, n, c],
                    strides: [sh, sw, 1, 1],
                    beginMask: 0,
                    endMask: 0,
                    ellipsisMask: 0,
                    newAxisMask: 0,
                    shrinkAxisMask: 0,
                  },
                });
          keep(patch);
          rows.push(
            keep(transpose({ inputs: { x: { ...patch, shape: [m, c] } }, backend, attrs: { perm: [1, 0] } })),
          );
        }
      }
      const cols = keep(concat({ inputs: rows, backend, attrs: { axis: 0 } }));
      const dw = batchMatMul({
        inputs: { a: { ...cols, shape: [1, k, m] }, b: { ...dyt, shape: [1, m, o] } },
        backend,
        attrs: { transposeA: false, transposeB: false },
      });
      for (const t of temps) backend.disposeData(t.dataId);
      return { ...dw, shape: [...filterShape] };
    },
  });
  return ["Conv2DBackpropFilter"];
}
