import { accurateSum, checkLabels, type Labels, type Scores, scoreColumns } from "./metric-inputs.js";

/**
 * Mean negative log-likelihood of the true class, the cross-entropy (sklearn `log_loss` with
 * `labels = 0..k-1`). `proba` is a row-major n x k probability matrix; one column means P(class 1) of a
 * binary problem. As sklearn does, probabilities are clipped to [eps, 1 - eps] and each row is then
 * renormalized to sum to 1; eps is the machine epsilon of the input's type (2^-23 for a Float32Array,
 * 2^-52 otherwise), so a probability of exactly 0 costs -ln(eps) instead of infinity. Computed in float64.
 *
 * @example
 * logLoss([0, 1], new Float64Array([0.9, 0.1, 0.2, 0.8])); // (-ln 0.9 - ln 0.8) / 2 = 0.164...
 */
export function logLoss(yTrue: Labels, proba: Scores): number {
  const where = "logLoss";
  checkLabels(where, "yTrue", yTrue);
  const n = yTrue.length;
  const k = scoreColumns(where, n, proba);
  checkLabels(where, "yTrue", yTrue, Math.max(k, 2));
  const eps = proba instanceof Float32Array ? 2 ** -23 : 2 ** -52;
  const clip = (p: number) => Math.min(Math.max(p, eps), 1 - eps);
  const losses = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = yTrue[i]!;
    let pTrue: number;
    let sum: number;
    if (k === 1) {
      const p1 = clip(proba[i]!);
      const p0 = 1 - p1;
      sum = p0 + p1;
      pTrue = t === 1 ? p1 : p0;
    } else {
      sum = 0;
      for (let j = 0; j < k; j++) sum += clip(proba[i * k + j]!);
      pTrue = clip(proba[i * k + t]!);
    }
    losses[i] = -Math.log(pTrue / sum);
  }
  return accurateSum(losses) / n;
}
