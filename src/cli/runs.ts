/**
 * `nncoach runs <list|show|compare|rm|export>`: the experiment store from the command line. Every `train`,
 * `lr-find` and `improve` records its runs there (see src/store/); these commands read them back:
 *
 *   nncoach runs list [--json] [--study ID] [--status S] [--kind K] [--sort KEY] [--asc] [--limit N]
 *   nncoach runs show <id> [--json]
 *   nncoach runs compare <id> <id>... [--json]   configs (exactly the differing keys), metrics, curves
 *   nncoach runs rm <id>...
 *   nncoach runs export <id> --out <dir>          saved files (model), resolved-config.json, history.csv
 *
 * `--store <file>` (or NNCOACH_STORE) picks the store; default `.nncoach/runs.db` here.
 */
import fs from "node:fs";
import path from "node:path";
import { closestMatch, UserError } from "../errors.js";
import { compareRuns, sparklines } from "../store/compare.js";
import { storePath } from "../store/session.js";
import { SqliteRunStore, StoreUnavailable } from "../store/sqlite-store.js";
import { RUN_KINDS, RUN_STATUSES, type RunDetail, type RunStore, type RunSummary } from "../store/types.js";
import { fileDigest } from "../store/util.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { choiceOption, intOption, parseCommandArgs } from "./args.js";
import { fmt } from "./output.js";

export const RUNS_USAGE = `usage: nncoach runs <command> [--store <file>]

  list [--json] [--study ID] [--status S] [--kind K] [--sort KEY] [--asc] [--limit N]
                              the runs, newest first (--sort val_accuracy: best first for a metric)
  show <id> [--json]          one run: config, decisions, metrics, curves, diagnosis, files
  compare <id> <id>... [--json]
                              configs side by side (only the keys that differ), metrics, curves
  rm <id>...                  delete runs from the store (their files stay)
  export <id> --out <dir>     the run's saved files (model.onnx, config.json, ...), its
                              resolved-config.json, history.csv and store-record.json

The store: --store <file>, else NNCOACH_STORE, else .nncoach/runs.db in the working directory.
statuses: ${RUN_STATUSES.join(", ")}; kinds: ${RUN_KINDS.join(", ")}`;

const SUBCOMMANDS = ["list", "show", "compare", "rm", "export"] as const;

/** Opens an existing store for reading (a missing file is an error, not a new store). */
export async function openExistingStore(file?: string): Promise<SqliteRunStore> {
  const p = storePath(file);
  if (!fs.existsSync(p))
    throw new UserError(
      `no experiment store at ${p}`,
      "runs are recorded by nncoach train, lr-find and improve in the working directory's .nncoach/runs.db; point at another store with --store <file> or NNCOACH_STORE",
    );
  try {
    return await SqliteRunStore.open(p);
  } catch (e) {
    if (e instanceof StoreUnavailable)
      throw new UserError(
        e.message,
        "install the SQLite driver: npm install better-sqlite3 (builds with g++, make and python3), or use Node 22.5+",
      );
    throw new UserError(`${p}: cannot open the store (${(e as Error).message})`);
  }
}

export async function runsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === "--help" || sub === "-h" || sub === "help") {
    process.stdout.write(`${RUNS_USAGE}\n`);
    return sub ? 0 : 1;
  }
  if (!(SUBCOMMANDS as readonly string[]).includes(sub)) {
    const near = closestMatch(sub, SUBCOMMANDS);
    throw new UserError(
      `unknown runs command '${sub}'`,
      `${near ? `did you mean '${near}'? ` : ""}commands: ${SUBCOMMANDS.join(", ")}`,
    );
  }
  const { values: v, positionals } = parseCommandArgs(`runs ${sub}`, rest, {
    store: { type: "string" },
    json: { type: "boolean" },
    study: { type: "string" },
    status: { type: "string" },
    kind: { type: "string" },
    sort: { type: "string" },
    asc: { type: "boolean" },
    limit: { type: "string" },
    out: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (v.help) {
    process.stdout.write(`${RUNS_USAGE}\n`);
    return 0;
  }
  const ids = positionals.map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1)
      throw new UserError(`runs ${sub}: '${p}' is not a run id (a whole number)`);
    return n;
  });
  const store = await openExistingStore(v.store);
  const write = (s: string) => process.stdout.write(s.endsWith("\n") ? s : `${s}\n`);
  try {
    switch (sub) {
      case "list": {
        const runs = store.listRuns({
          studyId: intOption("study", v.study),
          status: choiceOption("status", v.status, RUN_STATUSES),
          kind: choiceOption("kind", v.kind, RUN_KINDS),
          sort: v.sort,
          descending: v.sort === undefined ? undefined : !v.asc,
          limit: intOption("limit", v.limit, 0),
        });
        write(v.json ? JSON.stringify(runs) : formatList(runs));
        return 0;
      }
      case "show": {
        if (ids.length !== 1) throw new UserError("runs show takes one run id", "e.g. nncoach runs show 3");
        const r = getRun(store, ids[0]!);
        write(v.json ? JSON.stringify(r) : formatRun(r));
        return 0;
      }
      case "compare": {
        if (ids.length < 2)
          throw new UserError("runs compare takes two or more run ids", "e.g. nncoach runs compare 3 4");
        const c = compareRuns(ids.map((id) => getRun(store, id)));
        write(v.json ? JSON.stringify(c) : formatComparison(c));
        return 0;
      }
      case "rm": {
        if (!ids.length)
          throw new UserError("runs rm takes the ids of the runs to delete", "e.g. nncoach runs rm 3 4");
        for (const id of ids) getRun(store, id);
        const n = store.deleteRuns(ids);
        write(
          `removed ${n} run${n === 1 ? "" : "s"} (${ids.join(", ")}) from ${store.location}; their files stay where they are`,
        );
        return 0;
      }
      default: {
        if (ids.length !== 1 || !v.out)
          throw new UserError(
            "runs export takes one run id and --out <dir>",
            "e.g. nncoach runs export 3 --out run3",
          );
        for (const line of exportRun(getRun(store, ids[0]!), v.out)) write(line);
        return 0;
      }
    }
  } finally {
    store.close();
  }
}

function getRun(store: RunStore, id: number): RunDetail {
  const r = store.getRun(id);
  if (!r) throw new UserError(`no run ${id} in ${store.location}`, "nncoach runs list shows the runs there");
  return r;
}

/** The run's main metric: its monitored one, else the first validation metric that is not the loss. */
export function mainMetric(r: RunSummary): string | null {
  if (r.monitor && r.monitor !== "val_loss" && r.metrics[r.monitor] !== undefined) return r.monitor;
  return (
    Object.keys(r.metrics).find((k) => k.startsWith("val_") && k !== "val_loss") ??
    (r.kind === "lr-find" ? "suggested_lr" : null)
  );
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? "")].length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c + " ".repeat(widths[i]! - [...c].length))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

function formatList(runs: RunSummary[]): string {
  if (!runs.length) return "no runs";
  const rows = [["id", "kind", "status", "epochs", "metric", "val_loss", "data", "study", "started", "name"]];
  for (const r of runs) {
    const m = mainMetric(r);
    rows.push([
      String(r.id),
      r.kind,
      r.status,
      String(r.epochsRun),
      m ? `${m} ${fmt(r.metrics[m])}` : "-",
      fmt(r.metrics.val_loss),
      r.fingerprint ?? "-",
      r.studyId === null ? "-" : String(r.studyId),
      r.startedAt.replace("T", " ").slice(0, 19),
      r.name,
    ]);
  }
  return table(rows);
}

function value(v: unknown): string {
  if (v === null || v === undefined) return "-";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : fmt(v);
  return typeof v === "string" ? v : JSON.stringify(v);
}

function formatRun(r: RunDetail): string {
  const out: string[] = [];
  out.push(`run ${r.id}: ${r.name}`);
  out.push(`  kind ${r.kind}, status ${r.status}${r.studyId !== null ? `, study ${r.studyId}` : ""}`);
  out.push(`  started ${r.startedAt}${r.endedAt ? `, ended ${r.endedAt}` : ""}`);
  if (r.stopReason) out.push(`  stop: ${r.stopReason}`);
  if (r.command) out.push(`  command: ${r.command.join(" ")}`);
  out.push(`  data: ${r.source ?? "-"} (fingerprint ${r.fingerprint ?? "-"})`);
  if (r.fingerprints)
    out.push(
      `    train ${r.fingerprints.train}, validation ${r.fingerprints.validation}, test ${r.fingerprints.test ?? "none"}`,
    );
  if (r.testFingerprint && r.testEvaluations)
    out.push(
      `  test split evaluated ${r.testEvaluations} time${r.testEvaluations === 1 ? "" : "s"} (all runs and studies)`,
    );
  out.push(
    `  seed ${value(r.seed)}, threads ${value(r.threads)}, nncoach ${r.version ?? "-"}, pid ${value(r.pid)} on ${r.host ?? "-"}`,
  );
  const metrics = Object.entries(r.metrics);
  if (metrics.length) out.push("metrics:", ...metrics.map(([k, v]) => `  ${k} ${fmt(v)}`));
  if (r.epochs.length) {
    const names = [...new Set(r.epochs.flatMap((e) => Object.keys(e.metrics)))];
    out.push(`epochs (${r.epochs.length}):`);
    const lr = !names.includes("lr");
    const rows = [["epoch", ...names, ...(lr ? ["lr"] : [])]];
    for (const e of r.epochs)
      rows.push([
        String(e.epoch),
        ...names.map((n) => fmt(e.metrics[n])),
        ...(lr ? [fmt(e.lr ?? undefined)] : []),
      ]);
    out.push(
      ...table(rows)
        .split("\n")
        .map((l) => `  ${l}`),
    );
    for (const n of names.filter((n) => /loss|^val_/.test(n))) {
      const [line] = sparklines([r.epochs.map((e) => e.metrics[n] ?? null)], 60);
      out.push(`  ${n.padEnd(14)} ${line}`);
    }
  }
  if (r.lrFinder)
    out.push(
      `lr finder: ${r.lrFinder.lrs.length} steps, suggestion ${r.lrFinder.suggestion.toExponential(2)}${r.lrFinder.rule ? ` (${r.lrFinder.rule})` : ""}`,
      `  loss ${sparklines([r.lrFinder.smoothed ?? r.lrFinder.losses], 60)[0]}`,
    );
  if (r.findings.length) {
    out.push("diagnosis:");
    r.findings.forEach((f, i) => {
      out.push(`  ${i + 1}. [${f.severity}] ${f.symptom}: ${f.explanation ?? ""}`);
    });
  }
  if (r.decisions.length) {
    out.push("decisions:");
    for (const d of r.decisions as { key?: string; value?: unknown; source?: string; reason?: string }[])
      out.push(`  ${d.key} = ${value(d.value)} (${d.source}: ${d.reason})`);
  }
  if (r.config) {
    out.push("config:");
    for (const [k, v] of Object.entries(r.config)) if (v !== null) out.push(`  ${k}: ${value(v)}`);
  }
  if (r.artifacts.length) {
    out.push(`files (${r.folder}):`);
    for (const a of r.artifacts)
      out.push(`  ${path.basename(a.path)}  ${a.size} bytes  sha256 ${a.sha256.slice(0, 16)}`);
  }
  return out.join("\n");
}

function formatComparison(c: ReturnType<typeof compareRuns>): string {
  const out: string[] = [];
  const head = ["", ...c.ids.map((id) => `run ${id}`)];
  const keys = Object.keys(c.config);
  out.push(
    keys.length
      ? `config: ${keys.length} key${keys.length === 1 ? "" : "s"} differ (${c.sameConfigKeys.length} the same)`
      : `config: the same in every run (${c.sameConfigKeys.length} keys)`,
  );
  if (keys.length)
    out.push(
      ...table([head, ...keys.map((k) => [k, ...c.config[k]!.map(value)])])
        .split("\n")
        .map((l) => `  ${l}`),
    );
  const metrics = Object.keys(c.metrics);
  if (metrics.length) {
    out.push("metrics:");
    out.push(
      ...table([head, ...metrics.map((m) => [m, ...c.metrics[m]!.map((v) => fmt(v ?? undefined))])])
        .split("\n")
        .map((l) => `  ${l}`),
    );
  }
  for (const [name, series] of Object.entries(c.curves)) {
    const lines = sparklines(series, 50);
    const vals = series.flat().filter((v): v is number => v !== null);
    out.push(`${name} (one scale: ${fmt(Math.min(...vals))} .. ${fmt(Math.max(...vals))}):`);
    lines.forEach((l, i) => {
      out.push(`  run ${String(c.ids[i]).padEnd(6)} ${l}`);
    });
  }
  return out.join("\n");
}

/** Copies the run's saved files (checked against their recorded SHA-256); writes its resolved config, history.csv and store record. */
function exportRun(r: RunDetail, dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const lines: string[] = [];
  const written: string[] = [];
  for (const a of r.artifacts) {
    const name = path.basename(a.path);
    if (!fs.existsSync(a.path)) {
      lines.push(`not exported: ${a.path} is gone`);
      continue;
    }
    if (fileDigest(a.path).sha256 !== a.sha256) {
      lines.push(`not exported: ${a.path} changed since the run (its SHA-256 differs from the recorded one)`);
      continue;
    }
    fs.copyFileSync(a.path, path.join(dir, name));
    written.push(name);
  }
  if (!r.artifacts.some((a) => path.basename(a.path) === "model.onnx"))
    lines.push(`no model: run ${r.id} was not saved (train with --save <dir> to keep its model)`);
  // the saved run's config.json (when --save wrote one) reproduces it with nncoach train --config; the store
  // keeps every resolved option
  writeFileAtomic(path.join(dir, "resolved-config.json"), `${JSON.stringify(r.config ?? {}, null, 2)}\n`);
  const names = [...new Set(r.epochs.flatMap((e) => Object.keys(e.metrics)))];
  const lr = names.includes("lr") ? [] : ["lr"];
  const csv = [
    ["epoch", ...names, ...lr].join(","),
    ...r.epochs.map((e) =>
      [e.epoch, ...names.map((n) => e.metrics[n] ?? ""), ...(lr.length ? [e.lr ?? ""] : [])].join(","),
    ),
  ];
  writeFileAtomic(path.join(dir, "history.csv"), `${csv.join("\n")}\n`);
  const { epochs: _e, ...rest } = r;
  writeFileAtomic(path.join(dir, "store-record.json"), `${JSON.stringify(rest, null, 2)}\n`);
  written.push("resolved-config.json", "history.csv", "store-record.json");
  lines.push(`exported run ${r.id} to ${dir}: ${written.join(", ")}`);
  return lines;
}
