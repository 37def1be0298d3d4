import { UserError } from "../errors.js";
import type { SplitIndices } from "./split.js";

/** Why the test rows were unsealed, and when. */
export interface UnsealRecord {
  reason: string;
  /** ISO time of the unsealing. */
  at: string;
}

/** What HeldOutTest.toJSON writes: the rows and, once unsealed, the record of it. */
export interface HeldOutTestJSON {
  rows: number[];
  unsealed: UnsealRecord | null;
}

/** A split whose test rows are sealed: what training and tuning code receives. */
export interface SealedSplit {
  train: number[];
  val: number[];
  test: HeldOutTest;
}

/**
 * The test rows, sealed until the final evaluation. Training, early stopping, tuning and model selection
 * must only see train and validation rows; the test rows estimate performance on new data only if no
 * decision was made with them. So the row indices live in a private field and come out only through
 * `unseal(reason)`, which works once: it records the reason and time (kept in `toJSON`, so a run store
 * can show when and why the test set was used) and any later call throws a UserError naming the first
 * unsealing. A sealed split saved and loaded with `fromJSON` stays unsealed or sealed as it was.
 *
 * Example:
 * ```ts
 * const { train, val, test } = sealTest(stratifiedSplit(labels, DEFAULT_FRACTIONS, seed));
 * // ... train and tune on train/val; test.size is all that is visible ...
 * const testRows = test.unseal("final evaluation of the selected model");
 * ```
 */
export class HeldOutTest {
  readonly #rows: readonly number[];
  #unsealed: UnsealRecord | null;

  constructor(rows: readonly number[], unsealed: UnsealRecord | null = null) {
    rows.forEach((r, i) => {
      if (!Number.isInteger(r) || r < 0)
        throw new UserError(`test row ${i} must be a non-negative integer; got ${r}`);
    });
    this.#rows = Object.freeze([...rows]);
    this.#unsealed = unsealed;
  }

  /** How many test rows there are (visible while sealed). */
  get size(): number {
    return this.#rows.length;
  }

  /** True once unseal has been called. */
  get isUnsealed(): boolean {
    return this.#unsealed !== null;
  }

  /** The record of the unsealing, or null while sealed. */
  get unsealRecord(): UnsealRecord | null {
    return this.#unsealed;
  }

  /**
   * Returns the test row indices, once, for the final evaluation; `reason` (required, non-empty) is
   * recorded. A second call throws: evaluating on the test rows again to choose anything would make them
   * a second validation set.
   */
  unseal(reason: string): readonly number[] {
    if (typeof reason !== "string" || reason.trim() === "") {
      throw new UserError(`unseal needs a reason (e.g. "final evaluation"); got ${JSON.stringify(reason)}`);
    }
    if (this.#unsealed) {
      throw new UserError(
        `the test rows were already unsealed at ${this.#unsealed.at} for "${this.#unsealed.reason}"; ` +
          `refusing to unseal them again for "${reason}"`,
        "use the validation rows for training decisions; the test rows give one final estimate",
      );
    }
    this.#unsealed = { reason: reason.trim(), at: new Date().toISOString() };
    return this.#rows;
  }

  /** The test rows and the unsealing record, to save with a run. */
  toJSON(): HeldOutTestJSON {
    return { rows: [...this.#rows], unsealed: this.#unsealed };
  }

  /** Restores a HeldOutTest saved with toJSON (keeping its sealed or unsealed state). */
  static fromJSON(o: unknown): HeldOutTest {
    const j = o as Partial<HeldOutTestJSON> | null;
    if (!j || !Array.isArray(j.rows)) throw new UserError("a saved test split needs a 'rows' array");
    const u = j.unsealed;
    if (u !== null && u !== undefined && (typeof u.reason !== "string" || typeof u.at !== "string")) {
      throw new UserError("a saved test split's 'unsealed' record needs 'reason' and 'at' strings");
    }
    return new HeldOutTest(j.rows, u ?? null);
  }

  /** Shows the size only, so logging a split never prints the test rows. */
  toString(): string {
    return `HeldOutTest(${this.size} rows, ${this.isUnsealed ? "unsealed" : "sealed"})`;
  }
}

/** Seals the test rows of a split: `{ train, val, test: HeldOutTest }`. */
export function sealTest(split: SplitIndices): SealedSplit {
  return { train: split.train, val: split.val, test: new HeldOutTest(split.test) };
}
