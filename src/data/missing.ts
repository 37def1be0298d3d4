/**
 * What counts as a missing cell, and how a cell is read as a number. Shared by type inference,
 * preprocessing and the audit so that they all agree.
 */

/** Cell texts (after trimming) that mean "no value": empty, NA, N/A, NaN, null, None, ?, and their case variants. */
export const MISSING_TOKENS: ReadonlySet<string> = new Set([
  "",
  "na",
  "n/a",
  "nan",
  "null",
  "none",
  "?",
  "#n/a",
]);

/** True when the cell holds no value (see MISSING_TOKENS). Example: `isMissing(" NA ") === true`. */
export function isMissing(cell: string | undefined): boolean {
  if (cell === undefined) return true;
  if (cell.length === 0) return true;
  if (cell.length > 16) return false;
  return MISSING_TOKENS.has(cell.trim().toLowerCase());
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The cell as a finite number, or NaN when it is not one. Accepts decimal and exponent notation with
 * surrounding spaces ("  -1.5e3 "); refuses hex, "Infinity", thousands separators and empty text.
 */
export function parseNumber(cell: string): number {
  const s = cell.trim();
  if (!NUMBER_RE.test(s)) return Number.NaN;
  const v = Number(s);
  return Number.isFinite(v) ? v : Number.NaN;
}
