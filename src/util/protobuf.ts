/**
 * nncoach's one protocol-buffers layer: a schema is a table of messages, each field declared once by
 * name with its number and type, and protobuf.js (the maintained JavaScript implementation) does the
 * wire format from it. The TypeScript types of the messages are derived from the same table, so a field
 * the table lacks is a compile error, not a silently dropped value. ONNX files (engine/onnx) and
 * TensorBoard event files (track/tensorboard) are both read and written through it.
 *
 * Serialization follows the schema's syntax as Google's libraries do: fields in number order; proto3
 * leaves out scalars equal to their default (0, "", empty) unless they are part of a oneof, proto2
 * writes every field that is set.
 *
 * @example
 * const schema = new ProtoSchema("demo", "proto3", {
 *   Point: { x: { id: 1, type: "double" }, tags: { id: 2, type: "string", repeated: true } },
 * } as const);
 * const bytes = schema.encode("Point", { x: 1.5, tags: ["a"] });
 * schema.decode("Point", bytes).x; // 1.5
 */
import protobuf from "protobufjs/light.js";

/** The scalar types nncoach's schemas use, spelled as in .proto files. */
export type ScalarType = "double" | "float" | "int32" | "int64" | "uint64" | "bool" | "string" | "bytes";

/** One field of a message: its number, its type (a scalar, or another message of the schema by name). */
export interface FieldSpec {
  readonly id: number;
  readonly type: string;
  readonly repeated?: boolean;
  /** proto2 only: a repeated number field written packed (`[packed = true]`); proto3 packs them always. */
  readonly packed?: boolean;
  /** The oneof the field belongs to: only one of its fields is set, and a set one is written even when 0. */
  readonly oneof?: string;
}

/** Messages by name (a nested message is named `Outer.Inner`, as in .proto files), fields by name. */
export type MessageSpecs = { readonly [message: string]: { readonly [field: string]: FieldSpec } };

/** A decoded 64-bit integer: protobuf.js gives a {low, high} pair; see {@link int64ToNumber}. */
export type Int64 = number | protobuf.Long;

type ScalarValue<T> = T extends "bool"
  ? boolean
  : T extends "string"
    ? string
    : T extends "bytes"
      ? Uint8Array
      : number;
type DecodedScalar<T> = T extends "int64" | "uint64" ? Int64 : ScalarValue<T>;

type InputValue<S extends MessageSpecs, F extends FieldSpec> = F["type"] extends keyof S
  ? MessageInput<S, F["type"]>
  : ScalarValue<F["type"]>;

type DecodedValue<S extends MessageSpecs, F extends FieldSpec> = F["type"] extends keyof S
  ? DecodedMessage<S, F["type"]>
  : DecodedScalar<F["type"]>;

/** What {@link ProtoSchema.encode} takes for message `M`: every field optional; a field left out is not written. */
export type MessageInput<S extends MessageSpecs, M extends keyof S> = {
  -readonly [F in keyof S[M]]?: S[M][F]["repeated"] extends true
    ? readonly InputValue<S, S[M][F]>[]
    : InputValue<S, S[M][F]>;
};

/**
 * What {@link ProtoSchema.decode} returns for message `M`: a missing scalar reads as its default (0, "",
 * empty bytes), a missing repeated field as [], a missing message as null. {@link has} tells whether a
 * field was on the wire.
 */
export type DecodedMessage<S extends MessageSpecs, M extends keyof S> = {
  readonly [F in keyof S[M]]: S[M][F]["repeated"] extends true
    ? DecodedValue<S, S[M][F]>[]
    : S[M][F]["type"] extends keyof S
      ? DecodedValue<S, S[M][F]> | null
      : DecodedValue<S, S[M][F]>;
};

/** Bytes that are not a well-formed message of the expected type (truncated, or another format). */
export class ProtoDecodeError extends Error {
  override readonly name = "ProtoDecodeError";
}

/** A compiled schema: encodes and decodes its messages, by name. */
export class ProtoSchema<S extends MessageSpecs> {
  private readonly types = new Map<keyof S, protobuf.Type>();
  private readonly root: protobuf.Root;

  /**
   * @param packageName the .proto package, e.g. "onnx" (types are looked up inside it)
   * @param syntax "proto2" (explicit presence) or "proto3" (defaults are not written), as the format's .proto says
   * @param messages the message table; see {@link FieldSpec}
   */
  constructor(
    readonly packageName: string,
    readonly syntax: "proto2" | "proto3",
    readonly messages: S,
  ) {
    const pkg: protobuf.INamespace & { nested: Record<string, protobuf.IType> } = { nested: {} };
    for (const [name, fields] of Object.entries(messages)) {
      const path = name.split(".");
      let scope = pkg;
      for (const part of path.slice(0, -1)) {
        const outer = scope.nested[part];
        if (!outer) throw new Error(`protobuf schema ${packageName}: ${name} is declared before ${part}`);
        outer.nested ??= {};
        scope = outer as typeof pkg;
      }
      const type: protobuf.IType = { fields: {}, ...(syntax === "proto2" ? { edition: "proto2" } : {}) };
      for (const [fieldName, f] of Object.entries(fields)) {
        type.fields[fieldName] = {
          id: f.id,
          type: f.type,
          ...(f.repeated ? { rule: "repeated" } : {}),
          ...(f.packed ? { options: { packed: true } } : {}),
        };
        if (f.oneof) {
          type.oneofs ??= {};
          type.oneofs[f.oneof] ??= { oneof: [] };
          type.oneofs[f.oneof]!.oneof.push(fieldName);
        }
      }
      scope.nested[path.at(-1)!] = type;
    }
    this.root = protobuf.Root.fromJSON({ nested: { [packageName]: pkg } });
    for (const name of Object.keys(messages)) {
      this.types.set(name, this.root.lookupType(`${packageName}.${name}`));
    }
    this.root.resolveAll();
  }

  /** The wire bytes of `value` as message `type` (a view of protobuf.js's output buffer). */
  encode<M extends keyof S & string>(type: M, value: MessageInput<S, M>): Uint8Array {
    const out = this.type(type).encode(value).finish();
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }

  /**
   * Decodes `bytes` as message `type`; fields the schema does not declare are skipped. Byte fields are
   * views into `bytes`. Throws {@link ProtoDecodeError} on malformed input.
   */
  decode<M extends keyof S & string>(type: M, bytes: Uint8Array): DecodedMessage<S, M> {
    try {
      return this.type(type).decode(bytes) as unknown as DecodedMessage<S, M>;
    } catch (e) {
      throw new ProtoDecodeError(`not a valid ${this.packageName}.${type} message: ${(e as Error).message}`);
    }
  }

  private type(name: keyof S & string): protobuf.Type {
    const t = this.types.get(name);
    if (!t) throw new Error(`protobuf schema ${this.packageName} has no message ${name}`);
    return t;
  }
}

/** Whether a decoded message had `field` on the wire (for proto3 scalars: set to a non-default value). */
export function has<T extends object>(message: T, field: keyof T & string): boolean {
  return Object.hasOwn(message, field);
}

/** A decoded int64/uint64 as a JavaScript number (exact up to 2^53; negative int64 values stay negative). */
export function int64ToNumber(v: Int64): number {
  if (typeof v === "number") return v;
  return (v.unsigned ? v.high >>> 0 : v.high) * 4294967296 + (v.low >>> 0);
}
