/**
 * Where everything of a line plot goes, in pixels: the plot box, ticks, labels, legend, series
 * polylines and markers, with marker labels placed so that they do not overlap each other, the
 * legend or other markers. The SVG renderer draws from it (and the PNG is that SVG rasterized).
 */
import { parseColor, type Rgb, SERIES_PALETTE } from "./color.js";
import type { LinePlotSpec } from "./line-plot-spec.js";
import { validateLinePlotSpec } from "./line-plot-spec.js";
import { plotFontMetrics } from "./plot-font.js";
import { linearTicks, logTicks, type Tick } from "./ticks.js";

/** A rectangle in pixel coordinates, from `left`/`top` to `right`/`bottom`. */
export interface PixelRect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Whether two rectangles share any area. */
export function rectsOverlap(a: PixelRect, b: PixelRect): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/** A piece of text: `x` is where `anchor` sits, `baseline` the y of the baseline (rotated: see `rotate`). */
export interface TextItem {
  text: string;
  x: number;
  baseline: number;
  anchor: "start" | "middle" | "end";
  /** Font size in pixels. */
  size: number;
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
  const font = plotFontMetrics(s);
  const size = font.size;
  const lineH = font.lineHeight;
  const ascent = font.capHeight;
  const measure = font.width;
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
  // The box's edges sit on whole pixels, so that axes and grid lines are crisp.
  const top = Math.round(pad + (spec.title ? 2 * lineH + pad / 2 : 0));
  const bottomMargin = tickLen + 4 * s + lineH + (spec.xLabel ? lineH + pad / 2 : 0) + pad;
  const plotTop = top;
  const plotBottom = Math.round(Math.max(plotTop + 20, height - bottomMargin));
  const plotH = plotBottom - plotTop;
  const yTicks = yAxis.log
    ? logTicks(yAxis.min, yAxis.max, Math.floor(plotH / (lineH * 2.5)))
    : linearTicks(yAxis.min, yAxis.max, Math.max(2, Math.round(plotH / (36 * s))));
  const yLabelW = Math.max(0, ...yTicks.map((t) => measure(t.label)));
  const plotLeft = Math.round(pad + (spec.yLabel ? lineH + pad / 2 : 0) + yLabelW + tickLen + 4 * s);
  const plotRight = Math.round(Math.max(plotLeft + 20, width - pad - 10 * s));
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
  const tickBaseline = plotBottom + tickLen + 3 * s + ascent;
  for (const t of xTickMarks) {
    if (!t.label) continue;
    const half = measure(t.label) / 2;
    const x = Math.min(Math.max(t.at, half + 1), width - half - 1);
    texts.push({ text: t.label, x, baseline: tickBaseline, anchor: "middle", size, color: TEXT_COLOR });
  }
  for (const t of yTickMarks) {
    if (!t.label) continue;
    const baseline = Math.min(Math.max(t.at + ascent / 2, ascent + 1), height - 1);
    texts.push({
      text: t.label,
      x: plotLeft - tickLen - 3 * s,
      baseline,
      anchor: "end",
      size,
      color: TEXT_COLOR,
    });
  }
  if (spec.title) {
    // Large if it fits, else smaller, else cut short with "...".
    const room = width - 2 * pad;
    const large = plotFontMetrics(2 * s);
    const titleFont = large.width(spec.title) <= room ? large : font;
    texts.push({
      text: fitText(spec.title, room, titleFont.width),
      x: Math.min(Math.max((plotLeft + plotRight) / 2, pad + room / 2), width - pad - room / 2),
      baseline: pad + large.capHeight - (large.capHeight - titleFont.capHeight) / 2,
      anchor: "middle",
      size: titleFont.size,
      color: TEXT_COLOR,
    });
  }
  if (spec.xLabel) {
    texts.push({
      text: spec.xLabel,
      x: (plotLeft + plotRight) / 2,
      baseline: tickBaseline + lineH + pad / 2,
      anchor: "middle",
      size,
      color: TEXT_COLOR,
    });
  }
  if (spec.yLabel) {
    texts.push({
      text: spec.yLabel,
      x: pad + ascent,
      baseline: (plotTop + plotBottom) / 2,
      anchor: "middle",
      size,
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
      baseline: (plotTop + plotBottom) / 2 + ascent / 2,
      anchor: "middle",
      size,
      color: AXIS_COLOR,
    });
  }

  // Legend in the corner of the box the curves cross least.
  let legend: LinePlotLayout["legend"];
  const named = series.filter((ser) => ser.name !== "");
  if (named.length > 0) {
    const swatch = 18 * s;
    const rowH = lineH + 4 * s;
    const boxW = 6 * s + swatch + 6 * s + Math.max(...named.map((n) => measure(n.name))) + 8 * s;
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
        baseline: box.top + 4 * s + i * rowH + rowH / 2 + ascent / 2,
        anchor: "start",
        size,
        color: TEXT_COLOR,
      });
    });
  }

  // Markers, each label beside its point where it overlaps no other label, the legend or another marker.
  const markerItems: LinePlotLayout["markers"] = markers.map((m) => ({
    x: px(m.x),
    y: py(m.y),
    color: parseColor(m.color ?? "#d62728", "plot marker color"),
    guide: m.guide !== false,
    radius: 4 * s,
  }));
  const taken: PixelRect[] = markerItems.map((m) => ({
    left: m.x - m.radius - s,
    top: m.y - m.radius - s,
    right: m.x + m.radius + s,
    bottom: m.y + m.radius + s,
  }));
  if (legend) taken.push(legend.box);
  markers.forEach((m, i) => {
    if (!m.label) return;
    const item = markerItems[i]!;
    const box = placeLabel(item, measure(m.label) + 6 * s, ascent + 6 * s, 8 * s, plot, taken, i);
    taken.push(box);
    item.labelBox = box;
    item.label = {
      text: m.label,
      x: box.left + 3 * s,
      baseline: box.bottom - 3 * s,
      anchor: "start",
      size,
      color: item.color,
    };
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

/** `text`, or its longest prefix followed by "..." that is at most `maxWidth` pixels wide. */
function fitText(text: string, maxWidth: number, measure: (text: string) => number): string {
  if (measure(text) <= maxWidth) return text;
  const chars = [...text];
  while (chars.length > 0 && measure(`${chars.join("")}...`) > maxWidth) chars.pop();
  return `${chars.join("").trimEnd()}...`;
}

/**
 * A `w` x `h` box for the label of the marker at `at`: the first of up-right, up-left, down-right,
 * down-left of the point (`gap` away), then the same stepped further out row by row, that lies inside
 * `plot` and overlaps none of `taken` except `self` (the marker's own disc). When every spot is taken
 * the label goes up-right, kept inside the box.
 */
function placeLabel(
  at: { x: number; y: number },
  w: number,
  h: number,
  gap: number,
  plot: PixelRect,
  taken: readonly PixelRect[],
  self: number,
): PixelRect {
  const boxAt = (left: number, top: number): PixelRect => ({ left, top, right: left + w, bottom: top + h });
  const fits = (b: PixelRect) =>
    b.left >= plot.left + 1 &&
    b.right <= plot.right - 1 &&
    b.top >= plot.top + 1 &&
    b.bottom <= plot.bottom - 1 &&
    taken.every((t, i) => i === self || !rectsOverlap(b, t));
  const rows = Math.max(1, Math.ceil((plot.bottom - plot.top) / h));
  for (let row = 0; row < rows; row++) {
    const up = at.y - gap - h - row * h;
    const down = at.y + gap + row * h;
    for (const [left, top] of [
      [at.x + gap, up],
      [at.x - gap - w, up],
      [at.x + gap, down],
      [at.x - gap - w, down],
    ] as const) {
      const b = boxAt(left, top);
      if (fits(b)) return b;
    }
  }
  const left = Math.min(Math.max(at.x + gap, plot.left + 1), plot.right - 1 - w);
  const top = Math.min(Math.max(at.y - gap - h, plot.top + 1), plot.bottom - 1 - h);
  return boxAt(left, top);
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
