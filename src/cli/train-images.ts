/** The image-folder branch of `nncoach train <folder>`: runs trainImages and reports like the table branch. */
import { ortBackend } from "../engine/ort-backend.js";
import type { ResolvedConfig } from "../train/config.js";
import { type ImageTrainResult, trainImages } from "../train/train-images.js";
import { fmt } from "./output.js";

/** Trains on the image folder of `resolved.values.data`; progress goes to `out`, JSON (if asked) to stdout. */
export async function trainImageFolder(
  resolved: ResolvedConfig,
  out: (line: string) => void,
  json: boolean,
): Promise<number> {
  if (resolved.values.target !== null)
    out(`note: --target is ignored for an image folder (the classes are its subfolders)`);
  const result = await trainImages(resolved, {
    log: out,
    callbacks: [
      {
        onEpochEnd: (_e, logs, s) => {
          out(
            `epoch ${String(logs.epoch).padStart(String(s.epochs).length)}/${s.epochs}  train_loss ${fmt(logs.train_loss)}  val_loss ${fmt(logs.val_loss)}  val_accuracy ${fmt(logs.val_accuracy)}  lr ${fmt(logs.lr as number)}`,
          );
        },
      },
    ],
  });
  report(result, out);
  await result.trainer.release();
  if (json)
    process.stdout.write(
      `${JSON.stringify({
        task: "classification",
        input: "images",
        engine: ortBackend,
        classes: result.classes,
        image_shape: result.imageShape,
        epochs_run: result.epochsRun,
        stop_reason: result.stopReason,
        train_samples_per_second: result.trainSamplesPerSecond,
        history: result.history,
        val: result.val,
        test: result.test,
        frozen: result.frozen,
        notices: result.notices,
        saved_to: result.savedTo,
        config: result.config,
      })}\n`,
    );
  return 0;
}

function report(r: ImageTrainResult, out: (l: string) => void): void {
  for (const n of r.notices) out(`note: ${n}`);
  if (r.stopReason) out(`stopped early: ${r.stopReason}`);
  out(`validation (${r.val.samples} images): accuracy ${fmt(r.val.accuracy)}, loss ${fmt(r.val.loss)}`);
  if (r.test)
    out(
      `test (${r.test.samples} images, evaluated once, at the end): accuracy ${fmt(r.test.accuracy)}, loss ${fmt(r.test.loss)}`,
    );
  out(`training speed: ${Math.round(r.trainSamplesPerSecond)} samples/s`);
  if (r.savedTo) out(`saved model.onnx, preprocess.json and config.json to ${r.savedTo}`);
}
