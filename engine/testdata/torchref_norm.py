"""PyTorch references for LayerNorm (torch.nn.functional.layer_norm)."""
import torch.nn.functional as F

from torchref import case, rand, write

case("LayerNorm/2d", lambda x, w, b: F.layer_norm(x, (5,), w, b, 1e-5), rand(4, 5), rand(5), rand(5))
case("LayerNorm/2dims", lambda x, w, b: F.layer_norm(x, (3, 4), w, b, 1e-5), rand(2, 3, 4), rand(3, 4), rand(3, 4))
case("LayerNorm/plain", lambda x: F.layer_norm(x, (6,), None, None, 1e-5), rand(3, 6))
case("LayerNorm/weight-eps", lambda x, w: F.layer_norm(x, (4,), w, None, 0.5), rand(2, 2, 4) * 0.3, rand(4))
write()
