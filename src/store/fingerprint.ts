/**
 * The data fingerprint of a run: a content hash of its training, validation and test rows, each split on
 * its own and the three together. Two runs with the same fingerprint saw the same rows in the same roles,
 * whatever the file was called; the test fingerprint is what the store counts test evaluations by (the
 * same test rows looked at again, from any run or study).
 *
 * A split's hash is order-free: the sorted hashes of its rows (a table row's raw cells with the column
 * names; an image or clip's decoded values with its class), so reshuffling a file changes nothing while
 * changing one cell does. A validation or test file given on its own (--validation-data, --test-data) is
 * hashed as a file.
 */
import crypto from "node:crypto";
import { dataHash } from "../coach/improve/data-hash.js";
import type { AudioFolder } from "../data/audio/audio-folder.js";
import { pixelsToFloat } from "../data/image/pixels.js";
import type { PreparedData } from "../recipe/prepared-data.js";
import type { DataFingerprint } from "./types.js";

const SHORT = 16;

function digest(parts: Iterable<string | Uint8Array>): string {
  const h = crypto.createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest("hex").slice(0, SHORT);
}

/** The hash of each row of the loaded data, by row index. */
function rowHasher(data: PreparedData): (row: number) => string {
  const loaded = data.loaded;
  if (loaded.kind === "table" || loaded.kind === "text") {
    const header = loaded.table.columns.join("\u001f");
    return (i) => digest([header, "\u001e", (loaded.table.rows[i] ?? []).join("\u001f")]);
  }
  const folder = loaded.kind === "images" ? loaded.folder : (loaded as { folder: AudioFolder }).folder;
  const per = folder.shape[1] * folder.shape[2] * folder.shape[3];
  // an image's [0, 1] floats, made from its 8-bit pixels one image at a time (no float copy of the folder)
  const values =
    "pixels" in folder
      ? (i: number) => pixelsToFloat(folder.pixels, folder.shape, [i])
      : (i: number) => folder.spectrograms.subarray(i * per, (i + 1) * per);
  return (i) => {
    const x = values(i);
    return digest([
      folder.classes[folder.labels[i]!] ?? "",
      "\u001e",
      new Uint8Array(x.buffer, x.byteOffset, per * 4),
    ]);
  };
}

function splitHash(rows: readonly number[], hashRow: (row: number) => string): string {
  const hashes = rows.map(hashRow).sort();
  return digest([`${hashes.length}\n`, hashes.join("\n")]);
}

/**
 * The fingerprint of prepared data.
 * @param files the validation and test files when the run was given them (`--validation-data`, `--test-data`)
 */
export function dataFingerprint(
  data: PreparedData,
  files: { validationData?: string | null; testData?: string | null } = {},
): DataFingerprint {
  const hashRow = rowHasher(data);
  const train = splitHash(data.rows.train, hashRow);
  const validation =
    data.rows.valIsSeparate && files.validationData
      ? `file:${dataHash([files.validationData], 0)}`
      : splitHash(data.rows.val, hashRow);
  let test: string | null = null;
  if (data.test)
    test = files.testData
      ? `file:${dataHash([files.testData], 0)}`
      : // the row indices only (not the rows as a dataset): hashing them is no evaluation
        splitHash(data.test.rows.toJSON().rows, hashRow);
  return { data: digest([train, validation, test ?? "-"]), train, validation, test };
}
