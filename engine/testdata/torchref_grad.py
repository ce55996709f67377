"""References for Grad with CreateGraph (see torchref.py): a WGAN-GP gradient
penalty and a Hessian-vector product. Each output is computed from first
derivatives taken with create_graph=True; the gradients of sum(output * up)
are therefore second (and for HVP third) derivatives."""
import torch
import torch.nn.functional as F
from torchref import case, rand, write


def grad(y, x):
    return torch.autograd.grad(y, x, create_graph=True)[0]


def penalty(w1, b1, w2, b2, x, act):
    d = F.linear(act(F.linear(x, w1, b1)), w2, b2)
    g = grad(d.sum(), x)
    return ((g.norm(2, dim=1) - 1) ** 2).mean()


case("WGAN-GP/leaky", lambda w1, b1, w2, b2, x: penalty(w1, b1, w2, b2, x, lambda h: F.leaky_relu(h, 0.2)),
     rand(8, 4), rand(8), rand(1, 8), rand(1), rand(5, 4))
case("WGAN-GP/tanh-sigmoid-relu", lambda w1, b1, w2, b2, x: penalty(w1, b1, w2, b2, x, lambda h: torch.sigmoid(torch.tanh(h) * 2 + torch.relu(h))),
     rand(8, 4), rand(8), rand(1, 8), rand(1), rand(5, 4))


def hvp(a, x, v):
    f = (torch.tanh(x @ a) * torch.sigmoid(x)).sum() + (x ** 2).sum() / 3 + x.exp().sum()
    return grad((grad(f, x) * v).sum(), x)


case("HVP", hvp, rand(6, 6), rand(6), rand(6))


def conv_penalty(w1, b1, w2, b2, x, act, **opts):
    """A WGAN-GP penalty of a convolutional critic: conv2d, act, flatten, linear."""
    h = act(F.conv2d(x, w1, b1, **opts))
    d = F.linear(h.reshape(h.shape[0], -1), w2, b2)
    g = grad(d.sum(), x)
    return ((g.reshape(g.shape[0], -1).norm(2, dim=1) - 1) ** 2).mean()


case("WGAN-GP/conv", lambda w1, b1, w2, b2, x: conv_penalty(w1, b1, w2, b2, x, lambda h: F.leaky_relu(h, 0.2), stride=2, padding=1),
     rand(3, 2, 3, 3), rand(3), rand(1, 12), rand(1), rand(4, 2, 4, 4))
case("WGAN-GP/conv-groups", lambda w1, b1, w2, b2, x: conv_penalty(w1, b1, w2, b2, x, torch.tanh, stride=(2, 1), padding=(1, 0), dilation=2, groups=2),
     rand(4, 2, 2, 3), rand(4), rand(1, 64), rand(1), rand(3, 4, 8, 8))


def hvp_ce(w, x, v):
    loss = F.cross_entropy((torch.tanh(x @ w) @ w.T).log_softmax(1) * 3, torch.tensor([1, 0, 3, 3, 2]))
    return grad((grad(loss, w) * v).sum(), w)


case("HVP/CrossEntropy", hvp_ce, rand(4, 3), rand(5, 4), rand(4, 3))


def attention_penalty(wq, wk, wv, x):
    """A WGAN-GP penalty of a critic with causal self-attention and a log-softmax."""
    q, k, v = x @ wq, x @ wk, x @ wv
    s = (q * (1 / q.shape[-1] ** 0.5)) @ k.transpose(-2, -1)
    causal = torch.triu(torch.ones(s.shape[-2], s.shape[-1], dtype=torch.bool), 1)
    a = torch.softmax(s.masked_fill(causal, float("-inf")), -1) @ v
    g = grad((torch.log_softmax(a, -1) * a).sum() + a.tanh().sum(), x)
    return ((g.reshape(g.shape[0], -1).norm(2, dim=1) - 1) ** 2).mean()


case("WGAN-GP/attention", attention_penalty, rand(4, 4), rand(4, 4), rand(4, 3), rand(2, 3, 4))
case("WGAN-GP/gelu", lambda w1, b1, w2, b2, x: penalty(w1, b1, w2, b2, x, F.gelu),
     rand(8, 4), rand(8), rand(1, 8), rand(1), rand(5, 4))
write()
