import assert from "node:assert/strict";
import { test } from "node:test";
import { hashedBagOfWords, hashToken, tokenize } from "../src/data/text/tokenize.js";
import { PAD_INDEX, UNKNOWN_INDEX, Vocabulary } from "../src/data/text/vocabulary.js";

test("tokenize: lower-case runs of letters and digits in any script", () => {
  assert.deepEqual(tokenize("Don't panic, 42!"), ["don", "t", "panic", "42"]);
  assert.deepEqual(tokenize("Ça va? Grüße — 東京"), ["ça", "va", "grüße", "東京"]);
  assert.deepEqual(tokenize("  ...  "), []);
});

test("hashed bag of words: fixed width, log(1 + count) per bucket, stable hash", () => {
  assert.equal(hashToken("a"), 0xe40c292c); // FNV-1a 32-bit of "a"
  const v = hashedBagOfWords("the cat and the hat", 8);
  assert.equal(v.length, 8);
  const total = Array.from(v).reduce((a, b) => a + Math.round(Math.expm1(b)), 0);
  assert.equal(total, 5);
  const wide = hashedBagOfWords("the cat and the hat", 1024);
  assert.ok(Math.abs(wide[hashToken("the") % 1024]! - Math.log1p(2)) < 1e-6);
  assert.ok(Math.abs(wide[hashToken("hat") % 1024]! - Math.log1p(1)) < 1e-6);
  assert.equal(wide.filter((x) => x > 0).length, 4);
  assert.deepEqual(hashedBagOfWords("The CAT", 8), hashedBagOfWords("the cat", 8));
});

test("vocabulary: fitted on training texts, counts then code points, pad/unk", () => {
  const train = ["the cat sat", "the dog sat", "the end"];
  const vocab = Vocabulary.fit(train);
  assert.deepEqual(vocab.tokens, ["<pad>", "<unk>", "the", "sat", "cat", "dog", "end"]);
  assert.equal(vocab.size, 7);
  assert.deepEqual(Array.from(vocab.encode("The bird sat", 5)), [2, UNKNOWN_INDEX, 3, PAD_INDEX, PAD_INDEX]);
  assert.deepEqual(Array.from(vocab.encode("cat dog end the sat cat", 3)), [4, 5, 6]);
  assert.deepEqual(Array.from(vocab.encodeBatch(["cat", "dog sat"], 2)), [4, 0, 5, 3]);
  assert.equal(vocab.coverage(["the bird"]), 0.5);
  const small = Vocabulary.fit(train, { maxSize: 4, minCount: 2 });
  assert.deepEqual(small.tokens, ["<pad>", "<unk>", "the", "sat"]);
  const loaded = Vocabulary.fromJSON(JSON.parse(JSON.stringify(vocab)));
  assert.deepEqual(loaded.encode("dog end", 2), vocab.encode("dog end", 2));
  assert.throws(() => vocab.encode("x", 0), /maxLength must be a positive integer; got 0/);
  assert.throws(() => Vocabulary.fromJSON({ tokens: ["a"] }), /not a saved vocabulary/);
});
