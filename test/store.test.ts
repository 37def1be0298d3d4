/**
 * The experiment store: both implementations (SQLite file, memory) hold what real wine runs recorded and
 * agree on ordering, filters, test-evaluation counts and deletes; the SQLite file migrates on open, runs
 * in WAL mode, and refuses a newer schema. Through the CLI, in real processes: a SIGKILLed training leaves
 * an `interrupted` run with every epoch it printed; four processes training into one store at once lose
 * no row and hit no SQLITE_BUSY; a read-only store folder, or no SQLite driver at all, costs no result.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import { toResolved, trainRun } from "../src/recipe/train-run.js";
import { MemoryRunStore } from "../src/store/memory-store.js";
import { finalMetrics, RunRecorder } from "../src/store/record-run.js";
import { SCHEMA_VERSION } from "../src/store/schema.js";
import { StoreSession } from "../src/store/session.js";
import { SqliteRunStore } from "../src/store/sqlite-store.js";
import type { RunStore } from "../src/store/types.js";
import { CLI, ROOT, runCli } from "./helpers/cli.js";

const SHARED = process.env.NNCOACH_DATASETS ?? "/work/shared/datasets";
const WINE = path.join(SHARED, "wine.csv");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-store-"));
after(() => {
  if (process.env.NNCOACH_KEEP_TMP !== "1") fs.rmSync(tmp, { recursive: true, force: true });
});

/** Records a real wine run (the library's trainRun) into `store`, as `nncoach train` does. */
async function recordWine(store: RunStore, options: Record<string, unknown>, evaluateTest = false) {
  const session = await StoreSession.open({ store });
  const rec = new RunRecorder(session, "train", ["nncoach", "train", "wine.csv"]);
  const resolved = toResolved({ data: WINE, target: "cultivar", threads: 1, evaluateTest, ...options });
  const r = await trainRun(resolved, {
    audit: false,
    callbacks: [rec.callback()],
    onPlan: (plan, data) => rec.begin({ data, plan, resolved }),
  });
  const count = r.test ? rec.testEvaluated("test") : null;
  rec.finish({ status: "completed", metrics: finalMetrics(r), epochsRun: r.epochsRun });
  await r.trainer.release();
  return { id: rec.id!, result: r, count };
}

describe("both stores hold real runs the same way", { timeout: 120_000 }, () => {
  const file = path.join(tmp, "unit", "runs.db");
  let sqlite: SqliteRunStore;
  const memory = new MemoryRunStore();
  const runs: { options: Record<string, unknown>; test: boolean }[] = [
    { options: { epochs: 3, lr: 0.001 }, test: true },
    { options: { epochs: 2, lr: 0.0001 }, test: false },
    { options: { epochs: 4, lr: 0.01 }, test: true },
  ];
  const recorded: { sqlite: number; memory: number; epochs: number; val: Record<string, number> }[] = [];

  before(async () => {
    sqlite = await SqliteRunStore.open(file);
    for (const r of runs) {
      const a = await recordWine(sqlite, r.options, r.test);
      const b = await recordWine(memory, r.options, r.test);
      recorded.push({ sqlite: a.id, memory: b.id, epochs: a.result.epochsRun, val: a.result.val });
    }
  });
  after(() => sqlite?.close());

  test("the SQLite file is in WAL mode at the current schema version", () => {
    const db = new Database(file, { readonly: true });
    assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
    assert.equal(db.pragma("user_version", { simple: true }), SCHEMA_VERSION);
    db.close();
  });

  for (const name of ["sqlite", "memory"] as const) {
    test(`${name}: every epoch and the final metrics of each run`, () => {
      const store = name === "sqlite" ? sqlite : memory;
      for (const r of recorded) {
        const d = store.getRun(r[name])!;
        assert.equal(d.status, "completed");
        assert.deepEqual(
          d.epochs.map((e) => e.epoch),
          Array.from({ length: r.epochs }, (_, i) => i + 1),
        );
        assert.equal(d.metrics.val_accuracy, r.val.accuracy);
        assert.equal(d.metrics.val_loss, r.val.loss);
        assert.ok(
          d.epochs.every((e) => e.health !== undefined && e.health !== null),
          "health per epoch",
        );
        assert.equal(d.fingerprints?.data.length, 16);
      }
    });
  }

  test("sorting by a metric and filtering agree between the two stores", () => {
    const order = (s: RunStore, descending: boolean, ids: (r: (typeof recorded)[0]) => number) => {
      const back = new Map(recorded.map((r) => [ids(r), recorded.indexOf(r)]));
      return s.listRuns({ sort: "val_loss", descending }).map((r) => back.get(r.id));
    };
    for (const desc of [true, false])
      assert.deepEqual(
        order(sqlite, desc, (r) => r.sqlite),
        order(memory, desc, (r) => r.memory),
      );
    const losses = sqlite.listRuns({ sort: "val_loss", descending: false }).map((r) => r.metrics.val_loss!);
    assert.deepEqual(
      losses,
      [...losses].sort((a, b) => a - b),
    );
    assert.equal(sqlite.countRuns({ status: "completed" }), 3);
    assert.equal(memory.countRuns({ status: "running" }), 0);
    assert.equal(sqlite.listRuns({ text: "wine", limit: 2 }).length, 2);
  });

  test("the same test rows evaluated twice count twice, in both stores", () => {
    for (const [store, id] of [
      [sqlite, recorded[2]!.sqlite],
      [memory, recorded[2]!.memory],
    ] as const)
      assert.equal(store.getRun(id)!.testEvaluations, 2);
  });

  test("deleting runs removes their epochs", () => {
    const id = recorded[1]!.sqlite;
    assert.equal(sqlite.deleteRuns([id]), 1);
    assert.equal(sqlite.getRun(id), undefined);
    const db = new Database(file, { readonly: true });
    assert.equal(
      (db.prepare("SELECT count(*) AS n FROM epochs WHERE run_id = ?").get(id) as { n: number }).n,
      0,
    );
    db.close();
    assert.equal(memory.deleteRuns([recorded[1]!.memory]), 1);
    assert.equal(memory.countRuns(), sqlite.countRuns());
  });

  test("a store written by a newer nncoach is refused, not changed", async () => {
    const newer = path.join(tmp, "newer.db");
    const db = new Database(newer);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    await assert.rejects(SqliteRunStore.open(newer), /newer than this nncoach knows/);
    const again = new Database(newer, { readonly: true });
    assert.equal(again.pragma("user_version", { simple: true }), SCHEMA_VERSION + 1);
    again.close();
  });
});

/** Epoch lines of `nncoach train` on a pipe: "epoch  3/300  train_loss 0.4123 ...". */
function printedEpochs(stdout: string): Map<number, number> {
  const m = new Map<number, number>();
  for (const line of stdout.split("\n")) {
    const e = /^epoch\s+(\d+)\/\d+\s+train_loss ([\d.e+-]+)/.exec(line.trim());
    if (e) m.set(Number(e[1]), Number(e[2]));
  }
  return m;
}

function spawnTrain(
  args: string[],
  env: Record<string, string> = {},
): ChildProcess & { out: string; err: string } {
  const child = spawn(process.execPath, [CLI, "train", ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  }) as ChildProcess & { out: string; err: string };
  child.out = "";
  child.err = "";
  child.stdout!.on("data", (d) => {
    child.out += d;
  });
  child.stderr!.on("data", (d) => {
    child.err += d;
  });
  return child;
}

const exited = (c: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) resolve(c.exitCode);
    else c.once("exit", (code) => resolve(code));
  });

test("SIGKILL while training: the store opens cleanly, the run is interrupted, every printed epoch is there", {
  timeout: 120_000,
}, async () => {
  const file = path.join(tmp, "kill", "runs.db");
  const child = spawnTrain([
    WINE,
    "--target",
    "cultivar",
    "--epochs",
    "400",
    "--early-stopping",
    "false",
    "--threads",
    "1",
    "--store",
    file,
  ]);
  // wait until a few epochs are stored
  const t0 = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 150));
    if (fs.existsSync(file)) {
      const db = new Database(file, { readonly: true, timeout: 5000 });
      let n = 0;
      try {
        n = (db.prepare("SELECT count(*) AS n FROM epochs").get() as { n: number } | undefined)?.n ?? 0;
      } catch {
        // the file exists before the training process has created the tables: look again
      } finally {
        db.close();
      }
      if (n >= 5) break;
    }
    assert.ok(Date.now() - t0 < 60_000, `no epochs stored after 60 s: ${child.err}`);
    assert.equal(child.exitCode, null, `training ended before it was killed: ${child.err}`);
  }
  child.kill("SIGKILL");
  await exited(child);
  assert.equal(child.signalCode, "SIGKILL");
  const printed = printedEpochs(child.out);
  assert.ok(printed.size >= 1, child.out);

  const store = await SqliteRunStore.open(file);
  const [run] = store.listRuns();
  assert.equal(run!.status, "interrupted");
  const d = store.getRun(run!.id)!;
  assert.match(d.stopReason ?? "", /interrupted/);
  // epochs 1..n without a gap, at least every epoch that was printed, with the printed loss
  assert.deepEqual(
    d.epochs.map((e) => e.epoch),
    Array.from({ length: d.epochs.length }, (_, i) => i + 1),
  );
  assert.ok(d.epochs.length >= printed.size, `${d.epochs.length} stored, ${printed.size} printed`);
  for (const [epoch, loss] of printed) {
    const stored = d.epochs[epoch - 1]!.metrics.train_loss!;
    assert.ok(
      Math.abs(stored - loss) <= 5e-5 * Math.max(1, Math.abs(loss)),
      `epoch ${epoch}: ${stored} vs ${loss}`,
    );
  }
  store.close();
  const db = new Database(file, { readonly: true });
  assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
  db.close();
});

test("four processes training into one store at once: no SQLITE_BUSY, no lost row", {
  timeout: 180_000,
}, async () => {
  const file = path.join(tmp, "concurrent", "runs.db");
  const children = [0, 1, 2, 3].map((i) =>
    spawnTrain([
      WINE,
      "--target",
      "cultivar",
      "--epochs",
      "25",
      "--early-stopping",
      "false",
      "--seed",
      String(i),
      "--threads",
      "1",
      "--json",
      "--store",
      file,
    ]),
  );
  const codes = await Promise.all(children.map(exited));
  for (const [i, c] of children.entries()) {
    assert.equal(codes[i], 0, c.err);
    assert.doesNotMatch(c.err, /SQLITE_BUSY|database is locked|cannot be (written|opened)/i);
  }
  const results = children.map(
    (c) =>
      JSON.parse(c.out.trim().split("\n").pop()!) as {
        run_id: number;
        history: { train_loss: number }[];
        val: { accuracy: number };
      },
  );
  const store = await SqliteRunStore.open(file);
  assert.equal(store.countRuns(), 4);
  assert.equal(store.countRuns({ status: "completed" }), 4);
  for (const r of results) {
    const d = store.getRun(r.run_id)!;
    assert.equal(d.epochs.length, 25);
    assert.deepEqual(
      d.epochs.map((e) => e.metrics.train_loss),
      r.history.map((h) => h.train_loss),
    );
    assert.equal(d.metrics.val_accuracy, r.val.accuracy);
  }
  assert.deepEqual(new Set(results.map((r) => r.run_id)).size, 4);
  store.close();
});

/** Makes `dir` read-only for this process, root included (chattr +i); returns the undo. */
function readOnly(dir: string): () => void {
  if (process.getuid?.() !== 0) {
    fs.chmodSync(dir, 0o555);
    return () => fs.chmodSync(dir, 0o755);
  }
  const r = spawnSync("chattr", ["+i", dir], { encoding: "utf8" });
  assert.equal(
    r.status,
    0,
    `chattr +i ${dir} (root ignores file modes; the test needs an ext4-like folder): ${r.stderr}`,
  );
  return () => {
    spawnSync("chattr", ["-i", dir]);
  };
}

test("a store in a read-only folder: training goes on, results print, one note says what to do", {
  timeout: 60_000,
}, () => {
  const dir = path.join(tmp, "readonly");
  fs.mkdirSync(dir);
  const undo = readOnly(dir);
  try {
    assert.throws(() => fs.writeFileSync(path.join(dir, "probe"), "x"), "the folder is read-only");
    const r = runCli([
      "train",
      WINE,
      "--target",
      "cultivar",
      "--epochs",
      "2",
      "--threads",
      "1",
      "--store",
      path.join(dir, "runs.db"),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^validation \(27\): loss [\d.]+, accuracy/m);
    const notes = r.stderr.split("\n").filter((l) => l.includes("run store"));
    assert.equal(notes.length, 1, r.stderr);
    assert.match(
      notes[0]!,
      /cannot be opened .*this run is not recorded.*make .*readonly writable, or choose another store with --store/,
    );
    assert.doesNotMatch(r.stdout, /^store: run/m);
  } finally {
    undo();
  }
  assert.deepEqual(fs.readdirSync(dir), []);
});

test("no SQLite driver (better-sqlite3 left out by npm): one note, training and results as usual", {
  timeout: 60_000,
}, () => {
  // module hooks that make better-sqlite3 unresolvable, as in a project where its build failed
  const hook = path.join(tmp, "no-better-sqlite3.mjs");
  fs.writeFileSync(
    hook,
    `export async function resolve(specifier, context, next) {
  if (specifier === "better-sqlite3") {
    const e = new Error("Cannot find package 'better-sqlite3' imported from " + context.parentURL);
    e.code = "ERR_MODULE_NOT_FOUND";
    throw e;
  }
  return next(specifier, context);
}
`,
  );
  const nodeArgs = [
    "--import",
    `data:text/javascript,import{register}from"node:module";register(${JSON.stringify(pathToFileURL(hook).href)});`,
  ];
  const file = path.join(tmp, "nodriver", "runs.db");
  const r = runCli(
    ["train", WINE, "--target", "cultivar", "--epochs", "2", "--threads", "1", "--store", file, "--json"],
    { nodeArgs },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json?.run_id, null);
  assert.equal((r.json!.history as unknown[]).length, 2);
  const notes = r.stderr.split("\n").filter((l) => /runs are not recorded/.test(l));
  assert.equal(notes.length, 1, r.stderr);
  assert.match(notes[0]!, /better-sqlite3 is not installed.*npm install better-sqlite3/);
  assert.equal(fs.existsSync(file), false);
  // --no-track: not even the note
  const quiet = runCli(
    ["train", WINE, "--target", "cultivar", "--epochs", "1", "--threads", "1", "--no-track"],
    { nodeArgs },
  );
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.doesNotMatch(quiet.stderr, /not recorded/);
});
