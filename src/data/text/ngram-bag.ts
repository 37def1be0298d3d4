/**
 * Texts as weighted bags of n-grams, the input of nncoach's text model (an embedding bag: the weighted sum
 * of one learned vector per n-gram, as fastText). Fitted on the training texts only:
 *
 * - `words` mode: word unigrams and bigrams of `tokenize` (e-mails, reviews, sentences);
 * - `chars` mode: character 2- to 4-grams of each word padded with `<` and `>` (names, codes, single
 *   words), the analyzer that works for short strings.
 *
 * The vocabulary keeps n-grams seen in at least `minCount` training texts (default 2, as
 * scikit-learn's `min_df=2`), the `maxVocab` most frequent. Weights are TF-IDF as scikit-learn's
 * `TfidfVectorizer(sublinear_tf=True)`: (1 + ln tf) · (ln((1 + n) / (1 + df)) + 1), L2-normalized per
 * text. A text keeps its `maxTokens` heaviest n-grams (the rest are rare in it and light).
 *
 * `transform` writes, per text, `maxTokens` n-gram indices (as floats; 0 = padding, weight 0) followed by
 * their `maxTokens` weights: one row of a float feature matrix that the NgramBag layer reads.
 *
 * @example
 * const bag = NgramBag.fit(trainTexts, { mode: "words" });
 * const x = bag.transform(texts); // Float32Array [texts.length, 2 * bag.maxTokens]
 */
import { UserError } from "../../errors.js";
import { tokenize } from "./tokenize.js";

export type NgramMode = "words" | "chars";

export interface NgramBagOptions {
  mode: NgramMode;
  /** Fewest training texts an n-gram must appear in. Default 2. */
  minCount?: number;
  /** Most n-grams kept (the most frequent). Default 50,000. */
  maxVocab?: number;
  /** N-grams kept per text; default: the 95th percentile of distinct n-grams per training text, 8 to 512. */
  maxTokens?: number;
}

export interface NgramBagJSON {
  format: "nncoach.ngram-bag";
  mode: NgramMode;
  maxTokens: number;
  /** N-grams in index order (index = position + 1; 0 is padding). */
  vocab: string[];
  idf: number[];
}

/** The n-grams of one text, with their counts. */
export function ngramCounts(text: string, mode: NgramMode): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (g: string) => counts.set(g, (counts.get(g) ?? 0) + 1);
  const words = tokenize(text);
  if (mode === "words") {
    for (let i = 0; i < words.length; i++) {
      add(words[i]!);
      if (i + 1 < words.length) add(`${words[i]} ${words[i + 1]}`);
    }
  } else {
    for (const w of words) {
      const p = `<${w}>`;
      for (let n = 2; n <= 4; n++) for (let i = 0; i + n <= p.length; i++) add(p.slice(i, i + n));
    }
  }
  return counts;
}

/** Which mode suits texts: chars for short one-word strings (names), words otherwise. */
export function chooseNgramMode(texts: readonly string[]): { mode: NgramMode; medianWords: number } {
  const sample = texts.slice(0, 2000).map((t) => tokenize(t).length);
  sample.sort((a, b) => a - b);
  const medianWords = sample.length ? sample[Math.floor(sample.length / 2)]! : 0;
  return { mode: medianWords <= 2 ? "chars" : "words", medianWords };
}

export class NgramBag {
  private readonly index: Map<string, number>;

  private constructor(
    readonly mode: NgramMode,
    readonly maxTokens: number,
    readonly vocab: string[],
    readonly idf: Float64Array,
  ) {
    this.index = new Map(vocab.map((g, i) => [g, i + 1]));
  }

  /** Embedding rows needed: the vocabulary plus the padding row 0. */
  get size(): number {
    return this.vocab.length + 1;
  }

  static fit(texts: readonly string[], o: NgramBagOptions): NgramBag {
    if (texts.length === 0) throw new UserError("no training texts to build a vocabulary from");
    const minCount = o.minCount ?? 2;
    const maxVocab = o.maxVocab ?? 50_000;
    const df = new Map<string, number>();
    const distinct: number[] = [];
    for (const t of texts) {
      const c = ngramCounts(t, o.mode);
      distinct.push(c.size);
      for (const g of c.keys()) df.set(g, (df.get(g) ?? 0) + 1);
    }
    const kept = [...df.entries()]
      .filter(([, d]) => d >= minCount)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, maxVocab);
    if (kept.length === 0)
      throw new UserError(
        `no ${o.mode === "words" ? "word" : "character"} n-gram appears in ${minCount} or more training texts`,
        "give more (or longer) texts",
      );
    distinct.sort((a, b) => a - b);
    const p95 = distinct[Math.min(distinct.length - 1, Math.floor(0.95 * distinct.length))]!;
    const maxTokens = o.maxTokens ?? Math.min(512, Math.max(8, p95));
    const n = texts.length;
    const idf = Float64Array.from(kept, ([, d]) => Math.log((1 + n) / (1 + d)) + 1);
    return new NgramBag(
      o.mode,
      maxTokens,
      kept.map(([g]) => g),
      idf,
    );
  }

  /** Index/weight rows [texts.length, 2 * maxTokens] (see the file comment). */
  transform(texts: readonly string[]): Float32Array {
    const L = this.maxTokens;
    const out = new Float32Array(texts.length * 2 * L);
    const ids: number[] = [];
    const ws: number[] = [];
    texts.forEach((t, r) => {
      ids.length = 0;
      ws.length = 0;
      for (const [g, c] of ngramCounts(t, this.mode)) {
        const i = this.index.get(g);
        if (i === undefined) continue;
        ids.push(i);
        ws.push((1 + Math.log(c)) * this.idf[i - 1]!);
      }
      let order = ids.map((_, k) => k);
      if (order.length > L) order = order.sort((a, b) => ws[b]! - ws[a]! || ids[a]! - ids[b]!).slice(0, L);
      let norm = 0;
      for (const k of order) norm += ws[k]! * ws[k]!;
      norm = Math.sqrt(norm) || 1;
      const base = r * 2 * L;
      order.forEach((k, j) => {
        out[base + j] = ids[k]!;
        out[base + L + j] = ws[k]! / norm;
      });
    });
    return out;
  }

  toJSON(): NgramBagJSON {
    return {
      format: "nncoach.ngram-bag",
      mode: this.mode,
      maxTokens: this.maxTokens,
      vocab: this.vocab,
      idf: Array.from(this.idf),
    };
  }

  static fromJSON(j: NgramBagJSON): NgramBag {
    if (j?.format !== "nncoach.ngram-bag")
      throw new UserError("not a saved n-gram vocabulary (format nncoach.ngram-bag)");
    return new NgramBag(j.mode, j.maxTokens, j.vocab, Float64Array.from(j.idf));
  }
}
