/** Report graphics: line plots as PNG ({@link renderLinePlot}) or SVG ({@link renderLinePlotSvg}). */
export { parseColor, type Rgb, SERIES_PALETTE } from "./color.js";
export { type LinePlotLayout, layoutLinePlot } from "./line-plot-layout.js";
export { renderLinePlot } from "./line-plot-png.js";
export type { LinePlotSpec, LineSeries, PlotMarker } from "./line-plot-spec.js";
export { escapeXml, renderLinePlotSvg } from "./line-plot-svg.js";
export { Raster } from "./raster.js";
