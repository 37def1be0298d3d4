"""Reference bilinear resizes from PyTorch 1.13: F.interpolate(mode="bilinear", align_corners=False).

Writes test/fixtures/bilinear_resize.json (input CHW values, sizes, output values), used by
test/data-image.test.ts. Run: /usr/bin/python3 scripts/gold/bilinear_resize.py
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)
cases = []
for (c, h, w, oh, ow) in [(1, 8, 8, 12, 20), (3, 5, 7, 3, 4), (2, 6, 4, 6, 9), (1, 9, 9, 4, 4)]:
    x = torch.round(torch.rand(1, c, h, w, dtype=torch.float64) * 1e8) / 1e8
    y = F.interpolate(x, size=(oh, ow), mode="bilinear", align_corners=False)
    cases.append({
        "channels": c, "inH": h, "inW": w, "outH": oh, "outW": ow,
        "input": x.flatten().tolist(),
        "output": y.flatten().tolist(),
    })

out = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "bilinear_resize.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)
print("wrote", out)
