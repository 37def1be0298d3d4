import { Random } from "../../util/random.js";
import type { AuditData } from "./audit-data.js";
import { type DuplicateGroup, duplicateGroup, inputKey, sortDuplicateGroups } from "./duplicates.js";

/** Default largest RMS distance, in standard deviations per numeric input, for two rows to be near duplicates. */
export const NEAR_DUPLICATE_DISTANCE = 0.02;
/** Most candidate pairs visited before the near-duplicate search stops (reported as truncated). */
export const MAX_NEAR_DUPLICATE_STEPS = 2_000_000_000;
/** Random projections of the search: rows are sorted by the first, the others discard far pairs cheaply. */
const PROJECTIONS = 4;

/**
 * Near duplicates: rows whose inputs differ only by a tiny amount, grouped (a group is a connected set of
 * such pairs). The rule: two rows that are not exact duplicates are near duplicates when
 * - their text (categorical) inputs are equal, and their numeric inputs are missing in the same places, and
 * - the root mean square, over the numeric inputs, of the difference of their standardized values
 *   ((x - mean) / std over all rows) is at most `maxDistance` (default 0.02 standard deviations: far below the gaps between distinct
 *   rows of real datasets, such as iris's 0.1 cm steps, about 0.06).
 * Datasets without numeric inputs have no near duplicates (only exact ones).
 *
 * The search projects the standardized rows on four seeded random directions, sorts them by the first, and
 * visits only pairs whose first projections are close enough to be within the distance; the other three
 * projections discard most of those before the full comparison. No pair within the distance is missed
 * (a projection never exceeds the distance); the search stops after MAX_NEAR_DUPLICATE_STEPS pairs and
 * says so.
 *
 * @param data the prepared audit data
 * @param options.maxDistance the RMS distance limit, in standard deviations (> 0)
 * @param options.seed seed of the projection (the result does not depend on it, only the work done)
 * @param options.columns the input columns compared (default: all; leave out identifier columns)
 */
export function findNearDuplicates(
  data: AuditData,
  options: { maxDistance?: number; seed?: number; columns?: readonly number[] } = {},
): { groups: DuplicateGroup[]; truncated: boolean } {
  const maxDistance = options.maxDistance ?? NEAR_DUPLICATE_DISTANCE;
  const n = data.rows.length;
  const columns = options.columns ?? data.featureIndices;
  const numericColumns = columns.filter((c) => data.numeric[c]);
  const textColumns = columns.filter((c) => !data.numeric[c]);
  const d = numericColumns.length;
  if (d === 0 || n < 2) return { groups: [], truncated: false };

  // Standardized numeric inputs; NaN marks a missing (or unreadable) value.
  const z = new Float64Array(n * d);
  numericColumns.forEach((c, j) => {
    const v = data.values[c]!;
    let sum = 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      if (!Number.isNaN(v[i]!)) {
        sum += v[i]!;
        count++;
      }
    }
    const mean = count > 0 ? sum / count : 0;
    let ss = 0;
    for (let i = 0; i < n; i++) if (!Number.isNaN(v[i]!)) ss += (v[i]! - mean) ** 2;
    const std = count > 0 ? Math.sqrt(ss / count) : 0;
    const scale = std > 0 ? 1 / std : 0;
    for (let i = 0; i < n; i++) z[i * d + j] = (v[i]! - mean) * scale;
  });

  // PROJECTIONS seeded random unit directions; rows sorted by the first, the others filter candidates.
  const rng = Random.derive(options.seed ?? 0, "audit-near-duplicates");
  const projections = Array.from({ length: PROJECTIONS }, () => {
    const direction = Float64Array.from({ length: d }, () => rng.normal());
    let squares = 0;
    for (let j = 0; j < d; j++) squares += direction[j]! * direction[j]!;
    const norm = Math.sqrt(squares) || 1;
    const p = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < d; j++) {
        const v = z[i * d + j]!;
        if (!Number.isNaN(v)) sum += (v * direction[j]!) / norm;
      }
      p[i] = sum;
    }
    return p;
  });
  const first = projections[0]!;
  const order = Int32Array.from(
    Array.from({ length: n }, (_, i) => i).sort((a, b) => first[a]! - first[b]! || a - b),
  );
  const sorted = projections.map((p) => Float64Array.from(order, (i) => p[i]!));
  const [s0, s1, s2, s3] = sorted as [Float64Array, Float64Array, Float64Array, Float64Array];
  // |projection difference| <= Euclidean distance = sqrt(d) * RMS distance, on every unit direction.
  const window = maxDistance * Math.sqrt(d);
  const limit = maxDistance * maxDistance * d;
  const keys = new Map<number, string>();
  const keyOf = (i: number): string => {
    let key = keys.get(i);
    if (key === undefined) {
      key = inputKey(data, i, columns);
      keys.set(i, key);
    }
    return key;
  };

  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const linkDistance = new Float64Array(n);
  let steps = 0;
  let truncated = false;
  outer: for (let a = 0; a < n; a++) {
    const a0 = s0[a]!;
    const a1 = s1[a]!;
    const a2 = s2[a]!;
    const a3 = s3[a]!;
    for (let b = a + 1; b < n; b++) {
      if (s0[b]! - a0 > window) break;
      if (++steps > MAX_NEAR_DUPLICATE_STEPS) {
        truncated = true;
        break outer;
      }
      if (
        Math.abs(s1[b]! - a1) > window ||
        Math.abs(s2[b]! - a2) > window ||
        Math.abs(s3[b]! - a3) > window
      ) {
        continue;
      }
      const i = order[a]!;
      const k = order[b]!;
      let ss = 0;
      let same = true;
      for (let j = 0; j < d && ss <= limit; j++) {
        const u = z[i * d + j]!;
        const w = z[k * d + j]!;
        if (Number.isNaN(u) || Number.isNaN(w)) {
          if (Number.isNaN(u) !== Number.isNaN(w)) same = false;
          continue;
        }
        ss += (u - w) * (u - w);
      }
      if (!same || ss > limit) continue;
      if (textColumns.some((c) => data.rows[i]![c] !== data.rows[k]![c])) continue;
      if (keyOf(i) === keyOf(k)) continue; // exact duplicates are reported as such
      const distance = Math.sqrt(ss / d);
      const ri = find(i);
      const rk = find(k);
      const root = Math.min(ri, rk);
      linkDistance[root] = Math.max(linkDistance[ri]!, linkDistance[rk]!, distance);
      parent[ri] = root;
      parent[rk] = root;
    }
  }
  const components = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = find(i);
    const members = components.get(r);
    if (members) members.push(i);
    else components.set(r, [i]);
  }
  const groups: DuplicateGroup[] = [];
  for (const [root, members] of components) {
    if (members.length < 2) continue;
    groups.push({ ...duplicateGroup(data, "near", members), max_distance: linkDistance[root]! });
  }
  return { groups: sortDuplicateGroups(groups), truncated };
}
