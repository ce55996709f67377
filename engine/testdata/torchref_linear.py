"""PyTorch references for Linear (torch.nn.functional.linear)."""
import torch.nn.functional as F

from torchref import case, rand, write

case("Linear/2d", F.linear, rand(4, 3), rand(5, 3), rand(5))
case("Linear/3d-nobias", lambda x, w: F.linear(x, w), rand(2, 3, 4), rand(2, 4))
case("Linear/1d", F.linear, rand(3), rand(2, 3), rand(2))
# appended after the cases above so that their inputs stay the same; sizes
# above internal/kernels's smallWork (1536 multiply-adds), so that the packed
# float32 kernel is used
case("Linear/large", F.linear, rand(12, 24), rand(16, 24), rand(16))
write()
