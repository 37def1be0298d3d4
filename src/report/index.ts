/** Report graphics: line plots as SVG ({@link renderLinePlotSvg}) or PNG ({@link renderLinePlot}, the SVG rasterized). */
export { parseColor, type Rgb, SERIES_PALETTE } from "./color.js";
export { type LinePlotLayout, layoutLinePlot, type PixelRect, rectsOverlap } from "./line-plot-layout.js";
export { renderLinePlot } from "./line-plot-png.js";
export type { LinePlotSpec, LineSeries, PlotMarker } from "./line-plot-spec.js";
export { escapeXml, renderLinePlotSvg } from "./line-plot-svg.js";
export { svgToPng } from "./svg-to-png.js";
