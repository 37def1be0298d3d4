/** `nncoach train <data> --target <col> [options]`: train a network on a table and report. */

import { UserError } from "../errors.js";
import { ACTIVATIONS } from "../nn/activations.js";
import { LOSSES } from "../nn/losses/index.js";
import { OPTIMIZERS } from "../optim/index.js";
import { trainTabular } from "../train/train-tabular.js";
import { choiceOption, intOption, listOption, numberOption, parseCommandArgs } from "./args.js";
import { fmt, progressWriter } from "./output.js";

export const TRAIN_HELP = `usage: nncoach train <train.csv> --target <col> [options]

data
  --target <col>             column to predict (required)
  --validation-data <file>   validation file; the whole first file is then training data
                             (default: one seeded stratified 70/15/15 split; the test part is
                             evaluated once, at the end)
  --task classification|regression   default: numeric target = regression
model
  --hidden 256,256           hidden layer sizes
  --activation relu          ${ACTIVATIONS.filter((a) => a !== "linear").join("|")}
  --dropout 0                dropout rate after each hidden layer
  --norm none                none|batch|layer
  --loss auto                ${LOSSES.join("|")} (auto: BCE for 2 classes, sparse CE, MSE)
  --label-smoothing 0        --huber-delta 1   --focal-gamma 2
  --class-weights none       none|balanced
optimization
  --optimizer adam           ${OPTIMIZERS.join("|")}
  --lr 1e-3                  --weight-decay 0   --momentum 0.9 (sgd)
  --batch-size 32            --epochs 20
  --clip-norm <n>            clip gradients by global norm    --clip-value <v>
run
  --seed 0                   --threads <n> (default: all cores)
  --save <dir>               write model.onnx, preprocess.json, config.json
  --json                     last line of stdout: one JSON object with the results
`;

const OPTIONS = {
  target: { type: "string" },
  "validation-data": { type: "string" },
  task: { type: "string" },
  hidden: { type: "string" },
  activation: { type: "string" },
  dropout: { type: "string" },
  norm: { type: "string" },
  loss: { type: "string" },
  "label-smoothing": { type: "string" },
  "huber-delta": { type: "string" },
  "focal-gamma": { type: "string" },
  "class-weights": { type: "string" },
  optimizer: { type: "string" },
  lr: { type: "string" },
  "weight-decay": { type: "string" },
  momentum: { type: "string" },
  "batch-size": { type: "string" },
  epochs: { type: "string" },
  "clip-norm": { type: "string" },
  "clip-value": { type: "string" },
  seed: { type: "string" },
  threads: { type: "string" },
  save: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export async function trainCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseCommandArgs("train", argv, OPTIONS);
  if (v.help) {
    process.stdout.write(TRAIN_HELP);
    return 0;
  }
  if (positionals.length !== 1)
    throw new UserError(
      "nncoach train needs exactly one data file",
      "usage: nncoach train <train.csv> --target <col>",
    );
  if (!v.target)
    throw new UserError("nncoach train: --target <column> is required", "name the column to predict");
  const json = Boolean(v.json);
  const out = progressWriter(json);
  const lr = numberOption("lr", v.lr);
  if (lr !== undefined && !(lr > 0)) throw new UserError(`--lr must be > 0, got ${v.lr}`);
  const dropout = numberOption("dropout", v.dropout);
  if (dropout !== undefined && !(dropout >= 0 && dropout < 1))
    throw new UserError(`--dropout must be in [0, 1), got ${v.dropout}`);
  const clipNorm = numberOption("clip-norm", v["clip-norm"]);
  if (clipNorm !== undefined && !(clipNorm > 0))
    throw new UserError(`--clip-norm must be > 0, got ${v["clip-norm"]}`);
  const clipValue = numberOption("clip-value", v["clip-value"]);
  if (clipValue !== undefined && !(clipValue > 0))
    throw new UserError(`--clip-value must be > 0, got ${v["clip-value"]}`);
  const weightDecay = numberOption("weight-decay", v["weight-decay"]);
  if (weightDecay !== undefined && !(weightDecay >= 0))
    throw new UserError(`--weight-decay must be >= 0, got ${v["weight-decay"]}`);

  const result = await trainTabular(
    {
      data: positionals[0]!,
      target: v.target,
      validationData: v["validation-data"],
      task: choiceOption("task", v.task, ["classification", "regression"] as const),
      hidden: listOption("hidden", v.hidden),
      activation: choiceOption("activation", v.activation, ACTIVATIONS),
      dropout,
      norm: choiceOption("norm", v.norm, ["none", "batch", "layer"] as const),
      loss: choiceOption("loss", v.loss, LOSSES),
      labelSmoothing: numberOption("label-smoothing", v["label-smoothing"]),
      huberDelta: numberOption("huber-delta", v["huber-delta"]),
      focalGamma: numberOption("focal-gamma", v["focal-gamma"]),
      classWeights: choiceOption("class-weights", v["class-weights"], ["none", "balanced"] as const),
      optimizer: choiceOption("optimizer", v.optimizer, OPTIMIZERS),
      lr,
      weightDecay,
      momentum: numberOption("momentum", v.momentum),
      batchSize: intOption("batch-size", v["batch-size"]),
      epochs: intOption("epochs", v.epochs),
      clipNorm,
      clipValue,
      seed: intOption("seed", v.seed, 0),
      threads: intOption("threads", v.threads),
      save: v.save,
    },
    {
      log: out,
      callbacks: [
        {
          onEpochEnd: (_e, logs, s) => {
            const metric =
              logs.val_accuracy !== undefined
                ? `val_accuracy ${fmt(logs.val_accuracy)}`
                : `val_mae ${fmt(logs.val_mae)}`;
            out(
              `epoch ${String(logs.epoch).padStart(String(s.epochs).length)}/${s.epochs}  train_loss ${fmt(logs.train_loss)}  val_loss ${fmt(logs.val_loss)}  ${metric}`,
            );
          },
        },
      ],
    },
  );
  for (const n of result.notices) out(`note: ${n}`);
  const describe = (e: { loss: number; accuracy?: number; mae?: number }) =>
    e.accuracy !== undefined
      ? `accuracy ${fmt(e.accuracy)}, loss ${fmt(e.loss)}`
      : `MAE ${fmt(e.mae)}, loss ${fmt(e.loss)}`;
  out(`validation: ${describe(result.val)}`);
  if (result.test) out(`test (evaluated once, at the end): ${describe(result.test)}`);
  out(`training speed: ${Math.round(result.trainSamplesPerSecond)} samples/s`);
  if (result.savedTo) out(`saved model.onnx, preprocess.json and config.json to ${result.savedTo}`);
  await result.trainer.release();
  if (json) {
    const metricKey = result.task === "classification" ? "val_accuracy" : "val_mae";
    process.stdout.write(
      `${JSON.stringify({
        task: result.task,
        classes: result.classes,
        epochs_run: result.epochsRun,
        train_samples_per_second: result.trainSamplesPerSecond,
        history: result.history.map((h) => ({
          epoch: h.epoch,
          train_loss: h.train_loss,
          val_loss: h.val_loss,
          [metricKey]: h[metricKey],
          lr: h.lr,
        })),
        val: result.val,
        test: result.test,
        notices: result.notices,
        saved_to: result.savedTo,
        config: result.config,
      })}\n`,
    );
  }
  return 0;
}
