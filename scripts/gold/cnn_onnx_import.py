#!/usr/bin/python3
"""Reference fixtures for ONNX import (test/onnx-import.test.ts), from PyTorch 1.13.

Writes into test/fixtures/:
  cnn_small.onnx / cnn_small.json  a small CNN (conv-bn-relu-maxpool, conv-relu-maxpool, grouped conv-relu,
                                   global average pool, linear) exported with torch.onnx.export (BatchNorm kept
                                   as a BatchNormalization node); the JSON holds an input batch, labels, the
                                   eval-mode logits, and every parameter and running statistic after one SGD
                                   step (lr 0.1, train mode, mean cross-entropy) on that batch.
  cnn_small_dynamic.onnx           the same CNN exported with dynamic height and width.
  cnn_zoo.onnx / cnn_zoo.json      a model touching the other supported ONNX ops (BN folded into Conv, Clip as
                                   ReLU6, Sigmoid, dilated conv, LeakyRelu, Concat, depthwise conv, residual Add,
                                   AveragePool without padding in the count, Mul by a constant, Transpose,
                                   x.view(x.size(0), -1), GELU as the Erf pattern, MatMul+Add, Tanh, Softmax);
                                   the JSON holds an input batch and the expected outputs.

Run: /usr/bin/python3 scripts/gold/cnn_onnx_import.py
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "fixtures")


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


class SmallCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1),
            nn.BatchNorm2d(8),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 16, 3, padding=1, groups=4),
            nn.ReLU(),
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(16, 5)

    def forward(self, x):
        return self.classifier(torch.flatten(self.pool(self.features(x)), 1))


class Zoo(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 8, 3, stride=2, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.branch_a = nn.Conv2d(8, 6, 1)
        self.branch_b = nn.Conv2d(8, 6, 3, padding=2, dilation=2)
        self.dw = nn.Conv2d(12, 12, 3, padding=1, groups=12)
        self.avg = nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)
        self.fc1 = nn.Linear(48, 16)
        self.w = nn.Parameter(torch.randn(16, 16) * 0.3)
        self.b = nn.Parameter(torch.randn(16) * 0.1)
        self.drop = nn.Dropout(0.3)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        h = F.relu6(self.bn(self.conv(x)) * 3)
        a = torch.sigmoid(self.branch_a(h))
        b = F.leaky_relu(self.branch_b(h), 0.2)
        h = torch.cat([a, b], 1)
        h = self.dw(h) + h
        h = self.avg(h) * 0.5
        h = h.permute(0, 1, 3, 2)
        h = h.reshape(h.size(0), -1)
        h = F.gelu(self.fc1(h))
        h = torch.tanh(self.drop(h @ self.w + self.b))
        return torch.softmax(self.fc2(h), dim=1)


def export(model, x, path, training):
    torch.onnx.export(
        model,
        x,
        path,
        input_names=["x"],
        output_names=["y"],
        dynamic_axes={"x": {0: "N"}, "y": {0: "N"}},
        opset_version=13,
        training=training,
        do_constant_folding=True,
    )


def small():
    torch.manual_seed(0)
    model = SmallCnn()
    # move the running statistics away from their initial values
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(8, 3, 12, 12) * 2 + 0.5)
    model.eval()
    export(model, torch.randn(2, 3, 12, 12), os.path.join(OUT, "cnn_small.onnx"), torch.onnx.TrainingMode.PRESERVE)
    # the same model with height and width left dynamic (loadOnnx then needs the input shape)
    torch.onnx.export(
        model,
        torch.randn(2, 3, 12, 12),
        os.path.join(OUT, "cnn_small_dynamic.onnx"),
        input_names=["x"],
        output_names=["y"],
        dynamic_axes={"x": {0: "N", 2: "H", 3: "W"}, "y": {0: "N"}},
        opset_version=13,
        training=torch.onnx.TrainingMode.PRESERVE,
        do_constant_folding=True,
    )
    x = torch.randn(4, 3, 12, 12)
    y = torch.tensor([0, 3, 1, 4])
    with torch.no_grad():
        logits = model(x)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    opt.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    after = {k: flat(v) for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    with open(os.path.join(OUT, "cnn_small.json"), "w") as f:
        json.dump(
            {
                "input_shape": list(x.shape),
                "input": flat(x),
                "labels": y.tolist(),
                "logits": flat(logits),
                "lr": 0.1,
                "loss": float(loss),
                "after_step": after,
            },
            f,
        )


def zoo():
    torch.manual_seed(1)
    model = Zoo()
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(8, 4, 8, 8))
    model.eval()
    export(model, torch.randn(2, 4, 8, 8), os.path.join(OUT, "cnn_zoo.onnx"), torch.onnx.TrainingMode.EVAL)
    x = torch.randn(3, 4, 8, 8)
    with torch.no_grad():
        y = model(x)
    with open(os.path.join(OUT, "cnn_zoo.json"), "w") as f:
        json.dump({"input_shape": list(x.shape), "input": flat(x), "output": flat(y)}, f)


if __name__ == "__main__":
    small()
    zoo()
    print("wrote cnn_small.* and cnn_zoo.* to", os.path.normpath(OUT))
