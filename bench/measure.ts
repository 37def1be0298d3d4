/**
 * Runs one engine's training script in its own child process and reads the JSON line it prints.
 */
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { withMallocTuning } from "../src/engine/malloc-tuning.js";

/** The JSON line an engine script prints (extra fields are kept as they are). */
export interface EngineLine {
  readonly engine: string;
  readonly model: string;
  readonly threads: number;
  readonly batch: number;
  readonly samples_per_second: number;
  readonly steps: number;
  readonly [field: string]: unknown;
}

/** The outcome of one run of one engine script. */
export type RunOutcome =
  | { readonly status: "ok"; readonly line: EngineLine; readonly wallSeconds: number; readonly load1: number }
  | {
      /** "unsupported": the engine printed `{"error": ...}` (it cannot train this model); "failed": anything else. */
      readonly status: "failed" | "unsupported";
      readonly reason: string;
      readonly wallSeconds: number;
      readonly load1: number;
    };

/**
 * Finds the engine's result in a script's stdout: the last line that is a JSON object. A line with
 * `samples_per_second` > 0 and the expected `engine` is a result; a line with an `error` field is the engine
 * saying it cannot run this case.
 *
 * @param stdout everything the script printed on stdout
 * @param engine the engine name the line must carry, e.g. "pytorch"
 * @returns the parsed line, or a reason why there is none
 * @example parseEngineOutput('{"engine":"pytorch","samples_per_second":1200,...}\n', "pytorch")
 */
export function parseEngineOutput(
  stdout: string,
  engine: string,
): { readonly line: EngineLine } | { readonly reason: string; readonly unsupported?: true } {
  const lines = stdout.split("\n").map((l) => l.trim());
  for (let i = lines.length - 1; i >= 0; i--) {
    const text = lines[i]!;
    if (!text.startsWith("{")) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      continue;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) continue;
    const obj = parsed as Record<string, unknown>;
    if (typeof obj.error === "string") return { reason: obj.error, unsupported: true };
    if (obj.engine !== engine) {
      return { reason: `its JSON line names engine ${JSON.stringify(obj.engine)}, expected "${engine}"` };
    }
    const sps = obj.samples_per_second;
    if (typeof sps !== "number" || !Number.isFinite(sps) || sps <= 0) {
      return {
        reason: `its JSON line has samples_per_second ${JSON.stringify(sps)}, expected a positive number`,
      };
    }
    return { line: obj as unknown as EngineLine };
  }
  return { reason: "it printed no JSON line" };
}

/** The last `n` non-empty lines of a text, for error messages. */
function tail(text: string, n: number): string {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .slice(-n)
    .join("\n");
}

/**
 * Runs `command args...` to completion (blocking: measurements never overlap) and returns its result line.
 *
 * @param command the executable, e.g. "/usr/bin/python3" or process.execPath
 * @param args its arguments, script path first
 * @param engine the engine name its JSON line must carry
 * @param timeoutSeconds the child is killed after this long and the run counts as failed
 * @param env further environment variables for the child (an engine setting, e.g. OMP_WAIT_POLICY)
 */
export function runEngine(
  command: string,
  args: readonly string[],
  engine: string,
  timeoutSeconds: number,
  env: Readonly<Record<string, string>> = {},
): RunOutcome {
  const load1 = loadavg()[0]!;
  const t0 = process.hrtime.bigint();
  const child = spawnSync(command, args, {
    encoding: "utf8",
    timeout: timeoutSeconds * 1000,
    maxBuffer: 16 * 1024 * 1024,
    stdio: ["ignore", "pipe", "pipe"],
    // the same allocator settings for every engine (the nncoach command sets them too)
    env: { ...withMallocTuning(), ...env },
  });
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const failed = (reason: string): RunOutcome => ({ status: "failed", reason, wallSeconds, load1 });
  if (child.error) {
    const code = (child.error as NodeJS.ErrnoException).code;
    if (code === "ETIMEDOUT") return failed(`it did not finish within ${timeoutSeconds} s`);
    return failed(`${command} could not be started: ${child.error.message}`);
  }
  const parsed = parseEngineOutput(child.stdout ?? "", engine);
  if ("line" in parsed && child.status === 0) return { status: "ok", line: parsed.line, wallSeconds, load1 };
  if ("unsupported" in parsed && child.status === 0) {
    return { status: "unsupported", reason: parsed.reason, wallSeconds, load1 };
  }
  const stderr = tail(child.stderr ?? "", 6);
  const why = "reason" in parsed ? parsed.reason : `it exited with ${child.status ?? child.signal}`;
  return failed(stderr ? `${why}; stderr:\n${stderr}` : why);
}
