import { PNG } from "pngjs";
import type { Rgb } from "./color.js";
import { FONT_HEIGHT, forEachTextPixel, measureText } from "./font.js";

/** A rectangle in pixel coordinates, edges inclusive of `left`/`top`, exclusive of `right`/`bottom`. */
export interface PixelRect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/**
 * An RGBA pixel canvas with the few anti-aliased drawing operations plots need (lines, polylines,
 * discs, rectangles, bitmap text), encoded to PNG with pngjs. Coordinates are in pixels with (0, 0)
 * the top-left corner; pixel (x, y) covers [x, x+1) x [y, y+1), so its centre is (x+0.5, y+0.5).
 *
 * @example
 * const r = new Raster(200, 100, { r: 255, g: 255, b: 255 });
 * r.polyline([[10, 90], [190, 10]], { r: 31, g: 119, b: 180 }, 2);
 * fs.writeFileSync("line.png", r.toPng());
 */
export class Raster {
  /** RGBA bytes, row by row. */
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb,
  ) {
    this.data = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      this.data[i * 4] = background.r;
      this.data[i * 4 + 1] = background.g;
      this.data[i * 4 + 2] = background.b;
      this.data[i * 4 + 3] = 255;
    }
  }

  /** Mixes `color` into pixel (x, y) with weight `alpha` in [0, 1]; pixels off the canvas are ignored. */
  blend(x: number, y: number, color: Rgb, alpha: number): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height || !(alpha > 0)) return;
    const a = Math.min(alpha, 1);
    const i = (y * this.width + x) * 4;
    this.data[i] = Math.round(this.data[i]! + (color.r - this.data[i]!) * a);
    this.data[i + 1] = Math.round(this.data[i + 1]! + (color.g - this.data[i + 1]!) * a);
    this.data[i + 2] = Math.round(this.data[i + 2]! + (color.b - this.data[i + 2]!) * a);
  }

  /** The [r, g, b] of pixel (x, y). */
  pixel(x: number, y: number): [number, number, number] {
    const i = (y * this.width + x) * 4;
    return [this.data[i]!, this.data[i + 1]!, this.data[i + 2]!];
  }

  /** Fills whole pixels x in [x0, x1), y in [y0, y1) (rounded), with optional opacity. */
  fillRect(x0: number, y0: number, x1: number, y1: number, color: Rgb, alpha = 1): void {
    const xa = Math.max(0, Math.round(x0));
    const xb = Math.min(this.width, Math.round(x1));
    const ya = Math.max(0, Math.round(y0));
    const yb = Math.min(this.height, Math.round(y1));
    for (let y = ya; y < yb; y++) for (let x = xa; x < xb; x++) this.blend(x, y, color, alpha);
  }

  /**
   * Draws connected segments through `points` with round joins and caps, `width` pixels wide,
   * anti-aliased, clipped to `clip` (default: the whole canvas). Overlaps are not darkened: each
   * pixel takes the largest coverage of any segment. `dash` = [on, off] lengths in pixels.
   */
  polyline(
    points: readonly (readonly [number, number])[],
    color: Rgb,
    width: number,
    clip: PixelRect = { left: 0, top: 0, right: this.width, bottom: this.height },
    dash?: readonly [number, number],
  ): void {
    if (points.length === 0) return;
    const cl = Math.max(0, Math.floor(clip.left));
    const ct = Math.max(0, Math.floor(clip.top));
    const cr = Math.min(this.width, Math.ceil(clip.right));
    const cb = Math.min(this.height, Math.ceil(clip.bottom));
    if (cr <= cl || cb <= ct) return;
    const cw = cr - cl;
    const coverage = new Float32Array(cw * (cb - ct));
    const half = width / 2;
    let travelled = 0;
    const segs =
      points.length === 1 ? [[points[0]!, points[0]!]] : points.slice(1).map((p, i) => [points[i]!, p]);
    for (const [a, b] of segs) {
      const [ax, ay] = a!;
      const [bx, by] = b!;
      const dx = bx - ax;
      const dy = by - ay;
      const len2 = dx * dx + dy * dy;
      const len = Math.sqrt(len2);
      const x0 = Math.max(cl, Math.floor(Math.min(ax, bx) - half - 1));
      const x1 = Math.min(cr, Math.ceil(Math.max(ax, bx) + half + 1));
      const y0 = Math.max(ct, Math.floor(Math.min(ay, by) - half - 1));
      const y1 = Math.min(cb, Math.ceil(Math.max(ay, by) + half + 1));
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const px = x + 0.5 - ax;
          const py = y + 0.5 - ay;
          const t = len2 > 0 ? Math.max(0, Math.min(1, (px * dx + py * dy) / len2)) : 0;
          if (dash && len > 0) {
            const along = travelled + t * len;
            if (along % (dash[0] + dash[1]) >= dash[0]) continue;
          }
          const ex = px - t * dx;
          const ey = py - t * dy;
          const cov = Math.min(1, half + 0.5 - Math.sqrt(ex * ex + ey * ey));
          const k = (y - ct) * cw + (x - cl);
          if (cov > coverage[k]!) coverage[k] = cov;
        }
      }
      travelled += len;
    }
    for (let y = ct; y < cb; y++) {
      for (let x = cl; x < cr; x++) {
        const c = coverage[(y - ct) * cw + (x - cl)]!;
        if (c > 0) this.blend(x, y, color, c);
      }
    }
  }

  /** A filled, anti-aliased disc of radius `radius` centred on (cx, cy). */
  disc(cx: number, cy: number, radius: number, color: Rgb): void {
    const x0 = Math.floor(cx - radius - 1);
    const x1 = Math.ceil(cx + radius + 1);
    const y0 = Math.floor(cy - radius - 1);
    const y1 = Math.ceil(cy + radius + 1);
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
        this.blend(x, y, color, radius + 0.5 - d);
      }
    }
  }

  /**
   * Draws `text` in the built-in bitmap font, each font pixel a `scale` x `scale` square.
   * (x, y) is the top-left of the text box; with `rotate` true the text runs bottom-to-top and
   * (x, y) is the top-left of the rotated box (width FONT_HEIGHT*scale, height measureText*scale).
   */
  text(text: string, x: number, y: number, color: Rgb, scale = 1, rotate = false): void {
    const ox = Math.round(x);
    const oy = Math.round(y);
    const len = measureText(text) * scale;
    forEachTextPixel(text, (gx, gy) => {
      const px = rotate ? ox + gy * scale : ox + gx * scale;
      const py = rotate ? oy + len - (gx + 1) * scale : oy + gy * scale;
      this.fillRect(px, py, px + scale, py + scale, color);
    });
  }

  /** Size in pixels of `text` drawn at `scale` (unrotated). */
  static textSize(text: string, scale = 1): { width: number; height: number } {
    return { width: measureText(text) * scale, height: FONT_HEIGHT * scale };
  }

  /** The canvas as PNG file bytes (8-bit RGBA). */
  toPng(): Buffer {
    const png = new PNG({ width: this.width, height: this.height });
    png.data = Buffer.from(this.data.buffer, this.data.byteOffset, this.data.byteLength);
    return PNG.sync.write(png);
  }
}
