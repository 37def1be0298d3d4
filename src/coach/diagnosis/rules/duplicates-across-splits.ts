/**
 * duplicates_across_splits: validation or test rows repeat training rows, so the scores measure memory.
 *
 * Reads the fast audit's duplicate summary: validation/test rows that repeat (exactly, or within the
 * near-duplicate distance) a training row. Fires when there is at least one.
 *
 * Severity high when at least MANY_SHARE (5%) of the evaluation rows are repeats: the score can be inflated by
 * up to that many points, more than the binomial standard error of accuracy on a few hundred rows; else
 * medium. Confidence 0.9 (the repeats were found, not guessed).
 * Actions (§2 "no duplicates across splits"): a data step, not a training option: deduplicate before
 * splitting (`nncoach audit` lists the groups).
 */
import type { Rule, RuleFinding } from "../rule.js";
import { sig } from "../statistics.js";

export const MANY_SHARE = 0.05;

export const duplicatesAcrossSplits: Rule = {
  symptom: "duplicates_across_splits",
  duringTraining: false,
  check(f): RuleFinding | undefined {
    const d = f.record.audit?.duplicates;
    if (!d || d.evaluation_rows_seen_in_training <= 0) return undefined;
    const evalRows = f.record.data.rows.validation + f.record.data.rows.test;
    const share = evalRows > 0 ? d.evaluation_rows_seen_in_training / evalRows : 1;
    const data = f.record.data.source;
    const target = f.record.data.target;
    return {
      severity: share >= MANY_SHARE ? "high" : "medium",
      confidence: 0.9,
      evidence: {
        evaluation_rows_seen_in_training: d.evaluation_rows_seen_in_training,
        evaluation_rows: evalRows,
        share: sig(share),
        cross_split_groups: d.cross_split_groups,
      },
      explanation: `${d.evaluation_rows_seen_in_training} validation/test rows (${Math.round(share * 1000) / 10}%) repeat training rows: the scores are optimistic`,
      actions: [
        {
          change: {},
          why:
            "§2: no duplicates across splits: deduplicate the data before splitting" +
            (data ? ` (nncoach audit ${data}${target ? ` --target ${target}` : ""} lists the groups)` : ""),
        },
      ],
    };
  },
};
