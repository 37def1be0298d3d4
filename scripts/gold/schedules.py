"""Reference learning-rate sequences from PyTorch 1.13 for test/schedules.test.ts.

Run with Debian's interpreter (it has python3-torch):  /usr/bin/python3 scripts/gold/schedules.py
Writes test/fixtures/schedules.json.

Each case names a schedule in the option names of src/optim/schedules (camelCase) and records the
learning rate PyTorch's scheduler gives to every optimizer step: lrs[0] right after construction,
lrs[i] after the i-th scheduler.step(). ReduceLROnPlateau cases also record the metric fed to each step.
"""

import json
import os
import warnings

import numpy as np
import torch
from torch.optim import lr_scheduler as S

warnings.filterwarnings("ignore")  # SequentialLR's step(0) and "lr_scheduler.step() before optimizer.step()"

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "schedules.json")


def make_optimizer(lr):
    param = torch.nn.Parameter(torch.zeros(1))
    return torch.optim.SGD([param], lr=lr, momentum=0.9)


def build(opt, spec):
    """A torch scheduler for one spec ({"type": ..., **options}) on `opt`."""
    t = spec["type"]
    if t == "StepLR":
        return S.StepLR(opt, step_size=spec["stepSize"], gamma=spec.get("gamma", 0.1))
    if t == "MultiStepLR":
        return S.MultiStepLR(opt, milestones=spec["milestones"], gamma=spec.get("gamma", 0.1))
    if t == "ExponentialLR":
        return S.ExponentialLR(opt, gamma=spec["gamma"])
    if t == "CosineAnnealingLR":
        return S.CosineAnnealingLR(opt, T_max=spec["tMax"], eta_min=spec.get("etaMin", 0.0))
    if t == "CosineAnnealingWarmRestarts":
        return S.CosineAnnealingWarmRestarts(
            opt, T_0=spec["t0"], T_mult=spec.get("tMult", 1), eta_min=spec.get("etaMin", 0.0)
        )
    if t == "OneCycleLR":
        return S.OneCycleLR(
            opt,
            max_lr=spec["maxLr"],
            total_steps=spec["totalSteps"],
            pct_start=spec.get("pctStart", 0.3),
            anneal_strategy=spec.get("annealStrategy", "cos"),
            div_factor=spec.get("divFactor", 25.0),
            final_div_factor=spec.get("finalDivFactor", 1e4),
            three_phase=spec.get("threePhase", False),
        )
    if t == "LinearLR":
        return S.LinearLR(
            opt,
            start_factor=spec.get("startFactor", 1.0 / 3),
            end_factor=spec.get("endFactor", 1.0),
            total_iters=spec.get("totalIters", 5),
        )
    if t == "ConstantLR":
        return S.ConstantLR(opt, factor=spec.get("factor", 1.0 / 3), total_iters=spec.get("totalIters", 5))
    if t == "ReduceLROnPlateau":
        return S.ReduceLROnPlateau(
            opt,
            mode=spec.get("mode", "min"),
            factor=spec.get("factor", 0.1),
            patience=spec.get("patience", 10),
            threshold=spec.get("threshold", 1e-4),
            threshold_mode=spec.get("thresholdMode", "rel"),
            cooldown=spec.get("cooldown", 0),
            min_lr=spec.get("minLr", 0.0),
            eps=spec.get("eps", 1e-8),
        )
    raise ValueError(t)


def run(lr, spec, steps, metrics=None):
    """Learning rates of `steps` + 1 optimizer steps: before the first scheduler.step() and after each."""
    opt = make_optimizer(lr if spec["type"] != "OneCycleLR" else 1.0)
    if spec["type"] == "SequentialLR":
        subs = [build(opt, s) for s in spec["schedules"]]
        sched = S.SequentialLR(opt, schedulers=subs, milestones=spec["milestones"])
    else:
        sched = build(opt, spec)
    lrs = [opt.param_groups[0]["lr"]]
    for i in range(steps):
        opt.step()
        if metrics is not None:
            sched.step(metrics[i])
        else:
            sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    return lrs


cases = []


def case(name, lr, spec, steps, metrics=None):
    spec = dict(spec)
    if spec["type"] != "OneCycleLR":
        spec["lr"] = lr
    entry = {"name": name, "schedule": spec, "lrs": run(lr, spec, steps, metrics)}
    if metrics is not None:
        entry["metrics"] = [float(m) for m in metrics]
    cases.append(entry)


# StepLR, MultiStepLR, ExponentialLR
case("step 10 x0.1", 0.1, {"type": "StepLR", "stepSize": 10, "gamma": 0.1}, 60)
case("step 3 x0.5", 1.0, {"type": "StepLR", "stepSize": 3, "gamma": 0.5}, 80)
case("step 7 x0.9", 0.05, {"type": "StepLR", "stepSize": 7, "gamma": 0.9}, 150)
case("step 1 x1.05 (growth)", 0.001, {"type": "StepLR", "stepSize": 1, "gamma": 1.05}, 60)
case("multistep 30,80", 0.1, {"type": "MultiStepLR", "milestones": [30, 80], "gamma": 0.1}, 120)
case("multistep 5,10,15,40 x0.5", 0.3, {"type": "MultiStepLR", "milestones": [5, 10, 15, 40], "gamma": 0.5}, 60)
case("multistep 1,2,3 default gamma", 2.0, {"type": "MultiStepLR", "milestones": [1, 2, 3]}, 60)
case("exponential 0.95", 0.1, {"type": "ExponentialLR", "gamma": 0.95}, 100)
case("exponential 0.99", 0.003, {"type": "ExponentialLR", "gamma": 0.99}, 200)
case("exponential 0.5", 1.0, {"type": "ExponentialLR", "gamma": 0.5}, 60)

# CosineAnnealingLR (recursive form; continues periodically past tMax)
case("cosine tMax 50 (past tMax)", 0.1, {"type": "CosineAnnealingLR", "tMax": 50}, 120)
case("cosine tMax 100 etaMin 1e-4", 0.01, {"type": "CosineAnnealingLR", "tMax": 100, "etaMin": 1e-4}, 100)
case("cosine tMax 7 etaMin 0.01", 0.2, {"type": "CosineAnnealingLR", "tMax": 7, "etaMin": 0.01}, 60)
case("cosine tMax 1", 0.5, {"type": "CosineAnnealingLR", "tMax": 1, "etaMin": 0.05}, 60)

# CosineAnnealingWarmRestarts
case("restarts t0 10", 0.1, {"type": "CosineAnnealingWarmRestarts", "t0": 10}, 60)
case(
    "restarts t0 5 x2 etaMin 1e-3",
    0.05,
    {"type": "CosineAnnealingWarmRestarts", "t0": 5, "tMult": 2, "etaMin": 1e-3},
    160,
)
case("restarts t0 3 x3", 1.0, {"type": "CosineAnnealingWarmRestarts", "t0": 3, "tMult": 3}, 130)
case("restarts t0 1", 0.2, {"type": "CosineAnnealingWarmRestarts", "t0": 1, "etaMin": 0.01}, 60)

# OneCycleLR: lrs for steps 0..totalSteps (torch raises on the step after)
case("onecycle cos", None, {"type": "OneCycleLR", "maxLr": 0.1, "totalSteps": 100}, 100)
case("onecycle linear", None, {"type": "OneCycleLR", "maxLr": 0.1, "totalSteps": 100, "annealStrategy": "linear"}, 100)
case("onecycle three-phase cos", None, {"type": "OneCycleLR", "maxLr": 1.0, "totalSteps": 120, "threePhase": True}, 120)
case(
    "onecycle three-phase linear pct 0.25",
    None,
    {
        "type": "OneCycleLR",
        "maxLr": 0.02,
        "totalSteps": 150,
        "threePhase": True,
        "annealStrategy": "linear",
        "pctStart": 0.25,
    },
    150,
)
case(
    "onecycle pct 0.1 div 10 final 100",
    None,
    {"type": "OneCycleLR", "maxLr": 0.5, "totalSteps": 77, "pctStart": 0.1, "divFactor": 10.0, "finalDivFactor": 100.0},
    77,
)
case(
    "onecycle pct 0.45 three-phase div 5 final 1e3",
    None,
    {
        "type": "OneCycleLR",
        "maxLr": 0.3,
        "totalSteps": 200,
        "pctStart": 0.45,
        "divFactor": 5.0,
        "finalDivFactor": 1e3,
        "threePhase": True,
    },
    200,
)

# LinearLR and ConstantLR alone
case("linear 0.1 over 10", 0.1, {"type": "LinearLR", "startFactor": 0.1, "totalIters": 10}, 60)
case("linear 0.5 to 0.9 over 4", 0.2, {"type": "LinearLR", "startFactor": 0.5, "endFactor": 0.9, "totalIters": 4}, 60)
case("linear 1 to 0.1 over 30 (decay)", 0.3, {"type": "LinearLR", "startFactor": 1.0, "endFactor": 0.1, "totalIters": 30}, 60)
case("constant 0.5 for 4", 0.05, {"type": "ConstantLR", "factor": 0.5, "totalIters": 4}, 60)
case("constant 1/3 for 5", 0.9, {"type": "ConstantLR"}, 60)
case("constant 1 (no change)", 0.01, {"type": "ConstantLR", "factor": 1.0, "totalIters": 0}, 60)


# SequentialLR: LinearLR warm-up then another schedule (what withWarmup builds), and longer chains
def warm(n, factor, then):
    return {
        "type": "SequentialLR",
        "schedules": [{"type": "LinearLR", "startFactor": factor, "totalIters": n}, then],
        "milestones": [n],
    }


case("warmup 5 + step 10", 0.1, warm(5, 0.01, {"type": "StepLR", "stepSize": 10, "gamma": 0.1}), 60)
case("warmup 3 + exponential 0.9", 0.5, warm(3, 0.1, {"type": "ExponentialLR", "gamma": 0.9}), 60)
case("warmup 10 + cosine 90", 0.1, warm(10, 0.01, {"type": "CosineAnnealingLR", "tMax": 90}), 100)
case(
    "warmup 20 + cosine 180 etaMin",
    0.003,
    warm(20, 0.001, {"type": "CosineAnnealingLR", "tMax": 180, "etaMin": 1e-5}),
    200,
)
case(
    "warmup 4 + restarts 5 x2",
    0.2,
    warm(4, 0.25, {"type": "CosineAnnealingWarmRestarts", "t0": 5, "tMult": 2, "etaMin": 0.001}),
    80,
)
case("warmup 6 + multistep 10,30", 0.1, warm(6, 0.5, {"type": "MultiStepLR", "milestones": [10, 30]}), 70)
case("warmup 2 + constant 0.5 for 3", 0.1, warm(2, 0.2, {"type": "ConstantLR", "factor": 0.5, "totalIters": 3}), 60)
case("warmup 1 + step 5", 1.0, warm(1, 0.1, {"type": "StepLR", "stepSize": 5, "gamma": 0.5}), 60)
case(
    "sequential constant 0.1 for 2, exponential 0.9 (torch doc example)",
    1.0,
    {
        "type": "SequentialLR",
        "schedules": [{"type": "ConstantLR", "factor": 0.1, "totalIters": 2}, {"type": "ExponentialLR", "gamma": 0.9}],
        "milestones": [2],
    },
    60,
)
case(
    "sequential linear cut short, step, cosine",
    0.1,
    {
        "type": "SequentialLR",
        "schedules": [
            {"type": "LinearLR", "startFactor": 0.2, "totalIters": 10},
            {"type": "StepLR", "stepSize": 4, "gamma": 0.5},
            {"type": "CosineAnnealingLR", "tMax": 30, "etaMin": 0.001},
        ],
        "milestones": [5, 20],
    },
    80,
)

# ReduceLROnPlateau fed a recorded metric sequence
rng = np.random.RandomState(20240611)


def noisy_loss(n, floor, noise):
    t = np.arange(n)
    return floor + np.exp(-t / 12.0) + noise * rng.standard_normal(n)


def noisy_accuracy(n):
    t = np.arange(n)
    return 0.95 - 0.5 * np.exp(-t / 10.0) + 0.01 * rng.standard_normal(n)


case("plateau default", 0.1, {"type": "ReduceLROnPlateau"}, 120, noisy_loss(120, 0.3, 0.02))
case(
    "plateau factor 0.5 patience 3",
    0.1,
    {"type": "ReduceLROnPlateau", "factor": 0.5, "patience": 3},
    100,
    noisy_loss(100, 0.2, 0.01),
)
case(
    "plateau max mode patience 2",
    0.05,
    {"type": "ReduceLROnPlateau", "mode": "max", "factor": 0.2, "patience": 2},
    80,
    noisy_accuracy(80),
)
case(
    "plateau abs threshold cooldown 4",
    0.1,
    {"type": "ReduceLROnPlateau", "factor": 0.3, "patience": 1, "threshold": 0.01, "thresholdMode": "abs", "cooldown": 4},
    100,
    noisy_loss(100, 0.5, 0.005),
)
case(
    "plateau max abs minLr",
    1.0,
    {
        "type": "ReduceLROnPlateau",
        "mode": "max",
        "factor": 0.1,
        "patience": 0,
        "threshold": 0.001,
        "thresholdMode": "abs",
        "minLr": 0.005,
    },
    60,
    noisy_accuracy(60),
)
case(
    "plateau rel threshold 0.05 cooldown 2 minLr",
    0.01,
    {"type": "ReduceLROnPlateau", "factor": 0.5, "patience": 2, "threshold": 0.05, "cooldown": 2, "minLr": 1e-4},
    150,
    noisy_loss(150, 0.1, 0.02),
)
case(
    "plateau constant metric, eps stops tiny reductions",
    1e-6,
    {"type": "ReduceLROnPlateau", "factor": 0.5, "patience": 0, "eps": 1e-7},
    60,
    np.full(60, 1.0),
)
case(
    "plateau negative metric, rel threshold",
    0.1,
    {"type": "ReduceLROnPlateau", "factor": 0.5, "patience": 1},
    60,
    -1.0 - 0.5 * np.exp(-np.arange(60) / 5.0) * (1 + 0.1 * rng.standard_normal(60)),
)

with open(OUT, "w") as f:
    json.dump({"generator": "scripts/gold/schedules.py", "torch": torch.__version__, "cases": cases}, f, indent=1)
    f.write("\n")
print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)}")
