"""References for the elementwise and comparison ops (see torchref.py)."""
import torch
import torch.nn.functional as F
from torchref import case, rand, write

T = lambda *v: torch.tensor(v, dtype=torch.float64)


def ints(*shape):
    """Small integers as floats, so that comparisons and ties happen."""
    return torch.randint(-2, 3, shape).to(torch.float64)


# binary, broadcasting
case("Pow/broadcast", lambda a, b: a.pow(b), rand(2, 3, positive=True), rand(3))
case("Pow/zero-base", lambda a, b: a.pow(b), T(0, 0, 2, 3), T(0, 2, 0.5, -1))
case("Maximum/broadcast", torch.maximum, rand(2, 1, 3), rand(4, 1))
case("Maximum/ties", torch.maximum, T(1, 2, 3, -1), T(1, 3, 2, -1))
case("Minimum/broadcast", torch.minimum, rand(3), rand(2, 3))
case("Minimum/ties", torch.minimum, T(1, 2, 3, -1), T(1, 3, 2, -1))
# scalar forms
case("SubScalar", lambda a: a - 1.5, rand(2, 3))
case("DivScalar", lambda a: a / -4.0, rand(2, 3))
case("PowScalar/frac", lambda a: a.pow(2.5), rand(2, 3, positive=True))
case("PowScalar/int-negative-base", lambda a: a.pow(3.0), rand(2, 3))
case("PowScalar/zero", lambda a: a.pow(0.0), T(0, 1, -2))
case("PowScalar/square-at-zero", lambda a: a.pow(2.0), T(0, 1, -2))
# unary
case("Abs", torch.abs, torch.cat([rand(5), T(0)]))
case("Log", torch.log, rand(2, 3, positive=True))
case("Sqrt", torch.sqrt, rand(2, 3, positive=True))
case("Square", torch.square, rand(2, 3))
case("Sin", torch.sin, rand(2, 3) * 3)
case("Cos", torch.cos, rand(2, 3) * 3)
case("Tanh", torch.tanh, rand(2, 3) * 2)
case("Sigmoid", torch.sigmoid, torch.cat([rand(4) * 3, T(50, -50, 0)]))
case("ReLU", torch.relu, torch.cat([rand(5), T(0)]))
case("LeakyReLU", lambda a: F.leaky_relu(a, 0.1), torch.cat([rand(5), T(0)]))
case("GELU", F.gelu, torch.cat([rand(5) * 2, T(0, -6, 6)]))
case("Clamp", lambda a: a.clamp(-0.5, 0.5), torch.cat([rand(6), T(-0.5, 0.5)]))
# comparisons (masks, no gradient) and Where
for name, fn in [("Gt", torch.gt), ("Ge", torch.ge), ("Lt", torch.lt), ("Le", torch.le), ("Eq", torch.eq), ("Ne", torch.ne)]:
    case(name + "/broadcast", fn, ints(2, 3), ints(3), grad=False)
    case(name + "Scalar", lambda a, fn=fn: fn(a, 1.0), ints(2, 3), grad=False)
case("Where/broadcast", lambda c, a, b: torch.where(c != 0, a, b), ints(2, 1, 3), rand(4, 1), rand(3))
case("Where/same", lambda c, a, b: torch.where(c != 0, a, b), ints(2, 3), rand(2, 3), rand(2, 3))
# appended after the cases above so that their inputs stay the same
case("Where/scalar-branch", lambda c, a, b: torch.where(c != 0, a, b), ints(2, 1), rand(1).reshape(()), rand(2, 3))
# activations and rounding (appended: the inputs above stay the same)
case("SiLU", F.silu, torch.cat([rand(5) * 3, T(0, -30, 30)]))
case("Softplus", lambda a: F.softplus(a, 1.0, 20.0), torch.cat([rand(5) * 3, T(0, -30, 30)]))
case("Softplus/beta", lambda a: F.softplus(a, 2.0, 5.0), torch.cat([rand(5) * 3, T(2.4, 2.6, -4)]))
case("ELU", lambda a: F.elu(a, 1.0), torch.cat([rand(5) * 2, T(0)]))
case("ELU/alpha", lambda a: F.elu(a, 0.5), rand(2, 3))
case("Log1p", torch.log1p, torch.cat([rand(4, positive=True), T(1e-10, -0.5)]))
case("Floor", torch.floor, torch.cat([rand(4) * 3, T(-1.5, 2.0)]))
case("Round", torch.round, torch.cat([rand(4) * 3, T(0.5, 1.5, 2.5, -0.5, -1.5)]))
case("Sign", torch.sign, torch.cat([rand(4), T(0)]))
write()
