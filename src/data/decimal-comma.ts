/**
 * Decimal commas: files written with a European locale separate cells with semicolons (or tabs) and write
 * 0,715 for 0.715. Read as they stand, such cells are not numbers and a numeric column would silently
 * become a column of categories. `readDecimalCommas` finds the columns written that way and rewrites their
 * cells with decimal points, so every later step (type inference, training, the audit) reads numbers.
 */

/**
 * A number with a decimal comma: an optional sign, digits (optionally grouped in thousands with dots:
 * 1.234.567), an optional decimal part after a comma, an optional exponent. "0,715", "-1,5e-3", "12",
 * "1.234,5". A cell of digits alone matches too (an integer is the same in both notations).
 */
const DECIMAL_COMMA = /^[+-]?(\d+|\d{1,3}(\.\d{3})+)(,\d+)?([eE][+-]?\d+)?$/;

/** True when `cell` (trimmed) is a number written with a decimal comma (see DECIMAL_COMMA). */
export function isDecimalCommaNumber(cell: string): boolean {
  return DECIMAL_COMMA.test(cell.trim());
}

/** The cell with its thousands dots dropped and its decimal comma made a point: "1.234,5" -> "1234.5". */
export function toDecimalPoint(cell: string): string {
  const s = cell.trim();
  return s.includes(".") ? s.replace(/\./g, "").replace(",", ".") : s.replace(",", ".");
}

/**
 * Finds the columns of `rows` (the rows of a delimited file, header included when there is one) written
 * with decimal commas, and rewrites their cells in place with decimal points. A column qualifies when every
 * non-missing cell after the first row is a decimal-comma number (see isDecimalCommaNumber) and at least
 * one holds a comma; its first-row cell is rewritten only when it is such a number too (a file without a
 * header). Call it only for files whose delimiter is not a comma (with a comma delimiter an unquoted
 * "0,5" would have been split in two).
 *
 * @param rows parsed rows, every one with the same number of cells
 * @param isMissing which cells count as missing (they are left as they are)
 * @returns the indices of the rewritten columns
 */
export function readDecimalCommas(rows: string[][], isMissing: (cell: string) => boolean): number[] {
  if (rows.length < 2) return [];
  const width = rows[0]!.length;
  const rewritten: number[] = [];
  for (let c = 0; c < width; c++) {
    let comma = false;
    let ok = true;
    for (let r = 1; r < rows.length && ok; r++) {
      const cell = rows[r]![c]!;
      if (isMissing(cell)) continue;
      if (!DECIMAL_COMMA.test(cell.trim())) ok = false;
      else if (!comma && cell.includes(",")) comma = true;
    }
    if (!ok || !comma) continue;
    for (let r = 0; r < rows.length; r++) {
      const cell = rows[r]![c]!;
      if (r === 0 && !DECIMAL_COMMA.test(cell.trim())) continue;
      if (!isMissing(cell)) rows[r]![c] = toDecimalPoint(cell);
    }
    rewritten.push(c);
  }
  return rewritten;
}

/** Note for Table.notes about the columns readDecimalCommas rewrote. */
export function decimalCommaNote(names: readonly string[]): string {
  const shown =
    names.length <= 8 ? names.join(", ") : `${names.slice(0, 8).join(", ")} and ${names.length - 8} more`;
  return `decimal commas read as decimal points in ${names.length === 1 ? "column" : `${names.length} columns`} ${shown} (0,5 -> 0.5)`;
}
