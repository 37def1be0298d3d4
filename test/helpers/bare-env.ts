import path from "node:path";

/**
 * The environment of a user's shell for install tests: no npm_config_*, no nncoach or onnxruntime
 * settings, and without the repository's node_modules/.bin and npm's helpers that `npm run` puts first on
 * PATH. `firstOnPath` (e.g. a folder of failing compiler shims) goes before the rest.
 */
export function bareEnv(firstOnPath?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const keep = [
    "HOME",
    "TMPDIR",
    "LANG",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
  ];
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k];
  const rest = (process.env.PATH ?? "/usr/bin:/bin")
    .split(path.delimiter)
    .filter((p) => !p.includes("node_modules") && !p.includes("node-gyp-bin"));
  env.PATH = [...(firstOnPath ? [firstOnPath] : []), ...rest].join(path.delimiter);
  return env;
}
