"""Optuna's own TPE on the search space of bench/sweep-tpe.ts, with nncoach's training as the objective.

For each dataset and sweep seed, starts `node dist/bench/sweep-objective.js` (nncoach trains a trial exactly
as `nncoach sweep` does: the seeded split prepared once, the validation objective), and runs an Optuna 3.1
study with its default TPESampler(seed=seed), no pruner, the same number of trials, on the same space:

    lr: log-uniform [1e-4, 3e-2]; hidden: {"32", "64,64", "128,128"}; dropout: uniform [0, 0.3];
    batch-size: {16, 32, 64}; epochs fixed.

Prints one JSON object: per dataset and seed, the best value and every trial's value.

Run (after npx tsc): /usr/bin/python3 scripts/gold/optuna_tpe.py [--seeds 10] [--trials 20] [--epochs 20] \
    > bench/results/optuna-tpe.json
"""
import argparse
import json
import subprocess
import sys

import optuna

DATASETS = {"wine": ("wine.csv", "cultivar"), "breast_cancer": ("breast_cancer.csv", "diagnosis")}

p = argparse.ArgumentParser()
p.add_argument("--seeds", type=int, default=10)
p.add_argument("--trials", type=int, default=20)
p.add_argument("--epochs", type=int, default=20)
p.add_argument("--metric", default="log_loss")
p.add_argument("--only", default="wine,breast_cancer")
p.add_argument("--shared", default="/work/shared/datasets")
args = p.parse_args()
optuna.logging.set_verbosity(optuna.logging.WARNING)

results = []
for name in args.only.split(","):
    file, target = DATASETS[name]
    for seed in range(args.seeds):
        server = subprocess.Popen(
            ["node", "dist/bench/sweep-objective.js", "--data", f"{args.shared}/{file}", "--target", target,
             "--seed", str(seed), "--metric", args.metric, "--epochs", str(args.epochs)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

        def objective(trial):
            config = {
                "lr": trial.suggest_float("lr", 1e-4, 3e-2, log=True),
                "hidden": trial.suggest_categorical("hidden", ["32", "64,64", "128,128"]),
                "dropout": trial.suggest_float("dropout", 0.0, 0.3),
                "batchSize": trial.suggest_categorical("batchSize", [16, 32, 64]),
            }
            server.stdin.write(json.dumps(config) + "\n")
            server.stdin.flush()
            out = json.loads(server.stdout.readline())
            if out["val"] is None:
                raise optuna.TrialPruned()  # a failed training: no value (nncoach's sweep records it failed)
            return out["val"]

        direction = "minimize" if args.metric in ("log_loss", "rmse", "mae") else "maximize"
        study = optuna.create_study(direction=direction, sampler=optuna.samplers.TPESampler(seed=seed))
        study.optimize(objective, n_trials=args.trials)
        server.stdin.close()
        server.wait()
        values = [t.value for t in study.trials]
        results.append({"dataset": name, "seed": seed, "best": study.best_value, "values": values})
        print(f"{name} seed {seed}: best {study.best_value:.4g}", file=sys.stderr)

print(json.dumps({"optuna": optuna.__version__, "sampler": "TPESampler(seed=seed) defaults", "metric": args.metric,
                  "trials": args.trials, "epochs": args.epochs, "results": results}))
