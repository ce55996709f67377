"""PyTorch 1.13's torch.eye(n, m) and x.mT (what engine's Eye and T follow),
for engine's tests.

Run with Debian's python3 (python3-torch) from the repository root:

    /usr/bin/python3 engine/testdata/torchref_eye.py
"""
import json
import os

import torch

out = {"generator": "torch " + torch.__version__, "eye": [], "mT": None}
for size in ([3], [2, 3], [3, 2], [0, 2], [1, 1]):
    t = torch.eye(*size)
    out["eye"].append({"size": size, "shape": list(t.shape), "data": t.reshape(-1).tolist()})
x = torch.arange(24.0).reshape(2, 3, 4)
out["mT"] = {"shape": list(x.mT.shape), "data": x.mT.reshape(-1).tolist()}
out["T_is_permute_210"] = bool(torch.equal(x.permute(2, 1, 0), x.permute(*range(x.ndim - 1, -1, -1))))
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torchref_eye.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", path)
