/**
 * The font of plot text and its metrics. Plots use a monospace font (DejaVu Sans Mono, else the
 * platform's monospace face), so the layout can measure a label as characters x advance without a
 * font file: every glyph of DejaVu Sans Mono advances 1233/2048 em, and Menlo's and Consolas' differ
 * by under 10%. The SVG renderer names the same families; the PNG rasterizer loads the same font.
 */

/** CSS font-family list written into SVG plots. */
export const PLOT_FONT_FAMILY = "DejaVu Sans Mono, Menlo, Consolas, monospace";

/** Font size in pixels at text scale 1. */
export const PLOT_FONT_SIZE = 11;

/** Advance of one character, in em (DejaVu Sans Mono). */
const ADVANCE_EM = 1233 / 2048;
/** Height of capitals and digits above the baseline, in em (DejaVu Sans Mono: 1493/2048). */
const CAP_HEIGHT_EM = 1493 / 2048;
/** Depth of descenders (g, p, y) below the baseline, in em. */
const DESCENT_EM = 483 / 2048;

/**
 * Pixel metrics of plot text at a text scale (1 = {@link PLOT_FONT_SIZE} px).
 *
 * @example const m = plotFontMetrics(2); m.width("loss") // 4 characters at 22 px: about 53 px
 */
export function plotFontMetrics(scale: number): {
  size: number;
  capHeight: number;
  descent: number;
  lineHeight: number;
  width(text: string): number;
} {
  const size = PLOT_FONT_SIZE * scale;
  return {
    size,
    capHeight: CAP_HEIGHT_EM * size,
    descent: DESCENT_EM * size,
    lineHeight: (CAP_HEIGHT_EM + DESCENT_EM) * size,
    // Code points, so that "é" or "μ" count once.
    width: (text: string) => [...text].length * ADVANCE_EM * size,
  };
}
