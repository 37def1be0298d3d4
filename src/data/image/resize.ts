/**
 * Bilinear resize of a CHW float image, sampling at pixel centers (PyTorch's
 * `F.interpolate(mode="bilinear", align_corners=False)` without antialiasing): output pixel (y, x) reads
 * the input at ((y + 0.5) * inH / outH - 0.5, (x + 0.5) * inW / outW - 0.5), clamped to the border.
 * Returns a new array of channels * outH * outW; the same size returns a copy.
 */
export function resizeBilinear(
  src: Float32Array,
  channels: number,
  inH: number,
  inW: number,
  outH: number,
  outW: number,
): Float32Array {
  const out = new Float32Array(channels * outH * outW);
  if (inH === outH && inW === outW) {
    out.set(src.subarray(0, channels * inH * inW));
    return out;
  }
  const ys = axis(inH, outH);
  const xs = axis(inW, outW);
  for (let c = 0; c < channels; c++) {
    const base = c * inH * inW;
    const obase = c * outH * outW;
    for (let y = 0; y < outH; y++) {
      const y0 = ys.lo[y]!;
      const y1 = ys.hi[y]!;
      const fy = ys.frac[y]!;
      for (let x = 0; x < outW; x++) {
        const x0 = xs.lo[x]!;
        const x1 = xs.hi[x]!;
        const fx = xs.frac[x]!;
        const top = src[base + y0 * inW + x0]! * (1 - fx) + src[base + y0 * inW + x1]! * fx;
        const bottom = src[base + y1 * inW + x0]! * (1 - fx) + src[base + y1 * inW + x1]! * fx;
        out[obase + y * outW + x] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return out;
}

function axis(inN: number, outN: number): { lo: Int32Array; hi: Int32Array; frac: Float64Array } {
  const lo = new Int32Array(outN);
  const hi = new Int32Array(outN);
  const frac = new Float64Array(outN);
  const scale = inN / outN;
  for (let i = 0; i < outN; i++) {
    const s = Math.max(0, (i + 0.5) * scale - 0.5);
    const l = Math.min(Math.floor(s), inN - 1);
    lo[i] = l;
    hi[i] = Math.min(l + 1, inN - 1);
    frac[i] = s - l;
  }
  return { lo, hi, frac };
}
