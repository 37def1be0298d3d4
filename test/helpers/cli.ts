import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const CLI = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The last stdout line parsed as JSON, when it is JSON. */
  json?: Record<string, unknown>;
}

/**
 * Runs the nncoach CLI in a child process (cwd: the repository root). `env` adds to (or, with undefined
 * values, removes from) this process's environment; `nodeArgs` go to node before the script.
 */
export function runCli(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string | undefined>; nodeArgs?: string[] } = {},
): CliResult {
  const env = { ...process.env, ...opts.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const r = spawnSync(process.execPath, [...(opts.nodeArgs ?? []), CLI, ...args], {
    cwd: opts.cwd ?? ROOT,
    encoding: "utf8",
    env,
  });
  const lines = r.stdout.trim().split("\n");
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(lines[lines.length - 1]!);
  } catch {
    json = undefined;
  }
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, json };
}
