/**
 * Where everything of a line plot goes, in pixels: the plot box, ticks, labels, legend, series
 * polylines and markers. Both renderers (PNG and SVG) draw from this one layout, so they agree.
 */
import { parseColor, type Rgb, SERIES_PALETTE } from "./color.js";
import { FONT_ASCENT, FONT_HEIGHT, measureText } from "./font.js";
import type { LinePlotSpec } from "./line-plot-spec.js";
import { validateLinePlotSpec } from "./line-plot-spec.js";
import type { PixelRect } from "./raster.js";
import { linearTicks, logTicks, type Tick } from "./ticks.js";

/** A piece of text: `x` is where `anchor` sits, `baseline` the y of the baseline (rotated: see `rotate`). */
export interface TextItem {
  text: string;
  x: number;
  baseline: number;
  anchor: "start" | "middle" | "end";
  /** Font pixel size (1 = 7-pixel capitals). */
  scale: number;
  /** Rotated 90 degrees counter-clockwise (reads bottom to top); `x` is then the baseline's x. */
  rotate?: boolean;
  color: Rgb;
}

/** A tick at pixel position `at` along its axis. */
export interface TickMark extends Tick {
  at: number;
}

/** Everything a renderer needs. */
export interface LinePlotLayout {
  width: number;
  height: number;
  scale: number;
  background: Rgb;
  plot: PixelRect;
  xTicks: TickMark[];
  yTicks: TickMark[];
  texts: TextItem[];
  series: { name: string; color: Rgb; lineWidth: number; dashed: boolean; points: [number, number][] }[];
  legend?: {
    box: PixelRect;
    entries: { name: string; color: Rgb; dashed: boolean; y: number }[];
    swatch: number;
  };
  markers: {
    x: number;
    y: number;
    color: Rgb;
    guide: boolean;
    radius: number;
    label?: TextItem;
    labelBox?: PixelRect;
  }[];
  /** True when no series has a drawable point ("no data" is written in the box). */
  empty: boolean;
}

export const TEXT_COLOR: Rgb = { r: 34, g: 34, b: 34 };
export const AXIS_COLOR: Rgb = { r: 68, g: 68, b: 68 };
export const GRID_COLOR: Rgb = { r: 225, g: 225, b: 225 };
export const MINOR_GRID_COLOR: Rgb = { r: 242, g: 242, b: 242 };

interface Axis {
  log: boolean;
  min: number;
  max: number;
}

const tf = (log: boolean, v: number) => (log ? Math.log10(v) : v);

function usable(log: boolean, v: number): boolean {
  return Number.isFinite(v) && (!log || v > 0);
}

/** Range of the data on one axis, padded, with explicit limits taking precedence. */
function axisRange(values: number[], log: boolean, pad: number, fixedMin?: number, fixedMax?: number): Axis {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    const t = tf(log, v);
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  if (!(hi >= lo)) {
    // No data: [0, 1], or [1, 10] on a log axis.
    lo = 0;
    hi = 1;
  } else if (hi === lo) {
    lo -= log ? 0.5 : Math.abs(lo) * 0.1 || 0.5;
    hi += log ? 0.5 : Math.abs(hi) * 0.1 || 0.5;
  } else {
    const span = hi - lo;
    lo -= span * pad;
    hi += span * pad;
  }
  let min = log ? 10 ** lo : lo;
  let max = log ? 10 ** hi : hi;
  if (fixedMin !== undefined) min = fixedMin;
  if (fixedMax !== undefined) max = fixedMax;
  if (!(max > min)) {
    // A fixed limit on one side put the other side past it.
    if (fixedMin !== undefined) max = log ? min * 10 : min + 1;
    else min = log ? max / 10 : max - 1;
  }
  return { log, min, max };
}

/**
 * Computes the layout of a line plot (see {@link LinePlotSpec}); validates the spec first.
 */
export function layoutLinePlot(spec: LinePlotSpec): LinePlotLayout {
  validateLinePlotSpec(spec);
  const width = spec.width ?? 640;
  const height = spec.height ?? 400;
  const s = spec.textScale ?? (width >= 1000 ? 2 : 1);
  const background = parseColor(spec.background ?? "#ffffff", "plot background");
  const xLog = spec.xLog === true;
  const yLog = spec.yLog === true;
  const pad = 12 * s;
  const lineH = FONT_HEIGHT * s;
  const tickLen = 4 * s;
  const texts: TextItem[] = [];

  // Data points kept for drawing, and the ranges they span.
  const kept = spec.series.map((ser) => {
    const pts: [number, number][] = [];
    for (let i = 0; i < ser.x.length; i++) {
      const x = ser.x[i]!;
      const y = ser.y[i]!;
      if (usable(xLog, x) && usable(yLog, y)) pts.push([x, y]);
    }
    return pts;
  });
  const all = kept.flat();
  const markers = (spec.markers ?? []).filter((m) => usable(xLog, m.x) && usable(yLog, m.y));
  const inX = (x: number) =>
    (spec.xMin === undefined || x >= spec.xMin) && (spec.xMax === undefined || x <= spec.xMax);
  const xAxis = axisRange(
    [...all.map((p) => p[0]), ...markers.map((m) => m.x)],
    xLog,
    0,
    spec.xMin,
    spec.xMax,
  );
  const yAxis = axisRange(
    [...all.filter((p) => inX(p[0])).map((p) => p[1]), ...markers.filter((m) => inX(m.x)).map((m) => m.y)],
    yLog,
    0.05,
    spec.yMin,
    spec.yMax,
  );
  const xInteger = !xLog && all.length > 0 && all.every((p) => Number.isInteger(p[0]));

  // Vertical space: title, plot, tick labels, x label.
  const top = pad + (spec.title ? 2 * lineH + pad / 2 : 0);
  const bottomMargin = tickLen + 4 * s + lineH + (spec.xLabel ? lineH + pad / 2 : 0) + pad;
  const plotTop = top;
  const plotBottom = Math.max(plotTop + 20, height - bottomMargin);
  const plotH = plotBottom - plotTop;
  const yTicks = yAxis.log
    ? logTicks(yAxis.min, yAxis.max, Math.floor(plotH / (lineH * 2.5)))
    : linearTicks(yAxis.min, yAxis.max, Math.max(2, Math.round(plotH / (36 * s))));
  const yLabelW = Math.max(0, ...yTicks.map((t) => measureText(t.label) * s));
  const plotLeft = pad + (spec.yLabel ? lineH + pad / 2 : 0) + yLabelW + tickLen + 4 * s;
  const plotRight = Math.max(plotLeft + 20, width - pad - 10 * s);
  const plotW = plotRight - plotLeft;
  const xTicks = xAxis.log
    ? logTicks(xAxis.min, xAxis.max, Math.floor(plotW / (36 * s)))
    : linearTicks(xAxis.min, xAxis.max, Math.max(2, Math.round(plotW / (70 * s))), xInteger);
  const plot: PixelRect = { left: plotLeft, top: plotTop, right: plotRight, bottom: plotBottom };

  const px = (x: number) =>
    plotLeft + ((tf(xLog, x) - tf(xLog, xAxis.min)) / (tf(xLog, xAxis.max) - tf(xLog, xAxis.min))) * plotW;
  const py = (y: number) =>
    plotBottom - ((tf(yLog, y) - tf(yLog, yAxis.min)) / (tf(yLog, yAxis.max) - tf(yLog, yAxis.min))) * plotH;

  const xTickMarks = xTicks
    .map((t) => ({ ...t, at: px(t.value) }))
    .filter((t) => t.at >= plotLeft - 0.5 && t.at <= plotRight + 0.5);
  const yTickMarks = yTicks
    .map((t) => ({ ...t, at: py(t.value) }))
    .filter((t) => t.at >= plotTop - 0.5 && t.at <= plotBottom + 0.5);

  // Tick labels, kept inside the image.
  const tickBaseline = plotBottom + tickLen + 3 * s + FONT_ASCENT * s;
  for (const t of xTickMarks) {
    if (!t.label) continue;
    const half = (measureText(t.label) * s) / 2;
    const x = Math.min(Math.max(t.at, half + 1), width - half - 1);
    texts.push({ text: t.label, x, baseline: tickBaseline, anchor: "middle", scale: s, color: TEXT_COLOR });
  }
  for (const t of yTickMarks) {
    if (!t.label) continue;
    const baseline = Math.min(Math.max(t.at + (FONT_ASCENT * s) / 2, FONT_ASCENT * s + 1), height - 1);
    texts.push({
      text: t.label,
      x: plotLeft - tickLen - 3 * s,
      baseline,
      anchor: "end",
      scale: s,
      color: TEXT_COLOR,
    });
  }
  if (spec.title) {
    // Large if it fits, else smaller, else cut short with "...".
    const room = width - 2 * pad;
    const titleScale = measureText(spec.title) * 2 * s <= room ? 2 * s : s;
    texts.push({
      text: fitText(spec.title, room / titleScale),
      x: Math.min(Math.max((plotLeft + plotRight) / 2, pad + room / 2), width - pad - room / 2),
      baseline: pad + FONT_ASCENT * 2 * s - (2 * s - titleScale) * FONT_ASCENT * 0.5,
      anchor: "middle",
      scale: titleScale,
      color: TEXT_COLOR,
    });
  }
  if (spec.xLabel) {
    texts.push({
      text: spec.xLabel,
      x: (plotLeft + plotRight) / 2,
      baseline: tickBaseline + FONT_HEIGHT * s - FONT_ASCENT * s + pad / 2 + FONT_ASCENT * s,
      anchor: "middle",
      scale: s,
      color: TEXT_COLOR,
    });
  }
  if (spec.yLabel) {
    texts.push({
      text: spec.yLabel,
      x: pad + FONT_ASCENT * s,
      baseline: (plotTop + plotBottom) / 2,
      anchor: "middle",
      scale: s,
      rotate: true,
      color: TEXT_COLOR,
    });
  }

  // Series in pixels.
  const series = spec.series.map((ser, i) => ({
    name: ser.name ?? "",
    color: parseColor(ser.color ?? SERIES_PALETTE[i % SERIES_PALETTE.length]!, `plot series ${i} color`),
    lineWidth: (ser.lineWidth ?? 2) * s,
    dashed: ser.dashed === true,
    points: thin(kept[i]!.map(([x, y]) => [px(x), py(y)] as [number, number])),
  }));
  const empty = series.every((ser) => ser.points.length === 0);
  if (empty) {
    texts.push({
      text: "no data",
      x: (plotLeft + plotRight) / 2,
      baseline: (plotTop + plotBottom) / 2 + (FONT_ASCENT * s) / 2,
      anchor: "middle",
      scale: s,
      color: AXIS_COLOR,
    });
  }

  // Legend in the corner of the box the curves cross least.
  let legend: LinePlotLayout["legend"];
  const named = series.filter((ser) => ser.name !== "");
  if (named.length > 0) {
    const swatch = 18 * s;
    const rowH = lineH + 4 * s;
    const boxW = 6 * s + swatch + 6 * s + Math.max(...named.map((n) => measureText(n.name) * s)) + 8 * s;
    const boxH = 4 * s + named.length * rowH + 2 * s;
    const inset = 6 * s;
    const corners: PixelRect[] = [
      {
        left: plotRight - inset - boxW,
        top: plotTop + inset,
        right: plotRight - inset,
        bottom: plotTop + inset + boxH,
      },
      {
        left: plotLeft + inset,
        top: plotTop + inset,
        right: plotLeft + inset + boxW,
        bottom: plotTop + inset + boxH,
      },
      {
        left: plotRight - inset - boxW,
        top: plotBottom - inset - boxH,
        right: plotRight - inset,
        bottom: plotBottom - inset,
      },
      {
        left: plotLeft + inset,
        top: plotBottom - inset - boxH,
        right: plotLeft + inset + boxW,
        bottom: plotBottom - inset,
      },
    ];
    const samples = series.flatMap((ser) => densify(ser.points, 3));
    const hits = corners.map(
      (c) => samples.filter(([x, y]) => x >= c.left && x <= c.right && y >= c.top && y <= c.bottom).length,
    );
    const best = hits.indexOf(Math.min(...hits));
    const box = corners[best]!;
    legend = {
      box,
      swatch,
      entries: named.map((n, i) => ({
        name: n.name,
        color: n.color,
        dashed: n.dashed,
        y: box.top + 4 * s + i * rowH + rowH / 2,
      })),
    };
    named.forEach((n, i) => {
      texts.push({
        text: n.name,
        x: box.left + 6 * s + swatch + 6 * s,
        baseline: box.top + 4 * s + i * rowH + rowH / 2 + (FONT_ASCENT * s) / 2,
        anchor: "start",
        scale: s,
        color: TEXT_COLOR,
      });
    });
  }

  // Markers with their labels placed up-right of the point, flipped to stay inside the box.
  const markerItems = markers.map((m) => {
    const x = px(m.x);
    const y = py(m.y);
    const color = parseColor(m.color ?? "#d62728", "plot marker color");
    const item: LinePlotLayout["markers"][number] = { x, y, color, guide: m.guide !== false, radius: 4 * s };
    if (m.label) {
      const w = measureText(m.label) * s;
      const h = FONT_ASCENT * s;
      let left = x + 8 * s;
      if (left + w + 3 * s > plotRight) left = x - 8 * s - w;
      let baseline = y - 8 * s;
      if (baseline - h - 3 * s < plotTop) baseline = y + 8 * s + h;
      left = Math.max(left, plotLeft + 3 * s);
      item.label = { text: m.label, x: left, baseline, anchor: "start", scale: s, color };
      item.labelBox = {
        left: left - 3 * s,
        top: baseline - h - 3 * s,
        right: left + w + 3 * s,
        bottom: baseline + 3 * s,
      };
    }
    return item;
  });

  return {
    width,
    height,
    scale: s,
    background,
    plot,
    xTicks: xTickMarks,
    yTicks: yTickMarks,
    texts,
    series,
    legend,
    markers: markerItems,
    empty,
  };
}

/** `text`, or its longest prefix followed by "..." that is at most `maxWidth` pixels wide at 1x. */
function fitText(text: string, maxWidth: number): string {
  if (measureText(text) <= maxWidth) return text;
  const chars = [...text];
  while (chars.length > 0 && measureText(`${chars.join("")}...`) > maxWidth) chars.pop();
  return `${chars.join("").trimEnd()}...`;
}

/**
 * Drops points closer than half a pixel to the previous kept one (the first and last always stay):
 * the drawing is unchanged, and 100,000-point curves make small SVGs.
 */
function thin(points: [number, number][]): [number, number][] {
  if (points.length <= 2) return points;
  const out: [number, number][] = [points[0]!];
  for (let i = 1; i < points.length - 1; i++) {
    const [x, y] = points[i]!;
    const [lx, ly] = out[out.length - 1]!;
    if (Math.abs(x - lx) >= 0.5 || Math.abs(y - ly) >= 0.5) out.push(points[i]!);
  }
  out.push(points[points.length - 1]!);
  return out;
}

/** Points along a polyline about every `step` pixels (for judging where curves run). */
function densify(points: readonly [number, number][], step: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < points.length; i++) {
    const [x, y] = points[i]!;
    out.push([x, y]);
    if (i + 1 < points.length) {
      const [nx, ny] = points[i + 1]!;
      const n = Math.min(1000, Math.floor(Math.hypot(nx - x, ny - y) / step));
      for (let k = 1; k < n; k++) out.push([x + ((nx - x) * k) / n, y + ((ny - y) * k) / n]);
    }
  }
  return out;
}
