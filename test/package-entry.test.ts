/**
 * The diagnosis and recipe APIs come from the package entry (src/index.ts): a run prepared, audited,
 * planned, trained, saved and diagnosed with nothing but what `import ... from "nncoach"` gives.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { SHARED } from "../bench/planted-pathologies.js";
import {
  baseCommand,
  type Decision,
  diagnose,
  EarlyDiagnosis,
  type Finding,
  fastAudit,
  formatDecision,
  type PreparedData,
  planRun,
  prepareData,
  type RunPlan,
  type RunRecord,
  type RunResult,
  readRunRecord,
  renderDiagnosis,
  runDiagnosis,
  runRecordOf,
  saveRun,
  trainRun,
} from "../src/index.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nncoach-entry-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test("the recipe and the diagnosis from the package entry", async () => {
  assert.equal(typeof EarlyDiagnosis, "function");
  const r: RunResult = await trainRun({
    data: path.join(SHARED, "iris.csv"),
    target: "species",
    epochs: 3,
    threads: 1,
  });
  try {
    const record: RunRecord = runRecordOf(r);
    const findings: Finding[] = diagnose(record);
    assert.ok(findings.length > 0);
    const text = renderDiagnosis(findings, { fallbackCommand: baseCommand(record) });
    assert.match(text, /\nnext: nncoach train \S+iris\.csv --target species/);
    assert.equal(runDiagnosis(record).text, text);
    const decisions: Decision[] = r.decisions;
    for (const d of decisions) assert.ok(formatDecision(d).startsWith(`${d.key} = `));
    // step by step, the recipe prepares, audits and plans what trainRun trained
    const data: PreparedData = await prepareData(r.resolved);
    assert.deepEqual(await fastAudit(data, r.config), r.audit);
    const plan: RunPlan = planRun(data.summary, r.resolved).plan;
    assert.deepEqual(plan, r.plan);
    // saved and read back, the run gives the same diagnosis
    const dir = await saveRun(path.join(tmp, "iris"), r);
    assert.deepEqual(diagnose(readRunRecord(dir)), findings);
  } finally {
    await r.trainer.release();
  }
});
