/**
 * The dashboard server over a store filled by a real `nncoach train --save` run, through real HTTP
 * requests: bound to 127.0.0.1 it refuses a Host header that is not a loopback address with its port (DNS
 * rebinding); artifact downloads serve the run's files and refuse any path outside the run's folder
 * (`../`, encoded or not, and a link pointing out); deleting a run needs the dashboard's confirmation
 * header from its own origin; everything else is read-only; every answer carries the CSP.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { SqliteRunStore } from "../src/store/sqlite-store.js";
import { artifactPath, type Dashboard, startDashboard } from "../src/ui/server.js";
import { CLI, ROOT, runCli } from "./helpers/cli.js";

const SHARED = process.env.NNCOACH_DATASETS ?? "/work/shared/datasets";
const WINE = path.join(SHARED, "wine.csv");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-dashboard-server-"));

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function request(
  port: number,
  p: string,
  o: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, path: p, method: o.method ?? "GET", headers: o.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on("error", reject);
    req.end(o.body);
  });
}

describe("dashboard server", { timeout: 60_000 }, () => {
  const file = path.join(tmp, "runs.db");
  const saved = path.join(tmp, "saved");
  let store: SqliteRunStore;
  let ui: Dashboard;
  let runId: number;

  before(async () => {
    const r = runCli([
      "train",
      WINE,
      "--target",
      "cultivar",
      "--epochs",
      "2",
      "--threads",
      "1",
      "--save",
      saved,
      "--store",
      file,
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    runId = r.json!.run_id as number;
    // a second run, to delete
    assert.equal(
      runCli(["train", WINE, "--target", "cultivar", "--epochs", "1", "--threads", "1", "--store", file])
        .code,
      0,
    );
    fs.writeFileSync(path.join(tmp, "secret.txt"), "not a file of the run");
    fs.symlinkSync(path.join(tmp, "secret.txt"), path.join(saved, "link.txt"));
    store = await SqliteRunStore.open(file);
    ui = await startDashboard({ store, port: 0 });
  });
  after(async () => {
    await ui?.close();
    store?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test("binds to 127.0.0.1 and answers local Host headers only", async () => {
    assert.equal(ui.host, "127.0.0.1");
    assert.equal(ui.url, `http://127.0.0.1:${ui.port}/`);
    for (const host of [`127.0.0.1:${ui.port}`, `localhost:${ui.port}`])
      assert.equal((await request(ui.port, "/api/runs", { headers: { Host: host } })).status, 200, host);
    for (const host of [
      `evil.example:${ui.port}`,
      "evil.example",
      `127.0.0.1:${ui.port + 1}`,
      `10.0.0.1:${ui.port}`,
    ]) {
      const r = await request(ui.port, "/api/runs", { headers: { Host: host } });
      assert.equal(r.status, 403, host);
      assert.match(r.body.toString(), /refused/);
    }
  });

  test("every answer carries a Content-Security-Policy without inline script", async () => {
    for (const p of ["/", "/app.js", "/api/runs"]) {
      const r = await request(ui.port, p);
      assert.equal(r.status, 200, p);
      assert.match(String(r.headers["content-security-policy"]), /script-src 'self';/);
      assert.equal(r.headers["x-content-type-options"], "nosniff");
    }
    const html = (await request(ui.port, "/")).body.toString();
    assert.doesNotMatch(html, /https?:\/\//, "no outside resource");
  });

  test("artifact downloads: the run's files, and nothing outside its folder", async () => {
    const model = await request(ui.port, `/api/runs/${runId}/files/model.onnx`);
    assert.equal(model.status, 200);
    const recorded = store.getRun(runId)!.artifacts.find((a) => a.path.endsWith("model.onnx"))!;
    assert.equal(crypto.createHash("sha256").update(model.body).digest("hex"), recorded.sha256);
    for (const p of [
      `/api/runs/${runId}/files/..%2Fsecret.txt`,
      `/api/runs/${runId}/files/..%2F..%2F..%2F..%2Fetc%2Fpasswd`,
      `/api/runs/${runId}/files/%2Fetc%2Fpasswd`,
      `/api/runs/${runId}/files/link.txt`,
    ]) {
      const r = await request(ui.port, p);
      assert.equal(r.status, 403, p);
      assert.doesNotMatch(r.body.toString(), /not a file of the run|root:/);
    }
    // an unencoded ../ never reaches a run's files (the URL is normalized first)
    const raw = await request(ui.port, `/api/runs/${runId}/files/../../../../secret.txt`);
    assert.notEqual(raw.status, 200);
    assert.equal(artifactPath({ folder: saved }, "../secret.txt"), null);
    assert.equal(artifactPath({ folder: saved }, "link.txt"), null);
    assert.equal(
      artifactPath({ folder: saved }, "model.onnx"),
      fs.realpathSync(path.join(saved, "model.onnx")),
    );
  });

  test("read-only, except deleting runs with the dashboard's confirmation from its own origin", async () => {
    const victim = store.listRuns().find((r) => r.id !== runId)!.id;
    const body = JSON.stringify({ ids: [victim] });
    const json = { "Content-Type": "application/json" };
    assert.equal((await request(ui.port, "/api/runs", { method: "PUT" })).status, 405);
    assert.equal(
      (await request(ui.port, "/api/runs/delete", { method: "POST", headers: json, body })).status,
      403,
    );
    const foreign = await request(ui.port, "/api/runs/delete", {
      method: "POST",
      headers: { ...json, "X-Nncoach-Confirm": "delete", Origin: "http://evil.example" },
      body,
    });
    assert.equal(foreign.status, 403);
    assert.ok(store.getRun(victim), "still there");
    const own = await request(ui.port, "/api/runs/delete", {
      method: "POST",
      headers: {
        ...json,
        "X-Nncoach-Confirm": "delete",
        Origin: `http://127.0.0.1:${ui.port}`,
        Host: `127.0.0.1:${ui.port}`,
      },
      body,
    });
    assert.equal(own.status, 200);
    assert.deepEqual(JSON.parse(own.body.toString()), { deleted: 1 });
    assert.equal(store.getRun(victim), undefined);
  });
});

test("nncoach ui serves the store until Ctrl-C", { timeout: 60_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-ui-cli-"));
  const file = path.join(dir, "runs.db");
  assert.equal(
    runCli(["train", WINE, "--target", "cultivar", "--epochs", "1", "--threads", "1", "--store", file]).code,
    0,
  );
  const child = spawn(process.execPath, [CLI, "ui", "--port", "0", "--store", file], { cwd: ROOT });
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  const t0 = Date.now();
  while (!/http:\/\/127\.0\.0\.1:\d+\//.test(out)) {
    assert.ok(Date.now() - t0 < 30_000, `no URL printed: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(
    out,
    /^nncoach ui: http:\/\/127\.0\.0\.1:\d+\/ \(store .*runs\.db, 1 runs\); Ctrl-C stops it$/m,
  );
  const port = Number(/127\.0\.0\.1:(\d+)/.exec(out)![1]);
  const runs = JSON.parse((await request(port, "/api/runs")).body.toString()) as { total: number };
  assert.equal(runs.total, 1);
  const code = new Promise<number | null>((resolve) => child.once("exit", resolve));
  child.kill("SIGINT");
  assert.equal(await code, 0);
  fs.rmSync(dir, { recursive: true, force: true });
});
