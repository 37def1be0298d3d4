/**
 * The decoded-image cache of big folders (src/data/image/image-cache.ts) on real data, a copy of the digit
 * PNGs: the cached folder is byte-exact what decoding gives (on worker threads and on this thread alike);
 * a changed, added or removed file rebuilds it; a truncated or damaged cache file is rebuilt, never
 * trusted; a data folder that cannot be written to keeps its cache in the user cache folder; and
 * `nncoach train` gives the same losses whether the images came from the files or from the cache.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { type ImageFolder, readImageFolder } from "../src/data/image/image-folder.js";
import { loadProgress } from "../src/data/load-progress.js";
import { runCliAsync } from "./helpers/cli-async.js";

const SHARED = process.env.NNCOACH_DATASETS ?? "/work/shared/datasets";
const DIGITS = path.join(SHARED, "digits_png");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-image-cache-"));
const dir = path.join(tmp, "digits");
const cacheFile = path.join(dir, ".nncoach-cache", "images-own-own.bin");
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Copies the first `n` files of each class of `src` into `dst`. */
function subset(src: string, dst: string, n: number): void {
  for (const c of fs.readdirSync(src).sort()) {
    fs.mkdirSync(path.join(dst, c), { recursive: true });
    for (const f of fs.readdirSync(path.join(src, c)).sort().slice(0, n))
      fs.copyFileSync(path.join(src, c, f), path.join(dst, c, f));
  }
}

function sameFolder(a: ImageFolder, b: ImageFolder): void {
  assert.deepEqual(a.shape, b.shape);
  assert.deepEqual(a.classes, b.classes);
  assert.deepEqual(a.files, b.files);
  assert.deepEqual(a.labels, b.labels);
  assert.ok(Buffer.from(a.pixels).equals(Buffer.from(b.pixels)), "the same pixels, byte for byte");
}

const fromCache = (f: ImageFolder) => f.notes.some((n) => n.startsWith("read "));

before(() => subset(DIGITS, dir, 1000));

test("the cache round-trips byte-exact; worker threads decode what this thread decodes", async () => {
  const direct = await readImageFolder(dir, { cache: false, workers: 0 });
  assert.equal(direct.shape[0], 1797);
  assert.deepEqual(direct.shape, [1797, 1, 8, 8]);
  assert.ok(!fs.existsSync(cacheFile), "cache: false writes no cache");
  const built = await readImageFolder(dir, { cache: true, workers: 2 });
  assert.ok(!fromCache(built));
  sameFolder(built, direct);
  assert.ok(fs.existsSync(cacheFile));
  // 12 bytes of magic and header length, the header, 4 bytes a label and 64 a pixel
  assert.ok(fs.statSync(cacheFile).size > 1797 * (4 + 64));
  const cached = await readImageFolder(dir, { cache: true });
  assert.ok(fromCache(cached), cached.notes.join("; "));
  sameFolder(cached, direct);
  assert.deepEqual(cached.images, direct.images, "the [0, 1] floats agree too");
  // the listing ignores the hidden cache folder
  assert.ok(!cached.files.some((f) => f.includes(".nncoach-cache")));
});

test("a changed, added or removed file rebuilds the cache", async () => {
  await readImageFolder(dir, { cache: true });
  // change: another digit's image under the same name (new size and modification time)
  const changed = path.join(dir, "3", fs.readdirSync(path.join(dir, "3")).sort()[0]!);
  const other = path.join(DIGITS, "8", fs.readdirSync(path.join(DIGITS, "8")).sort()[1]!);
  fs.copyFileSync(other, changed);
  fs.utimesSync(changed, new Date(), new Date(Date.now() + 5000));
  const afterChange = await readImageFolder(dir, { cache: true });
  assert.ok(!fromCache(afterChange), "a changed file is decoded again");
  const direct = await readImageFolder(dir, { cache: false });
  sameFolder(afterChange, direct);
  const i = afterChange.files.indexOf(changed);
  const want = await readImageFolder(path.dirname(path.dirname(other)), { cache: false });
  const j = want.files.indexOf(other);
  assert.deepEqual(
    afterChange.pixels.subarray(i * 64, i * 64 + 64),
    want.pixels.subarray(j * 64, j * 64 + 64),
  );
  assert.ok(fromCache(await readImageFolder(dir, { cache: true })), "and cached again");
  // the same bytes touched to a new modification time are decoded again too
  fs.utimesSync(changed, new Date(), new Date(Date.now() + 60_000));
  assert.ok(!fromCache(await readImageFolder(dir, { cache: true })));
  // added
  fs.copyFileSync(other, path.join(dir, "0", "extra.png"));
  const added = await readImageFolder(dir, { cache: true });
  assert.ok(!fromCache(added));
  assert.equal(added.shape[0], 1798);
  assert.ok(fromCache(await readImageFolder(dir, { cache: true })));
  // removed
  fs.rmSync(path.join(dir, "0", "extra.png"));
  const removed = await readImageFolder(dir, { cache: true });
  assert.ok(!fromCache(removed));
  assert.equal(removed.shape[0], 1797);
});

test("a truncated or damaged cache file is rebuilt, never trusted", async () => {
  const good = await readImageFolder(dir, { cache: false });
  await readImageFolder(dir, { cache: true });
  const bytes = fs.readFileSync(cacheFile);
  const damages: [string, Buffer, RegExp][] = [
    ["truncated", bytes.subarray(0, bytes.length - 100), /truncated or padded/],
    ["flipped pixel", Buffer.from(bytes).fill(7, bytes.length - 10, bytes.length - 9), /hash mismatch/],
    ["bad magic", Buffer.concat([Buffer.from("XXXX"), bytes.subarray(4)]), /bad magic/],
    ["half a header", bytes.subarray(0, 40), /truncated \(header\)|damaged header/],
    ["empty", Buffer.alloc(0), /bad magic/],
  ];
  for (const [what, damaged, reason] of damages) {
    fs.writeFileSync(cacheFile, damaged);
    const f = await readImageFolder(dir, { cache: true });
    assert.ok(!fromCache(f), what);
    assert.ok(
      f.notes.some((n) => reason.test(n) && n.includes("rebuilt")),
      `${what}: ${f.notes.join("; ")}`,
    );
    sameFolder(f, good);
    assert.ok(fs.readFileSync(cacheFile).equals(bytes), `${what}: the cache file is whole again`);
  }
});

test("a data folder that cannot be written to keeps its cache in the user cache folder", async () => {
  const ro = path.join(tmp, "read-only");
  subset(DIGITS, ro, 20);
  const userCache = path.join(tmp, "user-cache");
  const saved = process.env.NNCOACH_CACHE_DIR;
  process.env.NNCOACH_CACHE_DIR = userCache;
  // root writes anywhere whatever the permissions say: there the cache folder is blocked by a file
  const asRoot = process.getuid?.() === 0;
  if (asRoot) fs.writeFileSync(path.join(ro, ".nncoach-cache"), "not a folder");
  else fs.chmodSync(ro, 0o555);
  try {
    const first = await readImageFolder(ro, { cache: true });
    assert.equal(first.shape[0], 200);
    assert.ok(
      first.notes.some((n) => n.includes("cannot be written to") && n.includes(userCache)),
      first.notes.join("; "),
    );
    const second = await readImageFolder(ro, { cache: true });
    assert.ok(fromCache(second), second.notes.join("; "));
    assert.ok(second.notes.some((n) => n.includes(userCache)));
    sameFolder(second, first);
  } finally {
    if (!asRoot) fs.chmodSync(ro, 0o755);
    if (saved === undefined) delete process.env.NNCOACH_CACHE_DIR;
    else process.env.NNCOACH_CACHE_DIR = saved;
  }
});

test("nncoach train: the same losses from the image files and from the cache", async () => {
  const small = path.join(tmp, "train");
  subset(DIGITS, small, 8);
  const run = () =>
    runCliAsync(
      ["train", small, "--epochs", "2", "--widths", "8", "--seed", "3", "--threads", "1", "--json"],
      { env: { NNCOACH_IMAGE_CACHE: "on" } },
    );
  const first = await run();
  assert.equal(first.code, 0, first.stderr);
  assert.ok(fs.existsSync(path.join(small, ".nncoach-cache", "images-own-own.bin")));
  const second = await run();
  assert.equal(second.code, 0, second.stderr);
  const losses = (r: typeof first) =>
    (r.json!.history as { train_loss: number; val_loss: number }[]).map((h) => [h.train_loss, h.val_loss]);
  assert.equal(losses(first).length, 2);
  assert.deepEqual(losses(second), losses(first));
  assert.ok(JSON.stringify(second.json).includes("from the cache"), "the second run read the cache");
});

test("decoding a big folder reports files as they are done; the progress line counts files, not rows", async () => {
  const seen: [number, number][] = [];
  await readImageFolder(dir, {
    cache: false,
    workers: 2,
    onProgress: (done, total) => seen.push([done, total]),
  });
  assert.ok(seen.length >= 7, "one report per task of 256 files");
  assert.deepEqual(seen.at(-1), [1797, 1797]);
  assert.ok(seen.every(([d], k) => k === 0 || d > seen[k - 1]![0]));
  const written: string[] = [];
  const stream = { isTTY: true, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
  assert.equal(loadProgress(dir, { stream, files: 1797 }), undefined, "a small folder: no progress line");
  assert.equal(loadProgress(dir, { stream, files: 60000, json: true }), undefined, "--json: none");
  let t = 0;
  const p = loadProgress(dir, { stream, files: 60000, now: () => t })!;
  t = 4000;
  p.update(12000, 60000, 12000);
  assert.match(written[0]!, /reading digits: 12,000 files, 3,000 files\/s, 20%, about 16 s left/);
  p.end();
});
