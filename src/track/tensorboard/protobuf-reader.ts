/**
 * A minimal protocol-buffers decoder: walks the fields of one encoded message. Used to read
 * TensorBoard event files back (tests, dashboards); it knows wire types, not schemas.
 */

/** One decoded field. `varint` is a bigint so int64 values survive; the other views alias the input. */
export type ProtoField =
  | { field: number; wireType: 0; varint: bigint }
  | { field: number; wireType: 1; fixed64: DataView }
  | { field: number; wireType: 2; bytes: Uint8Array }
  | { field: number; wireType: 5; fixed32: DataView };

/** Raised when bytes are not a well-formed protobuf message. */
export class ProtoDecodeError extends Error {
  override readonly name = "ProtoDecodeError";
}

/**
 * Decodes the fields of one message, in order. Throws ProtoDecodeError on truncated input or an
 * unsupported wire type (groups).
 *
 * @example for (const f of readProtoFields(bytes)) if (f.field === 1 && f.wireType === 1) ...
 */
export function readProtoFields(bytes: Uint8Array): ProtoField[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fields: ProtoField[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= bytes.length) throw new ProtoDecodeError(`truncated varint at byte ${pos}`);
      const b = bytes[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new ProtoDecodeError(`varint longer than 10 bytes at byte ${pos}`);
    }
  };
  const need = (n: number, what: string): void => {
    if (pos + n > bytes.length) throw new ProtoDecodeError(`truncated ${what} at byte ${pos}`);
  };
  while (pos < bytes.length) {
    const key = varint();
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (field === 0) throw new ProtoDecodeError(`field number 0 at byte ${pos}`);
    switch (wireType) {
      case 0:
        fields.push({ field, wireType, varint: BigInt.asUintN(64, varint()) });
        break;
      case 1:
        need(8, "fixed64");
        fields.push({ field, wireType, fixed64: new DataView(view.buffer, view.byteOffset + pos, 8) });
        pos += 8;
        break;
      case 2: {
        const n = Number(varint());
        need(n, "length-delimited field");
        fields.push({ field, wireType, bytes: bytes.subarray(pos, pos + n) });
        pos += n;
        break;
      }
      case 5:
        need(4, "fixed32");
        fields.push({ field, wireType, fixed32: new DataView(view.buffer, view.byteOffset + pos, 4) });
        pos += 4;
        break;
      default:
        throw new ProtoDecodeError(`unsupported wire type ${wireType} (field ${field})`);
    }
  }
  return fields;
}

/** An int64 varint as a JavaScript number (two's complement, so negative values come back negative). */
export function int64ToNumber(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

/** The doubles of a packed `repeated double` field (also accepts one unpacked fixed64 value). */
export function readPackedDoubles(f: ProtoField): number[] {
  if (f.wireType === 1) return [f.fixed64.getFloat64(0, true)];
  if (f.wireType !== 2)
    throw new ProtoDecodeError(`field ${f.field}: expected doubles, got wire type ${f.wireType}`);
  if (f.bytes.length % 8 !== 0)
    throw new ProtoDecodeError(`field ${f.field}: packed doubles length ${f.bytes.length}`);
  const v = new DataView(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength);
  const out: number[] = [];
  for (let i = 0; i < f.bytes.length; i += 8) out.push(v.getFloat64(i, true));
  return out;
}
