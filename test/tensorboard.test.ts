import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { UserError } from "../src/errors.js";
import {
  computeHistogram,
  crc32c,
  decodeEventFile,
  frameRecord,
  listEventFiles,
  maskCrc,
  maskedCrc32c,
  readEventFile,
  readRecords,
  TensorBoardWriter,
  TFRecordCorruptError,
  unmaskCrc,
} from "../src/track/tensorboard/index.js";

interface FixtureEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  values?: { tag: string; simpleValue?: number | null; histogram?: Record<string, unknown> }[];
}
const fixture = JSON.parse(
  readFileSync(new URL("../../test/fixtures/tensorboard_events.json", import.meta.url), "utf8"),
) as {
  crc32c: { ascii: string; crc: number; masked: number }[];
  crc32cZeros32: number;
  fileBase64: string;
  events: FixtureEvent[];
};
const pythonFile = new Uint8Array(Buffer.from(fixture.fileBase64, "base64"));

const root = mkdtempSync(join(tmpdir(), "nncoach-tb-"));
after(() => rmSync(root, { recursive: true, force: true }));
let dirCount = 0;
const freshDir = () => join(root, `run${dirCount++}`);

/** A clock that returns the given seconds in turn, then keeps returning the last one. */
function clockOf(...seconds: number[]): () => number {
  let i = 0;
  return () => seconds[Math.min(i++, seconds.length - 1)]!;
}

describe("CRC-32C", () => {
  test("matches the standard check values and the Python reference", () => {
    assert.equal(crc32c(new TextEncoder().encode("123456789")), 0xe3069283);
    assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
    assert.equal(fixture.crc32cZeros32, 0x8a9136aa);
    for (const c of fixture.crc32c) {
      const bytes = new TextEncoder().encode(c.ascii);
      assert.equal(crc32c(bytes), c.crc, c.ascii);
      assert.equal(maskedCrc32c(bytes), c.masked, c.ascii);
    }
  });

  test("unmask inverts mask", () => {
    for (const v of [0, 1, 0xffffffff, 0x12345678, 0xa282ead8, 0xe3069283])
      assert.equal(unmaskCrc(maskCrc(v)), v);
  });
});

describe("reader", () => {
  test("decodes an event file written by Google's protobuf library", () => {
    const { events, truncatedTail } = decodeEventFile(pythonFile);
    assert.equal(truncatedTail, false);
    assert.equal(events.length, fixture.events.length);
    events.forEach((got, i) => {
      const want = fixture.events[i]!;
      assert.equal(got.wallTime, want.wallTime, `event ${i} wall time`);
      assert.equal(got.step, want.step, `event ${i} step`);
      assert.equal(got.fileVersion, want.fileVersion, `event ${i} file version`);
      if (!want.values) {
        assert.equal(got.values, undefined);
        return;
      }
      assert.equal(got.values!.length, want.values.length);
      want.values.forEach((wv, j) => {
        const gv = got.values![j]!;
        assert.equal(gv.tag, wv.tag);
        if (wv.simpleValue === null) assert.ok(Number.isNaN(gv.simpleValue), "NaN survives");
        else if (wv.simpleValue !== undefined) assert.equal(gv.simpleValue, wv.simpleValue);
        if (wv.histogram) assert.deepEqual(gv.histogram, wv.histogram);
      });
    });
  });

  test("a flipped byte fails the data checksum, naming the record", () => {
    const bad = pythonFile.slice();
    const { records } = readRecords(pythonFile);
    const secondDataStart = records[0]!.length + 16 + 12;
    bad[secondDataStart + 3]! ^= 0x40;
    assert.throws(
      () => readRecords(bad),
      (e: unknown) => {
        assert.ok(e instanceof TFRecordCorruptError);
        assert.match(e.message, /record 1 .*data checksum/);
        return true;
      },
    );
  });

  test("a flipped length byte fails the length checksum", () => {
    const bad = pythonFile.slice();
    bad[0]! ^= 0x01;
    assert.throws(() => readRecords(bad), /record 0 at byte 0: length checksum/);
  });
});

describe("TensorBoardWriter", () => {
  test("writes the same bytes as the protobuf-library reference for the same events", () => {
    const dir = freshDir();
    const walls = fixture.events.map((e) => e.wallTime);
    const w = new TensorBoardWriter(dir, {
      clock: clockOf(walls[0]!, ...walls),
      hostname: "ref",
      histogramBuckets: 3,
    });
    w.scalar("loss/train", 0.7, 1);
    w.scalar("loss/train", 0.41, 2);
    w.scalar("loss/train", Number.NaN, 3);
    w.scalar("big/step", -1.5, 9007199254740991);
    w.histogram("weights/dense1", new Float32Array([-1, 0.25, 0.75, 2]), 4);
    w.close();
    assert.equal(w.path, join(dir, "events.out.tfevents.1600000000.ref"));
    assert.deepEqual(new Uint8Array(readFileSync(w.path)), pythonFile);
  });

  test("round-trips scalars and histograms through the reader (float32 precision)", () => {
    const dir = freshDir();
    const w = new TensorBoardWriter(dir, { clock: () => 1700000000.75, hostname: "box" });
    const logged: { tag: string; value: number; step: number }[] = [];
    for (let step = 0; step < 20; step++) {
      const train = 1 / (step + 1) + 0.001 * Math.sin(step);
      const val = 1.1 / (step + 1);
      w.scalar("loss/train", train, step);
      w.scalars({ "loss/val": val, lr: 0.1 * 0.9 ** step }, step);
      logged.push({ tag: "loss/train", value: train, step });
      logged.push({ tag: "loss/val", value: val, step }, { tag: "lr", value: 0.1 * 0.9 ** step, step });
      if (step % 5 === 4) w.flush();
    }
    const weights = new Float32Array(1000).map((_, i) => Math.sin(i * 12.9898) * 0.5);
    weights[7] = Number.NaN;
    w.histogram("weights/dense1", weights, 19);
    w.close();

    assert.deepEqual(listEventFiles(dir), [join(dir, "events.out.tfevents.1700000000.box")]);
    const { events, truncatedTail } = readEventFile(w.path);
    assert.equal(truncatedTail, false);
    assert.equal(events[0]!.fileVersion, "brain.Event:2");
    assert.equal(events[0]!.wallTime, 1700000000.75);
    const scalars = events
      .slice(1)
      .flatMap((e) => (e.values ?? []).map((v) => ({ ...v, step: e.step, wallTime: e.wallTime })))
      .filter((v) => v.simpleValue !== undefined);
    assert.equal(scalars.length, logged.length);
    scalars.forEach((s, i) => {
      const want = logged[i]!;
      assert.equal(s.tag, want.tag);
      assert.equal(s.step, want.step);
      assert.equal(s.simpleValue, Math.fround(want.value), `${want.tag} @ ${want.step}`);
      assert.equal(s.wallTime, 1700000000.75);
    });

    const last = events.at(-1)!;
    assert.equal(last.step, 19);
    const h = last.values![0]!.histogram!;
    assert.equal(last.values![0]!.tag, "weights/dense1");
    const finite = Array.from(weights).filter(Number.isFinite);
    assert.equal(h.num, 999);
    assert.equal(h.min, Math.min(...finite));
    assert.equal(h.max, Math.max(...finite));
    assert.ok(Math.abs(h.sum - finite.reduce((a, b) => a + b, 0)) < 1e-9);
    assert.ok(Math.abs(h.sumSquares - finite.reduce((a, b) => a + b * b, 0)) < 1e-9);
    assert.equal(h.bucket.length, 30);
    assert.equal(h.bucketLimit.length, 30);
    assert.equal(h.bucketLimit.at(-1), h.max);
    assert.equal(
      h.bucket.reduce((a, b) => a + b, 0),
      999,
    );
    // Each bucket holds exactly the values between its limits.
    for (let b = 0; b < 30; b++) {
      const lo = b === 0 ? h.min : h.bucketLimit[b - 1]!;
      const hi = h.bucketLimit[b]!;
      const inside = finite.filter((v) => v >= lo && (b === 29 ? v <= hi : v < hi)).length;
      assert.ok(Math.abs(inside - h.bucket[b]!) <= 1, `bucket ${b}: ${inside} vs ${h.bucket[b]}`);
    }
  });

  test("buffers until flush; a crash mid-write leaves every flushed record readable", () => {
    const dir = freshDir();
    const w = new TensorBoardWriter(dir, { clock: () => 1, hostname: "h" });
    w.scalar("a", 1, 1);
    w.scalar("a", 2, 2);
    assert.equal(readEventFile(w.path).events.length, 1, "only file_version before flush");
    w.flush();
    assert.equal(readEventFile(w.path).events.length, 3);
    w.flush(); // nothing pending: no change
    assert.equal(readEventFile(w.path).events.length, 3);

    // Simulate a crash partway through appending the next record.
    const complete = readFileSync(w.path);
    const partial = frameRecord(new Uint8Array(40).fill(7)).subarray(0, 30);
    appendFileSync(w.path, partial);
    const { events, truncatedTail } = readEventFile(w.path);
    assert.equal(truncatedTail, true);
    assert.deepEqual(
      events.slice(1).map((e) => [e.step, e.values![0]!.simpleValue]),
      [
        [1, 1],
        [2, 2],
      ],
    );
    // A header cut inside its first 12 bytes is also a truncated tail, not corruption.
    writeFileSync(join(dir, "short"), Buffer.concat([complete, partial.subarray(0, 5)]));
    const short = readEventFile(join(dir, "short"));
    assert.equal(short.truncatedTail, true);
    assert.equal(short.events.length, 3);
    w.close();
  });

  test("flushes by itself once the buffer passes maxBufferBytes", () => {
    const dir = freshDir();
    const w = new TensorBoardWriter(dir, { clock: () => 5, hostname: "h", maxBufferBytes: 100 });
    for (let i = 0; i < 3; i++) w.scalar("loss", i, i); // ~40 bytes each
    assert.equal(readEventFile(w.path).events.length, 4);
    w.scalar("loss", 9, 3);
    assert.equal(readEventFile(w.path).events.length, 4);
    w.close();
    assert.equal(readEventFile(w.path).events.length, 5);
  });

  test("two writers started in the same second get separate files", () => {
    const dir = freshDir();
    const a = new TensorBoardWriter(dir, { clock: () => 42.9, hostname: "h" });
    const b = new TensorBoardWriter(dir, { clock: () => 42.1, hostname: "h" });
    a.scalar("x", 1, 1);
    b.scalar("x", 2, 1);
    a.close();
    b.close();
    assert.deepEqual(readdirSync(dir).sort(), ["events.out.tfevents.42.h", "events.out.tfevents.42.h.1"]);
    assert.equal(readEventFile(a.path).events[1]!.values![0]!.simpleValue, 1);
    assert.equal(readEventFile(b.path).events[1]!.values![0]!.simpleValue, 2);
  });

  test("refuses bad tags and steps, naming the value; refuses writes after close", () => {
    const w = new TensorBoardWriter(freshDir(), { hostname: "h" });
    assert.throws(
      () => w.scalar("", 1, 0),
      (e: unknown) => e instanceof UserError && /tag/.test(e.message),
    );
    assert.throws(
      () => w.scalar("a", 1, 2.5),
      (e: unknown) => e instanceof UserError && /step.*2\.5/.test(e.message),
    );
    assert.throws(() => w.scalar("a", 1, -1), /step must be a whole number >= 0, got -1/);
    assert.throws(() => w.histogram("h", [1], Number.NaN), /step/);
    w.close();
    w.close();
    assert.throws(() => w.scalar("a", 1, 1), /closed/);
  });
});

describe("computeHistogram", () => {
  test("equal-width buckets counted like numpy.histogram", () => {
    // numpy.histogram([0, 0.4, 0.6, 1, 1.9, 2.2, 3.5, -1], bins=3) -> [3, 3, 2], edges [-1, 0.5, 2, 3.5]
    const h = computeHistogram([0, 0.4, 0.6, 1, 1.9, 2.2, 3.5, -1], 3);
    assert.deepEqual(h.bucket, [3, 3, 2]);
    assert.deepEqual(h.bucketLimit, [0.5, 2, 3.5]);
    assert.equal(h.min, -1);
    assert.equal(h.num, 8);
    assert.ok(Math.abs(h.sum - 8.6) < 1e-12);
  });

  test("all-equal values give one bucket; no finite values give none", () => {
    assert.deepEqual(computeHistogram(new Float32Array([0, 0, 0]), 30), {
      min: 0,
      max: 0,
      num: 3,
      sum: 0,
      sumSquares: 0,
      bucketLimit: [0],
      bucket: [3],
    });
    assert.equal(computeHistogram([Number.NaN, Number.POSITIVE_INFINITY]).num, 0);
    assert.deepEqual(computeHistogram([Number.NaN]).bucket, []);
  });
});
