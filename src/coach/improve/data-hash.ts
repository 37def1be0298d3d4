/**
 * Content hash of a study's data: every file of the training data (a table file, or every file under a
 * class folder, by relative path), the validation and test files when given, and the split seed. A
 * resumed study refuses data whose hash changed, and a trial names its data by this hash.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

function addPath(h: crypto.Hash, p: string): void {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  if (!st) {
    h.update(`missing:${p}\n`);
    return;
  }
  if (st.isFile()) {
    h.update(fs.readFileSync(p));
    return;
  }
  const walk = (dir: string, rel: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(full, r);
      else if (e.isFile()) {
        h.update(`${r}\n`);
        h.update(fs.readFileSync(full));
      }
    }
  };
  walk(p, "");
}

export function dataHash(paths: (string | undefined | null)[], seed: number): string {
  const h = crypto.createHash("sha256");
  for (const p of paths) {
    h.update(`--${p ? path.basename(p) : "none"}\n`);
    if (p) addPath(h, p);
  }
  h.update(`seed ${seed}`);
  return h.digest("hex").slice(0, 16);
}
