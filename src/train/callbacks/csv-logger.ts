import fs from "node:fs";
import path from "node:path";
import { UserError } from "../../errors.js";
import { writeFileAtomic } from "../../util/atomic-write.js";
import type { Callback, EpochLogs, FitState } from "../callback.js";

/** Options of {@link CsvLogger}. */
export interface CsvLoggerOptions {
  /**
   * Add rows to an existing file (e.g. when resuming) instead of starting it afresh. Its header gives the
   * columns. When training resumes from a checkpoint (the loop's history already holds epochs), rows of
   * epochs after the checkpoint's last one, logged before a crash, are dropped so no epoch appears twice.
   * Default false.
   */
  append?: boolean;
  /** Column separator, one character. Default ",". */
  separator?: string;
}

/**
 * Writes one CSV row per epoch with every entry of the epoch logs (`epoch`, `train_loss`, `val_loss`,
 * validation metrics, `lr`, ...), written to disk at the end of each epoch so the file can be watched
 * while training runs. Columns keep a stable order: `epoch` first, then the keys in the order the first
 * epoch logged them. A key that appears only later is added as a new column and the file is rewritten
 * with it (earlier rows get an empty cell); an epoch missing a key gets an empty cell too. Numbers are
 * written at full precision (NaN as "NaN").
 *
 * @param file CSV file to write; its folder is created when missing.
 * @param options `append` (false): keep an existing file's rows and add to them; `separator` (",").
 *
 * @example
 * await fit(trainer, train, { epochs: 20, batchSize: 32, lr: 1e-3, validation,
 *   callbacks: [new CsvLogger("runs/exp1/history.csv")] });
 * // epoch,train_loss,val_loss,val_accuracy,lr
 * // 1,0.6931,0.6512,0.81,0.001
 */
export class CsvLogger implements Callback {
  readonly file: string;
  readonly append: boolean;
  readonly separator: string;
  private columns: string[] = [];
  private rows: Record<string, string>[] = [];

  constructor(file: string, options: CsvLoggerOptions = {}) {
    if (typeof file !== "string" || file.trim() === "")
      throw new UserError(
        `CsvLogger: file must be a path such as "history.csv"; received ${JSON.stringify(file)}`,
      );
    if (typeof options !== "object" || options === null)
      throw new UserError(`CsvLogger: options must be an object; received ${String(options)}`);
    const append = options.append ?? false;
    if (typeof append !== "boolean")
      throw new UserError(`CsvLogger: append must be true or false; received ${String(append)}`);
    const sep = options.separator ?? ",";
    if (typeof sep !== "string" || sep.length !== 1 || /[\r\n"0-9A-Za-z.+-]/.test(sep))
      throw new UserError(
        `CsvLogger: separator must be one character that cannot appear in a number or a quote; received ${JSON.stringify(sep)}`,
      );
    this.file = file;
    this.append = append;
    this.separator = sep;
  }

  onTrainBegin(s?: FitState): void {
    this.columns = [];
    this.rows = [];
    try {
      fs.mkdirSync(path.dirname(path.resolve(this.file)), { recursive: true });
    } catch (e) {
      throw new UserError(`CsvLogger: cannot create the folder of ${this.file}: ${(e as Error).message}`);
    }
    if (this.append && fs.existsSync(this.file)) {
      this.readExisting();
      // resuming after epoch k: rows of later epochs were logged after the checkpoint and will be run again
      const resumedAfter = s?.history.at(-1)?.epoch;
      if (resumedAfter !== undefined && this.columns.includes("epoch")) {
        const kept = this.rows.filter((r) => !(Number(r.epoch) > resumedAfter));
        if (kept.length < this.rows.length) {
          this.rows = kept;
          this.rewrite();
        }
      }
    }
    if (this.rows.length === 0 && this.columns.length === 0) this.write(""); // start afresh
  }

  onEpochEnd(_epoch: number, logs: EpochLogs, _s?: FitState): void {
    const row: Record<string, string> = {};
    const keys = Object.keys(logs).filter((k) => logs[k] !== undefined);
    for (const k of keys) row[k] = cell(logs[k]);
    const fresh = this.columns.length === 0;
    const added = keys.filter((k) => !this.columns.includes(k));
    if (added.length > 0) {
      // epoch first, then the order the logs give
      if (fresh && added.includes("epoch")) this.columns.push("epoch");
      for (const k of added) if (!this.columns.includes(k)) this.columns.push(k);
    }
    this.rows.push(row);
    if (fresh || added.length > 0) this.rewrite();
    else fs.appendFileSync(this.file, this.line(row));
  }

  private line(row: Record<string, string>): string {
    return `${this.columns.map((c) => row[c] ?? "").join(this.separator)}\n`;
  }

  private rewrite(): void {
    const text = [this.columns.join(this.separator), "\n", ...this.rows.map((r) => this.line(r))].join("");
    this.write(text);
  }

  private write(text: string): void {
    writeFileAtomic(this.file, text);
  }

  private readExisting(): void {
    const text = fs.readFileSync(this.file, "utf8");
    const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
    if (lines.length === 0) return;
    this.columns = lines[0]!.split(this.separator);
    for (const [i, l] of lines.slice(1).entries()) {
      const cells = l.split(this.separator);
      if (cells.length !== this.columns.length)
        throw new UserError(
          `CsvLogger: ${this.file} line ${i + 2} has ${cells.length} cells but the header has ${this.columns.length}`,
          "append only to a file this logger wrote, or pass append: false to start it afresh",
        );
      this.rows.push(Object.fromEntries(this.columns.map((c, j) => [c, cells[j]!])));
    }
  }
}

function cell(v: number | undefined): string {
  if (v === undefined) return "";
  return Number.isNaN(v) ? "NaN" : String(v);
}
