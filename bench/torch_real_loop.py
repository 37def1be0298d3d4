#!/usr/bin/python3
"""PyTorch side of the bench's real-loop scenario (bench/real-loop.ts): the training loop a user writes in
plain PyTorch, timed like `nncoach train`'s train_samples_per_second.

    /usr/bin/python3 bench/torch_real_loop.py --csv /tmp/nncoach-bench/real-loop-20000x16-7.csv --rows 14000 --threads 1

Prints ONE JSON line on stdout: {"engine": "pytorch", "model": "real-loop", "samples_per_second": ..., ...}.

The loop: each epoch torch.randperm over the training rows, then for every batch index the rows
(X[idx], y[idx]), zero grads, forward, loss, backward, optimizer step, and add loss.item() to the epoch's
loss; after the epoch, validation on held-out rows (no_grad). It mirrors what `nncoach train` runs with
its defaults and `--batch-size 128 --optimizer adam --epochs 5`: inputs standardized on the training rows
(before timing), Linear(16->256) ReLU Dropout(0.1) Linear(256->256) ReLU Dropout(0.1) Linear(256->26),
softmax cross-entropy with label smoothing 0.05, Adam (lr 0.002 = 0.001 x 128/64, betas 0.9/0.999, eps
1e-8, L2 weight decay 1e-4 on the weights, not the biases), a learning rate set every step (linear warm-up
over the first epoch, then cosine decay).

Speed = training rows x epochs / the summed wall time from each epoch's start (the randperm included) to the
start of its validation: the same definition as nncoach's train_samples_per_second.

The rows: the first --rows rows of the CSV train (nncoach trains on a seeded stratified 70% of the same
table; the runner passes nncoach's count), the next 15% validate. Threads: as bench/torch_train.py
(OPENBLAS_NUM_THREADS and OMP_WAIT_POLICY=PASSIVE set unless already set).
"""

import argparse
import csv
import json
import math
import os
import sys
import time


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--csv", required=True)
    p.add_argument("--rows", type=int, default=14000, help="training rows (the rest up to 15%% more validate)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--hidden", default="256,256")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(a.threads))
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    with open(a.csv, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    classes = sorted({r[-1] for r in rows}, key=lambda c: (len(c), c))
    index = {c: i for i, c in enumerate(classes)}
    x_all = torch.tensor([[float(v) for v in r[:-1]] for r in rows], dtype=torch.float32)
    y_all = torch.tensor([index[r[-1]] for r in rows], dtype=torch.int64)
    n = min(a.rows, len(rows))
    n_val = min(len(rows) - n, max(1, round(len(rows) * 0.15)))
    x, y = x_all[:n], y_all[:n]
    mean, std = x.mean(0), x.std(0).clamp_min(1e-12)
    x = ((x - mean) / std).contiguous()
    xv = ((x_all[n : n + n_val] - mean) / std).contiguous()
    yv = y_all[n : n + n_val]

    sizes = [len(header) - 1, *[int(h) for h in a.hidden.split(",")], len(classes)]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers += [nn.ReLU(), nn.Dropout(0.1)]
    model = nn.Sequential(*layers)
    decay = [p for name, p in model.named_parameters() if name.endswith("weight")]
    no_decay = [p for name, p in model.named_parameters() if not name.endswith("weight")]
    base_lr = 0.001 * a.batch / 64
    opt = torch.optim.Adam(
        [{"params": decay, "weight_decay": 1e-4}, {"params": no_decay, "weight_decay": 0.0}],
        lr=base_lr,
        betas=(0.9, 0.999),
        eps=1e-8,
    )
    steps_per_epoch = math.ceil(n / a.batch)
    warmup = steps_per_epoch
    total = steps_per_epoch * a.epochs

    def lr_at(step):
        if step < warmup:
            return base_lr * (step + 1) / warmup
        t = (step - warmup) / max(1, total - warmup)
        return base_lr * 0.5 * (1 + math.cos(math.pi * t))

    g = torch.Generator().manual_seed(a.seed)
    train_seconds = 0.0
    step = 0
    history = []
    for epoch in range(a.epochs):
        t0 = time.perf_counter()
        model.train()
        perm = torch.randperm(n, generator=g)
        loss_sum = 0.0
        for b in range(steps_per_epoch):
            idx = perm[b * a.batch : (b + 1) * a.batch]
            xb, yb = x[idx], y[idx]
            for group in opt.param_groups:
                group["lr"] = lr_at(step)
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(xb), yb, label_smoothing=0.05)
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(idx)
            step += 1
        train_seconds += time.perf_counter() - t0
        model.eval()
        with torch.no_grad():
            out = model(xv)
            val_loss = F.cross_entropy(out, yv, label_smoothing=0.05).item()
            val_acc = (out.argmax(1) == yv).float().mean().item()
        history.append({"train_loss": loss_sum / n, "val_loss": val_loss, "val_accuracy": val_acc})

    print(
        json.dumps(
            {
                "engine": "pytorch",
                "model": "real-loop",
                "threads": torch.get_num_threads(),
                "batch": a.batch,
                "samples_per_second": round(n * a.epochs / train_seconds, 1),
                "steps": step,
                "rows": n,
                "epochs": a.epochs,
                "train_seconds": round(train_seconds, 3),
                "final_train_loss": round(history[-1]["train_loss"], 5),
                "final_val_accuracy": round(history[-1]["val_accuracy"], 4),
                "version": torch.__version__,
                "blas_threads": int(os.environ["OPENBLAS_NUM_THREADS"]),
                "omp_wait_policy": os.environ["OMP_WAIT_POLICY"],
            }
        )
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
