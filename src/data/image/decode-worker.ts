/**
 * The worker thread of the decode pool (decode-pool.ts): reads and decodes the files of each task it is
 * sent and answers with their 8-bit pixels (toPixels at the task's size and channels) and what each file
 * was, or why it could not be read.
 */
import { readFileSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { UserError } from "../../errors.js";
import { decodeImage } from "./decode-image.js";
import type { DecodeReply, DecodeTask, FileOutcome } from "./decode-pool.js";
import { toPixels } from "./pixels.js";

parentPort!.on("message", (task: DecodeTask) => {
  const { channels, height, width } = task;
  const per = channels * height * width;
  const pixels = new Uint8Array(task.files.length * per);
  const outcomes: FileOutcome[] = task.files.map((file, k) => {
    try {
      const d = decodeImage(readFileSync(file), file);
      pixels.set(toPixels(d, channels, height, width), k * per);
      return { width: d.width, height: d.height, channels: d.channels };
    } catch (e) {
      if (e instanceof UserError) return { error: e.message.split("\n")[0]!, hint: e.hint };
      return { error: `${file}: cannot read the file (${(e as Error).message})` };
    }
  });
  const reply: DecodeReply = { id: task.id, outcomes, pixels };
  parentPort!.postMessage(reply, [pixels.buffer]);
});
