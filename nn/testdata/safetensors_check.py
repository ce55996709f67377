"""Checks a safetensors file written by dbr (TestPythonReadsDbrFile in
nn/checkpoint_test.go writes it): parses it with the pure-Python reader and
compares every value with the formula dbr used to fill it, computed here.
With --torch it also loads the tensors into torch.nn.Linear layers through
load_state_dict (slow to import torch; run by hand).

    /usr/bin/python3 safetensors_check.py FILE [--torch]
"""
import sys

import safetensors_py

path = sys.argv[1]
got, meta = safetensors_py.read(path)
assert meta == {"format": "pt"}, meta

# dbr filled: fc.weight[i][j] = (i*3 + j) * 0.25 - 1 (F32, shape [2, 3]),
# fc.bias = [0.5, -0.5] (F32), step = 7 (F64, shape []),
# big64[i] = i / 3 (F64, shape [4]).
want = {
    "fc.weight": ("F32", [2, 3], [(i * 3 + j) * 0.25 - 1 for i in range(2) for j in range(3)]),
    "fc.bias": ("F32", [2], [0.5, -0.5]),
    "step": ("F64", [], [7.0]),
    "big64": ("F64", [4], [i / 3 for i in range(4)]),
}
assert sorted(got) == sorted(want), (sorted(got), sorted(want))
for name, (dtype, shape, values) in want.items():
    gd, gs, gv = got[name]
    assert gd == dtype and gs == shape, (name, gd, gs)
    if dtype == "F32":
        import struct
        values = [struct.unpack("<f", struct.pack("<f", v))[0] for v in values]
    assert gv == values, (name, gv, values)

if "--torch" in sys.argv:
    import torch
    fc = torch.nn.Linear(3, 2)
    sd = {k: torch.tensor(got[k][2], dtype=torch.float32).reshape(got[k][1]) for k in ("fc.weight", "fc.bias")}
    fc.load_state_dict({k[3:]: v for k, v in sd.items()})
    print("torch:", fc(torch.ones(1, 3)).tolist())
print("ok", path)
