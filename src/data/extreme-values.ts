/**
 * Values nncoach cannot learn from, and the errors that name them.
 *
 * - Infinite numbers: "Inf", "-inf", "+Infinity", and numbers too large for a double ("1e999"). Training
 *   and the audit refuse them alike: type inference counts them as numbers (a numeric column with an "Inf"
 *   cell is still numeric) and records the first one (ColumnProfile.nonFinite), and `nonFiniteCellError` is
 *   the one message both give.
 * - Finite numbers beyond MAX_FEATURE_MAGNITUDE (1e150): their squares overflow, so means, variances and
 *   squared errors become infinite and training would stop on a NaN loss naming no column. The
 *   preprocessor refuses such a column when it is fitted (`tooLargeCellError`); the audit reports it.
 */
import { UserError } from "../errors.js";

const INFINITY_WORD = /^[+-]?(inf|infinity)$/i;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * True when the (trimmed) cell reads as an infinite number: inf, infinity (any case, optional sign) or a
 * decimal number beyond the double range (1e999, -2e308). Example: `isNonFiniteNumber("-Inf") === true`.
 */
export function isNonFiniteNumber(cell: string): boolean {
  const s = cell.trim();
  if (s.length === 0) return false;
  const c = s.charCodeAt(0);
  // inf/infinity start with i/I or a sign; overflowing decimals with a digit, a dot or a sign
  const sign = c === 43 || c === 45;
  const letter = c === 105 || c === 73;
  const digit = (c >= 48 && c <= 57) || c === 46;
  if (!sign && !letter && !digit) return false;
  if (INFINITY_WORD.test(s)) return true;
  return DECIMAL.test(s) && !Number.isFinite(Number(s));
}

/** Where a bad cell is: its file, 0-based data row, and 1-based file line when known. */
export interface CellPlace {
  file: string;
  row: number;
  line?: number | undefined;
}

/**
 * The UserError for an infinite value: names the file, the data row and line, the column and the value,
 * and says how to fix it. Training (TabularPreprocessor) and the audit (prepareAuditData) both throw it.
 */
export function nonFiniteCellError(place: CellPlace, column: string, value: string, count = 1): UserError {
  const at = describePlace(place);
  const more = count > 1 ? ` (${count} cells of this column are infinite)` : "";
  return new UserError(
    `${place.file}: ${at}, column '${column}': '${value.trim()}' is not a finite number${more}`,
    "replace infinite values with finite numbers (for example the largest real value of the column), " +
      "or leave the cells empty to mark them missing",
  );
}

/**
 * Largest magnitude accepted in a numeric feature or regression target. Squares of larger values
 * (variances, squared errors) overflow a double.
 */
export const MAX_FEATURE_MAGNITUDE = 1e150;

/**
 * The UserError for a finite value too large to learn from (beyond MAX_FEATURE_MAGNITUDE): names the
 * file, row and line, the column (or target) and the value, and says how to rescale it.
 */
export function tooLargeCellError(
  place: CellPlace,
  column: string,
  value: string,
  role: "column" | "target" = "column",
): UserError {
  const at = describePlace(place);
  return new UserError(
    `${place.file}: ${at}, ${role} '${column}': ${value.trim()} is too large to learn from ` +
      `(beyond ${MAX_FEATURE_MAGNITUDE.toExponential(0)} in magnitude: squares of such values overflow, and ` +
      "training would stop with a NaN loss)",
    `rescale '${column}' (divide it by a power of ten) or log-transform it before training`,
  );
}

function describePlace(place: CellPlace): string {
  return place.line === undefined ? `data row ${place.row}` : `data row ${place.row} (line ${place.line})`;
}
