/** An improve study's ledger without times: what must be equal between two runs of the same study. */
import type { ImproveSummary } from "../../src/coach/improve/improve.js";

export function ledger(s: ImproveSummary) {
  return s.steps.map((st) => ({
    name: st.name,
    change: st.change,
    kept: st.kept,
    skipped: st.skipped,
    after: st.val_after?.values,
    candidates: st.candidates.map((c) => [c.trial, c.status, c.mean]),
  }));
}
