"""References for Einsum (see torchref.py)."""
import torch
from torchref import case, rand, write

for eq, sa, sb in [
    ("bij,bjk->bik", (2, 3, 4), (2, 4, 5)),
    ("bhqd,bhkd->bhqk", (2, 2, 3, 4), (2, 2, 5, 4)),
    ("i,j->ij", (3,), (4,)),
    ("bi,bi->b", (3, 4), (3, 4)),
    ("ij,kj", (3, 4), (2, 4)),
    ("bj,oij->boi", (2, 4), (3, 5, 4)),
    ("bik,kj->jb", (2, 3, 4), (4, 5)),
    ("i,i->", (5,), (5,)),
]:
    case("Einsum/" + eq, lambda a, b, eq=eq: torch.einsum(eq, a, b), rand(*sa), rand(*sb))
write()
