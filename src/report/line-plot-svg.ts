import { colorToHex, type Rgb } from "./color.js";
import {
  AXIS_COLOR,
  GRID_COLOR,
  layoutLinePlot,
  MINOR_GRID_COLOR,
  type TextItem,
} from "./line-plot-layout.js";
import type { LinePlotSpec } from "./line-plot-spec.js";
import { PLOT_FONT_FAMILY } from "./plot-font.js";

/** Escapes text for XML character data and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const n = (v: number) => String(Math.round(v * 100) / 100);
const hex = (c: Rgb) => colorToHex(c);

function svgText(t: TextItem): string {
  const size = n(t.size);
  const transform = t.rotate ? ` transform="rotate(-90 ${n(t.x)} ${n(t.baseline)})"` : "";
  return (
    `<text x="${n(t.x)}" y="${n(t.baseline)}" font-size="${size}" text-anchor="${t.anchor}" ` +
    `fill="${hex(t.color)}"${transform}>${escapeXml(t.text)}</text>`
  );
}

/**
 * Draws a line plot as a standalone SVG document (a string): one or more series with axes, grid,
 * ticks, labels, a legend (for named series), optional log axes and labelled markers. One
 * `<polyline>` per series that has at least two drawable points (a `<circle>` for a single point),
 * clipped to the plot box; text in a monospace font (plot-font.ts). {@link renderLinePlot} is this
 * SVG rasterized to PNG.
 *
 * @example html += renderLinePlotSvg({ title: "loss", series: [{ name: "train", x: epochs, y: loss }] });
 */
export function renderLinePlotSvg(spec: LinePlotSpec): string {
  const L = layoutLinePlot(spec);
  const { left, top, right, bottom } = L.plot;
  const s = L.scale;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${L.width}" height="${L.height}" ` +
      `viewBox="0 0 ${L.width} ${L.height}" font-family="${PLOT_FONT_FAMILY}">`,
  );
  if (spec.title) out.push(`<title>${escapeXml(spec.title)}</title>`);
  // Named by its geometry: unique enough when several plots share an HTML page, and deterministic.
  const clipId = `nncoach-plot-${[left, top, right, bottom].map((v) => Math.round(v)).join("-")}`;
  out.push(
    `<defs><clipPath id="${clipId}"><rect x="${n(left)}" y="${n(top)}" width="${n(right - left)}" ` +
      `height="${n(bottom - top)}"/></clipPath></defs>`,
  );
  out.push(`<rect width="${L.width}" height="${L.height}" fill="${hex(L.background)}"/>`);

  const grid: string[] = [];
  for (const t of L.xTicks) {
    const c = hex(t.major ? GRID_COLOR : MINOR_GRID_COLOR);
    grid.push(`<line x1="${n(t.at)}" y1="${n(top)}" x2="${n(t.at)}" y2="${n(bottom)}" stroke="${c}"/>`);
  }
  for (const t of L.yTicks) {
    const c = hex(t.major ? GRID_COLOR : MINOR_GRID_COLOR);
    grid.push(`<line x1="${n(left)}" y1="${n(t.at)}" x2="${n(right)}" y2="${n(t.at)}" stroke="${c}"/>`);
  }
  out.push(`<g class="grid" shape-rendering="crispEdges">${grid.join("")}</g>`);

  // The axes run along the outside of the box: the pixel column left of it and the row below it.
  const ax = left - 0.5;
  const ay = bottom + 0.5;
  const axis: string[] = [
    `<line x1="${n(ax)}" y1="${n(top)}" x2="${n(ax)}" y2="${n(ay)}"/>`,
    `<line x1="${n(ax)}" y1="${n(ay)}" x2="${n(right)}" y2="${n(ay)}"/>`,
  ];
  for (const t of L.xTicks) {
    axis.push(
      `<line x1="${n(t.at)}" y1="${n(bottom)}" x2="${n(t.at)}" y2="${n(bottom + (t.major ? 4 : 2) * s)}"/>`,
    );
  }
  for (const t of L.yTicks) {
    axis.push(
      `<line x1="${n(left - (t.major ? 4 : 2) * s)}" y1="${n(t.at)}" x2="${n(left)}" y2="${n(t.at)}"/>`,
    );
  }
  out.push(`<g class="axes" stroke="${hex(AXIS_COLOR)}" shape-rendering="crispEdges">${axis.join("")}</g>`);

  const lines: string[] = [];
  for (const m of L.markers) {
    if (!m.guide) continue;
    lines.push(
      `<line x1="${n(m.x)}" y1="${n(m.y)}" x2="${n(m.x)}" y2="${n(bottom)}" stroke="${hex(m.color)}" ` +
        `stroke-width="${s}" stroke-dasharray="${4 * s} ${3 * s}"/>`,
    );
  }
  for (const ser of L.series) {
    const name = escapeXml(ser.name);
    if (ser.points.length === 1) {
      const [x, y] = ser.points[0]!;
      lines.push(
        `<circle cx="${n(x)}" cy="${n(y)}" r="${n(ser.lineWidth)}" fill="${hex(ser.color)}"><title>${name}</title></circle>`,
      );
    } else if (ser.points.length > 1) {
      const pts = ser.points.map(([x, y]) => `${n(x)},${n(y)}`).join(" ");
      const dash = ser.dashed ? ` stroke-dasharray="${6 * s} ${4 * s}"` : "";
      lines.push(
        `<polyline class="series" data-name="${name}" points="${pts}" fill="none" stroke="${hex(ser.color)}" ` +
          `stroke-width="${n(ser.lineWidth)}" stroke-linejoin="round" stroke-linecap="round"${dash}/>`,
      );
    }
  }
  out.push(`<g clip-path="url(#${clipId})">${lines.join("")}</g>`);

  for (const m of L.markers) {
    const inside = m.x >= left - 0.5 && m.x <= right + 0.5 && m.y >= top - 0.5 && m.y <= bottom + 0.5;
    if (!inside) continue;
    out.push(
      `<circle class="marker" cx="${n(m.x)}" cy="${n(m.y)}" r="${n(m.radius)}" fill="${hex(m.color)}" ` +
        `stroke="#ffffff" stroke-width="${n(1.5 * s)}"/>`,
    );
    if (m.label && m.labelBox) {
      const b = m.labelBox;
      out.push(
        `<rect x="${n(b.left)}" y="${n(b.top)}" width="${n(b.right - b.left)}" height="${n(b.bottom - b.top)}" ` +
          `fill="#ffffff" fill-opacity="0.85"/>`,
      );
      out.push(svgText(m.label));
    }
  }

  if (L.legend) {
    const g = L.legend;
    out.push(
      `<rect class="legend" x="${n(g.box.left)}" y="${n(g.box.top)}" width="${n(g.box.right - g.box.left)}" ` +
        `height="${n(g.box.bottom - g.box.top)}" fill="#ffffff" fill-opacity="0.9" stroke="${hex(GRID_COLOR)}"/>`,
    );
    for (const e of g.entries) {
      const x0 = g.box.left + 6 * s;
      const dash = e.dashed ? ` stroke-dasharray="${5 * s} ${3 * s}"` : "";
      out.push(
        `<line x1="${n(x0)}" y1="${n(e.y)}" x2="${n(x0 + g.swatch)}" y2="${n(e.y)}" stroke="${hex(e.color)}" ` +
          `stroke-width="${2 * s}"${dash}/>`,
      );
    }
  }
  for (const t of L.texts) out.push(svgText(t));
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
