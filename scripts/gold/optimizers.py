"""Reference trajectories of PyTorch optimizers for test/optimizers.test.ts.

Each case: two parameters with fixed initial values, a fixed sequence of 25 gradients, a learning rate
that changes every step (so the LR really is a runtime input), optional clipping by global norm or by
value (torch.nn.utils.clip_grad_norm_ / clip_grad_value_ before each step). The second parameter is
flagged "no decay" as a bias would be, so its param group has weight_decay 0.

Run: /usr/bin/python3 scripts/gold/optimizers.py  (writes test/fixtures/optimizers.json)
"""
import json
import math
import os

import torch

torch.set_default_dtype(torch.float64)
STEPS = 25
SHAPES = [[3, 4], [4]]


def lr_at(base, t):
    return base * (1.0 + 0.5 * math.sin(t))


def make(name, params_decay, params_nodecay, hp):
    wd = hp.get("weight_decay", 0.0)
    groups = [
        {"params": params_decay, "weight_decay": wd},
        {"params": params_nodecay, "weight_decay": 0.0},
    ]
    if name == "sgd":
        return torch.optim.SGD(groups, lr=hp["lr"], momentum=hp.get("momentum", 0.0), nesterov=hp.get("nesterov", False))
    if name == "rmsprop":
        return torch.optim.RMSprop(groups, lr=hp["lr"], alpha=hp.get("alpha", 0.99), eps=hp.get("eps", 1e-8),
                                   momentum=hp.get("momentum", 0.0), centered=hp.get("centered", False))
    if name == "adam":
        return torch.optim.Adam(groups, lr=hp["lr"], betas=(hp.get("beta1", 0.9), hp.get("beta2", 0.999)), eps=hp.get("eps", 1e-8))
    if name == "adamw":
        return torch.optim.AdamW(groups, lr=hp["lr"], betas=(hp.get("beta1", 0.9), hp.get("beta2", 0.999)), eps=hp.get("eps", 1e-8))
    raise ValueError(name)


CASES = [
    ("sgd", {"lr": 0.1}),
    ("sgd", {"lr": 0.05, "momentum": 0.9}),
    ("sgd", {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01}),
    ("sgd", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("sgd", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.05, "clip_norm": 1.0}),
    ("rmsprop", {"lr": 0.01}),
    ("rmsprop", {"lr": 0.01, "momentum": 0.9, "weight_decay": 0.01}),
    ("rmsprop", {"lr": 0.01, "centered": True, "alpha": 0.9}),
    ("adam", {"lr": 0.01}),
    ("adam", {"lr": 0.01, "weight_decay": 0.1}),
    ("adam", {"lr": 0.02, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "clip_norm": 0.5}),
    ("adam", {"lr": 0.01, "clip_value": 0.3}),
    ("adamw", {"lr": 0.01, "weight_decay": 0.1}),
    ("adamw", {"lr": 0.01, "weight_decay": 0.01, "clip_norm": 1.0}),
]


def main():
    g = torch.Generator().manual_seed(0)
    init = [torch.randn(s, generator=g) for s in SHAPES]
    grads = [[torch.randn(s, generator=g) * (1 + t % 3) for s in SHAPES] for t in range(STEPS)]
    out = {"shapes": SHAPES, "steps": STEPS, "init": [p.flatten().tolist() for p in init],
           "grads": [[x.flatten().tolist() for x in gs] for gs in grads],
           "lrs": [], "cases": []}
    for name, hp in CASES:
        params = [p.clone().requires_grad_(True) for p in init]
        opt = make(name, [params[0]], [params[1]], hp)
        traj = []
        lrs = []
        for t in range(STEPS):
            lr = lr_at(hp["lr"], t)
            lrs.append(lr)
            for group in opt.param_groups:
                group["lr"] = lr
            for p, gr in zip(params, grads[t]):
                p.grad = gr.clone()
            if "clip_norm" in hp:
                torch.nn.utils.clip_grad_norm_(params, hp["clip_norm"])
            if "clip_value" in hp:
                torch.nn.utils.clip_grad_value_(params, hp["clip_value"])
            opt.step()
            traj.append([p.detach().flatten().tolist() for p in params])
        out["cases"].append({"optimizer": name, "hp": hp, "lrs": lrs, "trajectory": traj})
    path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "optimizers.json")
    with open(path, "w") as f:
        json.dump(out, f)
    print(f"wrote {len(out['cases'])} cases to {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
