/**
 * `nncoach diagnose <dir>`: reads the run saved in <dir> (run.json, written with the model by `--save` or
 * with the checkpoints by `--checkpoint`) and prints what the coach finds wrong with it, most important
 * first, ending with the one command to run next: the same block `nncoach train` printed after training.
 *
 *   nncoach diagnose runs/wine            # text
 *   nncoach diagnose runs/wine --json     # {"findings": [...], "next_command": "..."}
 */
import { runDiagnosis } from "../coach/diagnosis/render.js";
import { readRunRecord } from "../coach/diagnosis/run-file.js";
import { UserError } from "../errors.js";
import { parseCommandArgs } from "./args.js";

const HELP = `usage: nncoach diagnose <run-dir> [--json]

Reads the run saved in <run-dir> (run.json: its curves, health records, data summary and audit, written by
nncoach train with --save <dir> or --checkpoint <dir>) and names what went wrong: diverged or unstable
training, exploding or vanishing gradients, dead or saturated units, a learning rate too high or too low,
over- or underfitting, imbalance, leakage, label noise and more, each with its evidence and the changes of
training options to try, most important first. The last line is the next command to run.

options
  --json       print {"findings": [...], "next_command": "..."} as one JSON line
  -h, --help   show this help
`;

/**
 * Runs `nncoach diagnose` with the arguments after "diagnose"; returns the exit code (0). A missing or
 * unreadable run is a UserError saying which file is missing and which command writes it.
 *
 * @param argv e.g. ["runs/wine", "--json"]
 * @param out where to write (default process.stdout)
 */
export async function diagnoseCommand(
  argv: string[],
  out: { write(text: string): unknown } = process.stdout,
): Promise<number> {
  const { values, positionals } = parseCommandArgs("diagnose", argv, {
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    out.write(HELP);
    return 0;
  }
  if (positionals.length !== 1)
    throw new UserError(
      positionals.length === 0
        ? "give the folder of a saved run"
        : `expected one run folder, got ${positionals.length}: ${positionals.join(" ")}`,
      "usage: nncoach diagnose <run-dir> [--json] (see nncoach diagnose --help)",
    );
  const { findings, text, nextCommand } = runDiagnosis(readRunRecord(positionals[0]!));
  out.write(values.json ? `${JSON.stringify({ findings, next_command: nextCommand })}\n` : text);
  return 0;
}
