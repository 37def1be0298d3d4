import type { AuditData } from "./audit-data.js";

/** Column names that usually hold identifiers: "id", "ID", "row_id", "customer-id", "PassengerId", "uuid", "index"... */
const IDENTIFIER_NAME =
  /^(id|ids|idx|index|key|uuid|guid|row|rownum|row_?number|record|record_?number|serial|serial_?number)$|[_\s.-](id|uuid|guid|key|idx)$/i;

/** Fewest non-missing values before "every value is distinct" is taken as a sign of an identifier. */
export const MIN_ROWS_FOR_UNIQUE_RULE = 20;

/**
 * Why a column looks like a row identifier, or undefined when it does not. A column is identifier-like when
 * type inference calls it an identifier (distinct text on every row, integers counting up by one), when
 * its name says so (id, row_id, customerId, uuid, index, ...) or when it has at least MIN_ROWS_FOR_UNIQUE_RULE
 * values, all distinct, that are integers or text (distinct real-valued measurements are not identifiers).
 */
export function identifierReason(data: AuditData, column: number): string | undefined {
  const profile = data.profiles[column]!;
  if (profile.kind === "identifier") return profile.reason;
  const name = data.columns[column]!;
  const nameRule = IDENTIFIER_NAME.test(name.trim()) || /[a-z0-9]I[dD]$/.test(name.trim());
  if (nameRule) return `its name "${name}" suggests an identifier`;
  const seen = new Set<string>();
  let count = 0;
  for (let i = 0; i < data.rows.length; i++) {
    if (data.missing[column]![i]) continue;
    count++;
    const cell = data.rows[i]![column]!;
    if (data.numeric[column]) {
      const v = data.values[column]![i]!;
      if (!Number.isInteger(v)) return undefined;
      seen.add(String(v));
    } else {
      seen.add(cell);
    }
    if (seen.size < count) return undefined;
  }
  if (count < MIN_ROWS_FOR_UNIQUE_RULE) return undefined;
  return `every one of its ${count} values is different`;
}
