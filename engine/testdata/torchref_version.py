"""PyTorch 1.13's answer when a tensor an autograd graph used is changed in
place before Backward, for engine's version-counter tests.

Run with Debian's python3 (python3-torch) from the repository root:

    /usr/bin/python3 engine/testdata/torchref_version.py

It writes engine/testdata/torchref_version.json: for each case, whether
backward refuses (and its message), or the gradient of x it computes.
"""
import json
import os

import torch

torch.set_default_dtype(torch.float64)
cases = []


def case(name, f):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    try:
        f(x).backward()
        cases.append({"name": name, "refused": False, "grad": x.grad.tolist()})
    except RuntimeError as e:
        cases.append({"name": name, "refused": True, "message": str(e).split("\n")[0]})


def set_after_mul(x):  # the example: x.Mul(x).Sum(); x.Set(5, 1)
    u = (x * x).sum()
    with torch.no_grad():
        x[1] = 5
    return u


def step_between(x):  # a graph recorded before opt.step(), backpropagated after it
    u = (x * x).sum()
    x.grad = torch.ones(3)
    torch.optim.SGD([x], lr=0.1).step()
    x.grad = None
    return u


def fill_detached_result(x):  # Exp's backward reads its result; a detached view shares it
    y = x.exp()
    y.detach().fill_(0)
    return y.sum()


def copy_into_view(x):  # a reshaped view of x shares x's version
    u = (x * x).sum()
    with torch.no_grad():
        x.view(1, 3).copy_(torch.zeros(1, 3))
    return u


def change_after_backward(x):  # changed after one backward, a new forward is fine
    (x * x).sum().backward()
    with torch.no_grad():
        x[1] = 5
    x.grad = None
    return (x * x).sum()


def change_other_input(x):  # w is saved by Mul for x's gradient
    w = torch.tensor([4.0, 5.0, 6.0])
    u = (x * w).sum()
    w[0] = 7
    return u


def change_add_input(x):  # Add saves nothing: its gradient stays right
    w = torch.tensor([4.0, 5.0, 6.0])
    u = (x + w).sum()
    w[0] = 7
    with torch.no_grad():
        x[2] = 9
    return u


for f in (change_add_input, set_after_mul, step_between, fill_detached_result, copy_into_view, change_after_backward, change_other_input):
    case(f.__name__, f)

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torchref_version.json")
with open(path, "w") as out:
    json.dump({"generator": "torch " + torch.__version__, "cases": cases}, out, indent=1)
print("wrote %d cases to %s" % (len(cases), path))
