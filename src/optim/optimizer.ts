/**
 * Optimizers run inside the compiled training step: for each parameter they take the gradient and their
 * slot tensors (momentum buffers, moment estimates) and return the new parameter and slots. The learning
 * rate and the 1-based step counter are runtime inputs, so schedules never recompile.
 */
import type { Tensor } from "../engine/graph.js";
import type { AdamKernel } from "./adam-kernel.js";

export interface StepInputs {
  /** Scalar learning rate (runtime input). */
  lr: Tensor;
  /** Scalar step number t = 1, 2, ... (runtime input, float). */
  step: Tensor;
}

export interface ParamUpdate {
  param: Tensor;
  slots: Tensor[];
}

export interface Optimizer {
  readonly name: string;
  /** Names of the per-parameter state slots, e.g. ["exp_avg", "exp_avg_sq"]. */
  readonly slotNames: readonly string[];
  /**
   * Builds the update of one parameter. `decay` says whether weight decay applies to it; `lrScale` is the
   * parameter group's learning-rate multiplier (discriminative fine-tuning), 1 by default. `gradScale` is a
   * scalar the raw gradient must be multiplied by first (loss-scale removal and norm clipping), which an
   * optimizer may fold into its own scalar coefficients to save a pass over the gradient.
   */
  update(
    p: Tensor,
    g: Tensor,
    slots: readonly Tensor[],
    h: StepInputs,
    decay: boolean,
    lrScale?: number,
    gradScale?: Tensor,
  ): ParamUpdate;
  config(): Record<string, unknown>;
  /**
   * Optional (float32 only): the same update with its elementwise part in a fused kernel outside the graph.
   * `fusedInputs` builds, in the graph, the scalar coefficients of one group's update from the raw
   * gradient; `fusedStep` then updates the flat parameter and slot buffers in place from the gradient
   * buffer (all allocated from `kernel`).
   */
  fusedInputs?(h: StepInputs, decay: boolean, lrScale?: number, gradScale?: Tensor): Tensor;
  fusedStep?(
    kernel: AdamKernel,
    p: Float32Array,
    g: Float32Array,
    slots: readonly Float32Array[],
    coefs: ArrayLike<number>,
  ): void;
}
