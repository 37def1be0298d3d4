/**
 * Checkpoints: everything needed to continue a run exactly where it stopped — parameters, optimizer slots,
 * running statistics, step and epoch counters, the states of the batch-order, augmentation and dropout
 * generators, the LR schedule's state, the history so far and the state of every callback that keeps one
 * (early stopping's counters and best weights included).
 *
 * File layout: the 8 bytes "NNCKPT1\n", a uint32 (little-endian) header length, the JSON header, padding to a
 * multiple of 8, then the raw little-endian values of each tensor as listed in the header. A callback state
 * may hold Float32Array/Float64Array values (early stopping's best weights): in the file each one is a
 * tensor named `callback:<key>/<path>` and the JSON holds `{ "$tensor": <that name> }` in its place;
 * reading puts the arrays back, so `restore()` gets what `state()` gave. Files are written to a temporary
 * name, flushed to disk and renamed, so a crash or Ctrl-C never leaves a half-written file under the real
 * name.
 */
import fs from "node:fs";
import path from "node:path";
import { UserError } from "../errors.js";
import type { ScheduleState } from "../optim/schedules/lr-schedule.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import type { EpochLogs, FitState } from "./callback.js";
import type { Trainer } from "./trainer.js";

const MAGIC = "NNCKPT1\n";

export interface CheckpointHeader {
  version: 1;
  /** Epochs completed. */
  epoch: number;
  step: number;
  dtype: string;
  rng: { shuffle: number[]; augment: number[]; noise: number[] };
  schedule?: ScheduleState;
  lrScale: number;
  history: EpochLogs[];
  /**
   * State of the callbacks that keep one, by `<index>:<class name>`, as their `state()` returned it
   * (typed arrays included; see the file comment for how they are stored).
   */
  callbacks?: Record<string, unknown>;
  /** Free-form: the resolved config, the monitored value, ... */
  meta?: Record<string, unknown>;
  /** The tensors after the header, in order: the trainer's values, then the callbacks' arrays. */
  tensors: CheckpointTensor[];
}

/** One tensor of a checkpoint file. */
export interface CheckpointTensor {
  name: string;
  length: number;
  /** The element type; absent: the header's `dtype` (the trainer's values). */
  dtype?: "float32" | "float64";
}

type FloatArray = Float32Array | Float64Array;

export interface Checkpoint {
  header: CheckpointHeader;
  /** The trainer's values (parameters, optimizer slots, running statistics) by name. */
  values: Map<string, FloatArray>;
}

/** The prefix of tensors that hold a callback state's arrays. */
const CALLBACK_TENSOR = "callback:";

/** Captures the trainer and loop state after `state.epoch + 1` completed epochs. */
export function captureCheckpoint(trainer: Trainer, s: FitState, meta?: Record<string, unknown>): Checkpoint {
  const values = new Map([...trainer.values].map(([k, v]) => [k, v.slice()]));
  return {
    header: {
      version: 1,
      epoch: s.history.length,
      step: trainer.step,
      dtype: trainer.dtype,
      rng: {
        shuffle: s.shuffleRng.getState(),
        augment: s.augmentRng.getState(),
        noise: trainer.noiseRng.getState(),
      },
      schedule: s.schedule?.state(),
      lrScale: s.lrScale,
      history: s.history.map((h) => ({ ...h })),
      callbacks: Object.fromEntries(
        s.callbacks.flatMap((c, i) => (c.state ? [[callbackKey(c, i), copyArrays(c.state())]] : [])),
      ),
      meta,
      tensors: [...values].map(([name, v]) => ({ name, length: v.length })),
    },
    values,
  };
}

/** How a callback's state is keyed in a checkpoint: its position and class name. */
export function callbackKey(c: object, index: number): string {
  return `${index}:${c.constructor.name}`;
}

const isFloatArray = (v: unknown): v is FloatArray => v instanceof Float32Array || v instanceof Float64Array;
const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** A deep copy of the arrays of a callback state (plain objects and arrays are copied along the way). */
function copyArrays(v: unknown): unknown {
  if (isFloatArray(v)) return v.slice();
  if (Array.isArray(v)) return v.map(copyArrays);
  if (isPlain(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copyArrays(x)]));
  return v;
}

/** `v` with every typed array replaced by `{ $tensor: name }`; the arrays go to `out` under those names. */
function packArrays(v: unknown, name: string, out: Map<string, FloatArray>): unknown {
  if (isFloatArray(v)) {
    out.set(name, v);
    return { $tensor: name };
  }
  if (Array.isArray(v)) return v.map((x, i) => packArrays(x, `${name}/${i}`, out));
  if (isPlain(v))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, packArrays(x, `${name}/${k}`, out)]));
  return v;
}

/** The inverse of packArrays: `{ $tensor: name }` back to the array read from the file. */
function unpackArrays(v: unknown, arrays: Map<string, FloatArray>, file: string): unknown {
  if (Array.isArray(v)) return v.map((x) => unpackArrays(x, arrays, file));
  if (isPlain(v)) {
    if (typeof v.$tensor === "string" && Object.keys(v).length === 1) {
      const a = arrays.get(v.$tensor);
      if (!a) throw new UserError(`${file}: the checkpoint lacks the tensor '${v.$tensor}' its header names`);
      return a;
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unpackArrays(x, arrays, file)]));
  }
  return v;
}

const dtypeOf = (v: FloatArray): "float32" | "float64" => (v instanceof Float64Array ? "float64" : "float32");

export function writeCheckpoint(file: string, c: Checkpoint): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const extra = new Map<string, FloatArray>();
  const callbacks = c.header.callbacks
    ? Object.fromEntries(
        Object.entries(c.header.callbacks).map(([k, st]) => [
          k,
          packArrays(st, `${CALLBACK_TENSOR}${k}`, extra),
        ]),
      )
    : undefined;
  const own = c.header.tensors.filter((t) => !t.name.startsWith(CALLBACK_TENSOR));
  const tensors: CheckpointTensor[] = [
    ...own,
    ...[...extra].map(([name, v]) => ({ name, length: v.length, dtype: dtypeOf(v) })),
  ];
  const arrays = [...own.map((t) => c.values.get(t.name)!), ...extra.values()];
  const header = Buffer.from(JSON.stringify({ ...c.header, callbacks, tensors }), "utf8");
  const start = Math.ceil((12 + header.length) / 8) * 8;
  const total = start + arrays.reduce((a, v) => a + v.byteLength, 0);
  const buf = Buffer.alloc(total);
  buf.write(MAGIC, 0, "latin1");
  buf.writeUInt32LE(header.length, 8);
  header.copy(buf, 12);
  let at = start;
  for (const v of arrays) {
    Buffer.from(v.buffer, v.byteOffset, v.byteLength).copy(buf, at);
    at += v.byteLength;
  }
  writeFileAtomic(file, buf);
}

export function readCheckpoint(file: string): Checkpoint {
  if (!fs.existsSync(file))
    throw new UserError(
      `checkpoint ${file} does not exist`,
      "give the file or folder written by --checkpoint",
    );
  const buf = fs.readFileSync(file);
  if (buf.length < 12 || buf.toString("latin1", 0, 8) !== MAGIC)
    throw new UserError(`${file} is not an nncoach checkpoint`, "give the file written by --checkpoint");
  const len = buf.readUInt32LE(8);
  let header: CheckpointHeader;
  try {
    header = JSON.parse(buf.toString("utf8", 12, 12 + len));
  } catch {
    throw new UserError(`${file}: the checkpoint header is damaged`);
  }
  let at = Math.ceil((12 + len) / 8) * 8;
  const values = new Map<string, FloatArray>();
  const arrays = new Map<string, FloatArray>();
  for (const t of header.tensors) {
    const bytesPer = (t.dtype ?? header.dtype) === "float64" ? 8 : 4;
    const bytes = buf.subarray(at, at + t.length * bytesPer);
    if (bytes.length !== t.length * bytesPer)
      throw new UserError(`${file}: the checkpoint is truncated (tensor ${t.name})`);
    const copy = new Uint8Array(bytes);
    const v = bytesPer === 8 ? new Float64Array(copy.buffer) : new Float32Array(copy.buffer);
    (t.name.startsWith(CALLBACK_TENSOR) ? arrays : values).set(t.name, v);
    at += t.length * bytesPer;
  }
  if (header.callbacks)
    header.callbacks = unpackArrays(header.callbacks, arrays, file) as Record<string, unknown>;
  return { header, values };
}

/** Puts a checkpoint's values into a compiled trainer (same model and optimizer), checking names and sizes. */
export function restoreTrainer(trainer: Trainer, c: Checkpoint): void {
  for (const [name, cur] of trainer.values) {
    const v = c.values.get(name);
    if (!v)
      throw new UserError(
        `the checkpoint has no value for '${name}'`,
        "resume with the same model and optimizer settings as the run that wrote it",
      );
    if (v.length !== cur.length)
      throw new UserError(
        `the checkpoint's '${name}' has ${v.length} values, the model needs ${cur.length}`,
        "resume with the same model settings as the run that wrote it",
      );
  }
  trainer.restore({ step: c.header.step, values: c.values });
  trainer.noiseRng.setState(c.header.rng.noise);
}
