/**
 * label_noise: many training labels look wrong.
 *
 * Reads the fast audit: rows flagged by confident learning (out-of-fold probabilities disagree confidently
 * with the given label, src/data/audit/label-issues.ts) and groups of rows with the same inputs but
 * different labels. Fires when the flagged share reaches NOISY_SHARE (2%, the audit's own "medium" limit),
 * or when conflicting duplicate groups exist.
 *
 * Severity high from HIGH_SHARE (10% of the rows: enough to cap accuracy visibly and to teach the model
 * wrong answers), else medium; conflicting duplicates alone are low. Confidence 0.5 at 2%, 0.95 at 20%.
 * Actions (§2 "Fix labels (spot mislabeled examples)", §6 label smoothing): review the flagged rows (a
 * data step), label smoothing 0.1 (softer targets fit wrong labels less hard).
 */
import type { Rule, RuleFinding } from "../rule.js";
import { confidenceBeyond, sig } from "../statistics.js";

export const NOISY_SHARE = 0.02;
export const HIGH_SHARE = 0.1;

export const labelNoise: Rule = {
  symptom: "label_noise",
  duringTraining: false,
  check(f): RuleFinding | undefined {
    const a = f.record.audit;
    if (!a) return undefined;
    const li = a.label_issues;
    const share = li && li.checked > 0 ? li.count / li.checked : 0;
    const conflicts = a.duplicates.conflicting_groups;
    if (share < NOISY_SHARE && conflicts === 0) return undefined;
    const data = f.record.data.source;
    const target = f.record.data.target;
    return {
      severity: share >= HIGH_SHARE ? "high" : share >= NOISY_SHARE ? "medium" : "low",
      confidence: share >= NOISY_SHARE ? confidenceBeyond(share, NOISY_SHARE) : 0.6,
      evidence: {
        flagged_rows: li?.count ?? 0,
        rows_checked: li?.checked ?? 0,
        flagged_share: sig(share),
        conflicting_duplicate_groups: conflicts,
      },
      explanation:
        (share >= NOISY_SHARE
          ? `${li!.count} of ${li!.checked} training rows (${Math.round(share * 1000) / 10}%) look mislabeled by confident learning`
          : "") +
        (conflicts > 0
          ? `${share >= NOISY_SHARE ? "; " : ""}${conflicts} groups of identical inputs carry different labels`
          : ""),
      actions: [
        {
          change: {},
          why:
            "§2: fix labels: review the flagged rows" +
            (data ? ` (nncoach audit ${data}${target ? ` --target ${target}` : ""} ranks them)` : ""),
        },
        ...(f.record.task === "classification"
          ? [
              {
                change: { "label-smoothing": 0.1 },
                why: "§6: label smoothing (0.1) softens the pull of wrong labels",
              },
            ]
          : []),
      ],
    };
  },
};
