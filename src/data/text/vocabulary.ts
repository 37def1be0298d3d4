import { UserError } from "../../errors.js";
import { tokenize } from "./tokenize.js";

/** Index of the padding token (fills sequences shorter than maxLength). */
export const PAD_INDEX = 0;
/** Index of the unknown token (words not in the vocabulary). */
export const UNKNOWN_INDEX = 1;

/** Options of Vocabulary.fit. */
export interface VocabularyOptions {
  /** Most tokens kept, counting <pad> and <unk>. Default 20000. */
  maxSize?: number;
  /** Fewest occurrences in the training texts for a token to be kept. Default 1. */
  minCount?: number;
}

/**
 * Token -> index table fitted on training texts only (see tokenize), for models that read token sequences
 * (embeddings, 1-D convolutions, recurrent layers). Index 0 is `<pad>`, 1 is `<unk>`; then tokens by
 * decreasing count, ties in code-point order, so the same texts always give the same indices.
 *
 * Example:
 * ```ts
 * const vocab = Vocabulary.fit(trainRows.map((r) => table.rows[r][textColumn]), { maxSize: 5000 });
 * const ids = vocab.encodeBatch(texts, 64); // Int32Array, texts.length x 64
 * ```
 */
export class Vocabulary {
  private readonly index: Map<string, number>;

  private constructor(
    /** Tokens by index: tokens[0] = "<pad>", tokens[1] = "<unk>". */
    readonly tokens: readonly string[],
  ) {
    this.index = new Map(tokens.map((t, i) => [t, i]));
    this.index.delete("<pad>");
    this.index.delete("<unk>");
  }

  /** Fits on the training texts. */
  static fit(texts: Iterable<string>, opts: VocabularyOptions = {}): Vocabulary {
    const maxSize = opts.maxSize ?? 20000;
    const minCount = opts.minCount ?? 1;
    if (!Number.isInteger(maxSize) || maxSize < 2)
      throw new UserError(`maxSize must be an integer >= 2; got ${maxSize}`);
    if (!Number.isInteger(minCount) || minCount < 1)
      throw new UserError(`minCount must be a positive integer; got ${minCount}`);
    const counts = new Map<string, number>();
    for (const text of texts) for (const t of tokenize(text)) counts.set(t, (counts.get(t) ?? 0) + 1);
    const kept = [...counts.entries()]
      .filter(([, c]) => c >= minCount)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, maxSize - 2)
      .map(([t]) => t);
    return new Vocabulary(["<pad>", "<unk>", ...kept]);
  }

  /** Number of indices (tokens plus <pad> and <unk>): the embedding table's row count. */
  get size(): number {
    return this.tokens.length;
  }

  /** Index of a token (already tokenized), UNKNOWN_INDEX when not in the vocabulary. */
  indexOf(token: string): number {
    return this.index.get(token) ?? UNKNOWN_INDEX;
  }

  /** Token indices of a text, cut to `maxLength` (keeping the start) and padded with PAD_INDEX. */
  encode(text: string, maxLength: number, out?: Int32Array, offset = 0): Int32Array {
    if (!Number.isInteger(maxLength) || maxLength < 1)
      throw new UserError(`maxLength must be a positive integer; got ${maxLength}`);
    const target = out ?? new Int32Array(maxLength);
    const toks = tokenize(text);
    for (let i = 0; i < maxLength; i++)
      target[offset + i] = i < toks.length ? this.indexOf(toks[i]!) : PAD_INDEX;
    return target;
  }

  /** Token indices of many texts: texts.length x maxLength, row-major. */
  encodeBatch(texts: readonly string[], maxLength: number): Int32Array {
    const out = new Int32Array(texts.length * maxLength);
    texts.forEach((t, i) => {
      this.encode(t, maxLength, out, i * maxLength);
    });
    return out;
  }

  /** Share of the tokens of `texts` that are in the vocabulary (1 = none unknown). */
  coverage(texts: Iterable<string>): number {
    let known = 0;
    let all = 0;
    for (const text of texts) {
      for (const t of tokenize(text)) {
        all++;
        if (this.index.has(t)) known++;
      }
    }
    return all === 0 ? 1 : known / all;
  }

  toJSON(): { tokens: string[] } {
    return { tokens: [...this.tokens] };
  }

  static fromJSON(o: { tokens?: unknown }): Vocabulary {
    const t = o?.tokens;
    if (!Array.isArray(t) || t[0] !== "<pad>" || t[1] !== "<unk>" || !t.every((x) => typeof x === "string")) {
      throw new UserError("not a saved vocabulary (needs 'tokens' starting with <pad>, <unk>)");
    }
    return new Vocabulary(t as string[]);
  }
}
