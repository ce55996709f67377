"""References for the ordering, scan, norm and copy ops (see torchref.py)."""
import torch
import torch.nn.functional as F
from torchref import case, rand, write

T = lambda *v: torch.tensor(v, dtype=torch.float64)
inf = float("inf")

case("TopK/largest", lambda a: torch.topk(a, 2, 1, True).values, rand(3, 5))
case("TopK/smallest-dim0", lambda a: torch.topk(a, 3, 0, False).values, rand(4, 2, 3))
case("TopK/indices", lambda a: torch.topk(a, 2, -1, True).indices, rand(3, 5), grad=False)
case("Sort/ascending", lambda a: torch.sort(a, 1, False).values, rand(2, 4, 3))
case("Sort/descending", lambda a: torch.sort(a, -1, True).values, rand(3, 4))
case("ArgSort/ascending", lambda a: torch.argsort(a, 1, False), rand(2, 4, 3), grad=False)
case("ArgSort/descending", lambda a: torch.argsort(a, 0, True), rand(5, 2), grad=False)
case("CumSum/0", lambda a: torch.cumsum(a, 0), rand(4, 3))
case("CumSum/-1", lambda a: torch.cumsum(a, -1), rand(2, 3, 5))
case("Repeat/2d", lambda a: a.repeat(2, 3), rand(2, 3))
case("Repeat/new-dims", lambda a: a.repeat(2, 1, 2), rand(3))
case("OneHot", lambda a: F.one_hot(a.long(), 5).double(), T(0, 3, 4, 1, 3), grad=False)
case("All/dim", lambda a: torch.all(a != 0, 1).double(), T(1, 2, 0, 3, 4, 5).reshape(2, 3), grad=False)
case("Any/dim", lambda a: torch.any(a != 0, 0).double(), T(0, 2, 0, 0, 0, 5).reshape(2, 3), grad=False)
case("All/all", lambda a: torch.all(a != 0).double(), T(1, 2, 3), grad=False)
case("Any/all", lambda a: torch.any(a != 0).double(), T(0, 0, 0), grad=False)
case("Norm/2-dim", lambda a: torch.linalg.vector_norm(a, 2, dim=1), rand(3, 4))
case("Norm/2-all", lambda a: torch.linalg.vector_norm(a, 2), rand(3, 4))
case("Norm/1-dims", lambda a: torch.linalg.vector_norm(a, 1, dim=(0, 2)), rand(2, 3, 4))
case("Norm/inf-dim", lambda a: torch.linalg.vector_norm(a, inf, dim=-1), rand(3, 4))
case("Norm/inf-ties", lambda a: torch.linalg.vector_norm(a, inf, dim=1), T(1, -3, 3, 2, 0, 0, 0, 0).reshape(2, 4))
case("Norm/2-zero-row", lambda a: torch.linalg.vector_norm(a, 2, dim=1), torch.cat([rand(1, 3), torch.zeros(1, 3, dtype=torch.float64)]))
case("Clone", lambda a: a.clone() * 1, rand(2, 3))
write()
