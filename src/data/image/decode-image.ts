import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { UserError } from "../../errors.js";

/** A decoded image: 8-bit RGBA pixels, row-major, and how many color channels the file stores. */
export interface DecodedImage {
  width: number;
  height: number;
  /** 1 for grayscale files, 3 for color ones (alpha is not counted). */
  channels: 1 | 3;
  /** width * height * 4 bytes, RGBA (grayscale is replicated into R, G and B). */
  rgba: Uint8Array;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];

/**
 * Decodes PNG (via pngjs: every color type and bit depth, 16-bit scaled to 8) or baseline/progressive JPEG
 * (via jpeg-js), recognized by their first bytes whatever the file name says. Anything else, or a file
 * that fails to decode, is a UserError naming `path`.
 */
export function decodeImage(bytes: Uint8Array, path: string): DecodedImage {
  if (PNG_MAGIC.every((b, i) => bytes[i] === b)) {
    let png: ReturnType<typeof PNG.sync.read>;
    try {
      png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (e) {
      throw new UserError(
        `${path}: cannot decode PNG (${(e as Error).message})`,
        "the file may be truncated or damaged",
      );
    }
    return {
      width: png.width,
      height: png.height,
      channels: png.color ? 3 : 1,
      rgba: new Uint8Array(png.data),
    };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    const components = jpegComponents(bytes);
    let img: { width: number; height: number; data: Uint8Array };
    try {
      img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
    } catch (e) {
      throw new UserError(
        `${path}: cannot decode JPEG (${(e as Error).message})`,
        "the file may be truncated or damaged",
      );
    }
    if (components === undefined) throw new UserError(`${path}: cannot decode JPEG (no frame header)`);
    return { width: img.width, height: img.height, channels: components === 1 ? 1 : 3, rgba: img.data };
  }
  throw new UserError(
    `${path}: not a PNG or JPEG file (unrecognized first bytes)`,
    "convert the image to PNG or JPEG",
  );
}

/** Number of color components in a JPEG's start-of-frame header, or undefined when there is none. */
function jpegComponents(b: Uint8Array): number | undefined {
  let i = 2;
  while (i + 4 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    const len = (b[i + 2]! << 8) | b[i + 3]!;
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return b[i + 9];
    }
    if (marker === 0xd9 || marker === 0xda) return undefined;
    i += 2 + len;
  }
  return undefined;
}
