#!/usr/bin/python3
"""PyTorch side of the nncoach training benchmark: times full training steps on random data.

Run with the system interpreter (PyTorch 1.13, CPU):

    /usr/bin/python3 bench/torch_train.py --model mlp --sizes 784,256,256,10 --batch 128 --optimizer adam --threads 1
    /usr/bin/python3 bench/torch_train.py --model cnn --batch 64 --threads 2 --seconds 6

Prints ONE JSON line on stdout, e.g.

    {"engine": "pytorch", "model": "mlp", "threads": 1, "batch": 128, "samples_per_second": 51234.5, "steps": 2401, ...}

What is timed: a full training step (zero grads, forward, mean cross-entropy, backward, optimizer update) on a
batch taken from a pool of random batches generated once with a fixed seed and cycled. Warm-up steps run first
and are not timed. Every engine in bench/ measures the same thing; keep them in step when changing one.

Models (the other engines mirror these exactly):

  mlp  --sizes d0,d1,...,dn: Linear(d0->d1), ReLU, Linear(d1->d2), ReLU, ..., Linear(d(n-1)->dn) (no ReLU after
       the last layer; its dn outputs are the class logits). Inputs: float32 [batch, d0], standard normal.
  cnn  on 28x28x1 inputs (float32, standard normal; NCHW here, NHWC in TF.js), 10 classes:
         Conv2d(1->16, 3x3, stride 1, padding 1 ("same"), bias) + ReLU + MaxPool(2x2, stride 2)   -> 16 x 14 x 14
         Conv2d(16->32, 3x3, stride 1, padding 1, bias) + ReLU + MaxPool(2x2, stride 2)           -> 32 x 7 x 7
         Conv2d(32->64, 3x3, stride 1, padding 1, bias) + ReLU                                     -> 64 x 7 x 7
         global average pool over the 7x7 positions                                               -> 64
         Linear(64->10)                                                                           -> 10 logits
       (23,946 parameters; about 3.85 MFLOP per sample forward, 3x that for a training step)

Labels: uniform random integers in [0, classes). Loss: softmax cross-entropy, mean over the batch.
Optimizers: adam (lr 1e-3, betas 0.9/0.999, eps 1e-8) or sgd (lr 0.01, momentum 0.9).

Threads: Debian's PyTorch does its matrix products in OpenBLAS (pthreads build), whose thread pool ignores
torch.set_num_threads and defaults to every core; with both pools busy-waiting, --threads 2 ran 3-10x slower
than --threads 1 on the 2-core machine. So --threads N sets torch.set_num_threads(N) AND, unless already set in
the environment, OPENBLAS_NUM_THREADS=N and OMP_WAIT_POLICY=PASSIVE before torch is imported (both echoed in
the JSON line as blas_threads and omp_wait_policy).
"""

import argparse
import json
import os
import sys
import time


def parse_sizes(text):
    try:
        sizes = [int(s) for s in text.split(",")]
    except ValueError:
        raise SystemExit(f"--sizes must be comma-separated integers like 784,256,10, got {text!r}")
    if len(sizes) < 2 or any(s <= 0 for s in sizes):
        raise SystemExit(f"--sizes needs at least two positive sizes (inputs,...,classes), got {text!r}")
    return sizes


def build_mlp(nn, sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def build_cnn(nn, classes=10):
    class GlobalAveragePool(nn.Module):
        def forward(self, x):
            return x.mean(dim=(2, 3))

    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1),
        nn.ReLU(),
        GlobalAveragePool(),
        nn.Linear(64, classes),
    )


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", choices=["mlp", "cnn"], required=True)
    p.add_argument("--sizes", default="784,256,256,10", help="MLP layer sizes, inputs first, classes last")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    p.add_argument("--seconds", type=float, default=8.0, help="timed wall time (ignored when --steps is given)")
    p.add_argument("--steps", type=int, default=0, help="time exactly this many steps instead of --seconds")
    p.add_argument("--warmup-seconds", type=float, default=1.0, help="untimed warm-up (at least 5 steps)")
    p.add_argument("--pool", type=int, default=8, help="number of distinct random batches, cycled")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    if a.batch <= 0 or a.threads <= 0 or a.pool <= 0 or a.steps < 0 or (a.steps == 0 and a.seconds <= 0):
        raise SystemExit(
            f"--batch, --threads, --pool and --seconds (or --steps) must be positive; got batch={a.batch} "
            f"threads={a.threads} pool={a.pool} seconds={a.seconds} steps={a.steps}"
        )

    sizes = parse_sizes(a.sizes) if a.model == "mlp" else None
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(a.threads))
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    if sizes is not None:
        model = build_mlp(nn, sizes)
        in_shape, classes = (sizes[0],), sizes[-1]
    else:
        model = build_cnn(nn)
        in_shape, classes = (1, 28, 28), 10

    g = torch.Generator().manual_seed(a.seed + 1)
    xs = [torch.randn((a.batch, *in_shape), generator=g) for _ in range(a.pool)]
    ys = [torch.randint(0, classes, (a.batch,), generator=g) for _ in range(a.pool)]

    if a.optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    step = 0

    def train_step():
        nonlocal step
        i = step % a.pool
        step += 1
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(xs[i]), ys[i])
        loss.backward()
        opt.step()
        return loss

    t0 = time.perf_counter()
    warmup_steps = 0
    while warmup_steps < 5 or time.perf_counter() - t0 < a.warmup_seconds:
        train_step()
        warmup_steps += 1

    steps = 0
    start = time.perf_counter()
    if a.steps:
        for _ in range(a.steps):
            loss = train_step()
        steps = a.steps
    else:
        while True:
            loss = train_step()
            steps += 1
            if time.perf_counter() - start >= a.seconds:
                break
    elapsed = time.perf_counter() - start

    result = {
        "engine": "pytorch",
        "model": a.model,
        "threads": torch.get_num_threads(),
        "batch": a.batch,
        "samples_per_second": round(steps * a.batch / elapsed, 1),
        "steps": steps,
        "seconds": round(elapsed, 3),
        "warmup_steps": warmup_steps,
        "optimizer": a.optimizer,
        "loss": round(float(loss.item()), 5),
        "version": torch.__version__,
        "blas_threads": int(os.environ["OPENBLAS_NUM_THREADS"]),
        "omp_wait_policy": os.environ["OMP_WAIT_POLICY"],
    }
    if sizes is not None:
        result["sizes"] = sizes
    print(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
