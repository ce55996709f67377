"""References for the core ops written with the autograd engine (see torchref.py)."""
import torch
from torchref import case, rand, write

case("Add/broadcast", lambda a, b: a + b, rand(2, 3, 4), rand(3, 1))
case("Sub/broadcast", lambda a, b: a - b, rand(4), rand(2, 3, 4))
case("Mul/broadcast", lambda a, b: a * b, rand(2, 1, 4), rand(3, 1))
case("Div/broadcast", lambda a, b: a / b, rand(2, 3), rand(3, positive=True))
case("Sum/all", lambda a: a.sum(), rand(2, 3, 4))
case("Sum/dims", lambda a: a.sum((0, 2)), rand(2, 3, 4))
case("SumKeep/dim", lambda a: a.sum(1, keepdim=True), rand(2, 3, 4))
case("MatMul/2d", lambda a, b: a @ b, rand(3, 4), rand(4, 5))
case("MatMul/1d1d", lambda a, b: a @ b, rand(4), rand(4))
case("MatMul/1d2d", lambda a, b: a @ b, rand(4), rand(4, 2))
case("MatMul/2d1d", lambda a, b: a @ b, rand(3, 4), rand(4))
case("MatMul/batch-broadcast", lambda a, b: a @ b, rand(2, 1, 3, 4), rand(5, 4, 2))
case("Permute", lambda a: a.permute(2, 0, 1), rand(2, 3, 4))
case("Reshape/infer", lambda a: a.reshape(4, -1), rand(2, 3, 4))
case("Exp", lambda a: a.exp(), rand(3, 4))
# appended after the cases above so that their inputs stay the same
case("Neg", lambda a: -a, rand(2, 3))
case("AddScalar", lambda a: a + 2.5, rand(2, 3))
case("MulScalar", lambda a: a * -1.5, rand(2, 3))
case("Sub/same", lambda a, b: a - b, rand(2, 3), rand(2, 3))
case("Mul/same", lambda a, b: a * b, rand(2, 3), rand(2, 3))
case("Div/numerator-broadcast", lambda a, b: a / b, rand(3, 1), rand(2, 1, 4, positive=True))
case("Transpose", lambda a: a.transpose(0, 2), rand(2, 3, 4))
case("Transpose/negative", lambda a: a.transpose(-1, 1), rand(2, 3, 4))
case("T/2d", lambda a: a.t(), rand(3, 4))
case("T/batch", lambda a: a.transpose(-2, -1), rand(2, 3, 4))
case("Squeeze/all", lambda a: a.squeeze(), rand(2, 1, 3, 1))
case("Squeeze/dim", lambda a: a.squeeze(-1), rand(2, 1, 3, 1))
case("Unsqueeze/front", lambda a: a.unsqueeze(0), rand(2, 3))
case("Unsqueeze/negative", lambda a: a.unsqueeze(-1), rand(2, 3))
# appended after the cases above so that their inputs stay the same; sizes
# above internal/kernels's smallWork (1536 multiply-adds), so that the packed
# float32 kernel is used
case("MatMul/large-batch", lambda a, b: a @ b, rand(2, 16, 24), rand(24, 12))


# attention with the heads side by side in the last dim of time-major q, k
# and v [T, N, H·E] (AttentionOpts.Heads, ApplyAttention); appended after the
# cases above so that their inputs stay the same
def split_heads(x, h):  # [T, N, H·E] → [N, H, T, E]
    t, n, e = x.shape
    return x.reshape(t, n, h, e // h).permute(1, 2, 0, 3)


def merge_heads(y):  # [N, H, T, E] → [T, N, H·E]
    n, h, t, e = y.shape
    return y.permute(2, 0, 1, 3).reshape(t, n, h * e)


def head_weights(q, k, h, mask=None, causal=False, bias=None):
    s = (split_heads(q, h) * (1 / (q.shape[2] // h) ** 0.5)) @ split_heads(k, h).transpose(-1, -2)
    if mask is not None:
        s = s.masked_fill(mask != 0, float("-inf"))
    if bias is not None:
        s = s + bias
    if causal:
        s = s.masked_fill(torch.ones(s.shape[-2:], dtype=torch.bool).triu(1), float("-inf"))
    return torch.softmax(s, -1)


# hides key 1 of every query, keys 3-4 of query 0
heads_mask = torch.tensor([[0, 1, 0, 0, 0], [0, 1, 0, 0, 0], [0, 1, 0, 1, 1]], dtype=torch.float64)
case("AttentionWeights/heads", lambda q, k: head_weights(q, k, 2), rand(3, 2, 8), rand(5, 2, 8))
case("AttentionWeights/heads-mask-bias", lambda q, k, b: head_weights(q, k, 2, mask=heads_mask, bias=b),
     rand(3, 2, 8), rand(5, 2, 8), rand(2, 2, 3, 5))
case("ApplyAttention", lambda w, v: merge_heads(w @ split_heads(v, 2)), rand(2, 2, 3, 5), rand(5, 2, 6))
case("ScaledDotProductAttention/heads-causal",
     lambda q, k, v: merge_heads(head_weights(q, k, 3, causal=True) @ split_heads(v, 3)),
     rand(4, 2, 6), rand(4, 2, 6), rand(4, 2, 9))
write()
