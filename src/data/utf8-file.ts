import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { isAbsolute } from "node:path";
import { UserError } from "../errors.js";

/**
 * Reads a file as a stream of UTF-8 text chunks (never the whole file as one string), refusing bytes
 * that are not valid UTF-8 with a UserError naming the file and the line. A leading byte-order mark
 * is dropped. Chunk boundaries never split a character.
 *
 * Example: `for await (const text of readUtf8Chunks("data.csv")) parser.push(text);`
 */
export async function* readUtf8Chunks(path: string, chunkBytes = 1 << 16): AsyncGenerator<string> {
  await assertReadableFile(path);
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  let carry: Uint8Array = new Uint8Array(0);
  let newlinesBefore = 0;
  const stream = createReadStream(path, { highWaterMark: chunkBytes });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const bytes = carry.length > 0 ? concat(carry, chunk) : new Uint8Array(chunk);
    const end = completeUtf8Prefix(bytes);
    const text = decodeOrThrow(decoder, bytes.subarray(0, end), path, newlinesBefore, true);
    newlinesBefore += countNewlines(bytes, 0, end);
    carry = bytes.slice(end);
    if (text.length > 0) yield text;
  }
  if (carry.length > 0) {
    yield decodeOrThrow(decoder, carry, path, newlinesBefore, false);
  }
}

/** Throws a UserError when `path` does not exist or is not a regular file. */
export async function assertReadableFile(path: string): Promise<void> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    throw new UserError(
      `cannot read '${path}': no such file`,
      isAbsolute(path)
        ? "check the path (a relative path in a config file is read from the config file's folder)"
        : `check the path (a relative path is read from the current folder, ${process.cwd()})`,
    );
  }
  if (!info.isFile()) throw new UserError(`cannot read '${path}': it is not a regular file`);
}

function decodeOrThrow(
  decoder: TextDecoder,
  bytes: Uint8Array,
  path: string,
  newlinesBefore: number,
  more: boolean,
): string {
  try {
    // Streaming mode keeps the decoder from dropping a BOM anywhere but at the file's start;
    // the last call (more = false) also refuses a character cut off by the end of the file.
    return decoder.decode(bytes, { stream: more });
  } catch {
    const at = firstInvalidUtf8(bytes);
    const line = newlinesBefore + countNewlines(bytes, 0, at) + 1;
    const shown = Array.from(bytes.subarray(at, Math.min(at + 4, bytes.length)))
      .map((b) => "0x" + b.toString(16).padStart(2, "0"))
      .join(" ");
    throw new UserError(
      `${path}: line ${line}: the file is not valid UTF-8 (bytes ${shown})`,
      "save the file as UTF-8, e.g. `iconv -f latin1 -t utf-8 in.csv > out.csv`",
    );
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function countNewlines(bytes: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (bytes[i] === 0x0a) n++;
  return n;
}

/** Length of the longest prefix of `bytes` that does not end inside a multi-byte character. */
function completeUtf8Prefix(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = bytes[n - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

/** Offset of the first byte that starts an invalid UTF-8 sequence (bytes.length when all are valid). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let cp: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
      cp = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
      cp = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
      cp = b & 0x07;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return n;
}
