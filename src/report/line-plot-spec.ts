import { UserError } from "../errors.js";

/** One line of a plot. Points whose x or y is not finite (or not positive on a log axis) are skipped. */
export interface LineSeries {
  /** Shown in the legend; series without a name get no legend entry. */
  name?: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** "#rrggbb" or "#rgb"; default: the next color of SERIES_PALETTE. */
  color?: string;
  /** Line width in pixels at text scale 1 (default 2). */
  lineWidth?: number;
  /** Draw the line dashed (e.g. a smoothed or reference curve). */
  dashed?: boolean;
}

/** A highlighted point with a label, e.g. the suggested learning rate on an LR-finder curve. */
export interface PlotMarker {
  x: number;
  y: number;
  label?: string;
  /** Default "#d62728" (red). */
  color?: string;
  /** Draw a dashed line from the point down to the x axis (default true). */
  guide?: boolean;
}

/** What {@link renderLinePlot} and {@link renderLinePlotSvg} draw. */
export interface LinePlotSpec {
  /** Image width in pixels (default 640). */
  width?: number;
  /** Image height in pixels (default 400). */
  height?: number;
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Logarithmic x axis (points with x <= 0 are skipped). */
  xLog?: boolean;
  /** Logarithmic y axis (points with y <= 0 are skipped). */
  yLog?: boolean;
  /** Fixed axis limits; any left out are taken from the data. Lines leaving the box are clipped. */
  xMin?: number;
  xMax?: number;
  yMin?: number;
  yMax?: number;
  series: readonly LineSeries[];
  markers?: readonly PlotMarker[];
  /** Text size multiplier (1 = 11-pixel font; it also scales line widths); default 1, or 2 for images >= 1000 px wide. */
  textScale?: number;
  /** Background color (default white). */
  background?: string;
}

function checkOptionalNumber(spec: LinePlotSpec, key: "xMin" | "xMax" | "yMin" | "yMax"): void {
  const v = spec[key];
  if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v))) {
    throw new UserError(`plot ${key} must be a finite number, got ${String(v)}`);
  }
}

/** Refuses malformed plot specs early, naming the field and the value received. */
export function validateLinePlotSpec(spec: LinePlotSpec): void {
  if (typeof spec !== "object" || spec === null)
    throw new UserError(`plot spec must be an object, got ${spec}`);
  for (const key of ["width", "height"] as const) {
    const v = spec[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 64 || v > 8192)) {
      throw new UserError(`plot ${key} must be a whole number of pixels from 64 to 8192, got ${v}`);
    }
  }
  if (
    spec.textScale !== undefined &&
    (!Number.isInteger(spec.textScale) || spec.textScale < 1 || spec.textScale > 8)
  ) {
    throw new UserError(`plot textScale must be a whole number from 1 to 8, got ${spec.textScale}`);
  }
  for (const key of ["xMin", "xMax", "yMin", "yMax"] as const) checkOptionalNumber(spec, key);
  if (spec.xMin !== undefined && spec.xMax !== undefined && !(spec.xMax > spec.xMin)) {
    throw new UserError(`plot xMax must be greater than xMin, got xMin ${spec.xMin} and xMax ${spec.xMax}`);
  }
  if (spec.yMin !== undefined && spec.yMax !== undefined && !(spec.yMax > spec.yMin)) {
    throw new UserError(`plot yMax must be greater than yMin, got yMin ${spec.yMin} and yMax ${spec.yMax}`);
  }
  if (spec.xLog && ((spec.xMin ?? 1) <= 0 || (spec.xMax ?? 1) <= 0)) {
    throw new UserError(`a log x axis needs positive limits, got xMin ${spec.xMin} and xMax ${spec.xMax}`);
  }
  if (spec.yLog && ((spec.yMin ?? 1) <= 0 || (spec.yMax ?? 1) <= 0)) {
    throw new UserError(`a log y axis needs positive limits, got yMin ${spec.yMin} and yMax ${spec.yMax}`);
  }
  if (!Array.isArray(spec.series))
    throw new UserError(`plot series must be an array, got ${String(spec.series)}`);
  spec.series.forEach((s, i) => {
    const what = `plot series ${i}${s?.name ? ` ("${s.name}")` : ""}`;
    if (typeof s !== "object" || s === null)
      throw new UserError(`${what} must be an object, got ${String(s)}`);
    if (!s.x || typeof s.x.length !== "number") throw new UserError(`${what}: x must be an array of numbers`);
    if (!s.y || typeof s.y.length !== "number") throw new UserError(`${what}: y must be an array of numbers`);
    if (s.x.length !== s.y.length) {
      throw new UserError(`${what}: x and y must have the same length, got ${s.x.length} and ${s.y.length}`);
    }
    if (s.lineWidth !== undefined && !(s.lineWidth > 0 && s.lineWidth <= 20)) {
      throw new UserError(`${what}: lineWidth must be > 0 and <= 20, got ${s.lineWidth}`);
    }
  });
  (spec.markers ?? []).forEach((m, i) => {
    if (typeof m?.x !== "number" || typeof m?.y !== "number") {
      throw new UserError(`plot marker ${i} needs numeric x and y, got ${JSON.stringify(m)}`);
    }
  });
}
