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
  if (cell === undefined || cell.length === 0) return true;
  if (cell.length > 16) return false;
  // every missing token starts with one of: space/tab, n, N, ?, # (fast exit for numbers and most labels)
  const c = cell.charCodeAt(0);
  if (c !== 32 && c !== 9 && c !== 110 && c !== 78 && c !== 63 && c !== 35) return false;
  return MISSING_TOKENS.has(cell.trim().toLowerCase());
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The cell as a finite number, or NaN when it is not one. Accepts decimal and exponent notation with
 * surrounding spaces ("  -1.5e3 "); refuses hex, "Infinity", thousands separators and empty text.
 */
export function parseNumber(cell: string): number {
  // Fast path: plain decimal text (digits, one optional leading sign, dot, exponent) goes straight to Number.
  const n = cell.length;
  if (n > 0 && n < 32) {
    let plain = true;
    for (let i = 0; i < n; i++) {
      const c = cell.charCodeAt(i);
      // 0-9 . e E, and a sign only first or right after the exponent
      if ((c >= 48 && c <= 57) || c === 46) continue;
      if ((c === 101 || c === 69) && i > 0) continue;
      if (
        (c === 45 || c === 43) &&
        (i === 0 || cell.charCodeAt(i - 1) === 101 || cell.charCodeAt(i - 1) === 69)
      )
        continue;
      plain = false;
      break;
    }
    if (plain) {
      const v = Number(cell);
      if (Number.isFinite(v)) return v;
      if (Number.isNaN(v)) return Number.NaN;
    }
  }
  const s = cell.trim();
  if (!NUMBER_RE.test(s)) return Number.NaN;
  const v = Number(s);
  return Number.isFinite(v) ? v : Number.NaN;
}
