import { UserError } from "../errors.js";

/** An sRGB color with 8-bit channels. */
export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** Series colors used in order when a series names none (the familiar "tab10" palette). */
export const SERIES_PALETTE: readonly string[] = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];

/**
 * Parses "#rrggbb" or "#rgb". `what` names the option in the error, e.g. `series "loss" color`.
 *
 * @example parseColor("#ff8000", "color") // { r: 255, g: 128, b: 0 }
 */
export function parseColor(text: string, what: string): Rgb {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(text);
  if (!m)
    throw new UserError(`${what} must be a color like "#1f77b4" or "#f80", got ${JSON.stringify(text)}`);
  let hex = m[1]!;
  if (hex.length === 3) hex = [...hex].map((c) => c + c).join("");
  return {
    r: Number.parseInt(hex.slice(0, 2), 16),
    g: Number.parseInt(hex.slice(2, 4), 16),
    b: Number.parseInt(hex.slice(4, 6), 16),
  };
}

/** "#rrggbb" for a color. */
export function colorToHex(c: Rgb): string {
  return `#${[c.r, c.g, c.b].map((v) => v.toString(16).padStart(2, "0")).join("")}`;
}
