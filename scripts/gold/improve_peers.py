"""scikit-learn peers for bench/improve-datasets.ts, on exactly the split and model inputs nncoach used.

Reads one JSON file (task, metric, seed, x_train, y_train, x_test, y_test: the training + validation
rows and the test rows, preprocessed as nncoach's lock step does), fits MLPClassifier/MLPRegressor with
defaults (random_state = seed) and HistGradientBoostingClassifier/Regressor with defaults, and prints
{"mlp": <test metric>, "hgb": <test metric>} with the same metric as the nncoach study.

Run: /usr/bin/python3 scripts/gold/improve_peers.py split.json
"""
import json
import sys
import warnings

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import (accuracy_score, f1_score, log_loss, mean_absolute_error, mean_squared_error,
                             r2_score, roc_auc_score)
from sklearn.neural_network import MLPClassifier, MLPRegressor

warnings.simplefilter("ignore", ConvergenceWarning)

d = json.load(open(sys.argv[1]))
x_tr, y_tr = np.array(d["x_train"]), np.array(d["y_train"])
x_te, y_te = np.array(d["x_test"]), np.array(d["y_test"])
seed, metric = d["seed"], d["metric"]


def score(model):
    model.fit(x_tr, y_tr)
    if d["task"] == "regression":
        p = model.predict(x_te)
        return {"rmse": float(np.sqrt(mean_squared_error(y_te, p))), "mae": float(mean_absolute_error(y_te, p)),
                "r2": float(r2_score(y_te, p))}[metric]
    proba = model.predict_proba(x_te)
    pred = model.classes_[proba.argmax(1)]
    if metric == "accuracy":
        return float(accuracy_score(y_te, pred))
    if metric == "f1_macro":
        return float(f1_score(y_te, pred, average="macro"))
    if metric == "roc_auc":
        return float(roc_auc_score(y_te, proba[:, 1]) if proba.shape[1] == 2 else roc_auc_score(y_te, proba, multi_class="ovr"))
    if metric == "log_loss":
        return float(log_loss(y_te, proba, labels=model.classes_))
    raise SystemExit(f"unknown metric {metric}")


if d["task"] == "regression":
    out = {"mlp": score(MLPRegressor(random_state=seed)), "hgb": score(HistGradientBoostingRegressor(random_state=seed))}
else:
    y_tr = y_tr.astype(int)
    y_te = y_te.astype(int)
    out = {"mlp": score(MLPClassifier(random_state=seed)), "hgb": score(HistGradientBoostingClassifier(random_state=seed))}
print(json.dumps(out))
