import { UserError } from "../../errors.js";

/** One row whose given label confident learning thinks is wrong. */
export interface LabelIssueCandidate {
  /** Index of the row in the arrays given to `findLabelIssues`. */
  index: number;
  given: number;
  /** The class the model believes (argmax of its out-of-fold probabilities). */
  suggested: number;
  /** Out-of-fold probability of the given label (self-confidence); issues are ranked by it, lowest first. */
  givenProbability: number;
  suggestedProbability: number;
}

/** What `findLabelIssues` found. */
export interface ConfidentLearningResult {
  /** Per class: the mean out-of-fold probability of that class over the rows labeled with it. */
  thresholds: number[];
  /** The calibrated confident joint: `[given][true]` estimated row counts; rows sum to the given-label counts. */
  confidentJoint: number[][];
  /** The rows likely mislabeled, ranked by self-confidence (most suspicious first). */
  issues: LabelIssueCandidate[];
}

/**
 * Per-class thresholds of confident learning: t[k] = mean probability of class k over the rows labeled k
 * (a class with no rows gets threshold 1, so it never counts as confident).
 */
export function perClassThresholds(
  labels: ArrayLike<number>,
  probabilities: Float64Array,
  classes: number,
): number[] {
  const sum = new Array<number>(classes).fill(0);
  const count = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i]!;
    sum[k]! += probabilities[i * classes + k]!;
    count[k]!++;
  }
  return sum.map((s, k) => (count[k]! > 0 ? s / count[k]! : 1));
}

/**
 * The confident joint C[given][true] (Northcutt et al., "Confident Learning", 2021): a row labeled i counts
 * toward C[i][j] when its probability of class j reaches the threshold of j (the most probable such j when
 * several do); rows confident in no class are not counted. The diagonal is raised to at least 1, then each
 * row of C is rescaled to the number of rows given that label and rounded keeping the row totals.
 *
 * @param labels given class index of each row
 * @param probabilities out-of-fold probabilities, row-major `rows * classes`
 */
export function confidentJoint(
  labels: ArrayLike<number>,
  probabilities: Float64Array,
  classes: number,
  thresholds: readonly number[] = perClassThresholds(labels, probabilities, classes),
): number[][] {
  const joint = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const labelCounts = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const given = labels[i]!;
    labelCounts[given]!++;
    let best = -1;
    let bestP = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < classes; k++) {
      const p = probabilities[i * classes + k]!;
      if (p >= thresholds[k]! - 1e-6 && p > bestP) {
        best = k;
        bestP = p;
      }
    }
    if (best >= 0) joint[given]![best]!++;
  }
  for (let k = 0; k < classes; k++) joint[k]![k] = Math.max(joint[k]![k]!, 1);
  // Calibrate: each given-label row sums to the number of rows with that label.
  const calibrated = joint.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (total > 0 ? (v / total) * labelCounts[i]! : 0));
  });
  return calibrated.map(roundKeepingTotal);
}

/** Rounds non-negative values to integers whose sum is the rounded sum of the values (largest remainders get +1). */
export function roundKeepingTotal(values: readonly number[]): number[] {
  const floors = values.map((v) => Math.floor(v));
  const target = Math.round(values.reduce((a, b) => a + b, 0));
  let missing = target - floors.reduce((a, b) => a + b, 0);
  const order = values
    .map((v, i) => [v - Math.floor(v), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (missing <= 0) break;
    floors[i]!++;
    missing--;
  }
  return floors;
}

/**
 * Finds rows whose given label is likely wrong, by confident learning with pruning by noise rate
 * (cleanlab's `find_label_issues(filter_by="prune_by_noise_rate")`, re-implemented):
 * 1. thresholds and the calibrated confident joint C[given][true] (see `confidentJoint`);
 * 2. for each off-diagonal cell (given i, true j), the C[i][j] rows labeled i with the largest margin
 *    p[j] - p[i] are flagged, keeping at least one row of each true class;
 * 3. rows whose most probable class is their given label are unflagged;
 * 4. the rest are ranked by the probability of their given label, lowest first.
 *
 * @param labels given class index of each row
 * @param probabilities out-of-fold probabilities, row-major `rows * classes`
 * @param classes number of classes
 */
export function findLabelIssues(
  labels: ArrayLike<number>,
  probabilities: Float64Array,
  classes: number,
): ConfidentLearningResult {
  const n = labels.length;
  if (probabilities.length !== n * classes) {
    throw new UserError(
      `probabilities has ${probabilities.length} values, expected rows * classes = ${n * classes}`,
    );
  }
  const thresholds = perClassThresholds(labels, probabilities, classes);
  const joint = confidentJoint(labels, probabilities, classes, thresholds);
  const prune = keepAtLeastOnePerTrueClass(joint);
  const flagged = new Uint8Array(n);
  const byLabel = Array.from({ length: classes }, () => [] as number[]);
  for (let i = 0; i < n; i++) byLabel[labels[i]!]!.push(i);
  for (let given = 0; given < classes; given++) {
    const members = byLabel[given]!;
    if (members.length <= 1) continue;
    for (let truth = 0; truth < classes; truth++) {
      const count = prune[given]![truth]!;
      if (truth === given || count <= 0) continue;
      const margin = (i: number) => probabilities[i * classes + truth]! - probabilities[i * classes + given]!;
      const ranked = [...members].sort((a, b) => margin(b) - margin(a) || a - b);
      for (const i of ranked.slice(0, count)) flagged[i] = 1;
    }
  }
  const issues: LabelIssueCandidate[] = [];
  for (let i = 0; i < n; i++) {
    if (!flagged[i]) continue;
    const given = labels[i]!;
    let suggested = 0;
    for (let k = 1; k < classes; k++) {
      if (probabilities[i * classes + k]! > probabilities[i * classes + suggested]!) suggested = k;
    }
    if (suggested === given) continue;
    issues.push({
      index: i,
      given,
      suggested,
      givenProbability: probabilities[i * classes + given]!,
      suggestedProbability: probabilities[i * classes + suggested]!,
    });
  }
  issues.sort((a, b) => a.givenProbability - b.givenProbability || a.index - b.index);
  return { thresholds, confidentJoint: joint, issues };
}

/**
 * cleanlab's `_keep_at_least_n_per_class` with n = 1, on C[given][true]: for each true class j whose
 * diagonal count C[j][j] is 0, raise it to 1 and take the difference evenly from the nonzero off-diagonal
 * counts of that true class (other given labels), then round keeping each true class's total.
 */
function keepAtLeastOnePerTrueClass(joint: readonly number[][]): number[][] {
  const k = joint.length;
  const out = joint.map((row) => [...row]);
  for (let truth = 0; truth < k; truth++) {
    const column = joint.map((row) => row[truth]!);
    const diagonal = column[truth]!;
    const raised = Math.max(diagonal, 1);
    const increase = raised - diagonal;
    if (increase === 0) continue;
    const nonzero = Math.max(column.filter((v) => v !== 0).length - 1, 1);
    const adjusted = column.map((v, given) =>
      given === truth ? raised : Math.max(v - increase / nonzero, 0),
    );
    const rounded = roundKeepingTotal(adjusted);
    for (let given = 0; given < k; given++) out[given]![truth] = rounded[given]!;
  }
  return out;
}
