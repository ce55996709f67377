"""PyTorch 1.13's DataLoader epochs, for package nn's DataLoader tests.

Run with Debian's python3 (python3-torch) from the repository root:

    /usr/bin/python3 nn/testdata/loader_ref.py

It writes nn/testdata/loader_ref.json: the targets each loop sees over a
dataset of 10 examples (target i for example i) with batch size 4, when an
earlier loop stopped early (break, an error), the batch indices enumerate
gives, and what DropLast keeps.
"""
import json
import os

import torch
from torch.utils.data import DataLoader, TensorDataset

ds = TensorDataset(torch.arange(10.0).reshape(10, 1), torch.arange(10.0))
out = {"generator": "torch " + torch.__version__}


def seen(loader):
    return [int(v) for _, y in loader for v in y]


dl = DataLoader(ds, batch_size=4)
for x, y in dl:
    break
out["after_break"] = seen(dl)

try:
    for x, y in dl:
        raise ValueError("a bug in the loop body")
except ValueError:
    pass
out["after_error"] = seen(dl)

out["enumerate"] = [i for i, _ in enumerate(dl)]
out["drop_last"] = seen(DataLoader(ds, batch_size=4, drop_last=True))
out["drop_last_len"] = len(DataLoader(ds, batch_size=4, drop_last=True))

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "loader_ref.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", path)
