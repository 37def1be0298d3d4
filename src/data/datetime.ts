/**
 * Recognizes date and date-time cells. Only unambiguous layouts are accepted, so that numbers and
 * codes are never mistaken for dates: `YYYY-MM-DD` or `YYYY/MM/DD`, optionally followed by `T` or a space
 * and `HH:MM[:SS[.fff]]`, optionally followed by `Z` or an offset `±HH:MM`. A date-time without an offset
 * is read as UTC (so the result does not depend on the machine's time zone).
 */
const DATE_RE =
  /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/;

/** The cell as milliseconds since 1970-01-01T00:00Z, or NaN when it is not a date (or an impossible one). */
export function parseDateTime(cell: string): number {
  const m = DATE_RE.exec(cell.trim());
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return Number.NaN;
  const ms = frac === undefined ? 0 : Math.round(Number(`0.${frac}`) * 1000);
  let t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return Number.NaN; // e.g. Feb 30
  if (zone && zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60000;
  }
  return t;
}

/** True when the cell has a time of day (not just a date). */
export function hasTimeOfDay(cell: string): boolean {
  const m = DATE_RE.exec(cell.trim());
  return m?.[4] !== undefined;
}
