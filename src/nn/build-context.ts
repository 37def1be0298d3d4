/**
 * What a layer sees while the model's graph is being built: it declares parameters (trainable weights),
 * state variables (running statistics) and asks for seeds for random ops. The same layers build the
 * training graph (`training: true`) and the evaluation/prediction graph.
 */
import type { DType, Tensor } from "../engine/graph.js";
import { input } from "../engine/ops.js";
import type { Fans, InitializerName } from "./initializers.js";

export interface ParamSpec {
  /** Unique name, `<layer>.<param>`; it is also the ONNX input/initializer name. */
  name: string;
  layer: string;
  shape: number[];
  init: InitializerName;
  fans: Fans;
  /** Whether weight decay applies (false for biases and normalization parameters by default). */
  decay: boolean;
}

export interface StateSpec {
  name: string;
  layer: string;
  shape: number[];
  fill: number;
}

/** A per-step random input: uniform [0, 1) values of the given shape ("N" = batch), fed by the trainer. */
export interface NoiseSpec {
  name: string;
  shape: (number | string)[];
}

export class BuildContext {
  readonly params = new Map<string, { spec: ParamSpec; node: Tensor }>();
  readonly states = new Map<string, { spec: StateSpec; node: Tensor; update?: Tensor }>();
  readonly noise = new Map<string, { spec: NoiseSpec; node: Tensor }>();
  /** Output of each layer by name (for cutting models and inspecting them). */
  readonly taps = new Map<string, Tensor>();
  /** Outputs of ReLU-family activation layers, for the dead-unit monitor. */
  readonly reluTaps = new Map<string, Tensor>();

  constructor(
    readonly dtype: DType,
    readonly training: boolean,
    readonly seed: number,
    /** Layers whose BatchNorm statistics stay fixed even in training (frozen layers). */
    readonly frozenLayers: ReadonlySet<string> = new Set(),
  ) {}

  param(spec: ParamSpec): Tensor {
    const existing = this.params.get(spec.name);
    if (existing) return existing.node;
    const node = input(spec.name, spec.shape, this.dtype);
    this.params.set(spec.name, { spec, node });
    return node;
  }

  state(spec: StateSpec): Tensor {
    const existing = this.states.get(spec.name);
    if (existing) return existing.node;
    const node = input(spec.name, spec.shape, this.dtype);
    this.states.set(spec.name, { spec, node });
    return node;
  }

  /** Records the new value of a state variable after a training step. */
  updateState(name: string, value: Tensor): void {
    const s = this.states.get(name);
    if (!s) throw new Error(`no state variable '${name}'`);
    s.update = value;
  }

  /**
   * Uniform [0, 1) noise for a random op (dropout masks). The trainer draws it in TypeScript from a seeded
   * generator whose state is saved in checkpoints, so a resumed run draws exactly what the uninterrupted
   * run would have drawn, independently of ONNX Runtime's own random number generators.
   */
  uniformNoise(name: string, shape: (number | string)[]): Tensor {
    const existing = this.noise.get(name);
    if (existing) return existing.node;
    const node = input(name, shape, this.dtype);
    this.noise.set(name, { spec: { name, shape }, node });
    return node;
  }
}
