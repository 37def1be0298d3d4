/**
 * glibc allocator settings for training processes. Each training step returns the updated parameters and
 * optimizer state from ONNX Runtime in fresh buffers of up to megabytes. With glibc's defaults such
 * buffers are mmap-ed and unmapped on every step, so every step pays page faults for them: measured on the
 * development machine, fetching an 800 KB output took 0.58 ms with the defaults and 0.19-0.24 ms with
 * these settings. They must be in the environment when the process starts (glibc reads them once), so
 * the `nncoach` command (bin/nncoach) sets them before starting Node, and the benchmark passes them to
 * every engine alike. Library users get the same effect by exporting them before starting node.
 */
export const MALLOC_TUNING: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: "134217728",
  MALLOC_TOP_PAD_: "268435456",
};

/** `env` with the allocator settings added where not already set. */
export function withMallocTuning(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const [k, v] of Object.entries(MALLOC_TUNING)) if (out[k] === undefined) out[k] = v;
  return out;
}
