/**
 * Where a study's state lives between trials, so that Ctrl-C or SIGKILL followed by `--resume` continues
 * after the last finished trial with the same ledger. The state is one JSON-serializable object, saved
 * after every finished trial. Two implementations here (in memory, and a JSON file written atomically:
 * temp file, fsync, rename, so a kill never leaves half a file); the experiment store adds SQLite.
 */
import fs from "node:fs";
import path from "node:path";
import { UserError } from "../../errors.js";
import { writeJsonAtomic } from "../../util/atomic-write.js";

export interface StudyStore<S> {
  /** The saved state, or undefined when nothing was saved yet. */
  load(): S | undefined;
  save(state: S): void;
}

export class MemoryStudyStore<S> implements StudyStore<S> {
  private state: string | undefined;
  load(): S | undefined {
    return this.state === undefined ? undefined : (JSON.parse(this.state) as S);
  }
  save(state: S): void {
    this.state = JSON.stringify(state);
  }
}

export class FileStudyStore<S> implements StudyStore<S> {
  constructor(readonly file: string) {}
  load(): S | undefined {
    if (!fs.existsSync(this.file)) return undefined;
    try {
      return JSON.parse(fs.readFileSync(this.file, "utf8")) as S;
    } catch (e) {
      throw new UserError(
        `${this.file}: the saved study cannot be read (${(e as Error).message})`,
        "remove the file to start the study again, or choose another --out folder",
      );
    }
  }
  save(state: S): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    writeJsonAtomic(this.file, state);
  }
}
