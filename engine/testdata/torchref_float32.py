"""Float32 references for the elementwise ops with float32 loops of their own
(see ops_elementwise_test.go's TestFloat32Torch): PyTorch run in float32 on
float32 inputs, NaN, ±Inf, ±0 and denormals included (y), and in float64 on
the same inputs, rounded to float32 (y64), for where PyTorch's float32 loses
accuracy. Unlike the other torchref files, values are float32 bit patterns
(JSON has no NaN or Inf).
Run with Debian's python3 (python3-torch):

    /usr/bin/python3 engine/testdata/torchref_float32.py
"""
import json
import os
import struct

import torch
import torch.nn.functional as F

torch.manual_seed(0)

inf, nan = float("inf"), float("nan")
specials = [0.0, -0.0, inf, -inf, nan, 1e-40, -1e-40, 1.17549435e-38, -1.17549435e-38, 3.4028235e38, -3.4028235e38,
            1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 1e-7, -1e-7, 1e-4, -1e-4, 0.625, -0.625, 9.5, -9.5, 12.0, -12.0,
            19.99, 20.0, 20.01, 88.7, -88.7, -103.9, 100.0, -100.0, 1e4, -1e4]
x = torch.cat([torch.tensor(specials, dtype=torch.float32),
               torch.randn(64, dtype=torch.float32) * 3,
               torch.randn(16, dtype=torch.float32) * 1e-3]).contiguous()

cases = [
    ("Neg", lambda a: -a),
    ("AddScalar/1.5", lambda a: a + 1.5),
    ("SubScalar/1.5", lambda a: a - 1.5),
    ("MulScalar/0.1", lambda a: a * 0.1),
    ("DivScalar/-4", lambda a: a / -4.0),
    ("DivScalar/3", lambda a: a / 3.0),
    ("PowScalar/2", lambda a: a.pow(2.0)),
    ("PowScalar/3", lambda a: a.pow(3.0)),
    ("PowScalar/0.5", lambda a: a.pow(0.5)),
    ("PowScalar/-1", lambda a: a.pow(-1.0)),
    ("PowScalar/2.5", lambda a: a.pow(2.5)),
    ("Abs", torch.abs),
    ("Sqrt", torch.sqrt),
    ("Square", torch.square),
    ("LeakyReLU/0.1", lambda a: F.leaky_relu(a, 0.1)),
    ("Clamp/-0.5,0.5", lambda a: a.clamp(-0.5, 0.5)),
    ("Clamp/0.5,-0.5", lambda a: a.clamp(0.5, -0.5)),
    ("Clamp/0,1", lambda a: a.clamp(0.0, 1.0)),
    ("Clamp/-1,-0", lambda a: a.clamp(-1.0, -0.0)),
    ("ELU/1", lambda a: F.elu(a, 1.0)),
    ("ELU/0.7", lambda a: F.elu(a, 0.7)),
    ("Softplus/1,20", lambda a: F.softplus(a, 1.0, 20.0)),
    ("Softplus/2,5", lambda a: F.softplus(a, 2.0, 5.0)),
    ("Softplus/-1.5,3", lambda a: F.softplus(a, -1.5, 3.0)),
    ("Exp", torch.exp),
    ("Log", torch.log),
    ("Tanh", torch.tanh),
    ("Sigmoid", torch.sigmoid),
    ("GELU", F.gelu),
    ("SiLU", F.silu),
    ("Floor", torch.floor),
    ("Round", torch.round),
    ("Sign", torch.sign),
    ("GtScalar/0.5", lambda a: (a > 0.5).float()),
    ("GeScalar/-1", lambda a: (a >= -1.0).float()),
    ("LtScalar/0", lambda a: (a < 0.0).float()),
    ("LeScalar/0.1", lambda a: (a <= 0.1).float()),
    ("EqScalar/1", lambda a: (a == 1.0).float()),
    ("NeScalar/0", lambda a: (a != 0.0).float()),
]


def bits(t):
    return [struct.unpack("<I", struct.pack("<f", v))[0] for v in t.tolist()]


out = {"generator": "torch " + torch.__version__, "x": bits(x),
       "cases": [{"name": name, "y": bits(f(x.clone())), "y64": bits(f(x.double()).float())} for name, f in cases]}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torchref_float32.json")
with open(path, "w") as f:
    json.dump(out, f, indent=0)
print("wrote %d cases to %s" % (len(cases), path))
