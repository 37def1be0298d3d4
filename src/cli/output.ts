/** Formatting helpers shared by CLI commands. */

/** Number formatting for tables and progress lines. */
export function fmt(v: number | undefined, digits = 4): string {
  if (v === undefined || Number.isNaN(v)) return "-";
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(2);
  return v.toFixed(digits);
}

/** A writer for human-readable progress: stdout normally, stderr when stdout carries JSON. */
export function progressWriter(json: boolean): (line: string) => void {
  return json ? (l) => process.stderr.write(`${l}\n`) : (l) => process.stdout.write(`${l}\n`);
}
