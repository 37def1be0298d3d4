/**
 * label_noise: many training labels look wrong.
 *
 * Reads the fast audit: rows flagged by confident learning (out-of-fold probabilities disagree confidently
 * with the given label, src/data/audit/label-issues.ts) and groups of rows with the same inputs but
 * different labels. Fires when the flagged share reaches NOISY_SHARE (2%, where the audit starts calling
 * it out), or when conflicting duplicate groups exist.
 *
 * Severity: low below MEDIUM_SHARE (5%): confident learning also flags the few genuinely ambiguous rows of
 * clean data (iris: 3 of 150), and deep nets train well through a few percent of wrong labels (Rolnick et
 * al. 2017); medium from 5% (the labels then cap accuracy visibly), high from HIGH_SHARE (20%: a fifth of
 * the answers taught are wrong). Conflicting duplicates alone are low. Confidence 0.5 at 2%, 0.95 at 20%.
 * Actions (§2 "Fix labels (spot mislabeled examples)", §6 label smoothing): review the flagged rows (a
 * data step), label smoothing 0.1 (softer targets fit wrong labels less hard).
 */
import type { Rule, RuleFinding } from "../rule.js";
import { confidenceBeyond, sig } from "../statistics.js";

export const NOISY_SHARE = 0.02;
export const MEDIUM_SHARE = 0.05;
export const HIGH_SHARE = 0.2;

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
      severity: share >= HIGH_SHARE ? "high" : share >= MEDIUM_SHARE ? "medium" : "low",
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
