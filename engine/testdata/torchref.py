"""Reference values from PyTorch for dbr's tests.

Each family of ops has a script testdata/torchref_<family>.py that imports this
module, calls case() for each reference and write() at the end; it writes
testdata/torchref_<family>.json, which the Go tests read with checkTorchRef.
Run with Debian's python3 (python3-torch):

    /usr/bin/python3 engine/testdata/torchref_<family>.py

A case stores float64 inputs, the output and the gradient of sum(output * up)
for each input that requires grad, where up is a random upstream gradient.
"""
import json
import os
import sys

import torch

torch.manual_seed(0)
_cases = []


def rand(*shape, positive=False):
    t = torch.randn(*shape, dtype=torch.float64)
    return t.abs() + 0.5 if positive else t


def case(name, fn, *inputs, grad=True):
    """Record fn(*inputs) as the reference for the Go op registered as name."""
    xs = [x.detach().clone().requires_grad_(grad) for x in inputs]
    out = fn(*xs)
    entry = {
        "name": name,
        "inputs": [_enc(x) for x in xs],
        "output": _enc(out),
    }
    if grad:
        up = torch.randn(out.shape, dtype=torch.float64)
        (out * up).sum().backward()
        entry["upstream"] = _enc(up)
        entry["grads"] = [_enc(x.grad) if x.grad is not None else None for x in xs]
    _cases.append(entry)


def _enc(t):
    t = t.detach().to(torch.float64)
    return {"shape": list(t.shape), "data": t.reshape(-1).tolist()}


def write():
    family = os.path.basename(sys.argv[0])[len("torchref_"):-len(".py")]
    path = os.path.join(os.path.dirname(os.path.abspath(sys.argv[0])), "torchref_%s.json" % family)
    with open(path, "w") as f:
        json.dump({"generator": "torch " + torch.__version__, "cases": _cases}, f, indent=0)
    print("wrote %d cases to %s" % (len(_cases), path))
