import { readFile } from "node:fs/promises";
import { UserError } from "../../errors.js";
import type { Random } from "../../util/random.js";
import { tokenize } from "../text/tokenize.js";

/** Word -> its synonyms (all lower case). */
export type Lexicon = ReadonlyMap<string, readonly string[]>;

/** Text augmentation settings; every one is off unless set. */
export interface TextAugmentOptions {
  /** Delete each word with this probability (a text never loses all its words). */
  deleteProbability?: number;
  /** Swap this many random pairs of words. */
  swaps?: number;
  /** Replace each word that has synonyms in `lexicon` with a random synonym, with this probability. */
  synonymProbability?: number;
  /** Synonyms, for synonymProbability (see readLexicon). */
  lexicon?: Lexicon;
}

/**
 * Randomly augments a text for training (easy data augmentation: word deletion, word swaps, synonym
 * replacement), returning its tokens (see tokenize) joined by single spaces. Same seed, same result.
 * Apply to training texts only.
 *
 * Example: `augmentText("the movie was great", { synonymProbability: 0.2, lexicon }, rng)`.
 */
export function augmentText(text: string, opts: TextAugmentOptions, rng: Random): string {
  const p = (name: "deleteProbability" | "synonymProbability") => {
    const v = opts[name];
    if (v !== undefined && !(v >= 0 && v <= 1))
      throw new UserError(`text augmentation '${name}' must be in [0, 1]; got ${v}`);
    return v ?? 0;
  };
  const del = p("deleteProbability");
  const syn = p("synonymProbability");
  const swaps = opts.swaps ?? 0;
  if (!Number.isInteger(swaps) || swaps < 0)
    throw new UserError(`text augmentation 'swaps' must be a non-negative integer; got ${swaps}`);
  if (syn > 0 && !opts.lexicon)
    throw new UserError("text augmentation 'synonymProbability' needs a lexicon (readLexicon)");
  let words = tokenize(text);
  if (syn > 0) {
    words = words.map((w) => {
      const options = opts.lexicon!.get(w);
      if (!options || options.length === 0 || rng.next() >= syn) return w;
      return options[rng.int(options.length)]!;
    });
  }
  if (del > 0 && words.length > 1) {
    const kept = words.filter(() => rng.next() >= del);
    words = kept.length > 0 ? kept : [words[rng.int(words.length)]!];
  }
  for (let s = 0; s < swaps && words.length > 1; s++) {
    const a = rng.int(words.length);
    const b = rng.int(words.length);
    const t = words[a]!;
    words[a] = words[b]!;
    words[b] = t;
  }
  return words.join(" ");
}

/**
 * Reads a synonym lexicon: one group of synonyms per line, separated by commas (each word of a group is a
 * synonym of the others; a word in several groups collects all of them); blank lines and lines starting
 * with `#` are skipped. Multi-word entries are ignored (replacement is word for word).
 *
 * Example file: `good, fine, great\nbad, poor, awful`.
 */
export async function readLexicon(path: string): Promise<Lexicon> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new UserError(`cannot read lexicon '${path}': no such file`);
  }
  return parseLexicon(text);
}

/** Parses lexicon text (see readLexicon). */
export function parseLexicon(text: string): Lexicon {
  const map = new Map<string, Set<string>>();
  for (const line of text.split(/\r?\n/)) {
    const s = line.trim();
    if (s === "" || s.startsWith("#")) continue;
    const group = s
      .split(",")
      .map((w) => w.trim().toLowerCase())
      .filter((w) => w !== "" && tokenize(w).length === 1 && tokenize(w)[0] === w);
    for (const w of group) {
      let set = map.get(w);
      if (!set) {
        set = new Set();
        map.set(w, set);
      }
      for (const o of group) if (o !== w) set.add(o);
    }
  }
  return new Map([...map].map(([w, set]) => [w, [...set]]));
}
