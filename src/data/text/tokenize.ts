/**
 * Text to tokens, and tokens to hash buckets: the shared basis of the hashed bag-of-words features and of
 * the vocabulary. Tokens are maximal runs of letters and digits (any script), lower-cased; everything
 * else separates tokens. Example: `tokenize("Don't panic, 42!")` gives `["don", "t", "panic", "42"]`.
 */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN_RE) ?? [];
}

const TOKEN_RE = /[\p{L}\p{N}]+/gu;

/** 32-bit FNV-1a hash of a token's UTF-16 code units (stable across machines and versions). */
export function hashToken(token: string): number {
  let h = 2166136261 >>> 0;
  for (let i = 0; i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/**
 * Hashed bag of words: for each of `buckets` slots, log(1 + number of tokens hashing to it), written into
 * `out` at `offset` (so a row of a feature matrix can be filled in place). Hash collisions merge tokens;
 * with 64 buckets and a few dozen distinct words per column that costs little, and the feature count
 * stays fixed whatever words appear at prediction time.
 */
export function hashedBagOfWords(
  text: string,
  buckets: number,
  out?: Float32Array,
  offset = 0,
): Float32Array {
  const target = out ?? new Float32Array(buckets);
  const counts = new Map<number, number>();
  for (const t of tokenize(text)) {
    const b = hashToken(t) % buckets;
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  for (let b = 0; b < buckets; b++) target[offset + b] = 0;
  for (const [b, c] of counts) target[offset + b] = Math.log1p(c);
  return target;
}
