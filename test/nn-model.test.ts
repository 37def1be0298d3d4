import assert from "node:assert/strict";
import { test } from "node:test";
import { UserError } from "../src/errors.js";
import { Activation } from "../src/nn/layers/activation.js";
import { Dense } from "../src/nn/layers/dense.js";
import { type BinaryCrossEntropy, makeLoss, type SparseCrossEntropy } from "../src/nn/losses/index.js";
import { Sequential } from "../src/nn/sequential.js";

test("a shape mismatch while building a model names the layer and both shapes", () => {
  assert.throws(
    () =>
      new Sequential(
        [13],
        [
          new Dense("hidden", { units: 8 }),
          new Activation("act", "relu"),
          new Dense("head", { units: 3, inputDim: 10 }),
        ],
      ),
    (e: unknown) =>
      e instanceof UserError &&
      /layer 'head'/.test(e.message) &&
      /\[N, 8\]/.test(e.message) &&
      /\[N, 10\]/.test(e.message),
  );
});

test("the focal modulation applies only to loss 'focal', whatever focalGamma says", () => {
  const auto = makeLoss("auto", "classification", 3, { focalGamma: 2 });
  assert.equal((auto as SparseCrossEntropy).config().focalGamma, 0);
  const focal = makeLoss("focal", "classification", 3, { focalGamma: 3 });
  assert.equal((focal as SparseCrossEntropy).config().focalGamma, 3);
  assert.equal((makeLoss("focal", "classification", 2, {}) as BinaryCrossEntropy).config().focalGamma, 2);
});
