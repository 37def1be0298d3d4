/**
 * Rasterizes SVG documents to PNG with resvg (`@resvg/resvg-js`, whose native binaries come in npm
 * platform packages). Text is set in DejaVu Sans Mono when its file is in a usual place (Debian's
 * `fonts-dejavu-core`, Fedora's `dejavu-sans-mono-fonts`, Homebrew), else in the system's fonts.
 */
import { existsSync } from "node:fs";
import { Resvg } from "@resvg/resvg-js";

/** Where DejaVu Sans Mono is installed on common systems. */
const FONT_FILES = [
  "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
  "/usr/share/fonts/dejavu-sans-mono-fonts/DejaVuSansMono.ttf",
  "/usr/share/fonts/dejavu/DejaVuSansMono.ttf",
  "/usr/share/fonts/TTF/DejaVuSansMono.ttf",
  "/opt/homebrew/share/fonts/DejaVuSansMono.ttf",
];

let fontOptions: { fontFiles: string[]; loadSystemFonts: boolean; monospaceFamily?: string } | undefined;

/** The first DejaVu Sans Mono file found (loading one file is faster than scanning the system's fonts). */
function fonts(): NonNullable<typeof fontOptions> {
  if (!fontOptions) {
    const file = FONT_FILES.find((f) => existsSync(f));
    fontOptions = file
      ? { fontFiles: [file], loadSystemFonts: false, monospaceFamily: "DejaVu Sans Mono" }
      : { fontFiles: [], loadSystemFonts: true };
  }
  return fontOptions;
}

/**
 * The PNG bytes of an SVG document, at the size its `width` and `height` give.
 *
 * @example fs.writeFileSync("plot.png", svgToPng(renderLinePlotSvg(spec)));
 */
export function svgToPng(svg: string): Buffer {
  const { fontFiles, loadSystemFonts, monospaceFamily } = fonts();
  return new Resvg(svg, {
    font: {
      fontFiles,
      loadSystemFonts,
      ...(monospaceFamily ? { monospaceFamily, defaultFontFamily: monospaceFamily } : {}),
    },
    logLevel: "off",
  })
    .render()
    .asPng();
}
