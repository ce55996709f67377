"""References for the shape and indexing ops (see torchref.py)."""
import torch
import torch.nn.functional as F
from torchref import case, rand, write


def flat_cat(pieces):
    """Pieces of Split/Chunk, flattened and joined, so one case checks them all."""
    return torch.cat([p.reshape(-1) for p in pieces])


case("Flatten/all", lambda a: a.flatten(), rand(2, 3, 4))
case("Flatten/start", lambda a: a.flatten(1), rand(2, 3, 4))
case("Flatten/start-end", lambda a: a.flatten(0, 1), rand(2, 3, 4, 2))
case("Expand/grow", lambda a: a.expand(2, 3, 4), rand(3, 1))
case("Expand/keep", lambda a: a.expand(-1, 5), rand(3, 1))
case("Cat/dim0", lambda a, b, c: torch.cat([a, b, c], 0), rand(2, 3), rand(1, 3), rand(4, 3))
case("Cat/dim-1", lambda a, b: torch.cat([a, b], -1), rand(2, 3, 2), rand(2, 3, 4))
case("Cat/twice", lambda a: torch.cat([a, a], 1), rand(2, 3))
case("Stack/dim0", lambda a, b: torch.stack([a, b], 0), rand(2, 3), rand(2, 3))
case("Stack/dim-1", lambda a, b, c: torch.stack([a, b, c], -1), rand(2, 3), rand(2, 3), rand(2, 3))
case("Split/dim1", lambda a: flat_cat(a.split(2, 1)), rand(3, 5))
case("Chunk/dim0", lambda a: flat_cat(a.chunk(3, 0)), rand(5, 2))
case("Chunk/fewer", lambda a: flat_cat(a.chunk(4, 1)), rand(2, 6))
case("Narrow", lambda a: a.narrow(1, 1, 2), rand(2, 4, 3))
case("Narrow/negative", lambda a: a.narrow(-1, -3, 2), rand(2, 4, 3))
case("Slice", lambda a: a[:, 1:3], rand(3, 5))
case("Slice/negative", lambda a: a[..., -3:-1], rand(2, 3, 5))
case("Slice/clamped", lambda a: a[-10:10], rand(4, 2))
case("Select", lambda a: a.select(1, 2), rand(2, 4, 3))
case("Select/negative", lambda a: a.select(0, -1), rand(3, 4))
case("IndexSelect", lambda a: a.index_select(1, torch.tensor([2, 0, 2])), rand(2, 3, 2))
case("IndexSelect/dim0", lambda a: a.index_select(0, torch.tensor([1, 1])), rand(3, 4))
case("Gather/dim1", lambda a: a.gather(1, torch.tensor([[0, 2], [1, 1], [2, 0]])), rand(3, 3))
case("Gather/dim0-smaller", lambda a: a.gather(0, torch.tensor([[1, 0, 1], [0, 0, 1]])), rand(2, 4))
case("Pad/last", lambda a: F.pad(a, (1, 2), value=0.5), rand(2, 3))
case("Pad/2d", lambda a: F.pad(a, (1, 1, 2, 0)), rand(2, 2, 3))
case("Pad/crop", lambda a: F.pad(a, (-1, 2, 1, -2), value=-1.0), rand(4, 5))
write()
