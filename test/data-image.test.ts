import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { readTable } from "../src/data/csv.js";
import { readImageFile, readImageFolder } from "../src/data/image/image-folder.js";
import { ImageStandardizer } from "../src/data/image/image-standardizer.js";
import { resizeBilinear } from "../src/data/image/resize.js";
import { UserError } from "../src/errors.js";

const dataDir = fileURLToPath(new URL("../../test/data/", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "nncoach-img-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function pngBytes(
  w: number,
  h: number,
  pixel: (x: number, y: number) => [number, number, number],
  gray = false,
): Buffer {
  const png = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [r, g, b] = pixel(x, y);
      png.data.set([r, g, b, 255], 4 * (y * w + x));
    }
  }
  return PNG.sync.write(png, gray ? { colorType: 0 } : { colorType: 2 });
}

function jpegBytes(w: number, h: number, pixel: (x: number, y: number) => [number, number, number]): Buffer {
  const data = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([...pixel(x, y), 255], 4 * (y * w + x));
  return jpeg.encode({ width: w, height: h, data }, 95).data;
}

test("bilinear resize matches PyTorch F.interpolate(align_corners=False)", () => {
  const gold = JSON.parse(
    readFileSync(new URL("../../test/fixtures/bilinear_resize.json", import.meta.url), "utf8"),
  );
  for (const c of gold.cases) {
    const out = resizeBilinear(Float32Array.from(c.input), c.channels, c.inH, c.inW, c.outH, c.outW);
    assert.equal(out.length, c.output.length);
    let maxErr = 0;
    out.forEach((v, i) => {
      maxErr = Math.max(maxErr, Math.abs(v - c.output[i]));
    });
    assert.ok(maxErr < 1e-6, `case ${c.inH}x${c.inW}->${c.outH}x${c.outW}: max error ${maxErr}`);
  }
});

test("digits PNG folder: NCHW shape, values in [0,1], labels from folders, pixels match digits.csv", async () => {
  const d = await readImageFolder(join(dataDir, "digits_png"), { size: [8, 8] });
  assert.deepEqual(d.shape, [50, 1, 8, 8]);
  assert.equal(d.images.length, 50 * 64);
  assert.ok(d.images.every((v) => v >= 0 && v <= 1));
  assert.deepEqual(d.classes, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
  assert.deepEqual(Array.from(d.labels.subarray(0, 6)), [0, 0, 0, 0, 0, 1]);
  assert.ok(d.files[0]!.endsWith(join("0", "0000.png")));
  assert.deepEqual(d.warnings, []);
  // 0000.png is row 0 of digits.csv (values 0..16 stored as floor(v * 255 / 16))
  const csv = await readTable(
    fileURLToPath(new URL("../../test/data/digits_first_row.csv", import.meta.url)),
  );
  const row = csv.rows[0]!.slice(0, 64).map(Number);
  for (let i = 0; i < 64; i++) assert.ok(Math.abs(d.images[i]! * 16 - row[i]!) < 0.07, `pixel ${i}`);
  // resized to 16x16 and as 3 channels
  const big = await readImageFolder(join(dataDir, "digits_png"), { size: [16, 12], channels: 3 });
  assert.deepEqual(big.shape, [50, 3, 16, 12]);
  assert.deepEqual(big.images.subarray(0, 192), big.images.subarray(192, 384));
});

test("color PNG and JPEG decode to RGB planes; grayscale conversion uses luma weights", async () => {
  const dir = join(tmp, "colors");
  mkdirSync(join(dir, "red"), { recursive: true });
  mkdirSync(join(dir, "blue"), { recursive: true });
  writeFileSync(
    join(dir, "red", "a.png"),
    pngBytes(4, 3, () => [255, 0, 0]),
  );
  writeFileSync(
    join(dir, "red", "b.jpg"),
    jpegBytes(16, 16, () => [250, 10, 10]),
  );
  writeFileSync(
    join(dir, "blue", "c.png"),
    pngBytes(4, 3, () => [0, 0, 255]),
  );
  writeFileSync(join(dir, "blue", "notes.txt"), "not an image");
  writeFileSync(join(dir, "blue", "d.gif"), "GIF89a");
  const d = await readImageFolder(dir, { size: [3, 4] });
  assert.deepEqual(d.classes, ["blue", "red"]);
  assert.deepEqual(d.shape, [3, 3, 3, 4]);
  assert.deepEqual(Array.from(d.labels), [0, 1, 1]);
  const plane = 12;
  assert.ok(
    d.images.subarray(2 * plane, 3 * plane).every((v) => v === 1),
    "blue image: B plane is 1",
  );
  assert.ok(d.images.subarray(0, 2 * plane).every((v) => v === 0));
  const jpg = d.images.subarray(2 * 3 * plane, 3 * 3 * plane);
  assert.ok(
    jpg.subarray(0, plane).every((v) => v > 0.9),
    "JPEG red plane",
  );
  assert.ok(
    jpg.subarray(plane).every((v) => v < 0.1),
    "JPEG green/blue planes",
  );
  assert.ok(d.warnings.some((w) => w.includes("unsupported format") && w.includes("d.gif")));
  const gray = await readImageFile(join(dir, "red", "a.png"), { size: [3, 4], channels: 1 });
  assert.equal(gray.length, 12);
  // 8-bit pixels: the luma value rounded to a whole pixel value (0.299 * 255 = 76.2 -> 76)
  assert.equal(gray[0], Math.fround(76 / 255));
});

test("corrupt file and wrong channel count: UserError naming the file, or warnings with skipCorrupt", async () => {
  const dir = join(tmp, "mixed");
  mkdirSync(join(dir, "a"), { recursive: true });
  mkdirSync(join(dir, "b"), { recursive: true });
  writeFileSync(
    join(dir, "a", "1.png"),
    pngBytes(5, 5, (x) => [x * 50, x * 50, x * 50], true),
  );
  writeFileSync(
    join(dir, "a", "2.png"),
    pngBytes(5, 5, () => [9, 200, 40]),
  );
  writeFileSync(
    join(dir, "b", "3.png"),
    pngBytes(5, 5, (x, y) => [x * 10, y * 10, 0], true),
  );
  const bad = pngBytes(5, 5, () => [1, 2, 3]).subarray(0, 40);
  writeFileSync(join(dir, "b", "4.png"), bad);
  await assert.rejects(
    readImageFolder(dir),
    (e: unknown) =>
      e instanceof UserError && /a\/2\.png: has 3 channel\(s\) but earlier images have 1/.test(e.message),
  );
  await assert.rejects(
    readImageFolder(dir, { channels: 1 }),
    (e: unknown) => e instanceof UserError && /b\/4\.png: cannot decode PNG/.test(e.message),
  );
  const d = await readImageFolder(dir, { skipCorrupt: true });
  assert.deepEqual(d.shape, [2, 1, 5, 5]);
  assert.equal(d.warnings.length, 2);
  assert.match(d.warnings[0]!, /skipped .*a\/2\.png: has 3 channel/);
  assert.match(d.warnings[1]!, /skipped .*b\/4\.png: cannot decode PNG/);
  await assert.rejects(readImageFolder(join(tmp, "nowhere")), /no such folder/);
  await assert.rejects(
    readImageFolder(dir, { size: [0, 3] }),
    /size must be \[height, width\] with positive integers; got \[0,3\]/,
  );
});

test("image standardizer: per-channel statistics from training images only", () => {
  // 3 images, 2 channels, 1x2 pixels
  const images = Float32Array.from([0, 2, 10, 10, 4, 6, 20, 30, 100, 100, 100, 100]);
  const shape = [3, 2, 1, 2];
  const norm = ImageStandardizer.fit(images, shape, [0, 1]);
  assert.deepEqual(norm.mean, [3, 17.5]);
  assert.ok(Math.abs(norm.std[0]! - Math.sqrt(5)) < 1e-9);
  const changed = images.slice();
  changed.fill(-7, 8);
  assert.deepEqual(ImageStandardizer.fit(changed, shape, [0, 1]).toJSON(), norm.toJSON());
  const x = norm.apply(images, shape);
  assert.ok(Math.abs(x[0]! - -3 / Math.sqrt(5)) < 1e-6);
  const loaded = ImageStandardizer.fromJSON(JSON.parse(JSON.stringify(norm)));
  assert.deepEqual(loaded.apply(images.subarray(0, 4), [2, 1, 2]), x.subarray(0, 4));
  assert.throws(
    () => norm.apply(images, [3, 4, 1, 1]),
    /4 channel\(s\) but the standardizer was fitted on 2/,
  );
});

test("8-bit pixels (NHWC) standardize exactly as their [0, 1] floats (NCHW) do", async () => {
  const d = await readImageFolder(join(dataDir, "digits_png"), { size: [6, 5], channels: 3 });
  assert.equal(d.pixels.length, 50 * 6 * 5 * 3);
  // pixel (y, x, channel) of image n is images[n][channel][y][x] * 255
  const [, c, h, w] = d.shape;
  for (const [n, y, x, ch] of [
    [0, 0, 0, 0],
    [7, 3, 4, 2],
    [49, 5, 2, 1],
  ] as const)
    assert.equal(
      Math.fround(d.pixels[((n * h + y) * w + x) * c + ch]! / 255),
      d.images[((n * c + ch) * h + y) * w + x],
    );
  const rows = [3, 1, 4, 15, 9, 26];
  const a = ImageStandardizer.fit(d.images, d.shape, rows);
  const b = ImageStandardizer.fitPixels(d.pixels, d.shape, rows);
  assert.deepEqual(b.toJSON(), a.toJSON(), "the same statistics, bit for bit");
  const per = c * h * w;
  const picked = new Float32Array(rows.length * per);
  rows.forEach((r, k) => {
    picked.set(d.images.subarray(r * per, (r + 1) * per), k * per);
  });
  assert.deepEqual(b.applyPixels(d.pixels, d.shape, rows), a.apply(picked, [rows.length, c, h, w]));
});
