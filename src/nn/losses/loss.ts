/**
 * Losses pair an output function (what the model predicts: probabilities or values) with a per-sample loss
 * computed stably from the logits. The training step averages per-sample losses with sample weights:
 * sum(w·l) / sum(w), which is PyTorch's weighted mean (class weights enter as per-sample weights).
 */
import type { Tensor } from "../../engine/graph.js";

export interface Loss {
  readonly name: string;
  /** Shape of the target for one sample and its dtype ("int64" class indices or float values). */
  targetShape(outputs: number): number[];
  readonly targetDType: "int64" | "float";
  /** Per-sample loss [N] from logits [N, k] and targets. */
  perSample(logits: Tensor, target: Tensor): Tensor;
  /** What the model outputs at prediction: probabilities [N, k] (binary: [N, 1] = P(class 1)) or values. */
  output(logits: Tensor): Tensor;
  config(): Record<string, unknown>;
}
