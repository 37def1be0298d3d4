import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { UserError } from "../src/errors.js";
import {
  ConstantLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  ExponentialLR,
  LinearLR,
  type LrSchedule,
  MultiStepLR,
  OneCycleLR,
  parseSchedule,
  ReduceLROnPlateau,
  SequentialLR,
  StepLR,
  withWarmup,
} from "../src/optim/schedules/index.js";

// biome-ignore lint/suspicious/noExplicitAny: fixture specs carry each schedule's options as plain JSON
type Spec = { type: string; lr?: number; [option: string]: any };
interface Case {
  name: string;
  schedule: Spec;
  lrs: number[];
  metrics?: number[];
}

const fixture = JSON.parse(
  readFileSync(new URL("../../test/fixtures/schedules.json", import.meta.url), "utf8"),
) as { cases: Case[] };
const cases = fixture.cases;
const byName = (name: string): Case => {
  const c = cases.find((x) => x.name === name);
  assert.ok(c, `fixture case "${name}" exists`);
  return c;
};

const REL = 1e-7;

function build(spec: Spec): LrSchedule {
  switch (spec.type) {
    case "StepLR":
      return new StepLR(spec as never);
    case "MultiStepLR":
      return new MultiStepLR(spec as never);
    case "ExponentialLR":
      return new ExponentialLR(spec as never);
    case "CosineAnnealingLR":
      return new CosineAnnealingLR(spec as never);
    case "CosineAnnealingWarmRestarts":
      return new CosineAnnealingWarmRestarts(spec as never);
    case "OneCycleLR":
      return new OneCycleLR(spec as never);
    case "LinearLR":
      return new LinearLR(spec as never);
    case "ConstantLR":
      return new ConstantLR(spec as never);
    case "ReduceLROnPlateau":
      return new ReduceLROnPlateau(spec as never);
    case "SequentialLR":
      return new SequentialLR(
        (spec.schedules as Spec[]).map((s) => build({ ...s, lr: spec.lr })),
        spec.milestones as number[],
      );
    default:
      throw new Error(`unknown schedule type ${spec.type}`);
  }
}

/** The learning rates of `steps` + 1 optimizer steps, as the fixture records them. */
function sequence(s: LrSchedule, steps: number, metrics?: number[], from = 0): number[] {
  const out = [s.current()];
  for (let i = from; i < from + steps; i++) {
    s.step(metrics?.[i]);
    out.push(s.current());
  }
  return out;
}

let worstRel = 0;
function assertClose(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const rel = a === e ? 0 : Math.abs(a - e) / Math.max(Math.abs(a), Math.abs(e));
    worstRel = Math.max(worstRel, rel);
    assert.ok(rel <= REL, `${what}: step ${i}: got ${a}, PyTorch ${e} (relative error ${rel})`);
  }
}

describe("schedules reproduce PyTorch 1.13", () => {
  test("the fixture covers every scheduler", () => {
    const types = new Set(cases.map((c) => c.schedule.type));
    for (const t of [
      "StepLR",
      "MultiStepLR",
      "ExponentialLR",
      "CosineAnnealingLR",
      "CosineAnnealingWarmRestarts",
      "OneCycleLR",
      "LinearLR",
      "ConstantLR",
      "SequentialLR",
      "ReduceLROnPlateau",
    ]) {
      assert.ok(types.has(t), t);
    }
    assert.ok(cases.length >= 40);
  });

  for (const c of cases) {
    test(c.name, () => {
      assertClose(sequence(build(c.schedule), c.lrs.length - 1, c.metrics), c.lrs, c.name);
    });
  }

  test("withWarmup equals SequentialLR(LinearLR, schedule) for every warm-up case", () => {
    const warmups = cases.filter(
      (c) =>
        c.schedule.type === "SequentialLR" &&
        c.schedule.schedules.length === 2 &&
        c.schedule.schedules[0].type === "LinearLR" &&
        c.schedule.schedules[0].totalIters === c.schedule.milestones[0],
    );
    assert.ok(warmups.length >= 6);
    for (const c of warmups) {
      const [lin, then] = c.schedule.schedules as Spec[];
      const s = withWarmup(build({ ...then!, lr: c.schedule.lr }), {
        steps: lin!.totalIters,
        startFactor: lin!.startFactor,
      });
      assertClose(sequence(s, c.lrs.length - 1), c.lrs, `withWarmup ${c.name}`);
    }
  });

  test(`worst relative error against PyTorch stays below ${REL}`, (t) => {
    t.diagnostic(`worst relative error over all cases: ${worstRel.toExponential(2)}`);
    assert.ok(worstRel <= REL);
  });
});

describe("state() and restore()", () => {
  for (const c of cases) {
    test(`${c.name}: restored mid-sequence, continues identically`, () => {
      const steps = c.lrs.length - 1;
      const half = Math.floor(steps / 2);
      const original = build(c.schedule);
      sequence(original, half, c.metrics);
      const saved = JSON.parse(JSON.stringify(original.state()));
      const resumed = build(c.schedule);
      resumed.restore(saved);
      assert.equal(resumed.current(), original.current());
      const rest = sequence(resumed, steps - half, c.metrics, half);
      assert.deepEqual(rest, sequence(original, steps - half, c.metrics, half));
      assertClose(rest, c.lrs.slice(half), `${c.name} after restore`);
    });
  }

  test("ReduceLROnPlateau keeps an infinite best through JSON", () => {
    const a = new ReduceLROnPlateau({ lr: 0.1, patience: 1 });
    a.step(Number.NEGATIVE_INFINITY);
    const b = new ReduceLROnPlateau({ lr: 0.1, patience: 1 });
    b.restore(JSON.parse(JSON.stringify(a.state())));
    for (const s of [a, b]) {
      s.step(0);
      s.step(0);
    }
    assert.equal(b.current(), a.current());
    assert.ok(Math.abs(a.current() - 0.01) < 1e-15, "two bad steps after -Infinity reduce once");
  });

  test("restore refuses a state from another schedule or with missing fields", () => {
    const step = new StepLR({ lr: 0.1, stepSize: 3 });
    const cos = new CosineAnnealingLR({ lr: 0.1, tMax: 10 });
    assert.throws(
      () => step.restore(cos.state()),
      (e: unknown) => {
        return e instanceof UserError && /StepLR/.test(e.message) && /CosineAnnealingLR/.test(e.message);
      },
    );
    assert.throws(
      () => step.restore({ kind: "StepLR", lastEpoch: 3 }),
      (e: unknown) => {
        return e instanceof UserError && /lr/.test(e.message);
      },
    );
    assert.throws(() => step.restore("nope"), UserError);
    const seq = withWarmup(new StepLR({ lr: 0.1, stepSize: 3 }), { steps: 2 });
    assert.throws(() => seq.restore({ kind: "SequentialLR", lastEpoch: 1, schedules: [] }), UserError);
  });
});

describe("schedule behaviour beyond the fixture", () => {
  test("OneCycleLR refuses to step past totalSteps, like PyTorch", () => {
    const s = new OneCycleLR({ maxLr: 0.1, totalSteps: 10 });
    for (let i = 0; i < 10; i++) s.step();
    assert.throws(
      () => s.step(),
      (e: unknown) => e instanceof UserError && /totalSteps 10/.test(e.message),
    );
  });

  test("ReduceLROnPlateau needs the metric", () => {
    const s = new ReduceLROnPlateau({ lr: 0.1 });
    assert.equal(s.needsMetric, true);
    assert.throws(
      () => s.step(),
      (e: unknown) => e instanceof UserError && /metric/.test(e.message),
    );
  });

  test("ReduceLROnPlateau counts a NaN metric as a bad step", () => {
    const s = new ReduceLROnPlateau({ lr: 1, patience: 1, factor: 0.5 });
    s.step(1);
    s.step(Number.NaN);
    assert.equal(s.current(), 1);
    s.step(Number.NaN);
    assert.equal(s.current(), 0.5);
  });

  test("SequentialLR passes the metric to a plateau schedule after the warm-up", () => {
    const s = withWarmup(new ReduceLROnPlateau({ lr: 0.1, patience: 0, factor: 0.5 }), { steps: 2 });
    assert.equal(s.needsMetric, true);
    assert.equal(s.interval, "epoch");
    s.step(5); // warm-up: metric ignored
    s.step(5); // milestone: plateau starts at lr
    assert.equal(s.current(), 0.1);
    s.step(1); // improvement
    assert.equal(s.current(), 0.1);
    s.step(1); // no improvement, patience 0
    assert.equal(s.current(), 0.05);
  });

  test("intervals: epoch by default, batch for OneCycleLR, and as asked", () => {
    assert.equal(new StepLR({ lr: 1, stepSize: 1 }).interval, "epoch");
    assert.equal(new OneCycleLR({ maxLr: 1, totalSteps: 10 }).interval, "batch");
    assert.equal(new ExponentialLR({ lr: 1, gamma: 0.9, interval: "batch" }).interval, "batch");
    assert.throws(
      () =>
        new SequentialLR(
          [new LinearLR({ lr: 1, interval: "batch" }), new StepLR({ lr: 1, stepSize: 2 })],
          [5],
        ),
      (e: unknown) => e instanceof UserError && /schedules\[1\]/.test(e.message),
    );
  });

  test("withWarmup refuses OneCycleLR", () => {
    assert.throws(
      () => withWarmup(new OneCycleLR({ maxLr: 1, totalSteps: 100 }), { steps: 5 }),
      (e: unknown) => e instanceof UserError && /pctStart/.test(e.message ?? ""),
    );
  });
});

describe("bad constructor arguments are refused, naming the argument and the value", () => {
  const bad: [string, () => unknown, string, string][] = [
    ["StepLR lr 0", () => new StepLR({ lr: 0, stepSize: 1 }), "lr", "0"],
    ["StepLR lr -1", () => new StepLR({ lr: -1, stepSize: 1 }), "lr", "-1"],
    ["StepLR lr NaN", () => new StepLR({ lr: Number.NaN, stepSize: 1 }), "lr", "NaN"],
    ["StepLR gamma 0", () => new StepLR({ lr: 1, stepSize: 1, gamma: 0 }), "gamma", "0"],
    ["StepLR stepSize 2.5", () => new StepLR({ lr: 1, stepSize: 2.5 }), "stepSize", "2.5"],
    ["StepLR stepSize 0", () => new StepLR({ lr: 1, stepSize: 0 }), "stepSize", "0"],
    [
      "StepLR interval",
      () => new StepLR({ lr: 1, stepSize: 1, interval: "week" as never }),
      "interval",
      '"week"',
    ],
    ["MultiStepLR unsorted", () => new MultiStepLR({ lr: 1, milestones: [5, 3] }), "milestones", "[5, 3]"],
    ["MultiStepLR fraction", () => new MultiStepLR({ lr: 1, milestones: [1.5] }), "milestones[0]", "1.5"],
    ["ExponentialLR gamma -0.5", () => new ExponentialLR({ lr: 1, gamma: -0.5 }), "gamma", "-0.5"],
    ["Cosine tMax 0", () => new CosineAnnealingLR({ lr: 1, tMax: 0 }), "tMax", "0"],
    ["Cosine etaMin > lr", () => new CosineAnnealingLR({ lr: 0.1, tMax: 5, etaMin: 0.2 }), "etaMin", "0.2"],
    ["Restarts t0 1.5", () => new CosineAnnealingWarmRestarts({ lr: 1, t0: 1.5 }), "t0", "1.5"],
    ["Restarts tMult 0", () => new CosineAnnealingWarmRestarts({ lr: 1, t0: 2, tMult: 0 }), "tMult", "0"],
    ["OneCycle maxLr 0", () => new OneCycleLR({ maxLr: 0, totalSteps: 10 }), "maxLr", "0"],
    ["OneCycle totalSteps 0", () => new OneCycleLR({ maxLr: 1, totalSteps: 0 }), "totalSteps", "0"],
    [
      "OneCycle pctStart 1.5",
      () => new OneCycleLR({ maxLr: 1, totalSteps: 10, pctStart: 1.5 }),
      "pctStart",
      "1.5",
    ],
    [
      "OneCycle anneal",
      () => new OneCycleLR({ maxLr: 1, totalSteps: 10, annealStrategy: "cosine" as never }),
      "annealStrategy",
      '"cosine"',
    ],
    [
      "OneCycle empty phase",
      () => new OneCycleLR({ maxLr: 1, totalSteps: 10, pctStart: 0.05 }),
      "pctStart",
      "0.05",
    ],
    [
      "OneCycle three-phase pct 0.6",
      () => new OneCycleLR({ maxLr: 1, totalSteps: 10, pctStart: 0.6, threePhase: true }),
      "pctStart",
      "0.6",
    ],
    ["LinearLR startFactor 0", () => new LinearLR({ lr: 1, startFactor: 0 }), "startFactor", "0"],
    ["LinearLR endFactor 2", () => new LinearLR({ lr: 1, endFactor: 2 }), "endFactor", "2"],
    ["LinearLR totalIters 0", () => new LinearLR({ lr: 1, totalIters: 0 }), "totalIters", "0"],
    ["ConstantLR factor 0", () => new ConstantLR({ lr: 1, factor: 0 }), "factor", "0"],
    ["ConstantLR totalIters -1", () => new ConstantLR({ lr: 1, totalIters: -1 }), "totalIters", "-1"],
    ["Plateau patience 2.5", () => new ReduceLROnPlateau({ lr: 1, patience: 2.5 }), "patience", "2.5"],
    ["Plateau factor 1", () => new ReduceLROnPlateau({ lr: 1, factor: 1 }), "factor", "1"],
    ["Plateau mode", () => new ReduceLROnPlateau({ lr: 1, mode: "up" as never }), "mode", '"up"'],
    [
      "Plateau thresholdMode",
      () => new ReduceLROnPlateau({ lr: 1, thresholdMode: "relative" as never }),
      "thresholdMode",
      '"relative"',
    ],
    ["Plateau cooldown -1", () => new ReduceLROnPlateau({ lr: 1, cooldown: -1 }), "cooldown", "-1"],
    ["Plateau minLr -1", () => new ReduceLROnPlateau({ lr: 1, minLr: -1 }), "minLr", "-1"],
    [
      "Plateau threshold NaN",
      () => new ReduceLROnPlateau({ lr: 1, threshold: Number.NaN }),
      "threshold",
      "NaN",
    ],
    [
      "Sequential milestones",
      () => new SequentialLR([new StepLR({ lr: 1, stepSize: 1 })], [3]),
      "milestones",
      "[3]",
    ],
    [
      "Sequential milestone 0",
      () => new SequentialLR([new StepLR({ lr: 1, stepSize: 1 }), new StepLR({ lr: 1, stepSize: 1 })], [0]),
      "milestones[0]",
      "0",
    ],
    ["withWarmup steps 0", () => withWarmup(new StepLR({ lr: 1, stepSize: 1 }), { steps: 0 }), "steps", "0"],
    [
      "withWarmup startFactor 0",
      () => withWarmup(new StepLR({ lr: 1, stepSize: 1 }), { steps: 2, startFactor: 0 }),
      "startFactor",
      "0",
    ],
  ];
  for (const [name, make, arg, value] of bad) {
    test(name, () => {
      assert.throws(make, (e: unknown) => {
        assert.ok(e instanceof UserError, `UserError, got ${String(e)}`);
        assert.ok(e.message.includes(arg), `message names ${arg}: ${e.message}`);
        assert.ok(e.message.includes(value), `message shows ${value}: ${e.message}`);
        return true;
      });
    });
  }
});

describe("parseSchedule", () => {
  const ctx = { epochs: 100, stepsPerEpoch: 7 };

  test("constant", () => {
    const s = parseSchedule("constant", 0.05, ctx);
    assert.equal(s.interval, "epoch");
    assert.deepEqual(sequence(s, 20), new Array(21).fill(0.05));
  });

  test("specs that match PyTorch fixture cases", () => {
    const pairs: [
      string,
      number,
      string,
      { epochs: number; stepsPerEpoch: number; higherIsBetter?: boolean },
    ][] = [
      ["step:10:0.1", 0.1, "step 10 x0.1", ctx],
      ["STEP:3:0.5", 1.0, "step 3 x0.5", ctx],
      ["multistep:30,80", 0.1, "multistep 30,80", ctx],
      ["exponential:0.95", 0.1, "exponential 0.95", ctx],
      ["cosine:1e-4", 0.01, "cosine tMax 100 etaMin 1e-4", ctx],
      ["cosine-restarts:5:2:1e-3", 0.05, "restarts t0 5 x2 etaMin 1e-3", ctx],
      ["cosine-restarts:10", 0.1, "restarts t0 10", ctx],
      ["onecycle", 0.1, "onecycle cos", { epochs: 20, stepsPerEpoch: 5 }],
      ["plateau", 0.1, "plateau default", ctx],
      ["plateau:0.5:3", 0.1, "plateau factor 0.5 patience 3", ctx],
      ["plateau:0.2:2", 0.05, "plateau max mode patience 2", { ...ctx, higherIsBetter: true }],
      ["step:10:0.1+warmup:5", 0.1, "warmup 5 + step 10", ctx],
      ["exponential:0.9+warmup:3:0.1", 0.5, "warmup 3 + exponential 0.9", ctx],
      ["cosine+warmup:10", 0.1, "warmup 10 + cosine 90", ctx],
      [
        "cosine:1e-5+warmup:20:0.001",
        0.003,
        "warmup 20 + cosine 180 etaMin",
        { epochs: 200, stepsPerEpoch: 3 },
      ],
      ["cosine-restarts:5:2:0.001+warmup:4:0.25", 0.2, "warmup 4 + restarts 5 x2", ctx],
      ["multistep:10,30+warmup:6:0.5", 0.1, "warmup 6 + multistep 10,30", ctx],
    ];
    for (const [spec, lr, name, context] of pairs) {
      const c = byName(name);
      const s = parseSchedule(spec, lr, context);
      assert.equal(s.interval, spec.startsWith("onecycle") ? "batch" : "epoch", spec);
      assertClose(sequence(s, c.lrs.length - 1, c.metrics), c.lrs, `${spec} vs ${name}`);
    }
  });

  test("+warmup:Ns runs the whole schedule per batch, epoch counts converted to steps", () => {
    const spe = 4;
    const cos = parseSchedule("cosine+warmup:6s", 0.1, { epochs: 10, stepsPerEpoch: spe });
    assert.equal(cos.interval, "batch");
    const lrs = sequence(cos, 40);
    const ref = withWarmup(new CosineAnnealingLR({ lr: 0.1, tMax: 34, interval: "batch" }), { steps: 6 });
    assert.deepEqual(lrs, sequence(ref, 40));
    assert.ok(Math.abs(lrs[0]! - 0.001) < 1e-15);
    assert.equal(lrs[6], 0.1);
    assert.ok(lrs[39]! < 0.001 && lrs[40] === 0);

    const step = sequence(
      parseSchedule("step:2:0.5+warmup:3s:0.5", 1, { epochs: 10, stepsPerEpoch: spe }),
      30,
    );
    const stepRef = sequence(
      withWarmup(new StepLR({ lr: 1, stepSize: 2 * spe, gamma: 0.5, interval: "batch" }), {
        steps: 3,
        startFactor: 0.5,
      }),
      30,
    );
    assert.deepEqual(step, stepRef);
    assert.equal(step[3 + 2 * spe - 1], 1);
    assert.equal(step[3 + 2 * spe], 0.5);

    const exp = sequence(
      parseSchedule("exponential:0.5+warmup:2s", 1, { epochs: 10, stepsPerEpoch: spe }),
      2 + spe,
    );
    assert.ok(Math.abs(exp[2 + spe]! - 0.5) < 1e-12, "an epoch's worth of steps multiplies by GAMMA");
  });

  const badSpecs: [string, RegExp, { epochs: number; stepsPerEpoch: number }?][] = [
    ["cosin", /unknown schedule "cosin" \(did you mean "cosine"\?\)/],
    ["step:abc", /EPOCHS "abc" in "step:abc"/],
    ["step", /"step" has 0 argument\(s\); step takes the form step:EPOCHS\[:GAMMA\]/],
    ["step:10:0.1:3", /has 3 argument/],
    ["step:2.5", /EPOCHS "2.5"/],
    ["exponential:-0.9", /GAMMA "-0.9"/],
    ["multistep:30,20", /not increasing/],
    ["multistep:30,x", /milestone "x"/],
    ["plateau:2", /FACTOR "2"/],
    ["plateau:0.1:1.5", /PATIENCE "1.5"/],
    ["cosine:0.5", /MIN_LR "0.5"/],
    ["onecycle:1.2", /PCT_START "1.2"/],
    ["onecycle+warmup:3", /onecycle takes no warm-up/],
    ["plateau+warmup:100s", /warm-up in epochs/],
    ["cosine+warmup:100", /not shorter than the run/],
    ["cosine+warmup:700s", /not shorter than the run/],
    ["cosine+warmup:x", /warm-up "\+warmup:x"/],
    ["cosine+warmup:5:0", /START_FACTOR "0"/],
    ["cosine+cooldown:5", /unknown suffix "\+cooldown:5"/],
    ["cosine+warmup:5+warmup:5", /only one suffix/],
    ["", /is empty/],
  ];
  for (const [spec, pattern, context] of badSpecs) {
    test(`refuses ${JSON.stringify(spec)}`, () => {
      assert.throws(
        () => parseSchedule(spec, 0.1, context ?? ctx),
        (e: unknown) => {
          assert.ok(e instanceof UserError, String(e));
          assert.match(e.message, pattern);
          if (spec !== "") assert.ok(e.message.includes(`"${spec}"`), `names the spec: ${e.message}`);
          assert.match(e.message, /valid forms: constant \| step:EPOCHS\[:GAMMA\]/);
          return true;
        },
      );
    });
  }

  test("refuses a bad base learning rate or context", () => {
    assert.throws(
      () => parseSchedule("constant", 0, ctx),
      (e: unknown) => e instanceof UserError && /baseLr/.test(e.message),
    );
    assert.throws(
      () => parseSchedule("constant", 0.1, { epochs: 0, stepsPerEpoch: 1 }),
      (e: unknown) => e instanceof UserError && /ctx\.epochs/.test(e.message),
    );
    assert.throws(
      () => parseSchedule("constant", 0.1, { epochs: 1, stepsPerEpoch: 1.5 }),
      (e: unknown) => e instanceof UserError && /ctx\.stepsPerEpoch.*1\.5/.test(e.message),
    );
  });
});
