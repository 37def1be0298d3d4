/**
 * Continue training with other frozen layers or learning-rate scales: the frozen set is part of the compiled
 * training step, so changing it means a new Trainer for the same model, started from the old one's
 * parameters and running statistics (unfreeze a backbone after training a new head, or lower its learning
 * rate with `lrScales`).
 */
import type { Optimizer } from "../optim/optimizer.js";
import { Trainer } from "./trainer.js";

export interface RetrainOptions {
  /** Parameter or layer names that stay frozen; default none. */
  frozen?: string[];
  /** Learning-rate multiplier per parameter or layer name; default: the old trainer's. */
  lrScales?: Record<string, number>;
  /** Default: the old trainer's optimizer (its state starts fresh either way). */
  optimizer?: Optimizer;
}

/**
 * A new compiled Trainer for `trainer`'s model and loss that continues from its parameters and running
 * statistics; the optimizer state (moments, step count) starts fresh, as after recompiling in Keras.
 *
 * @example
 * const fine = await retrain(headTrainer, { frozen: [] }); // unfreeze everything
 * await fit(fine, data, { epochs: 5, batchSize: 32, lr: 1e-4 });
 */
export async function retrain(trainer: Trainer, o: RetrainOptions = {}): Promise<Trainer> {
  const next = new Trainer(trainer.model, trainer.loss, o.optimizer ?? trainer.optimizer, {
    ...trainer.opts,
    frozen: o.frozen ?? [],
    lrScales: o.lrScales ?? trainer.opts.lrScales,
  });
  await next.compile();
  for (const s of [...next.paramSpecs, ...next.stateSpecs]) {
    const v = trainer.values.get(s.name);
    if (v) next.values.set(s.name, v.slice());
  }
  return next;
}
