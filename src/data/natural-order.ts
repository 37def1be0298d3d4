/**
 * Natural ordering of labels: numbers numerically ("2" < "10"), text with embedded numbers by those
 * numbers ("class_2" < "class_10"), otherwise by code point. Used to order class labels predictably.
 * Example: `["10", "9", "b", "a"].sort(naturalCompare)` gives `["9", "10", "a", "b"]`.
 */
export function naturalCompare(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  const aNum = a.trim() !== "" && Number.isFinite(na);
  const bNum = b.trim() !== "" && Number.isFinite(nb);
  if (aNum && bNum) return na - nb || (a < b ? -1 : a > b ? 1 : 0);
  if (aNum !== bNum) return aNum ? -1 : 1;
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length || (a < b ? -1 : a > b ? 1 : 0);
}
