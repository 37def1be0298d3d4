"""Reference probabilities for the audit's logistic regression (src/data/audit/logistic-regression.ts).

scikit-learn 1.2: StandardScaler (population std) then LogisticRegression(C=1) fitted to convergence on all
rows of wine (3 classes, multinomial) and breast_cancer (2 classes, binary). Classes are in sorted order,
as the audit orders them. Writes test/fixtures/audit_logistic_regression.json.

The solver is newton-cg with tol=1e-8, which reaches the optimum (largest gradient component ~1e-8);
the default lbfgs stops on scipy's change-of-objective rule with gradients near 3e-4, about 1e-4 away
in probability, which would hide real differences.

Run: /usr/bin/python3 scripts/gold/audit_logistic_regression.py
"""

import csv
import json
import os

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def load(name):
    with open(os.path.join(ROOT, "test", "data", "audit", name), newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    x = np.array([[float(v) for v in r[:-1]] for r in body])
    classes = sorted(set(r[-1] for r in body))
    y = np.array([classes.index(r[-1]) for r in body])
    return header, x, y, classes


def reference(name):
    header, x, y, classes = load(name)
    z = StandardScaler().fit_transform(x)
    model = LogisticRegression(C=1.0, solver="newton-cg", tol=1e-8, max_iter=1000).fit(z, y)
    p = model.predict_proba(z)
    return {
        "file": name,
        "target": header[-1],
        "classes": classes,
        "probabilities": [[round(float(v), 8) for v in row] for row in p],
    }


def main():
    out = {"wine": reference("wine.csv"), "breast_cancer": reference("breast_cancer.csv")}
    path = os.path.join(ROOT, "test", "fixtures", "audit_logistic_regression.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
