/**
 * A minimal protocol-buffers encoder: just the wire types TensorBoard's Event, Summary and
 * HistogramProto messages need (varint, 64-bit, length-delimited, 32-bit). Fields are written in
 * the order the calls are made; a nested message is encoded with its own writer and added with
 * {@link ProtoWriter.message}.
 *
 * @example
 * const w = new ProtoWriter();
 * w.double(1, Date.now() / 1000).varint(2, 10).string(3, "brain.Event:2");
 * const bytes = w.finish();
 */
export class ProtoWriter {
  private buf = new Uint8Array(64);
  private view = new DataView(this.buf.buffer);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  private tag(field: number, wireType: 0 | 1 | 2 | 5): void {
    this.rawVarint(field * 8 + wireType);
  }

  /** Appends an unsigned varint (a non-negative safe integer, or any int64 as a bigint). */
  private rawVarint(value: number | bigint): void {
    if (typeof value === "number" && value >= 0 && Number.isSafeInteger(value)) {
      this.reserve(10);
      let v = value;
      while (v >= 0x80) {
        this.buf[this.len++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
      this.buf[this.len++] = v;
      return;
    }
    // Negative int64 values are written as their 64-bit two's complement (10 bytes).
    let v = BigInt.asUintN(64, BigInt(value));
    this.reserve(10);
    while (v >= 0x80n) {
      this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.len++] = Number(v);
  }

  /** An int64/uint64/int32/bool/enum field (wire type 0). `value` must be an integer. */
  varint(field: number, value: number | bigint): this {
    if (typeof value === "number" && !Number.isInteger(value)) {
      throw new RangeError(`protobuf varint field ${field} needs an integer, got ${value}`);
    }
    this.tag(field, 0);
    this.rawVarint(value);
    return this;
  }

  /** A `double` field (wire type 1, little-endian IEEE 754 binary64). */
  double(field: number, value: number): this {
    this.tag(field, 1);
    this.reserve(8);
    this.view.setFloat64(this.len, value, true);
    this.len += 8;
    return this;
  }

  /** A `float` field (wire type 5, little-endian IEEE 754 binary32; the value is rounded to float32). */
  float(field: number, value: number): this {
    this.tag(field, 5);
    this.reserve(4);
    this.view.setFloat32(this.len, value, true);
    this.len += 4;
    return this;
  }

  /** A `bytes` field, or an already-encoded nested message (wire type 2). */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.rawVarint(value.length);
    this.reserve(value.length);
    this.buf.set(value, this.len);
    this.len += value.length;
    return this;
  }

  /** A `string` field, UTF-8 encoded (wire type 2). */
  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** A nested message field: the bytes `inner.finish()` returns, length-prefixed. */
  message(field: number, inner: ProtoWriter): this {
    return this.bytes(field, inner.finish());
  }

  /** A `repeated double` field in packed form (one length-delimited run of 8-byte values). */
  packedDoubles(field: number, values: ArrayLike<number>): this {
    this.tag(field, 2);
    this.rawVarint(values.length * 8);
    this.reserve(values.length * 8);
    for (let i = 0; i < values.length; i++) {
      this.view.setFloat64(this.len, values[i]!, true);
      this.len += 8;
    }
    return this;
  }

  /** The encoded message (a copy; the writer can keep being used). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
