/**
 * The worker thread of AugmentPipeline (augment-pipeline.ts): rebuilds the augmenter from its portable
 * description, holds the augmentation generator, and augments the batches it is sent, in the order sent,
 * returning each with the generator's state after it. Not imported by anything else.
 */
import { parentPort } from "node:worker_threads";
import { type AugmenterSpec, makeAugmenter } from "../recipe/augmentation.js";
import { Random } from "../util/random.js";

export type AugmentRequest =
  | { type: "init"; spec: AugmenterSpec; rng: number[] }
  | { type: "reset"; rng: number[] }
  | { type: "batch"; x: Float32Array; n: number };

export interface AugmentReply {
  x: Float32Array;
  /** The generator's state after this batch. */
  rng: number[];
}

const port = parentPort;
if (port) {
  let augment: ReturnType<typeof makeAugmenter> | undefined;
  const rng = new Random();
  port.on("message", (m: AugmentRequest) => {
    if (m.type === "init") augment = makeAugmenter(m.spec.kind, m.spec.spec, m.spec.ctx);
    if (m.type !== "batch") {
      rng.setState(m.rng);
      return;
    }
    augment!(m.x, m.n, rng);
    const reply: AugmentReply = { x: m.x, rng: rng.getState() };
    port.postMessage(reply, [m.x.buffer as ArrayBuffer]);
  });
}
