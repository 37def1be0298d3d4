/**
 * A preload for resume tests: started with `node --import <this file>` (see `killAfterEpoch`), the process
 * kills itself with SIGKILL right after it has written `last.ckpt` for epoch `NNCOACH_TEST_KILL_AFTER_EPOCH`
 * (or a later one): on the next turn of the event loop, while the next epoch's first training step runs.
 * That is a real SIGKILL mid-training, at a known epoch, however fast or slow the machine is (a test that
 * polls the checkpoint from outside cannot hit a window of a few 50 ms epochs).
 *
 * It wraps `fs.renameSync`, the last step of every atomic write, and updates the ESM bindings of `node:fs`
 * (syncBuiltinESMExports) so that nncoach's own imports see the wrapper.
 */
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import path from "node:path";

const after = Number(process.env.NNCOACH_TEST_KILL_AFTER_EPOCH);

/** The epoch a checkpoint file was written after (its JSON header's `epoch`). */
function checkpointEpoch(file: string): number {
  const buf = fs.readFileSync(file);
  const len = buf.readUInt32LE(8);
  return (JSON.parse(buf.toString("utf8", 12, 12 + len)) as { epoch: number }).epoch;
}

if (Number.isInteger(after)) {
  const rename = fs.renameSync;
  fs.renameSync = (from: fs.PathLike, to: fs.PathLike) => {
    rename(from, to);
    if (path.basename(String(to)) === "last.ckpt" && checkpointEpoch(String(to)) >= after)
      setImmediate(() => process.kill(process.pid, "SIGKILL"));
  };
  syncBuiltinESMExports();
}

/** Node arguments and environment that make a CLI run kill itself after writing epoch `epoch`'s checkpoint. */
export function killAfterEpoch(epoch: number): { nodeArgs: string[]; env: Record<string, string> } {
  return {
    nodeArgs: ["--import", import.meta.url],
    env: { NNCOACH_TEST_KILL_AFTER_EPOCH: String(epoch) },
  };
}
