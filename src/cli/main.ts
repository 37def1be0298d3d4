#!/usr/bin/env node
/**
 * The nncoach command line. Each command lives in its own file; a UserError is printed without a stack
 * trace (exit code 2), anything else is a bug and is printed in full (exit code 1).
 */
import { UserError } from "../errors.js";

const HELP = `nncoach: audit your data, train fast, read the curves, fix one thing at a time.

usage: nncoach <command> [options]

commands
  train <data> --target <col>        train a network (see nncoach train --help)
  predict <model-dir> <data> --out <file>   apply a saved model
  audit <data> --target <col>        check the data before training (duplicates, leakage, label issues)
  lr-find <data> --target <col>      sweep the learning rate and suggest one (--plot lr.png)
  diagnose <run-dir>                 name what is wrong with a saved run, with evidence and the next command
  improve <data> --target <col> --budget 5m --out <dir>   the recipe's tuning plan, run for you
  sweep <data> --target <col> --space space.yaml --trials 20 --budget 5m   hyperparameter search (TPE, ASHA)
  worker --queue redis://host:port   train the trials of \`improve --queue\` on this machine
  runs <list|show|compare|rm|export>  the experiment store: every run recorded (see nncoach runs --help)
  ui [--port 6006] [--host 127.0.0.1] [--store <file>]   the dashboard of the store, in your browser
`;

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  train: async () => (await import("./train.js")).trainCommand,
  predict: async () => (await import("./predict.js")).predictCommand,
  audit: async () => (await import("./audit.js")).auditCommand,
  "lr-find": async () => (await import("./lr-find.js")).lrFindCommand,
  improve: async () => (await import("./improve.js")).improveCommand,
  sweep: async () => (await import("./sweep.js")).sweepCommand,
  worker: async () => (await import("./worker.js")).workerCommand,
  runs: async () => (await import("./runs.js")).runsCommand,
  ui: async () => (await import("./ui.js")).uiCommand,
  diagnose: async () => {
    const { diagnoseCommand } = await import("./diagnose.js");
    return (argv: string[]) => diagnoseCommand(argv, process.stdout);
  },
};

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === "--help" || cmd === "-h" || cmd === "help") {
    process.stdout.write(HELP);
    return cmd ? 0 : 1;
  }
  const load = COMMANDS[cmd];
  if (!load) {
    const { closestMatch } = await import("../errors.js");
    const near = closestMatch(cmd, Object.keys(COMMANDS));
    throw new UserError(
      `unknown command '${cmd}'`,
      `${near ? `did you mean '${near}'? ` : ""}commands: ${Object.keys(COMMANDS).join(", ")}`,
    );
  }
  return (await load())(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UserError) {
      process.stderr.write(`nncoach: ${e.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`nncoach: internal error (please report): ${(e as Error)?.stack ?? e}\n`);
      process.exitCode = 1;
    }
  },
);
