import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { UserError } from "../src/errors.js";
import {
  checkInputPaths,
  findOption,
  loadConfigFile,
  parseWarmup,
  resolveConfig,
  TRAIN_OPTIONS,
  type TrainConfig,
  writeResolvedConfig,
} from "../src/train/config.js";
import { formatTrainOptionsHelp, trainOptionsMarkdown } from "../src/train/config-help.js";

const root = mkdtempSync(join(tmpdir(), "nncoach-config-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
/** Writes `text` to a fresh file with the given extension and returns its path. */
function file(text: string, ext = "yaml"): string {
  const dir = join(root, `c${n++}`);
  mkdirSync(dir);
  const p = join(dir, `run.${ext}`);
  writeFileSync(p, text);
  return p;
}
/** Asserts `fn` throws a UserError whose message matches every pattern. */
function throwsUser(fn: () => unknown, ...patterns: RegExp[]): string {
  let message = "";
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UserError, `expected a UserError, got ${e}`);
    message = e.message;
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
  return message;
}

describe("the option table", () => {
  // biome-ignore format: a compact list
  const keys: (keyof TrainConfig)[] = [
    "data", "target", "validationData", "task", "hidden", "activation", "dropout", "norm", "optimizer", "lr",
    "weightDecay", "momentum", "batchSize", "epochs", "clipNorm", "clipValue", "labelSmoothing", "loss",
    "huberDelta", "focalGamma", "classWeights", "schedule", "warmup", "earlyStopping", "monitor", "seed",
    "threads", "precision", "save", "logDir", "checkpoint", "resume", "json", "pretrained", "freeze", "head",
    "fineTune", "augment", "testData", "text", "drop", "id", "group", "time", "cv", "standardize",
    "evaluateTest", "imageSize", "channels", "architecture", "widths", "depth", "embeddingDim", "headEpochs",
    "fineTuneFactor", "pretrainedLrScale", "diagnoseEvery", "excludeRows", "dropSplitDuplicates",
  ];
  test("has every option once, kebab-case flags, and defaults its own validators accept", () => {
    assert.deepEqual([...TRAIN_OPTIONS.map((o) => o.name)].sort(), [...keys].sort());
    for (const o of TRAIN_OPTIONS) {
      assert.match(o.flag, /^[a-z]+(-[a-z]+)*$/, o.name);
      assert.equal(
        o.flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()),
        o.name,
      );
      assert.ok(o.description.length > 10, `${o.name} has a description`);
      if (o.default !== null)
        assert.deepEqual(o.validate(o.default), o.default, `${o.name} default validates`);
    }
    assert.equal(findOption("batch-size")?.name, "batchSize");
    assert.equal(findOption("batch_size")?.name, "batchSize");
    assert.equal(findOption("patience")?.name, "earlyStopping");
    assert.equal(findOption("batchsize"), undefined);
  });

  test("help text and README table list every option", () => {
    const help = formatTrainOptionsHelp();
    const md = trainOptionsMarkdown();
    for (const o of TRAIN_OPTIONS) {
      assert.ok(help.includes(`--${o.flag}`), `help lists --${o.flag}`);
      assert.ok(md.includes(`\`${o.name}\``), `table lists ${o.name}`);
    }
    assert.ok(
      help.split("\n").every((l) => l.length <= 100),
      "help wraps at 100 columns",
    );
    assert.match(help, /--batch-size <n> +Examples per optimizer step\. Above 64, .*\(default: 32\)/s);
    assert.equal(md.split("\n").length, TRAIN_OPTIONS.length + 2);
  });
});

describe("loadConfigFile", () => {
  test("a typo'd key names the key, the file, the line and the closest valid key", () => {
    const p = file("lr: 0.01\nepohcs: 5\n");
    throwsUser(
      () => loadConfigFile(p),
      /unknown option "epohcs"/,
      new RegExp(`${p}, line 2`),
      /did you mean "epochs"\?/,
    );
    throwsUser(() => loadConfigFile(file("batch-siz: 3\n")), /did you mean "batch-size"\?/);
    throwsUser(
      () => loadConfigFile(file('{"lr": 0.1, "weight_decy": 0.1}', "json")),
      /did you mean "weight_decay"\?/,
    );
  });

  test("lr 0 or negative is refused, naming lr, the value and the line", () => {
    throwsUser(
      () => loadConfigFile(file("epochs: 3\nlr: 0\n")),
      /^lr must be > 0, got 0 \(in .*run\.yaml, line 2\)/,
    );
    throwsUser(() => loadConfigFile(file("lr: -0.1\n")), /lr must be > 0, got -0\.1/);
    throwsUser(() => loadConfigFile(file("lr: fast\n")), /lr must be a number > 0, got "fast"/);
    throwsUser(
      () => loadConfigFile(file('{"lr": -1}', "json")),
      /lr must be > 0, got -1 \(in .*run\.json, line 1\)/,
    );
  });

  test("patience 2.5 is refused; whole numbers and false are accepted", () => {
    throwsUser(
      () => loadConfigFile(file("patience: 2.5\n")),
      /^patience must be a whole number of epochs >= 0.*got 2\.5/,
    );
    throwsUser(
      () => loadConfigFile(file("earlyStopping: 2.5\n")),
      /earlyStopping must be a whole number.*got 2\.5/,
    );
    throwsUser(() => loadConfigFile(file("early-stopping: -1\n")), /early-stopping must be .*got -1/);
    assert.equal(loadConfigFile(file("patience: 4\n")).values.earlyStopping, 4);
    assert.equal(loadConfigFile(file("earlyStopping: false\n")).values.earlyStopping, false);
    assert.equal(loadConfigFile(file("early-stopping: 0\n")).values.earlyStopping, 0);
  });

  test("camelCase, kebab-case and snake_case keys all work; two spellings of one option are refused", () => {
    for (const key of ["batchSize", "batch-size", "batch_size"]) {
      assert.equal(loadConfigFile(file(`${key}: 64\n`)).values.batchSize, 64, key);
    }
    const json = loadConfigFile(
      file('{"weight-decay": 0.01, "labelSmoothing": 0.1, "fine-tune": false}', "json"),
    );
    assert.deepEqual(json.values, { weightDecay: 0.01, labelSmoothing: 0.1, fineTune: false });
    throwsUser(
      () => loadConfigFile(file("batchSize: 64\nlr: 0.1\nbatch-size: 32\n")),
      /batchSize is given twice, as "batchSize" and "batch-size"/,
      /lines 1 and 3/,
    );
  });

  test("parses every kind of value and records each option's line", () => {
    const p = file(
      [
        "# a run",
        "hidden: 512,256",
        "activation: leaky-relu",
        "optimizer: AdamW",
        "lr: 3e-4",
        "clip-norm: 1.0",
        "clipValue: null",
        "warmup: 500s",
        "schedule: cosine",
        "task: classification",
        "resume: false",
        "json: true",
        "threads: 2",
        "",
      ].join("\n"),
    );
    const f = loadConfigFile(p);
    assert.deepEqual(f.values, {
      hidden: [512, 256],
      activation: "leaky_relu",
      optimizer: "adamw",
      lr: 3e-4,
      clipNorm: 1,
      clipValue: null,
      warmup: "500s",
      schedule: "cosine",
      task: "classification",
      resume: false,
      json: true,
      threads: 2,
    });
    assert.equal(f.lines.hidden, 2);
    assert.equal(f.lines.threads, 13);
    assert.deepEqual(loadConfigFile(file("hidden: [64, 32, 16]\n")).values.hidden, [64, 32, 16]);
    assert.deepEqual(loadConfigFile(file("hidden: []\n")).values.hidden, []);
  });

  test("bad values name the option, the value and what is allowed", () => {
    throwsUser(
      () => loadConfigFile(file("hidden: 256,abc\n")),
      /hidden must be a list of whole numbers >= 1.*got "256,abc"/,
    );
    throwsUser(
      () => loadConfigFile(file("activation: rleu\n")),
      /activation must be one of relu\|leaky_relu\|.*got "rleu"/,
    );
    throwsUser(() => loadConfigFile(file("dropout: 1\n")), /dropout must be >= 0 and < 1, got 1/);
    throwsUser(() => loadConfigFile(file("momentum: 1.5\n")), /momentum must be >= 0 and <= 1, got 1\.5/);
    throwsUser(
      () => loadConfigFile(file("batch-size: 0\n")),
      /batch-size must be a whole number >= 1, got 0/,
    );
    throwsUser(() => loadConfigFile(file("epochs: 2.5\n")), /epochs must be a whole number >= 1, got 2\.5/);
    throwsUser(
      () => loadConfigFile(file("clipNorm: 0\n")),
      /clipNorm must be > 0 or null to turn it off, got 0/,
    );
    throwsUser(
      () => loadConfigFile(file("warmup: 2x\n")),
      /warmup must be a number of epochs like "2" or of steps like "500s", got "2x"/,
    );
    throwsUser(() => loadConfigFile(file("json: maybe\n")), /json must be true or false, got "maybe"/);
    throwsUser(() => loadConfigFile(file("loss: [ce]\n")), /loss must be one of auto\|bce.*got \["ce"\]/);
  });

  test("YAML and JSON syntax errors name the file and the line", () => {
    const y = file("lr: 0.1\nepochs: b: c\n");
    throwsUser(() => loadConfigFile(y), new RegExp(`cannot parse config file ${y}, line 2, column \\d+`));
    const j = file('{\n  "lr": 0.1,\n}\n', "json");
    throwsUser(() => loadConfigFile(j), new RegExp(`cannot parse config file ${j}, line 3, column 1`));
    throwsUser(
      () => loadConfigFile(file("- lr\n- 0.1\n")),
      /must be a mapping of option names to values.*got a list/,
    );
    throwsUser(() => loadConfigFile(file("[1]", "json")), /must be a JSON object/);
    throwsUser(() => loadConfigFile(file("lr: 1", "toml")), /must end in \.yaml, \.yml or \.json/);
    throwsUser(() => loadConfigFile(join(root, "missing.yaml")), /missing\.yaml does not exist/);
    assert.deepEqual(loadConfigFile(file("# nothing yet\n")).values, {});
  });

  test("relative paths are relative to the file's folder", () => {
    const p = file(
      "data: train.csv\nvalidation-data: ../val.csv\nsave: /abs/model.onnx\nresume: ckpt/last.bin\n",
    );
    const dir = join(p, "..");
    const v = loadConfigFile(p).values;
    assert.equal(v.data, join(dir, "train.csv"));
    assert.equal(v.validationData, join(dir, "..", "val.csv"));
    assert.equal(v.save, "/abs/model.onnx");
    assert.equal(v.resume, join(dir, "ckpt/last.bin"));
  });
});

describe("config file errors and aliases", () => {
  test("every problem in a file is reported at once, each with its line", () => {
    const p = file("epohcs: 5\nlr: -1\nbatch_size: 0\nlearning_rate: 0.1\ndropout: 0.2\n");
    const message = throwsUser(() => loadConfigFile(p), /^4 problems in .*run\.yaml:\n/);
    assert.match(message, /1\. unknown option "epohcs" in .*run\.yaml, line 1; did you mean "epochs"\?/);
    assert.match(message, /2\. lr must be > 0, got -1 \(in .*line 2\)/);
    assert.match(message, /3\. batch_size must be a whole number >= 1, got 0 \(in .*line 3\)/);
    assert.match(
      message,
      /4\. option lr is given twice, as "lr" and "learning_rate" \(in .*run\.yaml, lines 2 and 4\)/,
    );
    assert.match(message, /hint: fix them all, then run again$/);
    // one problem keeps its own message
    throwsUser(() => loadConfigFile(file("lr: 0\n")), /^lr must be > 0, got 0/);
    // the command line too
    throwsUser(
      () => resolveConfig(null, { lr: "-1", epochs: "0" }),
      /^2 problems in the command-line options:\n {2}1\. --lr must be > 0.*\n {2}2\. --epochs must be/,
    );
  });

  test("the names other tools use are accepted as aliases in config files", () => {
    const cases: [string, keyof TrainConfig, unknown][] = [
      ["learning_rate: 0.01", "lr", 0.01],
      ["learning-rate: 0.02", "lr", 0.02],
      ["epoch: 3", "epochs", 3],
      ["num_epochs: 4", "epochs", 4],
      ["n_epochs: 5", "epochs", 5],
      ["batch: 16", "batchSize", 16],
      ["bs: 8", "batchSize", 8],
      ["wd: 0.001", "weightDecay", 0.001],
      ["l2: 0.0001", "weightDecay", 0.0001],
      ["patience: 3", "earlyStopping", 3],
      ["random_state: 7", "seed", 7],
    ];
    for (const [text, name, value] of cases) {
      assert.deepEqual(loadConfigFile(file(`${text}\n`)).values, { [name]: value }, text);
    }
    // a typo of an alias suggests the option in the file's spelling
    throwsUser(
      () => loadConfigFile(file("learning_rat: 0.1\n")),
      /unknown option "learning_rat".*did you mean "lr"\?/,
    );
    throwsUser(() => loadConfigFile(file("num_epoch: 3\n")), /did you mean "epochs"\?/);
  });

  test("a missing data file named in a config file: the message says it is read from the file's folder", () => {
    const dir = join(root, `paths${n++}`);
    mkdirSync(join(dir, "configs"), { recursive: true });
    writeFileSync(join(dir, "train.csv"), "x,y\n1,2\n");
    const p = join(dir, "configs", "run.yaml");
    writeFileSync(p, "data: train.csv\n");
    const cfg = resolveConfig(loadConfigFile(p));
    throwsUser(
      () => checkInputPaths(cfg, { cwd: dir }),
      new RegExp(`data ${join(dir, "configs", "train.csv")} does not exist: data is set in ${p}`),
      /read from the config file's folder .*not from the current folder/,
      /hint: there is train\.csv in the current folder: write it as \.\.\/train\.csv in the config file/,
    );
    writeFileSync(p, "data: ../train.csv\n");
    checkInputPaths(resolveConfig(loadConfigFile(p)), { cwd: dir });
    throwsUser(
      () => checkInputPaths(resolveConfig(null, { data: "nowhere.csv" }, { cwd: dir })),
      /data .*nowhere\.csv does not exist \(on the command line\)/,
    );
  });
});

describe("resolveConfig", () => {
  test("command-line values override the file, the file overrides defaults, and sources say which", () => {
    const f = loadConfigFile(file("lr: 0.1\nbatch-size: 32\nepochs: 7\n"));
    const cfg = resolveConfig(f, { lr: "0.01", "--batch-size": "64", json: true, seed: undefined });
    assert.equal(cfg.values.lr, 0.01);
    assert.equal(cfg.values.batchSize, 64);
    assert.equal(cfg.values.epochs, 7);
    assert.equal(cfg.values.json, true);
    assert.equal(cfg.values.optimizer, "adamw");
    assert.deepEqual(cfg.values.hidden, [256, 256]);
    assert.equal(cfg.sources.lr, "cli");
    assert.equal(cfg.sources.batchSize, "cli");
    assert.equal(cfg.sources.epochs, "file");
    assert.equal(cfg.sources.seed, "default");
    assert.equal(cfg.configFile, f.path);
    assert.equal(Object.keys(cfg.values).length, TRAIN_OPTIONS.length);
  });

  test("command-line errors name the flag; unknown flags get the closest one", () => {
    throwsUser(() => resolveConfig(null, { lr: "-0.1" }), /^--lr must be > 0, got "-0\.1"$/);
    throwsUser(() => resolveConfig(null, { "--lrr": "0.1" }), /unknown option --lrr; did you mean --lr\?/);
    throwsUser(
      () => resolveConfig(null, { "early-stopping": "2.5" }),
      /--early-stopping must be a whole number.*got "2\.5"/,
    );
    throwsUser(() => resolveConfig(null, { lr: "0.1", "l-r": "1" }), /unknown option --l-r/);
  });

  test("defaults alone are a valid configuration; paths from the command line follow cwd", () => {
    const cfg = resolveConfig(undefined, { data: "d/train.csv", "log-dir": "/tmp/runs" }, { cwd: "/work/x" });
    assert.equal(cfg.values.data, "/work/x/d/train.csv");
    assert.equal(cfg.values.logDir, "/tmp/runs");
    assert.equal(cfg.values.earlyStopping, 10);
    assert.equal(cfg.configFile, null);
    // A plain record of file values is validated the same way.
    throwsUser(() => resolveConfig({ lr: 0 }, {}), /lr must be > 0, got 0 \(in the config values\)/);
  });

  test("refuses combinations that cannot work", () => {
    throwsUser(
      () => resolveConfig(null, { resume: true }),
      /resume is true \(on the command line\) but no checkpoint/,
    );
    assert.equal(resolveConfig(null, { resume: true, checkpoint: "/c.bin" }).values.resume, true);
    throwsUser(() => resolveConfig({ freeze: "all" }, {}), /freeze .* pretrained is not set/);
    throwsUser(() => resolveConfig(null, { "fine-tune": true }), /fineTune .* pretrained is not set/);
  });

  test("parseWarmup splits epochs and steps", () => {
    assert.deepEqual(parseWarmup("2"), { count: 2, unit: "epochs" });
    assert.deepEqual(parseWarmup("500s"), { count: 500, unit: "steps" });
  });
});

describe("writeResolvedConfig", () => {
  test("writes config.json atomically and the run resolves to the same values from it", () => {
    const f = loadConfigFile(
      file("data: train.csv\nhidden: 64,32\nschedule: cosine\nwarmup: 2\npatience: 3\n"),
    );
    const cfg = resolveConfig(
      f,
      { lr: "0.02", "clip-norm": "1", checkpoint: "ck.bin", resume: "true" },
      { cwd: root },
    );
    const dir = join(root, "runs", "r1");
    const path = writeResolvedConfig(dir, cfg);
    assert.equal(path, join(dir, "config.json"));
    assert.deepEqual(readdirSync(dir), ["config.json"], "no temporary file left behind");
    const written = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    assert.deepEqual(
      Object.keys(written),
      TRAIN_OPTIONS.map((o) => o.name),
    );

    const again = resolveConfig(loadConfigFile(path), {});
    assert.deepEqual(again.values, cfg.values);
    assert.ok(Object.values(again.sources).every((s) => s === "file"));
    // Writing again replaces the file.
    writeResolvedConfig(dir, { ...cfg.values, epochs: 99 });
    assert.equal(loadConfigFile(path).values.epochs, 99);
    assert.deepEqual(readdirSync(dir), ["config.json"]);
  });

  test("refuses values that are not resolved", () => {
    const cfg = resolveConfig(null, {});
    throwsUser(
      () => writeResolvedConfig(join(root, "bad"), { ...cfg.values, save: "rel/model.onnx" }),
      /save path .* not absolute/,
    );
  });
});
