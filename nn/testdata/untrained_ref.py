"""PyTorch 1.13 training a model whose second layer is left out of the
optimizer (a hand-written parameter list that forgets it), for package nn's
untrained-layer test: the layer's weight never changes while its gradient
accumulates over the steps (no zero_grad reaches it), and PyTorch says nothing.

Run with Debian's python3 (python3-torch) from the repository root:

    /usr/bin/python3 nn/testdata/untrained_ref.py
"""
import json
import os

import torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)
a, b = torch.nn.Linear(3, 4), torch.nn.Linear(4, 2)
x = torch.randn(5, 3)
init = {k: v.detach().clone() for k, v in [("a.weight", a.weight), ("a.bias", a.bias), ("b.weight", b.weight), ("b.bias", b.bias)]}
opt = torch.optim.SGD(a.parameters(), lr=0.1)  # b forgotten
for _ in range(5):
    opt.zero_grad()
    b(torch.relu(a(x))).sum().backward()
    opt.step()
enc = lambda t: {"shape": list(t.shape), "data": t.detach().reshape(-1).tolist()}
out = {"generator": "torch " + torch.__version__, "x": enc(x), "init": {k: enc(v) for k, v in init.items()},
       "a.weight": enc(a.weight), "b.weight": enc(b.weight), "b.weight.grad": enc(b.weight.grad), "b.bias.grad": enc(b.bias.grad)}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "untrained_ref.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", path)
