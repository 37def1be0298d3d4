import fs from "node:fs";
import path from "node:path";

/**
 * Debian's chromium: CHROMIUM_PATH if set, else `chromium` (or `chromium-browser`) on the PATH. Throws,
 * naming what the calling test needs it for, when there is none (a missing browser fails, never skips).
 */
export function chromiumPath(purpose: string): string {
  const dirs = (process.env.PATH ?? "").split(path.delimiter).filter((d) => d);
  const candidates = process.env.CHROMIUM_PATH
    ? [process.env.CHROMIUM_PATH]
    : ["chromium", "chromium-browser"].flatMap((name) =>
        [...dirs, "/usr/bin"].map((d) => path.join(d, name)),
      );
  const found = candidates.find((p) => fs.existsSync(p));
  const looked = process.env.CHROMIUM_PATH
    ? `CHROMIUM_PATH=${process.env.CHROMIUM_PATH}`
    : "chromium on the PATH";
  if (!found)
    throw new Error(
      `no Chromium (looked for ${looked}): ${purpose} in headless Chromium. ` +
        "Install Debian's package (`apt-get update && apt-get install -y chromium`, as .ci/run does) " +
        "or set CHROMIUM_PATH to a Chromium or Chrome binary.",
    );
  return found;
}
