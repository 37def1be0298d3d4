"""Reference metric values from scikit-learn 1.2 for test/metrics.test.ts.

Run with Debian's interpreter (it has python3-sklearn):  /usr/bin/python3 scripts/gold/metrics.py
Writes test/fixtures/metrics.json.

Classification cases hold integer labels `yTrue`, a row-major n x k probability matrix `proba` (k = 1 means
one column holding P(class 1) of a binary problem), `yPred` = the predicted labels (numpy argmax of each row;
p > 0.5 for one column) and `expected`: metric name -> sklearn's value, or null where sklearn raises (the
message is kept in `raises`). Regression cases hold yTrue, yPred and the four regression metrics.

Expected calibration error is not in sklearn: it is computed here with numpy from its definition (equal-width
bins (b/B, (b+1)/B], confidence = the top probability, ECE = sum over bins of |bin| / n * |accuracy - mean
confidence|), independently of the TypeScript code.
"""

import json
import os
import warnings

import numpy as np
import sklearn
from sklearn import metrics as M
from sklearn.preprocessing import label_binarize

warnings.filterwarnings("ignore")  # zero-division and one-class warnings: the values are what we record

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "metrics.json")
rng = np.random.RandomState(20240611)


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def model_proba(y, k, skill, n_noise=1.0):
    """Probabilities of a model whose logit for the true class is raised by `skill`."""
    z = n_noise * rng.standard_normal((len(y), k))
    z[np.arange(len(y)), y] += skill
    return softmax(z)


def predictions(proba):
    if proba.shape[1] == 1:
        return (proba[:, 0] > 0.5).astype(np.int64)
    return proba.argmax(axis=1)


def ece(y, proba, bins):
    if proba.shape[1] == 1:
        p = proba[:, 0]
        conf = np.maximum(p, 1 - p)
    else:
        conf = proba.max(axis=1)
    correct = (predictions(proba) == y).astype(np.float64)
    edges = np.arange(bins + 1) / bins
    total = 0.0
    for b in range(bins):
        in_bin = (conf > edges[b]) & (conf <= edges[b + 1])
        if b == 0:
            in_bin |= conf == 0
        if in_bin.any():
            total += in_bin.mean() * abs(correct[in_bin].mean() - conf[in_bin].mean())
    return float(total)


def attempt(fn):
    try:
        return float(fn()), None
    except ValueError as e:
        return None, str(e)


cases = []


def classification(name, y, proba, num_classes):
    y = np.asarray(y, dtype=np.int64)
    proba = np.asarray(proba, dtype=np.float64)
    n, k = proba.shape
    pred = predictions(proba)
    labels = list(range(num_classes))
    scores = proba[:, 0] if k == 1 else proba
    positive = proba[:, 0] if k == 1 else proba[:, 1]
    exp, raises = {}, {}

    def put(key, fn):
        value, err = attempt(fn)
        exp[key] = value
        if err is not None:
            raises[key] = err

    put("accuracy", lambda: M.accuracy_score(y, pred))
    if num_classes == 2:
        put("precision", lambda: M.precision_score(y, pred))
        put("recall", lambda: M.recall_score(y, pred))
        put("f1", lambda: M.f1_score(y, pred))
    else:
        put("f1", lambda: M.f1_score(y, pred))  # sklearn raises: multiclass with average='binary'
    for avg in ("macro", "micro", "weighted"):
        put(f"precision_{avg}", lambda: M.precision_score(y, pred, average=avg))
        put(f"recall_{avg}", lambda: M.recall_score(y, pred, average=avg))
        put(f"f1_{avg}", lambda: M.f1_score(y, pred, average=avg))
    put("f1_macro_all_labels", lambda: M.f1_score(y, pred, average="macro", labels=labels))
    put("precision_macro_zero_division_1", lambda: M.precision_score(y, pred, average="macro", zero_division=1))
    put("recall_weighted_zero_division_1", lambda: M.recall_score(y, pred, average="weighted", zero_division=1))
    if num_classes == 2:
        put("roc_auc", lambda: M.roc_auc_score(y, positive))
        put("pr_auc", lambda: M.average_precision_score(y, positive))
    else:
        put("roc_auc", lambda: M.roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=labels))
        put("pr_auc", lambda: M.average_precision_score(label_binarize(y, classes=labels), proba, average="macro"))
    put("log_loss", lambda: M.log_loss(y, scores, labels=labels))
    if k == 1:
        put("top1_accuracy", lambda: M.top_k_accuracy_score(y, scores, k=1, labels=labels))
    elif k >= 3:
        for kk in range(1, k + 1):
            put(f"top{kk}_accuracy", lambda: M.top_k_accuracy_score(y, proba, k=kk, labels=labels))
    exp["ece"] = ece(y, proba, 15)
    exp["ece_10_bins"] = ece(y, proba, 10)
    entry = {
        "name": name,
        "numClasses": num_classes,
        "columns": k,
        "yTrue": y.tolist(),
        "yPred": pred.tolist(),
        "proba": proba.ravel().tolist(),
        "expected": exp,
        "confusionMatrix": M.confusion_matrix(y, pred, labels=labels).tolist(),
    }
    if raises:
        entry["raises"] = raises
    cases.append(entry)


def binary_scores(y, skill):
    """P(class 1) of a binary model."""
    return 1 / (1 + np.exp(-(skill * (2 * y - 1) + rng.standard_normal(len(y)))))


# --- binary
y = (rng.rand(200) < 0.4).astype(np.int64)
p = binary_scores(y, 1.0)
classification("binary random, two columns", y, np.c_[1 - p, p], 2)
classification("binary random, one column", y, p[:, None], 2)

y = (rng.rand(300) < 0.05).astype(np.int64)
p = binary_scores(y, 1.5)
classification("binary imbalanced 95/5", y, np.c_[1 - p, p], 2)

y = (rng.rand(120) < 0.5).astype(np.int64)
p = np.round(binary_scores(y, 0.7), 1)  # many tied scores, some exactly 0.5
classification("binary tied scores, one column", y, p[:, None], 2)
classification("binary tied scores, two columns", y, np.c_[1 - p, p], 2)

y = np.zeros(50, dtype=np.int64)
p = rng.rand(50)
classification("binary one class present (all 0)", y, p[:, None], 2)
y = np.ones(50, dtype=np.int64)
classification("binary one class present (all 1)", y, np.c_[1 - p, p], 2)

y = (rng.rand(40) < 0.5).astype(np.int64)
p = np.where(y == 1, 0.6 + 0.4 * rng.rand(40), 0.4 * rng.rand(40))
classification("binary all correct", y, p[:, None], 2)

y = (rng.rand(60) < 0.5).astype(np.int64)
p = rng.rand(60)
p[:10] = 0.0
p[10:20] = 1.0
classification("binary probabilities exactly 0 and 1 (log loss clipping)", y, p[:, None], 2)

y = (rng.rand(80) < 0.5).astype(np.int64)
p = np.full(80, 0.3)
classification("binary one constant score", y, np.c_[1 - p, p], 2)

# --- multi-class
y = rng.randint(0, 3, 150)
classification("multiclass 3 random", y, model_proba(y, 3, 1.0), 3)

y = rng.randint(0, 5, 300)
classification("multiclass 5 random", y, model_proba(y, 5, 1.2), 5)

y = np.repeat([0, 1, 2, 3], [200, 30, 10, 5])
rng.shuffle(y)
classification("multiclass 4 imbalanced", y, model_proba(y, 4, 1.5), 4)

y = rng.randint(0, 4, 120)
proba = model_proba(y, 4, 1.0)
proba[:, 2] *= 0.05
proba /= proba.sum(axis=1, keepdims=True)
assert not (proba.argmax(axis=1) == 2).any()
classification("multiclass 4, class 2 never predicted", y, proba, 4)

y = rng.randint(0, 4, 100)
y[y == 3] = 1  # class 3 never in yTrue
classification("multiclass 4, class 3 absent from yTrue", y, model_proba(y, 4, 1.0), 4)

rows = np.array([[0.25, 0.25, 0.5], [0.5, 0.25, 0.25], [0.25, 0.5, 0.25], [0.4, 0.4, 0.2], [0.2, 0.4, 0.4], [0.4, 0.2, 0.4]])
rows = np.vstack([rows, np.full((1, 3), 1 / 3)])
pick = rng.randint(0, len(rows), 90)
y = rng.randint(0, 3, 90)
classification("multiclass 3 tied scores", y, rows[pick], 3)

y = rng.randint(0, 10, 100)
proba = np.full((100, 10), 0.02)
proba[np.arange(100), y] = 0.82
classification("multiclass 10 all correct", y, proba, 10)

y = rng.randint(0, 3, 90)
classification("multiclass 3 no skill", y, model_proba(y, 3, 0.0), 3)

y = rng.randint(0, 4, 60)
proba = model_proba(y, 4, 2.0)
proba[:8] = 0.0
proba[np.arange(8), (y[:8] + 1) % 4] = 1.0  # confidently wrong: P(true class) = 0
proba[8:16] = 0.0
proba[np.arange(8, 16), y[8:16]] = 1.0
classification("multiclass 4 probabilities exactly 0 and 1", y, proba, 4)

y = np.array([0, 1, 2, 2, 1, 0, 3, 3, 3, 3, 3, 3], dtype=np.int64)
classification("multiclass 4 small, n=12", y, model_proba(y, 4, 0.8), 4)

# --- regression
regression = []


def reg(name, yt, yp):
    yt = np.asarray(yt, dtype=np.float64)
    yp = np.asarray(yp, dtype=np.float64)
    exp = {
        "mae": float(M.mean_absolute_error(yt, yp)),
        "mse": float(M.mean_squared_error(yt, yp)),
        "rmse": float(M.mean_squared_error(yt, yp, squared=False)),
        "r2": float(M.r2_score(yt, yp)),
    }
    exp = {k: (None if np.isnan(v) else v) for k, v in exp.items()}  # JSON has no NaN: null means NaN
    regression.append({"name": name, "yTrue": yt.tolist(), "yPred": yp.tolist(), "expected": exp})


yt = rng.standard_normal(200) * 3 + 1
reg("random normal", yt, yt + rng.standard_normal(200))
yt = 1e4 + rng.standard_normal(150)
reg("large offset", yt, yt + 0.3 * rng.standard_normal(150))
reg("constant yTrue, imperfect", np.full(30, 2.5), 2.5 + rng.standard_normal(30))
reg("constant yTrue, perfect", np.full(30, 2.5), np.full(30, 2.5))
reg("perfect", yt[:50], yt[:50])
reg("one sample (r2 undefined)", [3.0], [2.0])
reg("integers, worse than the mean", rng.randint(0, 10, 40), rng.randint(0, 10, 40))
reg("two samples", [1.0, 2.0], [1.5, 1.5])

with open(OUT, "w") as f:
    json.dump(
        {
            "generator": "scripts/gold/metrics.py",
            "sklearn": sklearn.__version__,
            "classification": cases,
            "regression": regression,
        },
        f,
    )
    f.write("\n")
print(f"wrote {len(cases)} classification and {len(regression)} regression cases to {os.path.normpath(OUT)}")
