"""Reference values for nncoach improve's statistics, from SciPy and scikit-learn.

- Student's t upper quantiles (scipy.stats.t.ppf) for the keep rule's threshold.
- Ridge regression (sklearn.linear_model.Ridge, alpha=1) on the standardized diabetes table: the
  coefficients and intercept of the non-neural reference for regression.

Run: /usr/bin/python3 scripts/gold/improve_statistics.py > test/fixtures/improve_statistics.json
"""
import csv
import json

import numpy as np
from scipy import stats
from sklearn.linear_model import Ridge

quantiles = []
for p in [0.025, 0.0125, 0.025 / 3, 0.00625, 0.005]:
    for df in [1, 2, 4, 9, 29]:
        quantiles.append({"p": p, "df": df, "t": float(stats.t.ppf(1 - p, df))})

with open("/work/shared/datasets/diabetes.csv") as f:
    rows = list(csv.reader(f))
header, body = rows[0], rows[1:]
target = header.index("progression")
x = np.array([[float(v) for j, v in enumerate(r) if j != target] for r in body])
y = np.array([float(r[target]) for r in body])
x = (x - x.mean(0)) / x.std(0)
m = Ridge(alpha=1.0).fit(x, y)
print(json.dumps({
    "t_quantiles": quantiles,
    "ridge": {"alpha": 1.0, "x": x.tolist(), "y": y.tolist(), "coef": m.coef_.tolist(), "intercept": float(m.intercept_)},
}))
