/**
 * A small proportional bitmap font for plot text: printable ASCII, glyphs 5 pixels wide at most,
 * 7 pixels from the cap line to the baseline and 2 more for descenders (g, j, p, q, y, comma).
 * Each glyph is drawn below as rows of '#' (ink) and '.' (paper), top row first; each is then trimmed
 * to its inked columns so that narrow letters (i, l, 1, '.') take less room.
 */

/** Pixel rows from the top of a line to the baseline (cap height). */
export const FONT_ASCENT = 7;
/** Pixel rows below the baseline used by descenders. */
export const FONT_DESCENT = 2;
/** Total pixel height of a line of text (ascent + descent). */
export const FONT_HEIGHT = FONT_ASCENT + FONT_DESCENT;
/** Blank columns between two glyphs. */
const LETTER_SPACING = 1;
/** Advance of a space. */
const SPACE_WIDTH = 3;

const GLYPH_ROWS: Record<string, string> = {
  "0": ".###. #...# #..## #.#.# ##..# #...# .###.",
  "1": "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.",
  "2": ".###. #...# ....# ...#. ..#.. .#... #####",
  "3": "##### ...#. ..#.. ...#. ....# #...# .###.",
  "4": "...#. ..##. .#.#. #..#. ##### ...#. ...#.",
  "5": "##### #.... ####. ....# ....# #...# .###.",
  "6": "..##. .#... #.... ####. #...# #...# .###.",
  "7": "##### ....# ...#. ..#.. .#... .#... .#...",
  "8": ".###. #...# #...# .###. #...# #...# .###.",
  "9": ".###. #...# #...# .#### ....# ...#. .##..",
  A: ".###. #...# #...# ##### #...# #...# #...#",
  B: "####. #...# #...# ####. #...# #...# ####.",
  C: ".###. #...# #.... #.... #.... #...# .###.",
  D: "###.. #..#. #...# #...# #...# #..#. ###..",
  E: "##### #.... #.... ####. #.... #.... #####",
  F: "##### #.... #.... ####. #.... #.... #....",
  G: ".###. #...# #.... #.### #...# #...# .####",
  H: "#...# #...# #...# ##### #...# #...# #...#",
  I: "###. .#.. .#.. .#.. .#.. .#.. ###.",
  J: "..### ...#. ...#. ...#. ...#. #..#. .##..",
  K: "#...# #..#. #.#.. ##... #.#.. #..#. #...#",
  L: "#.... #.... #.... #.... #.... #.... #####",
  M: "#...# ##.## #.#.# #.#.# #...# #...# #...#",
  N: "#...# #...# ##..# #.#.# #..## #...# #...#",
  O: ".###. #...# #...# #...# #...# #...# .###.",
  P: "####. #...# #...# ####. #.... #.... #....",
  Q: ".###. #...# #...# #...# #.#.# #..#. .##.#",
  R: "####. #...# #...# ####. #.#.. #..#. #...#",
  S: ".#### #.... #.... .###. ....# ....# ####.",
  T: "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",
  U: "#...# #...# #...# #...# #...# #...# .###.",
  V: "#...# #...# #...# #...# #...# .#.#. ..#..",
  W: "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.",
  X: "#...# #...# .#.#. ..#.. .#.#. #...# #...#",
  Y: "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..",
  Z: "##### ....# ...#. ..#.. .#... #.... #####",
  a: "..... ..... .###. ....# .#### #...# .####",
  b: "#.... #.... #.##. ##..# #...# #...# ####.",
  c: "..... ..... .###. #.... #.... #...# .###.",
  d: "....# ....# .##.# #..## #...# #...# .####",
  e: "..... ..... .###. #...# ##### #.... .###.",
  f: "..##. .#..# .#... ###.. .#... .#... .#...",
  g: "..... ..... .#### #...# #...# #...# .#### ....# .###.",
  h: "#.... #.... #.##. ##..# #...# #...# #...#",
  i: ".#. ... ##. .#. .#. .#. ###",
  j: "...# .... ..## ...# ...# ...# ...# #..# .##.",
  k: "#... #... #..# #.#. ##.. #.#. #..#",
  l: "##. .#. .#. .#. .#. .#. ###",
  m: "..... ..... ##.#. #.#.# #.#.# #.#.# #.#.#",
  n: "..... ..... #.##. ##..# #...# #...# #...#",
  o: "..... ..... .###. #...# #...# #...# .###.",
  p: "..... ..... ####. #...# #...# #...# ####. #.... #....",
  q: "..... ..... .#### #...# #...# #...# .#### ....# ....#",
  r: "..... ..... #.##. ##..# #.... #.... #....",
  s: "..... ..... .###. #.... .###. ....# ####.",
  t: ".#.. .#.. ###. .#.. .#.. .#.# ..#.",
  u: "..... ..... #...# #...# #...# #..## .##.#",
  v: "..... ..... #...# #...# #...# .#.#. ..#..",
  w: "..... ..... #...# #...# #.#.# #.#.# .#.#.",
  x: "..... ..... #...# .#.#. ..#.. .#.#. #...#",
  y: "..... ..... #...# #...# #...# #...# .#### ....# .###.",
  z: "..... ..... ##### ...#. ..#.. .#... #####",
  "!": "# # # # # . #",
  '"': "#.# #.# #.#",
  "#": ".#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.",
  $: "..#.. .#### #.#.. .###. ..#.# ####. ..#..",
  "%": "##... ##..# ...#. ..#.. .#... #..## ...##",
  "&": ".##.. #..#. #.#.. .#... #.#.# #..#. .##.#",
  "'": "# # #",
  "(": "..# .#. #.. #.. #.. .#. ..#",
  ")": "#.. .#. ..# ..# ..# .#. #..",
  "*": "..... ..#.. #.#.# .###. #.#.# ..#.. .....",
  "+": "..... ..#.. ..#.. ##### ..#.. ..#.. .....",
  ",": ".. .. .. .. .. ## ## .# #.",
  "-": "... ... ... ### ... ... ...",
  ".": ".. .. .. .. .. ## ##",
  "/": "..... ....# ...#. ..#.. .#... #.... .....",
  ":": ".. ## ## .. ## ## ..",
  ";": ".. ## ## .. ## ## .# #.",
  "<": "...# ..#. .#.. #... .#.. ..#. ...#",
  "=": "..... ..... ##### ..... ##### ..... .....",
  ">": "#... .#.. ..#. ...# ..#. .#.. #...",
  "?": ".###. #...# ....# ...#. ..#.. ..... ..#..",
  "@": ".###. #...# ....# .##.# #.#.# #.#.# .###.",
  "[": "### #.. #.. #.. #.. #.. ###",
  "\\": "..... #.... .#... ..#.. ...#. ....# .....",
  "]": "### ..# ..# ..# ..# ..# ###",
  "^": "..#.. .#.#. #...#",
  _: "..... ..... ..... ..... ..... ..... ..... #####",
  "`": "#. .#",
  "{": "..# .#. .#. #.. .#. .#. ..#",
  "|": "# # # # # # # # #",
  "}": "#.. .#. .#. ..# .#. .#. #..",
  "~": "..... ..... .#... #.#.# ...#.",
};

/** One glyph: its advance width and inked pixels as [x, y] offsets from the top-left of the line. */
export interface Glyph {
  width: number;
  pixels: readonly (readonly [number, number])[];
}

function buildGlyph(rowsText: string): Glyph {
  const rows = rowsText.split(" ");
  const pixels: [number, number][] = [];
  let minX = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  rows.forEach((row, y) => {
    for (let x = 0; x < row.length; x++) {
      if (row[x] !== "#") continue;
      pixels.push([x, y]);
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
    }
  });
  if (pixels.length === 0) return { width: SPACE_WIDTH, pixels: [] };
  return { width: maxX - minX + 1, pixels: pixels.map(([x, y]) => [x - minX, y] as const) };
}

const GLYPHS = new Map<string, Glyph>(Object.entries(GLYPH_ROWS).map(([ch, rows]) => [ch, buildGlyph(rows)]));
GLYPHS.set(" ", { width: SPACE_WIDTH, pixels: [] });

/** The glyph for one character; characters the font lacks are drawn as '?'. */
export function glyphFor(ch: string): Glyph {
  return GLYPHS.get(ch) ?? GLYPHS.get("?")!;
}

/** Width in pixels of `text` at 1x scale (glyph advances plus letter spacing). */
export function measureText(text: string): number {
  let w = 0;
  let n = 0;
  for (const ch of text) {
    w += glyphFor(ch).width;
    n++;
  }
  return n === 0 ? 0 : w + (n - 1) * LETTER_SPACING;
}

/**
 * Calls `plot(x, y)` for every inked pixel of `text` at 1x scale, with (0, 0) the top-left of the
 * line (the baseline is at y = FONT_ASCENT).
 */
export function forEachTextPixel(text: string, plot: (x: number, y: number) => void): void {
  let cursor = 0;
  for (const ch of text) {
    const g = glyphFor(ch);
    for (const [x, y] of g.pixels) plot(cursor + x, y);
    cursor += g.width + LETTER_SPACING;
  }
}
