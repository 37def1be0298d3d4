/**
 * The sweep's samplers: the Sobol sequence against SciPy's, TPE's Parzen estimator against Optuna 3.1's
 * numbers (test/fixtures/optuna_parzen.json, from scripts/gold/optuna_parzen.py), truncated-normal
 * sampling against its analytic moments, TPE against random search on analytic functions, and the same
 * seed giving the same suggestions.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { defaultWeights, ParzenEstimator } from "../src/sweep/parzen-estimator.js";
import { RandomSampler } from "../src/sweep/random-sampler.js";
import { configOf, type Sampler, type TrialHistoryEntry } from "../src/sweep/sampler.js";
import { SobolSampler, SobolSequence } from "../src/sweep/sobol.js";
import { type Param, parseSpace } from "../src/sweep/space.js";
import { gamma, TpeSampler } from "../src/sweep/tpe-sampler.js";
import { logGaussMass, truncnormSample } from "../src/sweep/truncnorm.js";
import { Random } from "../src/util/random.js";

const gold = JSON.parse(
  readFileSync(new URL("../../test/fixtures/optuna_parzen.json", import.meta.url), "utf8"),
) as {
  parzen: {
    name: string;
    param: Param;
    observations: number[];
    points: number[];
    weights: number[];
    mus: number[] | null;
    sigmas: number[] | null;
    lp_optuna: number[];
    lp_true: number[];
  }[];
  sobol40: number[][];
};

const SPACE = parseSpace(
  [
    "lr: {log_uniform: [1.0e-4, 1.0e-1]}",
    "dropout: {uniform: [0.0, 0.5]}",
    'hidden: {choice: ["32", "64,64", "128,128", "256,256,256"]}',
    "batch-size: {int_uniform: [16, 128]}",
  ].join("\n"),
  "space.yaml",
);

describe("Sobol sequence", () => {
  test("the first points are the known sequence (0, 1/2, 3/4, 1/4, 3/8, ...)", () => {
    const s = new SobolSequence(3);
    const pts = Array.from({ length: 8 }, (_, i) => s.point(i));
    assert.deepEqual(pts, [
      [0, 0, 0],
      [0.5, 0.5, 0.5],
      [0.75, 0.25, 0.25],
      [0.25, 0.75, 0.75],
      [0.375, 0.375, 0.625],
      [0.875, 0.875, 0.125],
      [0.625, 0.125, 0.875],
      [0.125, 0.625, 0.375],
    ]);
  });

  test("64 points in 40 dimensions equal SciPy's unscrambled Sobol (Joe-Kuo direction numbers)", () => {
    const s = new SobolSequence(40);
    for (const [i, row] of gold.sobol40.entries()) assert.deepEqual(s.point(i), row, `point ${i}`);
  });

  test("the sampler shifts the points by a seeded digital shift: same seed, same points; still one per bin", () => {
    const space = parseSpace("dropout: {uniform: [0.0, 0.5]}\nlr: {log_uniform: [1.0e-4, 1.0e-2]}", "s.yaml");
    const draw = (seed: number) => {
      const sampler = new SobolSampler(space);
      const rng = new Random(seed);
      return Array.from({ length: 16 }, () => sampler.suggest([], rng));
    };
    assert.deepEqual(draw(3), draw(3));
    assert.notDeepEqual(draw(3), draw(4));
    // 16 points of a (0, m, 2)-net: exactly one in each of 16 equal bins of either coordinate
    const pts = draw(5);
    const bins = new Set(pts.map((p) => Math.floor((p.dropout! / 0.5) * 16)));
    assert.equal(bins.size, 16);
    const lbins = new Set(
      pts.map((p) => Math.floor(((Math.log(p.lr!) - Math.log(1e-4)) / Math.log(100)) * 16)),
    );
    assert.equal(lbins.size, 16);
  });
});

describe("TPE's Parzen estimator, against Optuna 3.1", () => {
  for (const c of gold.parzen) {
    test(`${c.name}: weights, means and widths equal Optuna's; log density equal up to Optuna 3.1's missing -log(sigma)`, () => {
      const pe = new ParzenEstimator(c.param, c.observations);
      const close = (a: readonly number[], b: readonly number[], tol: number, what: string) => {
        assert.equal(a.length, b.length, what);
        for (const [i, v] of a.entries())
          assert.ok(
            Math.abs(v - b[i]!) <= tol * Math.max(1, Math.abs(b[i]!)),
            `${what}[${i}]: ${v} vs ${b[i]}`,
          );
      };
      close(pe.weights, c.weights, 1e-12, "weights");
      if (c.mus) close(pe.mus, c.mus, 1e-12, "mus");
      if (c.sigmas) close(pe.sigmas, c.sigmas, 1e-12, "sigmas");
      close(pe.logPdf(c.points), c.lp_true, 1e-6, "log pdf");
      // discrete params (whole numbers on a linear scale, categorical) have no density factor: equal to Optuna's own
      if (c.param.kind === "categorical" || (c.param.kind === "int" && !c.param.log))
        close(pe.logPdf(c.points), c.lp_optuna, 1e-6, "log pdf (Optuna)");
    });
  }

  test("default_weights: flat below 25 observations, the oldest ramped from 1/n above", () => {
    assert.deepEqual(defaultWeights(3), [1, 1, 1]);
    const w = defaultWeights(30);
    assert.equal(w.length, 30);
    assert.ok(Math.abs(w[0]! - 1 / 30) < 1e-15 && w[4] === 1 && w[29] === 1);
    assert.deepEqual([gamma(10), gamma(11), gamma(100), gamma(1000)], [1, 2, 10, 25]);
  });

  test("truncated normal draws have the analytic mean and sd (SciPy truncnorm), far tails included", () => {
    const cases = [
      [-0.5, 2, 0.4457437782725149, 0.6136724176112496],
      [-3, -1, -1.5100495132439846, 0.41647677597210686],
      [1, 4, 1.5245960921622654, 0.44460292083049846],
      [30, 60, 30.033259667436372, 0.03322305571224667],
    ] as const;
    const rng = new Random(1);
    for (const [a, b, mean, sd] of cases) {
      const n = 40000;
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const x = truncnormSample(rng, a, b, 0, 1);
        assert.ok(x >= a && x <= b);
        s += x;
        s2 += x * x;
      }
      const m = s / n;
      assert.ok(Math.abs(m - mean) < (5 * sd) / Math.sqrt(n), `mean on [${a}, ${b}]: ${m} vs ${mean}`);
      assert.ok(Math.abs(Math.sqrt(s2 / n - m * m) - sd) < 0.02 * sd + 1e-4, `sd on [${a}, ${b}]`);
    }
    // log mass of [-inf-ish, b] in the far left tail (Φ(-40) ≈ 3.66e-350 underflows as a plain number)
    assert.ok(Math.abs(logGaussMass(-41, -40) - -804.6084420137538) < 1e-4);
  });
});

/** Runs `n` trials of an analytic objective (minimized) through a sampler; the best value found. */
function minimize(
  sampler: Sampler,
  f: (c: Record<string, unknown>) => number,
  n: number,
  seed: number,
): number {
  const rng = new Random(seed);
  const history: TrialHistoryEntry[] = [];
  let best = Number.POSITIVE_INFINITY;
  for (let id = 0; id < n; id++) {
    const params = sampler.suggest(history, rng);
    const value = f(configOf(SPACE, params));
    history.push({ id, params, state: "completed", value, intermediate: [] });
    best = Math.min(best, value);
  }
  return best;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

describe("TPE against random search", () => {
  // a smooth bowl in log(lr) and dropout, a best choice of hidden, a mild optimum in batch size
  const f = (c: Record<string, unknown>) =>
    (Math.log10(c.lr as number) + 2.5) ** 2 +
    4 * ((c.dropout as number) - 0.15) ** 2 +
    (c.hidden === "128,128" ? 0 : 0.3) +
    (((c.batchSize as number) - 48) / 80) ** 2;

  test("on a 4-D function (log, linear, categorical, integer), 40 trials: TPE's median best over 11 seeds beats random's", () => {
    const tpe: number[] = [];
    const rnd: number[] = [];
    for (let seed = 0; seed < 11; seed++) {
      tpe.push(minimize(new TpeSampler(SPACE, false), f, 40, seed));
      rnd.push(minimize(new RandomSampler(SPACE), f, 40, seed));
    }
    assert.ok(median(tpe) < median(rnd), `TPE median ${median(tpe)} vs random ${median(rnd)}`);
  });

  test("maximizing the negated function, TPE does the same (direction handled)", () => {
    const tpe: number[] = [];
    const rnd: number[] = [];
    for (let seed = 0; seed < 11; seed++) {
      const run = (s: Sampler) => {
        const rng = new Random(seed);
        const h: TrialHistoryEntry[] = [];
        let best = Number.NEGATIVE_INFINITY;
        for (let id = 0; id < 40; id++) {
          const params = s.suggest(h, rng);
          const value = -f(configOf(SPACE, params));
          h.push({ id, params, state: "completed", value, intermediate: [] });
          best = Math.max(best, value);
        }
        return best;
      };
      tpe.push(run(new TpeSampler(SPACE, true)));
      rnd.push(run(new RandomSampler(SPACE)));
    }
    assert.ok(median(tpe) > median(rnd), `TPE median ${median(tpe)} vs random ${median(rnd)}`);
  });

  test("the same seed gives the same suggestions; the first 10 are random, values within the space", () => {
    const a = Array.from({ length: 3 }, () => minimize(new TpeSampler(SPACE, false), f, 25, 7));
    assert.equal(new Set(a).size, 1);
    const s = new TpeSampler(SPACE, false);
    const rng = new Random(2);
    const h: TrialHistoryEntry[] = [];
    for (let id = 0; id < 20; id++) {
      const params = s.suggest(h, rng);
      const c = configOf(SPACE, params);
      assert.ok((c.lr as number) >= 1e-4 && (c.lr as number) <= 1e-1);
      assert.ok(
        Number.isInteger(c.batchSize) && (c.batchSize as number) >= 16 && (c.batchSize as number) <= 128,
      );
      assert.ok(["32", "64,64", "128,128", "256,256,256"].includes(c.hidden as string));
      h.push({ id, params, state: "completed", value: f(c), intermediate: [] });
    }
    // pruned trials count as observations (ranked after completed ones); running and failed ones do not
    const r1 = new TpeSampler(SPACE, false).suggest(
      [...h, { id: 99, params: h[0]!.params, state: "running", intermediate: [] }],
      new Random(5),
    );
    const r2 = new TpeSampler(SPACE, false).suggest(h, new Random(5));
    assert.deepEqual(r1, r2);
  });
});
