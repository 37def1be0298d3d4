/**
 * The probability that a row's given label is wrong, from its out-of-fold class probabilities and the
 * label noise that confident learning estimated (the calibrated confident joint C[given][true]):
 *
 * 1. the noise transition T[s][y] = P(given s | true y) = C[s][y] / sum over s' of C[s'][y];
 * 2. the model learned from the given labels, so its probabilities estimate P(given | x) = T · P(true | x);
 *    P(true | x) is recovered by solving that system (negative parts clipped, renormalized);
 * 3. Bayes: P(true = s | x, given s) = T[s][s] P(true = s | x) / sum over y of T[s][y] P(true = y | x),
 *    and the label is wrong with the rest of the probability.
 *
 * With little estimated noise (clean data) the answer stays small even where the model disagrees; with
 * much, a row deep among another class's rows gets a high one. The estimate is conservative: on the
 * benchmark (bench/label-issues.ts), flagged rows with a value of 0.2 to 0.3 were wrong 59% of the time.
 *
 * @param labels given class index of each row
 * @param probabilities out-of-fold probabilities, row-major `rows * classes`
 * @param joint calibrated confident joint, `joint[given][true]` (see confidentJoint)
 * @returns per row, the probability that its given label is wrong
 */
export function labelErrorProbabilities(
  labels: ArrayLike<number>,
  probabilities: Float64Array,
  classes: number,
  joint: readonly (readonly number[])[],
): Float64Array {
  const K = classes;
  const transition = noiseTransition(joint, K);
  const inverse = invert(transition);
  const out = new Float64Array(labels.length);
  const truth = new Float64Array(K);
  for (let r = 0; r < labels.length; r++) {
    const p = probabilities.subarray(r * K, (r + 1) * K);
    let sum = 0;
    for (let y = 0; y < K; y++) {
      let v = 0;
      if (inverse) for (let s = 0; s < K; s++) v += inverse[y]![s]! * p[s]!;
      else v = p[y]!;
      truth[y] = Math.max(0, v);
      sum += truth[y]!;
    }
    if (sum <= 0) for (let y = 0; y < K; y++) truth[y] = p[y]!;
    else for (let y = 0; y < K; y++) truth[y]! /= sum;
    const given = labels[r]!;
    let evidence = 0;
    for (let y = 0; y < K; y++) evidence += transition[given]![y]! * truth[y]!;
    out[r] = evidence > 0 ? 1 - (transition[given]![given]! * truth[given]!) / evidence : 0;
  }
  return out;
}

/** T[s][y] = P(given s | true y) from the confident joint (a true class with no count keeps its label). */
function noiseTransition(joint: readonly (readonly number[])[], K: number): number[][] {
  const T = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  for (let y = 0; y < K; y++) {
    let column = 0;
    for (let s = 0; s < K; s++) column += joint[s]![y]!;
    for (let s = 0; s < K; s++) T[s]![y] = column > 0 ? joint[s]![y]! / column : s === y ? 1 : 0;
  }
  return T;
}

/** The inverse of a square matrix by Gauss-Jordan elimination with partial pivoting; undefined when singular. */
function invert(m: readonly (readonly number[])[]): number[][] | undefined {
  const K = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: K }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < K; c++) {
    let pivot = c;
    for (let r = c + 1; r < K; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[pivot]![c]!)) pivot = r;
    if (Math.abs(a[pivot]![c]!) < 1e-12) return undefined;
    [a[c], a[pivot]] = [a[pivot]!, a[c]!];
    const lead = a[c]![c]!;
    for (let j = 0; j < 2 * K; j++) a[c]![j]! /= lead;
    for (let r = 0; r < K; r++) {
      if (r === c) continue;
      const factor = a[r]![c]!;
      if (factor === 0) continue;
      for (let j = 0; j < 2 * K; j++) a[r]![j]! -= factor * a[c]![j]!;
    }
  }
  return a.map((row) => row.slice(K));
}
