import { closestMatch, UserError } from "../../errors.js";
import { positiveNumber, wholeNumber } from "./arguments.js";
import { ConstantLR } from "./constant-lr.js";
import { CosineAnnealingLR } from "./cosine-annealing-lr.js";
import { CosineAnnealingWarmRestarts } from "./cosine-annealing-warm-restarts.js";
import { ExponentialLR } from "./exponential-lr.js";
import type { LrSchedule, ScheduleInterval } from "./lr-schedule.js";
import { MultiStepLR } from "./multi-step-lr.js";
import { OneCycleLR } from "./one-cycle-lr.js";
import { ReduceLROnPlateau } from "./reduce-lr-on-plateau.js";
import { StepLR } from "./step-lr.js";
import { withWarmup } from "./with-warmup.js";

/** What `parseSchedule` needs to know about the run. */
export interface ScheduleContext {
  /** Epochs in the whole run (whole number >= 1). */
  epochs: number;
  /** Optimizer steps (batches) per epoch (whole number >= 1). */
  stepsPerEpoch: number;
  /** For `plateau`: true when the monitored metric is better higher (accuracy), false for a loss. Default false. */
  higherIsBetter?: boolean;
}

/** The forms of a schedule spec without its warm-up suffix, shown in every error message. */
export const SCHEDULE_FORMS = [
  "constant",
  "step:EPOCHS[:GAMMA]",
  "multistep:E1,E2,...[:GAMMA]",
  "exponential:GAMMA",
  "cosine[:MIN_LR]",
  "cosine-restarts:T0[:T_MULT[:MIN_LR]]",
  "onecycle[:PCT_START]",
  "plateau[:FACTOR[:PATIENCE]]",
] as const;

const NAMES = [
  "constant",
  "step",
  "multistep",
  "exponential",
  "cosine",
  "cosine-restarts",
  "onecycle",
  "plateau",
];

interface Warmup {
  count: number;
  unit: "epochs" | "steps";
  startFactor: number | undefined;
}

/**
 * Turns a command-line schedule string into a schedule, for a run of `ctx.epochs` epochs of
 * `ctx.stepsPerEpoch` optimizer steps with base learning rate `baseLr`.
 *
 * Grammar (names are case-insensitive; numbers are plain decimals like 0.1, 5, 1e-4):
 * ```
 * SPEC = BASE [ "+warmup:" N [ "s" ] [ ":" START_FACTOR ] ]
 * BASE = "constant"                                   baseLr throughout
 *      | "step:" EPOCHS [ ":" GAMMA ]                 x GAMMA (default 0.1) every EPOCHS epochs   (StepLR)
 *      | "multistep:" E1 "," E2 "," ... [ ":" GAMMA ]  x GAMMA at each listed epoch              (MultiStepLR)
 *      | "exponential:" GAMMA                         x GAMMA every epoch                        (ExponentialLR)
 *      | "cosine" [ ":" MIN_LR ]                      cosine from baseLr to MIN_LR (default 0) over the run
 *      | "cosine-restarts:" T0 [ ":" T_MULT [ ":" MIN_LR ] ]  SGDR, first cycle T0 epochs, then x T_MULT
 *      | "onecycle" [ ":" PCT_START ]                 1cycle peaking at baseLr, per batch (OneCycleLR)
 *      | "plateau" [ ":" FACTOR [ ":" PATIENCE ] ]    x FACTOR (0.1) after PATIENCE (10) epochs without
 *                                                     improvement of the monitored metric (ReduceLROnPlateau)
 * ```
 * Without a warm-up, every schedule but onecycle steps once per epoch; onecycle once per batch, over
 * epochs * stepsPerEpoch steps.
 *
 * `+warmup:N` adds N epochs of linear warm-up from START_FACTOR * baseLr (default 0.01) before the
 * schedule, exactly as `withWarmup`: the base schedule starts counting its epochs when the warm-up
 * ends, and `cosine` anneals over the epochs left (epochs - N). `+warmup:Ns` warms up over N optimizer
 * steps instead; the whole schedule then steps once per batch, with its epoch counts converted to steps
 * (EPOCHS * stepsPerEpoch; an exponential GAMMA per epoch becomes GAMMA^(1/stepsPerEpoch) per step), and
 * `cosine` anneals over the steps left. onecycle takes no warm-up (it has its own rise, see PCT_START);
 * plateau takes a warm-up in epochs only, since it needs the metric measured at the end of each epoch.
 *
 * A malformed spec is a UserError naming the spec, the wrong part and the valid forms.
 *
 * @example
 * parseSchedule("cosine+warmup:5", 0.1, { epochs: 100, stepsPerEpoch: 50 }); // 5 warm-up epochs, cosine over 95
 * parseSchedule("step:30:0.1", 0.1, { epochs: 90, stepsPerEpoch: 50 });
 * parseSchedule("cosine+warmup:500s", 3e-4, { epochs: 20, stepsPerEpoch: 400 }); // per batch
 */
export function parseSchedule(spec: string, baseLr: number, ctx: ScheduleContext): LrSchedule {
  positiveNumber("parseSchedule", "baseLr", baseLr);
  const epochs = wholeNumber("parseSchedule", "ctx.epochs", ctx?.epochs, 1);
  const spe = wholeNumber("parseSchedule", "ctx.stepsPerEpoch", ctx?.stepsPerEpoch, 1);
  if (typeof spec !== "string" || spec.trim() === "") {
    throw new UserError(`learning-rate schedule ${JSON.stringify(spec)} is empty`, validForms());
  }
  const text = spec.trim();
  const fail = (what: string): never => {
    throw new UserError(`learning-rate schedule "${text}": ${what}`, validForms());
  };

  // "+" followed by a letter starts a suffix ("1e+5" stays a number).
  const [basePart, ...suffixes] = text.split(/\+(?=[a-zA-Z])/);
  if (suffixes.length > 1)
    fail(`only one suffix is allowed; found ${suffixes.map((s) => `"+${s}"`).join(", ")}`);
  const warmup = suffixes.length === 1 ? parseWarmup(suffixes[0]!, fail) : undefined;

  const [rawName, ...args] = basePart!.split(":");
  const name = rawName!.toLowerCase();
  if (!NAMES.includes(name)) {
    const near = closestMatch(name, NAMES);
    fail(`unknown schedule "${rawName}"${near ? ` (did you mean "${near}"?)` : ""}`);
  }
  const maxArgs: Record<string, number> = {
    constant: 0,
    step: 2,
    multistep: 2,
    exponential: 1,
    cosine: 1,
    "cosine-restarts": 3,
    onecycle: 1,
    plateau: 2,
  };
  const minArgs: Record<string, number> = { step: 1, multistep: 1, exponential: 1, "cosine-restarts": 1 };
  if (args.length > maxArgs[name]! || args.length < (minArgs[name] ?? 0)) {
    fail(`"${basePart}" has ${args.length} argument(s); ${name} takes ${formOf(name)}`);
  }
  const num = (i: number, what: string, check: (v: number) => boolean, rule: string): number => {
    const raw = args[i]!;
    const v = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
    if (!check(v)) fail(`${what} "${raw}" in "${basePart}" is not ${rule}`);
    return v;
  };
  const positive = (v: number) => Number.isFinite(v) && v > 0;
  const whole = (v: number) => Number.isInteger(v) && v >= 1;

  if (name === "onecycle") {
    if (warmup)
      fail(
        `onecycle takes no warm-up: it rises from baseLr / 25 by itself (lengthen it with onecycle:PCT_START)`,
      );
    const pctStart = args.length > 0 ? num(0, "PCT_START", (v) => v > 0 && v < 1, "a number in (0, 1)") : 0.3;
    return new OneCycleLR({ maxLr: baseLr, totalSteps: epochs * spe, pctStart });
  }
  if (name === "plateau" && warmup?.unit === "steps") {
    fail(
      `plateau needs the metric measured at the end of each epoch, so give its warm-up in epochs (+warmup:N)`,
    );
  }

  const perBatch = warmup?.unit === "steps";
  const interval: ScheduleInterval = perBatch ? "batch" : "epoch";
  const unit = perBatch ? spe : 1; // steps per epoch-count of the spec
  const runLength = perBatch ? epochs * spe : epochs;
  const warmupLength = warmup?.count ?? 0;
  if (warmup && warmupLength >= runLength) {
    fail(
      `the warm-up (${warmupLength} ${warmup.unit}) is not shorter than the run ` +
        `(${runLength} ${perBatch ? "steps" : "epochs"}: ${epochs} epochs x ${spe} steps)`,
    );
  }

  let schedule: LrSchedule;
  switch (name) {
    case "constant":
      schedule = new ConstantLR({ lr: baseLr, factor: 1, totalIters: 0, interval });
      break;
    case "step": {
      const size = num(0, "EPOCHS", whole, "a whole number >= 1");
      const gamma = args.length > 1 ? num(1, "GAMMA", positive, "a number > 0") : 0.1;
      schedule = new StepLR({ lr: baseLr, stepSize: size * unit, gamma, interval });
      break;
    }
    case "multistep": {
      const parts = args[0]!.split(",");
      const milestones = parts.map((p, i) => {
        const v = /^\d+$/.test(p) ? Number(p) : Number.NaN;
        if (!whole(v)) fail(`milestone "${p}" in "${basePart}" is not a whole number >= 1`);
        if (i > 0 && v <= Number(parts[i - 1]))
          fail(`milestones "${args[0]}" in "${basePart}" are not increasing`);
        return v * unit;
      });
      const gamma = args.length > 1 ? num(1, "GAMMA", positive, "a number > 0") : 0.1;
      schedule = new MultiStepLR({ lr: baseLr, milestones, gamma, interval });
      break;
    }
    case "exponential": {
      const gamma = num(0, "GAMMA", positive, "a number > 0");
      schedule = new ExponentialLR({ lr: baseLr, gamma: perBatch ? gamma ** (1 / spe) : gamma, interval });
      break;
    }
    case "cosine": {
      const etaMin =
        args.length > 0 ? num(0, "MIN_LR", (v) => v >= 0 && v <= baseLr, `a number in [0, ${baseLr}]`) : 0;
      schedule = new CosineAnnealingLR({ lr: baseLr, tMax: runLength - warmupLength, etaMin, interval });
      break;
    }
    case "cosine-restarts": {
      const t0 = num(0, "T0", whole, "a whole number >= 1");
      const tMult = args.length > 1 ? num(1, "T_MULT", whole, "a whole number >= 1") : 1;
      const etaMin =
        args.length > 2 ? num(2, "MIN_LR", (v) => v >= 0 && v <= baseLr, `a number in [0, ${baseLr}]`) : 0;
      schedule = new CosineAnnealingWarmRestarts({ lr: baseLr, t0: t0 * unit, tMult, etaMin, interval });
      break;
    }
    default: {
      const factor = args.length > 0 ? num(0, "FACTOR", (v) => v > 0 && v < 1, "a number in (0, 1)") : 0.1;
      const patience =
        args.length > 1
          ? num(1, "PATIENCE", (v) => Number.isInteger(v) && v >= 0, "a whole number >= 0")
          : 10;
      schedule = new ReduceLROnPlateau({
        lr: baseLr,
        mode: ctx.higherIsBetter ? "max" : "min",
        factor,
        patience,
        interval,
      });
    }
  }
  return warmup ? withWarmup(schedule, { steps: warmup.count, startFactor: warmup.startFactor }) : schedule;
}

function parseWarmup(suffix: string, fail: (what: string) => never): Warmup {
  const m = /^warmup:(\d+)(s?)(?::(.+))?$/i.exec(suffix);
  if (!m) {
    if (!/^warmup:/i.test(suffix))
      fail(`unknown suffix "+${suffix}" (the only suffix is +warmup:N or +warmup:Ns)`);
    fail(
      `warm-up "+${suffix}" is not +warmup:N (N epochs) or +warmup:Ns (N steps), optionally :START_FACTOR`,
    );
  }
  const count = Number(m![1]);
  if (count < 1) fail(`warm-up length "${m![1]}" in "+${suffix}" is not a whole number >= 1`);
  let startFactor: number | undefined;
  if (m![3] !== undefined) {
    const raw = m![3];
    startFactor = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(startFactor > 0 && startFactor <= 1))
      fail(`START_FACTOR "${raw}" in "+${suffix}" is not a number in (0, 1]`);
  }
  return { count, unit: m![2] ? "steps" : "epochs", startFactor };
}

function formOf(name: string): string {
  const form = SCHEDULE_FORMS.find((f) => f === name || f.startsWith(`${name}:`) || f.startsWith(`${name}[`));
  return form ? `the form ${form}` : name;
}

function validForms(): string {
  return (
    `valid forms: ${SCHEDULE_FORMS.join(" | ")}; any but onecycle may end in +warmup:N (N epochs) ` +
    "or +warmup:Ns (N optimizer steps), optionally followed by :START_FACTOR"
  );
}
