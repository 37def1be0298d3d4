"""Reference balanced class weights from scikit-learn 1.2 (compute_class_weight("balanced")).

Writes test/fixtures/class_weights.json: for each case, the label list and sklearn's weights, used by
test/data-imbalance.test.ts. Run: /usr/bin/python3 scripts/gold/class_weights.py
"""
import json
import os

import numpy as np
import sklearn
from sklearn.utils.class_weight import compute_class_weight

cases = []
for counts in ([50, 50], [90, 10], [5, 20, 75], [1, 2, 3, 4, 100], [267, 168]):
    y = np.concatenate([np.full(c, k) for k, c in enumerate(counts)])
    classes = np.arange(len(counts))
    w = compute_class_weight("balanced", classes=classes, y=y)
    cases.append({"counts": counts, "weights": [float(v) for v in w]})

out = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "class_weights.json")
with open(out, "w") as f:
    json.dump({"sklearn": sklearn.__version__, "cases": cases}, f, indent=1)
print("wrote", out)
