"""References for Conv2d (see torchref.py)."""
import torch.nn.functional as F
from torchref import case, rand, write

case("Conv2d/basic", lambda x, w, b: F.conv2d(x, w, b), rand(2, 3, 5, 6), rand(4, 3, 3, 3), rand(4))
case("Conv2d/no-bias", lambda x, w: F.conv2d(x, w), rand(1, 2, 4, 4), rand(3, 2, 2, 2))
case("Conv2d/stride-pad", lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1), rand(2, 2, 7, 5), rand(3, 2, 3, 3), rand(3))
case("Conv2d/dilation", lambda x, w: F.conv2d(x, w, dilation=2, padding=2), rand(1, 2, 6, 7), rand(2, 2, 3, 3))
case("Conv2d/groups", lambda x, w, b: F.conv2d(x, w, b, groups=2, padding=1), rand(2, 4, 5, 5), rand(6, 2, 3, 2), rand(6))
case("Conv2d/depthwise", lambda x, w: F.conv2d(x, w, groups=3, stride=2), rand(1, 3, 6, 6), rand(3, 1, 2, 2))
case("Conv2d/1x1", lambda x, w, b: F.conv2d(x, w, b), rand(2, 3, 3, 4), rand(5, 3, 1, 1), rand(5))
# appended after the cases above so that their inputs stay the same; sizes
# above internal/kernels's smallWork (1536 multiply-adds), so that the packed
# float32 kernel is used
case("Conv2d/large", lambda x, w, b: F.conv2d(x, w, b, padding=1), rand(1, 3, 10, 10), rand(6, 3, 3, 3), rand(6))
# fewer kernel taps than output channels (a first layer), with a batch, so
# that the weight gradient is accumulated over samples
case("Conv2d/first-layer", lambda x, w, b: F.conv2d(x, w, b, padding=1), rand(2, 1, 6, 6), rand(16, 1, 3, 3), rand(16))
# more images than Conv2d's 4 partial weight and bias gradients (convParts),
# in the few-taps (first-layer) and the general paths
case("Conv2d/batch-9-few-taps", lambda x, w, b: F.conv2d(x, w, b, padding=1), rand(9, 1, 5, 5), rand(10, 1, 3, 3), rand(10))
case("Conv2d/batch-9", lambda x, w, b: F.conv2d(x, w, b, stride=2), rand(9, 3, 5, 5), rand(4, 3, 2, 2), rand(4))
write()
