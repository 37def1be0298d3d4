import { FONT_ASCENT, measureText } from "./font.js";
import {
  AXIS_COLOR,
  GRID_COLOR,
  layoutLinePlot,
  MINOR_GRID_COLOR,
  type TextItem,
} from "./line-plot-layout.js";
import type { LinePlotSpec } from "./line-plot-spec.js";
import { Raster } from "./raster.js";

const WHITE = { r: 255, g: 255, b: 255 };

function drawText(r: Raster, t: TextItem): void {
  const w = measureText(t.text) * t.scale;
  const shift = t.anchor === "start" ? 0 : t.anchor === "middle" ? w / 2 : w;
  if (t.rotate) {
    // Baseline runs vertically at x = t.x; the glyph tops face left.
    r.text(t.text, t.x - FONT_ASCENT * t.scale, t.baseline - w + shift, t.color, t.scale, true);
  } else {
    r.text(t.text, t.x - shift, t.baseline - FONT_ASCENT * t.scale, t.color, t.scale);
  }
}

/**
 * Draws a line plot and returns it as PNG file bytes: one or more series with axes, grid, ticks,
 * labels, a legend (for named series), optional log axes and labelled markers. Points whose x or y
 * is not finite are skipped; lines leaving the axis limits are clipped.
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
  const L = layoutLinePlot(spec);
  const r = new Raster(L.width, L.height, L.background);
  const { left, top, right, bottom } = L.plot;
  const s = L.scale;

  // Grid first, then axes, so the box edges stay crisp.
  for (const t of L.xTicks) {
    const x = Math.round(t.at);
    r.fillRect(x, top, x + 1, bottom, t.major ? GRID_COLOR : MINOR_GRID_COLOR);
  }
  for (const t of L.yTicks) {
    const y = Math.round(t.at);
    r.fillRect(left, y, right, y + 1, t.major ? GRID_COLOR : MINOR_GRID_COLOR);
  }
  const l = Math.round(left);
  const b = Math.round(bottom);
  r.fillRect(l - 1, top, l, b + 1, AXIS_COLOR);
  r.fillRect(l - 1, b, Math.round(right), b + 1, AXIS_COLOR);
  for (const t of L.xTicks) {
    const x = Math.round(t.at);
    r.fillRect(x, b + 1, x + 1, b + 1 + (t.major ? 4 : 2) * s, AXIS_COLOR);
  }
  for (const t of L.yTicks) {
    const y = Math.round(t.at);
    r.fillRect(l - 1 - (t.major ? 4 : 2) * s, y, l - 1, y + 1, AXIS_COLOR);
  }

  for (const m of L.markers) {
    if (m.guide)
      r.polyline(
        [
          [m.x, m.y],
          [m.x, bottom],
        ],
        m.color,
        Math.max(1, s),
        L.plot,
        [4 * s, 3 * s],
      );
  }
  for (const ser of L.series) {
    const dash = ser.dashed ? ([6 * s, 4 * s] as const) : undefined;
    if (ser.points.length === 1) r.disc(ser.points[0]![0], ser.points[0]![1], ser.lineWidth, ser.color);
    else r.polyline(ser.points, ser.color, ser.lineWidth, L.plot, dash);
  }
  for (const m of L.markers) {
    const inside = m.x >= left - 0.5 && m.x <= right + 0.5 && m.y >= top - 0.5 && m.y <= bottom + 0.5;
    if (!inside) continue;
    r.disc(m.x, m.y, m.radius + 1.5 * s, WHITE);
    r.disc(m.x, m.y, m.radius, m.color);
    if (m.labelBox) {
      r.fillRect(m.labelBox.left, m.labelBox.top, m.labelBox.right, m.labelBox.bottom, WHITE, 0.85);
    }
  }

  if (L.legend) {
    const g = L.legend;
    r.fillRect(g.box.left, g.box.top, g.box.right, g.box.bottom, WHITE, 0.9);
    const bx0 = Math.round(g.box.left);
    const by0 = Math.round(g.box.top);
    const bx1 = Math.round(g.box.right);
    const by1 = Math.round(g.box.bottom);
    r.fillRect(bx0, by0, bx1, by0 + 1, GRID_COLOR);
    r.fillRect(bx0, by1 - 1, bx1, by1, GRID_COLOR);
    r.fillRect(bx0, by0, bx0 + 1, by1, GRID_COLOR);
    r.fillRect(bx1 - 1, by0, bx1, by1, GRID_COLOR);
    for (const e of g.entries) {
      const x0 = g.box.left + 6 * s;
      r.polyline(
        [
          [x0, e.y],
          [x0 + g.swatch, e.y],
        ],
        e.color,
        2 * s,
        undefined,
        e.dashed ? [5 * s, 3 * s] : undefined,
      );
    }
  }

  for (const t of L.texts) drawText(r, t);
  for (const m of L.markers) if (m.label && m.labelBox) drawText(r, m.label);
  return r.toPng();
}
