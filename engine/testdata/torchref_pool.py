"""References for MaxPool2d and AvgPool2d (see torchref.py)."""
import torch.nn.functional as F
from torchref import case, rand, write

case("MaxPool2d/2x2", lambda x: F.max_pool2d(x, 2), rand(2, 3, 6, 5))
case("MaxPool2d/stride-pad", lambda x: F.max_pool2d(x, 3, 2, 1), rand(1, 2, 7, 6))
case("MaxPool2d/overlap", lambda x: F.max_pool2d(x, 3, 1), rand(2, 1, 5, 5))
case("AvgPool2d/2x2", lambda x: F.avg_pool2d(x, 2), rand(2, 3, 6, 5))
case("AvgPool2d/stride-pad", lambda x: F.avg_pool2d(x, 3, 2, 1), rand(1, 2, 7, 6))
case("AvgPool2d/overlap", lambda x: F.avg_pool2d(x, 2, 1, 1), rand(2, 1, 4, 5))
write()
