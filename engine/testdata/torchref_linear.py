"""PyTorch references for Linear (torch.nn.functional.linear)."""
import torch.nn.functional as F

from torchref import case, rand, write

case("Linear/2d", F.linear, rand(4, 3), rand(5, 3), rand(5))
case("Linear/3d-nobias", lambda x, w: F.linear(x, w), rand(2, 3, 4), rand(2, 4))
case("Linear/1d", F.linear, rand(3), rand(2, 3), rand(2))
write()
