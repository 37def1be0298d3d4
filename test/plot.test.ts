import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PNG } from "pngjs";
import { UserError } from "../src/errors.js";
import {
  layoutLinePlot,
  type PixelRect,
  rectsOverlap,
  renderLinePlot,
  renderLinePlotSvg,
} from "../src/report/index.js";
import { plotFontMetrics } from "../src/report/plot-font.js";
import { formatTick, linearTicks, logTicks } from "../src/report/ticks.js";

type Img = { width: number; height: number; data: Buffer };
const decode = (png: Buffer): Img => PNG.sync.read(png);
const rgbAt = (img: Img, x: number, y: number) => {
  const i = (y * img.width + x) * 4;
  return [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!] as const;
};
/** Pixels within `tol` (per channel) of the color, as [x, y]. */
function pixelsOf(img: Img, rgb: readonly [number, number, number], tol = 40): [number, number][] {
  const out: [number, number][] = [];
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const [r, g, b] = rgbAt(img, x, y);
      if (Math.abs(r - rgb[0]) <= tol && Math.abs(g - rgb[1]) <= tol && Math.abs(b - rgb[2]) <= tol)
        out.push([x, y]);
    }
  }
  return out;
}
/** Pixels whose color passes `pred`, as [x, y]. */
function pixelsWhere(img: Img, pred: (r: number, g: number, b: number) => boolean): [number, number][] {
  const out: [number, number][] = [];
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++) if (pred(...rgbAt(img, x, y))) out.push([x, y]);
  return out;
}
const BLUE = [0, 0, 255] as const;
const RED = [255, 0, 0] as const;
const GREEN = [0, 200, 0] as const;

describe("renderLinePlot (PNG)", () => {
  test("decodes to the requested size and draws each series where its data lies", () => {
    const x = Array.from({ length: 21 }, (_, i) => i / 2);
    const spec = {
      width: 500,
      height: 320,
      title: "Two lines",
      xLabel: "x",
      yLabel: "y",
      series: [
        { name: "rising", x, y: x.map((v) => v), color: "#0000ff" },
        { name: "flat", x, y: x.map(() => 2), color: "#ff0000" },
      ],
    };
    const img = decode(renderLinePlot(spec));
    assert.equal(img.width, 500);
    assert.equal(img.height, 320);

    const { plot, legend } = layoutLinePlot(spec);
    const box = legend!.box;
    const outsideLegend = ([px, py]: [number, number]) =>
      px < box.left - 1 || px > box.right + 1 || py < box.top - 1 || py > box.bottom + 1;
    // The axes: a dark vertical line just left of the plot box and a horizontal one along its bottom.
    const axisX = Math.round(plot.left) - 1;
    for (let y = Math.ceil(plot.top) + 2; y < plot.bottom - 2; y += 7) {
      assert.ok(rgbAt(img, axisX, y)[0] < 100, `y axis at (${axisX}, ${y})`);
    }

    const inBox = ([px]: [number, number]) => px > plot.left + 3 && px < plot.right - 3;
    const blue = pixelsOf(img, BLUE).filter((p) => inBox(p) && outsideLegend(p));
    const red = pixelsOf(img, RED).filter((p) => inBox(p) && outsideLegend(p));
    // The legend shows both colors as swatches.
    assert.ok(
      pixelsOf(img, BLUE).some((p) => !outsideLegend(p)) && pixelsOf(img, RED).some((p) => !outsideLegend(p)),
    );
    assert.ok(blue.length > 300, `blue pixels: ${blue.length}`);
    assert.ok(red.length > 300, `red pixels: ${red.length}`);
    // The rising line goes up (smaller y) to the right: strong negative correlation of px and py.
    const corr = correlation(
      blue.map((p) => p[0]),
      blue.map((p) => p[1]),
    );
    assert.ok(corr < -0.99, `rising line correlation ${corr}`);
    // The flat line is horizontal: its rows span at most a few pixels (line width 2 + anti-aliasing).
    const redRows = new Set(red.map((p) => p[1]));
    assert.ok(redRows.size <= 4, `flat line rows: ${[...redRows]}`);
    // The lines cross at (2, 2): blue pixels just either side of that column sit on the red row.
    const crossX = plot.left + (2 / 10) * (plot.right - plot.left);
    const redY = mean(red.map((p) => p[1]));
    const blueAtCross = blue.filter(([px]) => Math.abs(px + 0.5 - crossX) < 8);
    assert.ok(blueAtCross.length > 5, `blue pixels near the crossing: ${blueAtCross.length}`);
    const blueY = mean(blueAtCross.map((p) => p[1]));
    assert.ok(Math.abs(blueY - redY) <= 3, `crossing rows ${blueY} vs ${redY}`);

    // Text is drawn (a font was found): dark glyph pixels under each x tick label, none between them.
    const { texts } = layoutLinePlot(spec);
    const font = plotFontMetrics(1);
    const dark = pixelsWhere(img, (r, g, b) => r < 120 && g < 120 && b < 120);
    const ticks = texts.filter((t) => t.anchor === "middle" && t.baseline > plot.bottom && t.text !== "x");
    assert.ok(ticks.length >= 4, `x tick labels: ${ticks.length}`);
    for (const t of ticks) {
      const w = font.width(t.text);
      const glyphs = dark.filter(
        ([x, y]) =>
          x >= t.x - w / 2 && x < t.x + w / 2 && y >= t.baseline - font.capHeight - 1 && y <= t.baseline + 1,
      );
      assert.ok(glyphs.length >= 8, `tick label "${t.text}": ${glyphs.length} dark pixels`);
    }
  });

  test("log x axis places 1e-3 halfway between 1e-6 and 1, and the marker is drawn there", () => {
    const lrs = Array.from({ length: 61 }, (_, i) => 10 ** (-6 + i / 10));
    const spec = {
      width: 480,
      height: 300,
      xLog: true,
      yMin: 0,
      xLabel: "learning rate",
      yLabel: "loss",
      series: [{ x: lrs, y: lrs.map((lr) => 1 + (Math.log10(lr) + 3) ** 2 / 9), color: "#0000ff" }],
      markers: [{ x: 1e-3, y: 1, label: "suggested 1e-3", color: "#00c800" }],
    };
    const L = layoutLinePlot(spec);
    assert.equal(L.markers[0]!.x, L.plot.left + (L.plot.right - L.plot.left) / 2);
    const img = decode(renderLinePlot(spec));
    const green = pixelsOf(img, GREEN, 30);
    // The marker disc: green pixels around the marker's position...
    const disc = green.filter(
      ([x, y]) => Math.hypot(x + 0.5 - L.markers[0]!.x, y + 0.5 - L.markers[0]!.y) <= 4,
    );
    assert.ok(disc.length >= 20, `marker disc pixels: ${disc.length}`);
    // ...its label in green text inside the label box, and the dashed guide below the point.
    const box = L.markers[0]!.labelBox!;
    const greenish = pixelsWhere(img, (r, g, b) => g > r + 50 && g > b + 50);
    const label = greenish.filter(
      ([x, y]) => x >= box.left && x < box.right && y >= box.top && y < box.bottom,
    );
    assert.ok(label.length > 30, `label pixels: ${label.length}`);
    const guide = greenish.filter(
      ([x, y]) => Math.abs(x + 0.5 - L.markers[0]!.x) < 1.5 && y > L.markers[0]!.y + 8,
    );
    assert.ok(guide.length > 40, `guide pixels: ${guide.length}`);
    // The parabola's lowest blue pixels are at the same x as the marker.
    const blue = pixelsOf(img, BLUE).filter(([x]) => x > L.plot.left + 3 && x < L.plot.right - 3);
    const lowest = Math.max(...blue.map((p) => p[1]));
    const xsAtLowest = blue.filter((p) => p[1] === lowest).map((p) => p[0]);
    assert.ok(Math.abs(mean(xsAtLowest) - L.markers[0]!.x) < 12, `minimum at ${mean(xsAtLowest)}`);
    // Log ticks are labelled with powers of ten.
    assert.ok(L.texts.some((t) => t.text === "1e-6") && L.texts.some((t) => t.text === "0.001"));
  });

  test("non-finite points are skipped, not drawn and not fatal", () => {
    const x = [1, 2, 3, 4, 5, 6];
    const y = [5, 4, Number.NaN, 3, Number.POSITIVE_INFINITY, 2];
    const L = layoutLinePlot({ series: [{ x, y }] });
    assert.equal(L.series[0]!.points.length, 4);
    assert.ok(L.series[0]!.points.every(([px, py]) => Number.isFinite(px) && Number.isFinite(py)));
    const img = decode(renderLinePlot({ width: 300, height: 200, series: [{ x, y, color: "#0000ff" }] }));
    assert.ok(pixelsOf(img, BLUE).length > 100);
    // On a log axis, x <= 0 is skipped too.
    assert.equal(
      layoutLinePlot({ xLog: true, series: [{ x: [0, -1, 1, 10], y: [1, 2, 3, 4] }] }).series[0]!.points
        .length,
      2,
    );
  });

  test("an empty plot still renders, saying there is no data", () => {
    const L = layoutLinePlot({ series: [{ name: "loss", x: [Number.NaN], y: [1] }] });
    assert.equal(L.empty, true);
    assert.ok(L.texts.some((t) => t.text === "no data"));
    const img = decode(renderLinePlot({ width: 200, height: 120, series: [] }));
    assert.equal(img.width, 200);
  });

  test("the same spec gives the same bytes; the title changes the image", () => {
    const spec = { width: 300, height: 200, series: [{ name: "a", x: [0, 1, 2], y: [3, 1, 2] }] };
    const a = renderLinePlot(spec);
    assert.deepEqual(renderLinePlot(spec), a);
    const titled = decode(renderLinePlot({ ...spec, title: "Hello" }));
    const dark = pixelsOf(titled, [34, 34, 34], 60).filter(([, y]) => y < 28);
    assert.ok(dark.length > 40, `title pixels: ${dark.length}`);
  });

  test("y limits clip lines that leave the box", () => {
    const spec = {
      width: 300,
      height: 200,
      yMax: 2,
      series: [{ x: [0, 1, 2, 3], y: [1, 1.5, 50, 1000], color: "#0000ff" }],
    };
    const L = layoutLinePlot(spec);
    const img = decode(renderLinePlot(spec));
    const blue = pixelsOf(img, BLUE);
    assert.ok(blue.length > 50);
    assert.ok(
      blue.every(([, y]) => y >= Math.floor(L.plot.top)),
      "nothing drawn above the plot box",
    );
  });

  test("marker labels of nearby points do not overlap each other, other markers or the legend", () => {
    const x = Array.from({ length: 50 }, (_, i) => 10 ** (-5 + i / 10));
    const spec = {
      width: 480,
      height: 300,
      xLog: true,
      series: [{ name: "loss", x, y: x.map((v) => 1 + (Math.log10(v) + 2) ** 2) }],
      markers: [
        { x: 0.009, y: 1.01, label: "valley 9.0e-3" },
        { x: 0.01, y: 1, label: "steepest 1.0e-2" },
        { x: 0.011, y: 1.01, label: "min/10 1.1e-2" },
        { x: 0.012, y: 1.02, label: "fourth 1.2e-2" },
      ],
    };
    const L = layoutLinePlot(spec);
    const boxes = L.markers.map((m) => m.labelBox!);
    const discs: PixelRect[] = L.markers.map((m) => ({
      left: m.x - m.radius,
      top: m.y - m.radius,
      right: m.x + m.radius,
      bottom: m.y + m.radius,
    }));
    boxes.forEach((b, i) => {
      assert.ok(
        b.left >= L.plot.left && b.right <= L.plot.right && b.top >= L.plot.top && b.bottom <= L.plot.bottom,
        `label ${i} inside the plot box`,
      );
      assert.ok(!rectsOverlap(b, L.legend!.box), `label ${i} clear of the legend`);
      boxes.forEach((o, j) => {
        assert.ok(i === j || !rectsOverlap(b, o), `labels ${i} and ${j} overlap`);
      });
      discs.forEach((d, j) => {
        assert.ok(!rectsOverlap(b, d), `label ${i} covers marker ${j}`);
      });
      // the text fits its box
      const t = L.markers[i]!.label!;
      assert.ok(t.x >= b.left && t.x + plotFontMetrics(1).width(t.text) <= b.right + 0.01);
      assert.ok(t.baseline <= b.bottom && t.baseline - plotFontMetrics(1).capHeight >= b.top);
    });
    // Each label stays near its own point (within a few rows of text).
    L.markers.forEach((m, i) => {
      const b = boxes[i]!;
      const dy = Math.min(Math.abs(b.top - m.y), Math.abs(b.bottom - m.y));
      assert.ok(dy < 80, `label ${i} is ${dy} px from its point`);
    });
  });

  test("refuses malformed specs, naming the field and value", () => {
    assert.throws(
      () => renderLinePlot({ series: [{ name: "loss", x: [1, 2], y: [1] }] }),
      (e: unknown) => e instanceof UserError && /series 0 \("loss"\).*same length.*2 and 1/.test(e.message),
    );
    assert.throws(() => renderLinePlot({ width: 10, series: [] }), /width must be .* got 10/);
    assert.throws(() => renderLinePlot({ series: [{ x: [1], y: [1], color: "blue" }] }), /color.*"blue"/);
    assert.throws(
      () => renderLinePlot({ xLog: true, xMin: 0, series: [] }),
      /log x axis needs positive limits/,
    );
    assert.throws(() => renderLinePlot({ yMin: 3, yMax: 1, series: [] }), /yMax must be greater than yMin/);
  });
});

describe("renderLinePlotSvg", () => {
  test("is well-formed XML with one polyline per series and escaped text", () => {
    const x = [1, 2, 3, 4];
    const svg = renderLinePlotSvg({
      title: "a < b & c",
      xLabel: "epoch",
      series: [
        { name: "train", x, y: [4, 3, 2, 1] },
        { name: "val", x, y: [4, Number.NaN, 3, 2.5] },
        { name: "dead", x: [1], y: [Number.NaN] },
      ],
      markers: [{ x: 3, y: 2, label: "best" }],
    });
    assertWellFormedXml(svg);
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="640" height="400"/);
    const polylines = [...svg.matchAll(/<polyline [^>]*points="([^"]*)"/g)];
    assert.equal(polylines.length, 2);
    assert.equal(polylines[0]![1]!.split(" ").length, 4);
    assert.equal(polylines[1]![1]!.split(" ").length, 3, "the NaN point is skipped");
    for (const p of polylines) assert.ok(p[1]!.split(" ").every((xy) => /^-?[\d.]+,-?[\d.]+$/.test(xy)));
    assert.match(svg, /a &#60; b &#38; c/);
    assert.match(svg, /<circle class="marker"/);
    assert.match(svg, />best<\/text>/);
    assert.match(svg, />train<\/text>/);
  });

  test("escapes markup in series names, marker labels and axis labels", () => {
    const svg = renderLinePlotSvg({
      xLabel: "x <i>",
      yLabel: `"quoted" & 'single'`,
      series: [{ name: "</text><script>alert(1)</script>", x: [1, 2], y: [1, 2] }],
      markers: [{ x: 1, y: 1, label: "a<b" }],
    });
    assertWellFormedXml(svg);
    assert.doesNotMatch(svg, /<script|<i>|a<b/);
    assert.match(svg, />x &#60;i&#62;<\/text>/);
    assert.match(svg, />&#34;quoted&#34; &#38; &#39;single&#39;<\/text>/);
    assert.match(svg, /data-name="&#60;\/text&#62;&#60;script&#62;alert\(1\)&#60;\/script&#62;"/);
    assert.match(svg, />a&#60;b<\/text>/);
  });

  test("dense series are thinned to about one point per half pixel, keeping the ends", () => {
    const x = Array.from({ length: 20000 }, (_, i) => i);
    const y = x.map((v) => (v === 12345 ? 50 : Math.sin(v / 1000)));
    const L = layoutLinePlot({ width: 400, height: 250, series: [{ x, y }] });
    const pts = L.series[0]!.points;
    assert.ok(pts.length < 4 * (L.plot.right - L.plot.left), `kept ${pts.length} points`);
    assert.equal(pts[0]![0], L.plot.left);
    assert.equal(pts.at(-1)![0], L.plot.right);
    assert.ok(
      pts.some(([, py]) => Math.abs(py - L.plot.top) < 12),
      "the one-point spike survives",
    );
    const svg = renderLinePlotSvg({ width: 400, height: 250, series: [{ x, y }] });
    assert.ok(svg.length < 60000, `svg is ${svg.length} bytes`);
  });
});

describe("ticks", () => {
  test("linear ticks are round numbers with matching decimals", () => {
    assert.deepEqual(
      linearTicks(0, 1, 5).map((t) => t.label),
      ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"],
    );
    assert.deepEqual(
      linearTicks(1, 3, 6, true).map((t) => t.label),
      ["1", "2", "3"],
    );
    assert.deepEqual(
      linearTicks(-0.0123, 0.0456, 5).map((t) => t.label),
      ["-0.01", "0.00", "0.01", "0.02", "0.03", "0.04"],
    );
    assert.equal(formatTick(3e6, 1e6), "3e6");
    assert.equal(formatTick(2e-7, 1e-7), "2e-7");
  });

  test("log ticks label powers of ten, thinning them when many", () => {
    const labels = (t: { label: string }[]) => t.filter((x) => x.label).map((x) => x.label);
    assert.deepEqual(labels(logTicks(1e-7, 10)), [
      "1e-7",
      "1e-6",
      "1e-5",
      "1e-4",
      "0.001",
      "0.01",
      "0.1",
      "1",
      "10",
    ]);
    assert.deepEqual(labels(logTicks(1e-7, 10, 4)), ["1e-6", "0.001", "1"]);
    assert.deepEqual(labels(logTicks(0.02, 0.8)), ["0.02", "0.05", "0.1", "0.2", "0.5"]);
    assert.ok(
      logTicks(1e-3, 1).some((t) => !t.major && t.value === 3e-3 * 1),
      "minor tick at 3e-3",
    );
  });
});

function mean(v: number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}

function correlation(a: number[], b: number[]): number {
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Checks tags nest and close properly, attributes are quoted, and '&' only starts entities. */
function assertWellFormedXml(xml: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  let pos = 0;
  while (pos < xml.length) {
    const lt = xml.indexOf("<", pos);
    const textPart = xml.slice(pos, lt === -1 ? xml.length : lt);
    assert.doesNotMatch(textPart, /&(?!#\d+;|amp;|lt;|gt;|quot;|apos;)/, "bare & in text");
    assert.doesNotMatch(textPart, />/, "bare > in text");
    if (lt === -1) break;
    tag.lastIndex = lt;
    const m = tag.exec(xml);
    assert.ok(m, `malformed tag at ${lt}: ${xml.slice(lt, lt + 60)}`);
    const [, close, name, , selfClose] = m;
    if (close) assert.equal(stack.pop(), name, `closing </${name}> at ${lt}`);
    else if (!selfClose) stack.push(name!);
    pos = tag.lastIndex;
  }
  assert.deepEqual(stack, [], "unclosed tags");
}
