/**
 * README.md is run, so that it stays true:
 *
 * - it opens with exactly two commands, one installing and training on a bundled example, one installing
 *   and running the tests; the first is run here without its `npm install` (installing from the registry
 *   is package-install.test.ts's job);
 * - its options table is the one `scripts/options-table.mjs` generates from TRAIN_OPTIONS;
 * - every other code block runs, in order, in a scratch folder set up like a project that installed
 *   nncoach (`node_modules/.bin/nncoach`, `node_modules/nncoach`) and that sees the checkout's `examples/`,
 *   `test/`, `dist/` and `scripts/`: `sh` blocks with `sh -e` (every command must succeed), `js` blocks as
 *   ES modules with Node. A block marked on the line before it with `<!-- readme-test: skip (why) -->` is
 *   not run; any other block that cannot be run fails the test.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { TRAIN_OPTIONS } from "../src/train/config-options.js";
import { ROOT } from "./helpers/cli.js";

const README = path.join(ROOT, "README.md");
const SKIP = /^<!-- readme-test: skip \((.+)\) -->$/;

interface Block {
  lang: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The reason given by a skip marker on the line before the fence. */
  skip?: string;
}

/** The fenced code blocks of a Markdown text, with the skip marker of each. */
export function codeBlocks(md: string): Block[] {
  const lines = md.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith("```"));
    assert.ok(end > i, `README.md line ${i + 1}: a code block is never closed`);
    let prev = i - 1;
    while (prev >= 0 && lines[prev]!.trim() === "") prev--;
    const marker = prev >= 0 ? SKIP.exec(lines[prev]!.trim()) : null;
    blocks.push({ lang: open[1]!, code: lines.slice(i + 1, end).join("\n"), line: i + 1, skip: marker?.[1] });
    i = end;
  }
  return blocks;
}

const readme = fs.readFileSync(README, "utf8");
const blocks = codeBlocks(readme);
const sandbox = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-readme-"));

/** Runs `command` with sh -e in the scratch folder. */
function sh(command: string) {
  return spawnSync("sh", ["-e", "-c", command], { cwd: sandbox, encoding: "utf8", timeout: 300_000 });
}

const output = (r: ReturnType<typeof sh>) =>
  `exit ${r.status}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`;

before(() => {
  // a project that installed nncoach, next to the checkout's data and build
  const bin = path.join(sandbox, "node_modules", ".bin");
  fs.mkdirSync(bin, { recursive: true });
  fs.symlinkSync(path.join(ROOT, "bin", "nncoach"), path.join(bin, "nncoach"));
  fs.symlinkSync(ROOT, path.join(sandbox, "node_modules", "nncoach"));
  for (const entry of ["examples", "test", "dist", "scripts"])
    fs.symlinkSync(path.join(ROOT, entry), path.join(sandbox, entry));
});

after(() => fs.rmSync(sandbox, { recursive: true, force: true }));

test("README opens with two commands: install and train on a bundled example; install and test", () => {
  const first = blocks[0]!;
  const beforeIt = readme.slice(0, readme.indexOf("```")).trim();
  assert.match(beforeIt, /^# nncoach$/, "nothing but the title comes before the two commands");
  assert.equal(first.lang, "sh");
  const [train, tests, ...more] = first.code.split("\n");
  assert.deepEqual(more, [], "exactly two commands");
  assert.match(train!, /^npm install && npx nncoach train examples\/\S+ --target \S+$/);
  assert.equal(tests, "npm install && npm test");
  const r = sh(train!.replace(/^npm install && /, ""));
  assert.equal(r.status, 0, output(r));
  assert.match(r.stdout, /^validation \(\d+\): loss /m);
});

test("README's options table is the one TRAIN_OPTIONS generates", async () => {
  const script = (await import(pathToFileURL(path.join(ROOT, "scripts/options-table.mjs")).href)) as {
    optionsTable(): Promise<string>;
    withTable(readme: string, table: string): string;
  };
  const table = await script.optionsTable();
  assert.equal(readme, script.withTable(readme, table), "run `node scripts/options-table.mjs`");
  for (const o of TRAIN_OPTIONS)
    assert.ok(o.name === "data" || table.includes(`\`--${o.flag}`), `the table lists --${o.flag}`);
  assert.equal(table.split("\n").filter((l) => /^\| [`<]/.test(l)).length, TRAIN_OPTIONS.length);
});

describe("every code block of README.md runs", () => {
  for (const [i, b] of blocks.entries()) {
    if (i === 0) continue; // the opening commands, run above
    const name = `block ${i + 1} (line ${b.line}, ${b.lang}): ${b.code.split("\n")[0]!.slice(0, 80)}`;
    if (b.skip) {
      test(name, { skip: b.skip }, () => {});
      continue;
    }
    test(name, () => {
      if (b.lang === "sh") {
        const r = sh(b.code);
        assert.equal(r.status, 0, output(r));
        // a process the block leaves running keeps its output open, and the block "ends" at the timeout
        assert.equal(r.error, undefined, `the block left something running: ${r.error?.message}`);
      } else if (b.lang === "js") {
        const file = path.join(sandbox, `readme-block-${i + 1}.mjs`);
        fs.writeFileSync(file, b.code);
        const r = spawnSync(process.execPath, [file], { cwd: sandbox, encoding: "utf8", timeout: 300_000 });
        assert.equal(r.status, 0, output(r));
      } else
        assert.fail(
          `README.md line ${b.line}: a \`${b.lang || "plain"}\` block cannot be run; write it as sh or js, or mark it <!-- readme-test: skip (why) -->`,
        );
    });
  }
});
