/**
 * Checkpoints: everything needed to continue a run exactly where it stopped — parameters, optimizer slots,
 * running statistics, step and epoch counters, the states of the batch-order, augmentation and dropout
 * generators, the LR schedule's state and the history so far.
 *
 * File layout: the 8 bytes "NNCKPT1\n", a uint32 (little-endian) header length, the JSON header, padding to a
 * multiple of 8, then the raw little-endian values of each tensor as listed in the header. Files are written
 * to a temporary name, flushed to disk and renamed, so a crash or Ctrl-C never leaves a half-written file
 * under the real name.
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
  /** State of the callbacks that keep one, by `<index>:<class name>`. */
  callbacks?: Record<string, unknown>;
  /** Free-form: the resolved config, the monitored value, ... */
  meta?: Record<string, unknown>;
  tensors: { name: string; length: number }[];
}

export interface Checkpoint {
  header: CheckpointHeader;
  values: Map<string, Float32Array | Float64Array>;
}

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
        s.callbacks.flatMap((c, i) => (c.state ? [[callbackKey(c, i), c.state()]] : [])),
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

export function writeCheckpoint(file: string, c: Checkpoint): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const header = Buffer.from(JSON.stringify(c.header), "utf8");
  const start = Math.ceil((12 + header.length) / 8) * 8;
  const bytesPer = c.header.dtype === "float64" ? 8 : 4;
  const total = start + c.header.tensors.reduce((a, t) => a + t.length * bytesPer, 0);
  const buf = Buffer.alloc(total);
  buf.write(MAGIC, 0, "latin1");
  buf.writeUInt32LE(header.length, 8);
  header.copy(buf, 12);
  let at = start;
  for (const t of c.header.tensors) {
    const v = c.values.get(t.name)!;
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
  const bytesPer = header.dtype === "float64" ? 8 : 4;
  let at = Math.ceil((12 + len) / 8) * 8;
  const values = new Map<string, Float32Array | Float64Array>();
  for (const t of header.tensors) {
    const bytes = buf.subarray(at, at + t.length * bytesPer);
    if (bytes.length !== t.length * bytesPer)
      throw new UserError(`${file}: the checkpoint is truncated (tensor ${t.name})`);
    const copy = new Uint8Array(bytes);
    values.set(t.name, bytesPer === 8 ? new Float64Array(copy.buffer) : new Float32Array(copy.buffer));
    at += t.length * bytesPer;
  }
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
