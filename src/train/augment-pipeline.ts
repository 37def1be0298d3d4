/**
 * Training-batch augmentation overlapped with the training step: a worker thread augments the next batch
 * while ONNX Runtime runs the current step, so an augmented epoch takes as long as its steps, not its
 * steps plus the augmentation (images: rotations and shifts with bilinear sampling cost milliseconds per
 * batch).
 *
 * Deterministic whatever the timing: the one worker holds the augmentation generator and augments the
 * batches in the order they are submitted, with the same code and draws as augmenting in the loop, and
 * returns the generator's state after each batch, which the fit loop copies into its own generator
 * (checkpoints save it). The batches are the same, bit for bit, as without the worker.
 *
 * @example
 * const p = new AugmentPipeline(augmenter.spec, augRng.getState());
 * p.submit(rowsOfBatch0, n0);
 * const { x, rng } = await p.take(); // batch 0, augmented
 * await p.close();
 */
import { Worker } from "node:worker_threads";
import type { AugmenterSpec } from "../recipe/augmentation.js";
import type { AugmentReply, AugmentRequest } from "./augment-worker.js";

export class AugmentPipeline {
  private readonly worker: Worker;
  /** Replies not yet taken, in submission order (the worker answers in order). */
  private readonly pending: { resolve: (r: AugmentReply) => void; reject: (e: Error) => void }[] = [];
  private readonly ready: Promise<AugmentReply>[] = [];
  private failure?: Error;
  /** Buffers handed back by take() callers through recycle(), reused by submit(). */
  private readonly free: Float32Array[] = [];

  constructor(spec: AugmenterSpec, rngState: number[]) {
    this.worker = new Worker(new URL("./augment-worker.js", import.meta.url));
    this.worker.on("message", (r: AugmentReply) => this.pending.shift()?.resolve(r));
    const fail = (e: Error) => {
      this.failure = e;
      for (const p of this.pending.splice(0)) p.reject(e);
    };
    this.worker.on("error", fail);
    this.worker.on("exit", (code) => {
      if (code !== 0) fail(new Error(`the augmentation worker exited with code ${code}`));
    });
    this.post({ type: "init", spec, rng: rngState });
  }

  private post(m: AugmentRequest, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  /**
   * Sets the worker's generator (at an epoch's start, with nothing in flight): the fit loop's generator is
   * the authority between epochs (a resumed run restores it).
   */
  reset(rngState: number[]): void {
    if (this.failure) throw this.failure;
    this.post({ type: "reset", rng: rngState });
  }

  /** A buffer of `size` floats for the rows of a batch to submit (reused when one is free). */
  buffer(size: number): Float32Array {
    const i = this.free.findIndex((b) => b.length === size);
    return i >= 0 ? this.free.splice(i, 1)[0]! : new Float32Array(size);
  }

  /** Sends the rows of the next batch (ownership passes to the worker until take() returns it). */
  submit(x: Float32Array, n: number): void {
    if (this.failure) throw this.failure;
    const reply = new Promise<AugmentReply>((resolve, reject) => {
      this.pending.push({ resolve, reject });
    });
    // a batch still in flight when training stops is never taken: its rejection at close() is expected
    reply.catch(() => {});
    this.ready.push(reply);
    this.post({ type: "batch", x, n }, [x.buffer as ArrayBuffer]);
  }

  /** The oldest submitted batch, augmented, with the generator's state after it. */
  take(): Promise<AugmentReply> {
    const r = this.ready.shift();
    if (!r) throw new Error("AugmentPipeline.take() without a submitted batch");
    return r;
  }

  /** Hands a taken batch's buffer back for reuse once the step that read it has finished. */
  recycle(x: Float32Array): void {
    if (this.free.length < 4) this.free.push(x);
  }

  /** Ends the worker (batches still in flight are dropped). */
  async close(): Promise<void> {
    for (const p of this.pending.splice(0)) p.reject(new Error("the augmentation pipeline was closed"));
    this.ready.length = 0;
    await this.worker.terminate();
  }
}
