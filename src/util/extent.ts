/**
 * The smallest and largest of a list of numbers by a plain loop. `Math.max(...xs)` passes every value as
 * a function argument and overflows the call stack beyond about 100,000 values; these do not.
 * An empty list gives -Infinity (largest) and +Infinity (smallest), as Math.max() and Math.min() do;
 * NaN values are skipped.
 *
 * Example: `largest(counts) / smallest(counts)`.
 */
export function largest(values: ArrayLike<number>): number {
  let best = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) if (values[i]! > best) best = values[i]!;
  return best;
}

/** The smallest of `values` (see {@link largest}). */
export function smallest(values: ArrayLike<number>): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < values.length; i++) if (values[i]! < best) best = values[i]!;
  return best;
}

/** Appends every item of `items` to `target` one by one (no argument spreading); returns `target`. */
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}
