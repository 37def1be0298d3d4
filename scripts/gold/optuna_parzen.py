"""Reference values for nncoach sweep's samplers, from Optuna 3.1 and SciPy (Debian python3-optuna, python3-scipy).

- Optuna 3.1's univariate _ParzenEstimator (TPESampler's defaults: prior weight 1, magic clip, no
  endpoints, default_weights) on fixed observations of float, log-float, int, log-int and categorical
  params: its component means and widths, its log density (`lp_optuna`), and the same mixture with each
  truncated normal's -log(sigma) term (`lp_true`: Optuna 3.1's _truncnorm.logpdf leaves it out; nncoach
  uses the true density).
- The first 64 points of the unscrambled Sobol sequence in 40 dimensions (scipy.stats.qmc.Sobol).

Run: /usr/bin/python3 scripts/gold/optuna_parzen.py > test/fixtures/optuna_parzen.json
"""
import json

import numpy as np
from optuna import distributions as D
from optuna.samplers._tpe import _truncnorm as T
from optuna.samplers._tpe.parzen_estimator import _ParzenEstimator, _ParzenEstimatorParameters
from optuna.samplers._tpe.sampler import default_weights
from scipy.special import logsumexp
from scipy.stats import qmc

P = _ParzenEstimatorParameters(True, 1.0, True, False, default_weights, False)
rs = np.random.RandomState(0)
cases = []
specs = [
    ("float", {"kind": "float", "low": 0.0, "high": 0.3, "log": False}, D.FloatDistribution(0, 0.3),
     rs.uniform(0, 0.3, 7), np.linspace(0, 0.3, 9)),
    ("logfloat", {"kind": "float", "low": 1e-4, "high": 1e-2, "log": True}, D.FloatDistribution(1e-4, 1e-2, log=True),
     np.exp(rs.uniform(np.log(1e-4), np.log(1e-2), 30)), np.exp(np.linspace(np.log(1e-4), np.log(1e-2), 7))),
    ("int", {"kind": "int", "low": 1, "high": 10, "log": False}, D.IntDistribution(1, 10),
     rs.randint(1, 11, 5).astype(float), np.arange(1, 11).astype(float)),
    ("logint", {"kind": "int", "low": 16, "high": 256, "log": True}, D.IntDistribution(16, 256, log=True),
     rs.randint(16, 257, 4).astype(float), np.array([16.0, 20, 64, 200, 256])),
    ("categorical", {"kind": "categorical", "choices": ["a", "b", "c"]}, D.CategoricalDistribution([0, 1, 2]),
     rs.randint(0, 3, 6).astype(float), np.array([0, 1, 2])),
    ("empty", {"kind": "float", "low": 0.0, "high": 1.0, "log": False}, D.FloatDistribution(0, 1),
     np.array([]), np.array([0.1, 0.5])),
    ("one", {"kind": "float", "low": 0.0, "high": 1.0, "log": False}, D.FloatDistribution(0, 1),
     np.array([0.9]), np.array([0.1, 0.5, 0.95])),
]
for name, param, dist, obs, pts in specs:
    pe = _ParzenEstimator({"x": obs}, {"x": dist}, P)
    x = pts.astype(int) if name == "categorical" else pts
    lp = pe.log_pdf({"x": x})
    mus, sigmas = pe._mus["x"], pe._sigmas["x"]
    lp_true = lp
    if param["kind"] == "float" or (param["kind"] == "int" and param["log"]):
        low, high = pe._low["x"], pe._high["x"]
        z = np.log(pts) if param["log"] else pts
        comp = T.logpdf(z[:, None], (low - mus) / sigmas, (high - mus) / sigmas, loc=mus, scale=sigmas)
        lp_true = logsumexp(comp - np.log(sigmas) + np.log(pe._weights), axis=1)
    cases.append({
        "name": name,
        "param": {"name": "x", "flag": "x", **param},
        "observations": obs.tolist(),
        "points": pts.tolist(),
        "weights": pe._weights.tolist(),
        "mus": None if mus is None else mus.tolist(),
        "sigmas": None if sigmas is None else sigmas.tolist(),
        "lp_optuna": lp.tolist(),
        "lp_true": np.asarray(lp_true).tolist(),
    })

sobol = qmc.Sobol(d=40, scramble=False).random(64).tolist()
print(json.dumps({"parzen": cases, "sobol40": sobol}))
