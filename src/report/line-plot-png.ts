/** Line plots as PNG: the SVG of {@link renderLinePlotSvg}, rasterized by {@link svgToPng}. */
import type { LinePlotSpec } from "./line-plot-spec.js";
import { renderLinePlotSvg } from "./line-plot-svg.js";
import { svgToPng } from "./svg-to-png.js";

/**
 * Draws a line plot and returns it as PNG file bytes; the same picture as {@link renderLinePlotSvg}
 * (see {@link LinePlotSpec} for what it can hold).
 *
 * @example LR-finder plot: loss against learning rate, log x, with the suggestion marked
 * const png = renderLinePlot({
 *   width: 640, height: 400, title: "LR finder", xLabel: "learning rate", yLabel: "loss", xLog: true,
 *   series: [{ name: "loss", x: lrs, y: losses }],
 *   markers: [{ x: 3e-3, y: 0.41, label: "suggested 3e-3" }],
 * });
 * fs.writeFileSync("lr_find.png", png);
 */
export function renderLinePlot(spec: LinePlotSpec): Buffer {
  return svgToPng(renderLinePlotSvg(spec));
}
