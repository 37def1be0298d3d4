/**
 * The local worker pool: `size` child processes (child_process.fork of pool-child.js), each training one
 * trial at a time with `threads` ONNX Runtime threads, so that `size` trials run at once on a machine's
 * cores. Processes, not worker threads: a trial that crashes or is killed takes only its own process down
 * (its trial fails, the pool starts a new process), a killed parent takes its children with it (they exit
 * when the IPC channel closes), and each process has its own heap and its own ONNX Runtime thread pool.
 * Measured (bench/results/local-pool.md): worker threads (mode "thread") train as fast, and start ~300 ms
 * sooner once per member; isolation decides.
 * Processes start when the first trial comes and are kept; each keeps its prepared data between trials.
 *
 * @example
 * const pool = new WorkerPool({ size: 2, threads: 1 });
 * const [a, b] = await Promise.all([pool.execute(jobA), pool.execute(jobB)]);
 * await pool.close();
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Worker as Thread } from "node:worker_threads";
import type { TrialEvents, TrialResult } from "../coach/improve/trial.js";
import { withMallocTuning } from "../engine/malloc-tuning.js";
import { UserError } from "../errors.js";
import type { TrialJob } from "./trial-job.js";

export interface WorkerPoolOptions {
  /** Processes (trials at once). */
  size: number;
  /** ONNX Runtime threads per process (used by a trial whose spec leaves it to the worker). */
  threads: number;
  /** "process" (default: child_process.fork) or "thread" (worker_threads; measured in bench/local-pool.ts). */
  mode?: "process" | "thread";
  /**
   * Node flags of each process (default POOL_NODE_FLAGS); [] gives Node's defaults (the benchmark's
   * comparison). Not used by worker threads, which share the parent's heap settings.
   */
  nodeFlags?: readonly string[];
  log?: (line: string) => void;
}

/** A trial's process died under it (killed, out of memory): the trial did not finish. */
export class WorkerExited extends Error {
  override readonly name = "WorkerExited";
}

interface Task {
  key: number;
  job: TrialJob;
  events: TrialEvents;
  signal?: AbortSignal;
  resolve(r: TrialResult): void;
  reject(e: Error): void;
}

/** A pool member: a child process, or a worker thread seen through the same few calls. */
type Member = Pick<ChildProcess, "send" | "kill" | "on" | "pid" | "exitCode" | "signalCode" | "once">;

function threadMember(t: Thread): Member {
  const m = {
    pid: undefined,
    exitCode: null as number | null,
    signalCode: null,
    send: (msg: unknown) => {
      t.postMessage(msg);
      return true;
    },
    kill: () => {
      void t.terminate();
      return true;
    },
    on: (event: string, f: (...a: unknown[]) => void) => {
      t.on(event === "exit" ? "exit" : event, f);
      return m;
    },
    once: (event: string, f: (...a: unknown[]) => void) => {
      t.once(event, f);
      return m;
    },
  };
  t.once("exit", (code) => {
    m.exitCode = code;
  });
  return m as unknown as Member;
}

interface Slot {
  child: Member;
  task: Task | null;
}

/**
 * `--single-threaded-gc`: a pool process is meant to use its share of the cores and no more. With Node's
 * default, V8 collects garbage on 4 helper threads besides the main thread; measured on the 2-core machine
 * (bench/results/local-pool.md, mlp-large, 6 trials at 1 ONNX Runtime thread, load 8-10): the helpers took
 * 2.4 s of CPU next to the main thread's 4.9 s, and the whole process 6.2 s of CPU, against 4.1 s
 * single-threaded (the collector's own cost included: the parallel collector mostly waits and spins). A
 * lone process takes the idle core for its helpers, two processes fight over both cores.
 */
export const POOL_NODE_FLAGS: readonly string[] = ["--single-threaded-gc"];

const CHILD = fileURLToPath(new URL("./pool-child.js", import.meta.url));

export class WorkerPool {
  private readonly slots: (Slot | null)[];
  private readonly waiting: Task[] = [];
  private nextKey = 0;
  private closed = false;

  constructor(readonly options: WorkerPoolOptions) {
    if (!(Number.isInteger(options.size) && options.size >= 1)) throw new Error(`pool size ${options.size}`);
    this.slots = new Array(options.size).fill(null);
  }

  get size(): number {
    return this.options.size;
  }

  /** The process ids of the running processes (in slot order). */
  pids(): number[] {
    return this.slots.flatMap((s) => (s?.child.pid ? [s.child.pid] : []));
  }

  /** Runs a job (its data paths local and verified) on the next free process. */
  execute(job: TrialJob, events: TrialEvents = {}, signal?: AbortSignal): Promise<TrialResult> {
    if (this.closed) return Promise.reject(new Error("the worker pool is closed"));
    return new Promise<TrialResult>((resolve, reject) => {
      const task: Task = { key: this.nextKey++, job, events, signal, resolve, reject };
      if (signal?.aborted) return reject(signal.reason ?? new Error("trial cancelled"));
      signal?.addEventListener(
        "abort",
        () => {
          const i = this.waiting.indexOf(task);
          if (i >= 0) {
            this.waiting.splice(i, 1);
            reject(signal.reason ?? new Error("trial cancelled"));
          } else
            for (const s of this.slots) if (s?.task === task) s.child.send({ type: "cancel", key: task.key });
        },
        { once: true },
      );
      this.waiting.push(task);
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (let i = 0; i < this.slots.length && this.waiting.length > 0; i++) {
      const slot = this.slots[i] ?? this.spawn(i);
      if (slot.task) continue;
      const task = this.waiting.shift()!;
      slot.task = task;
      slot.child.send({ type: "run", key: task.key, job: task.job });
    }
  }

  private spawn(i: number): Slot {
    const child: Member =
      this.options.mode === "thread"
        ? threadMember(new Thread(CHILD, { workerData: { threads: this.options.threads }, stdout: true }))
        : fork(CHILD, [], {
            execArgv: [...(this.options.nodeFlags ?? POOL_NODE_FLAGS)],
            serialization: "advanced",
            // the allocator settings of bin/nncoach also where the pool's parent was started otherwise
            env: { ...withMallocTuning(), NNCOACH_POOL_THREADS: String(this.options.threads) },
            stdio: ["ignore", "ignore", "inherit", "ipc"],
          });
    const slot: Slot = { child, task: null };
    this.slots[i] = slot;
    child.on(
      "message",
      (m: {
        type: string;
        key: number;
        e?: never;
        result?: TrialResult;
        message?: string;
        name?: string;
      }) => {
        const t = slot.task;
        if (!t || m.key !== t.key) return;
        if (m.type === "epoch") t.events.onEpoch?.(m.e!);
        else if (m.type === "result" || m.type === "error") {
          slot.task = null;
          if (m.type === "result") t.resolve(m.result!);
          // a cancelled trial ends with its caller's reason (e.g. a pruner's), as an in-process trial does
          else if (t.signal?.aborted) t.reject(t.signal.reason ?? new Error("trial cancelled"));
          else if (m.name === "UserError") t.reject(new UserError(m.message!));
          else {
            const err = new Error(m.message);
            err.name = m.name ?? "Error";
            t.reject(err);
          }
          this.dispatch();
        }
      },
    );
    child.on("exit", (code: number | null, signal?: NodeJS.Signals | null) => {
      if (this.slots[i] === slot) this.slots[i] = null;
      const t = slot.task;
      slot.task = null;
      if (t) {
        this.options.log?.(
          `pool: worker process ${child.pid} exited (${signal ?? `code ${code}`}) during trial ${t.job.spec.id}`,
        );
        t.reject(new WorkerExited(`worker process exited (${signal ?? `code ${code}`}) during the trial`));
      }
      if (!this.closed) this.dispatch();
    });
    return slot;
  }

  /** Stops every process (a running trial is rejected). */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.waiting.splice(0)) t.reject(new Error("the worker pool is closed"));
    await Promise.all(
      this.slots.map(
        (s) =>
          s &&
          new Promise<void>((resolve) => {
            if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
            s.child.once("exit", () => resolve());
            s.child.kill("SIGTERM");
          }),
      ),
    );
  }
}
