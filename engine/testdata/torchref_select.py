"""References for Tril, Triu and MaskedFill (see torchref.py)."""
import torch
from torchref import case, rand, write

case("Tril/0", lambda a: torch.tril(a, 0), rand(3, 4))
case("Tril/1", lambda a: torch.tril(a, 1), rand(2, 3, 4))
case("Tril/-1", lambda a: torch.tril(a, -1), rand(4, 3))
case("Triu/0", lambda a: torch.triu(a, 0), rand(3, 4))
case("Triu/2", lambda a: torch.triu(a, 2), rand(2, 3, 4))
case("Triu/-1", lambda a: torch.triu(a, -1), rand(4, 3))
mask = (torch.rand(3, 4) > 0.5).to(torch.float64)
case("MaskedFill/same", lambda a, m: a.masked_fill(m != 0, -1e9), rand(3, 4), mask)
causal = torch.triu(torch.ones(4, 4, dtype=torch.float64), 1)
case("MaskedFill/causal", lambda a, m: a.masked_fill(m != 0, float("-inf")).softmax(-1), rand(2, 4, 4), causal)
row = (torch.rand(2, 1, 5) > 0.5).to(torch.float64)
case("MaskedFill/broadcast", lambda a, m: a.masked_fill(m != 0, 2.5), rand(2, 3, 5), row)
write()
