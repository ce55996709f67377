"""Reference values from PyTorch 1.13 for package nn's tests.

Run with Debian's python3 (python3-torch) from the repository root:

    /usr/bin/python3 nn/testdata/nnref.py

It writes nn/testdata/nnref.json: a list of cases, each a name, named float64
tensors (shape + flat data) and named scalars. Layer cases store the weights
copied into the Go layer, the input, the output, a random upstream gradient
"up" and the gradient of sum(out*up) for the input and every parameter
("grad.<name>"). Optimizer cases store the initial parameters, the gradient
given at each step and the parameters after each step.
"""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)
cases = []


def enc(t):
    t = torch.as_tensor(t).detach().to(torch.float64)
    return {"shape": list(t.shape), "data": t.reshape(-1).tolist()}


def add(name, tensors, scalars=None):
    cases.append({"name": name, "tensors": {k: enc(v) for k, v in tensors.items()},
                  "scalars": scalars or {}})


def layer(name, mod, *inputs, train=True, scalars=None):
    """Forward inputs through mod; store params, buffers, output and grads."""
    mod = mod.double()
    mod.train(train)
    ts = {}
    for k, v in mod.state_dict().items():
        if k.endswith("num_batches_tracked"):
            continue
        ts[k] = v.clone()
    xs = [x.detach().clone().requires_grad_(True) for x in inputs]
    for i, x in enumerate(xs):
        ts["in%d" % i] = x.detach().clone()
    out = mod(*xs)
    outs = out if isinstance(out, tuple) else (out,)
    loss = 0
    for i, o in enumerate(outs):
        up = torch.randn(o.shape)
        ts["out%d" % i] = o
        ts["up%d" % i] = up
        loss = loss + (o * up).sum()
    loss.backward()
    for i, x in enumerate(xs):
        ts["grad.in%d" % i] = x.grad
    for k, p in mod.named_parameters():
        ts["grad." + k] = p.grad
    for k, v in mod.state_dict().items():
        if "running" in k:
            ts["after." + k] = v
    add(name, ts, scalars)


# ---- layers
layer("Linear", nn.Linear(4, 3), torch.randn(5, 4))
layer("Linear/3d", nn.Linear(4, 2), torch.randn(2, 3, 4))
layer("Linear/nobias", nn.Linear(3, 2, bias=False), torch.randn(4, 3))
layer("Conv2d", nn.Conv2d(2, 3, 3), torch.randn(2, 2, 5, 5))
layer("Conv2d/opts", nn.Conv2d(4, 4, 3, stride=2, padding=1, dilation=1, groups=2), torch.randn(1, 4, 6, 5))
layer("Conv2d/dilation", nn.Conv2d(1, 2, 2, dilation=2, bias=False), torch.randn(2, 1, 5, 5))
layer("MaxPool2d", nn.MaxPool2d(2), torch.randn(2, 3, 4, 6))
layer("MaxPool2d/opts", nn.MaxPool2d(3, stride=2, padding=1), torch.randn(1, 2, 5, 5))
layer("AvgPool2d", nn.AvgPool2d(2), torch.randn(2, 3, 4, 6))
layer("AvgPool2d/opts", nn.AvgPool2d(3, stride=2, padding=1), torch.randn(1, 2, 5, 5))
bn = nn.BatchNorm1d(3)
with torch.no_grad():
    bn.weight.copy_(torch.randn(3)); bn.bias.copy_(torch.randn(3))
    bn.running_mean.copy_(torch.randn(3)); bn.running_var.copy_(torch.rand(3) + 0.5)
layer("BatchNorm1d/train", bn, torch.randn(6, 3))
layer("BatchNorm1d/train3d", nn.BatchNorm1d(2, momentum=0.2), torch.randn(3, 2, 4))
layer("BatchNorm1d/eval", bn, torch.randn(6, 3), train=False)
bn2 = nn.BatchNorm2d(3)
with torch.no_grad():
    bn2.weight.copy_(torch.randn(3)); bn2.bias.copy_(torch.randn(3))
    bn2.running_mean.copy_(torch.randn(3)); bn2.running_var.copy_(torch.rand(3) + 0.5)
layer("BatchNorm2d/train", bn2, torch.randn(2, 3, 3, 4))
layer("BatchNorm2d/eval", bn2, torch.randn(2, 3, 3, 4), train=False)
ln = nn.LayerNorm(4)
with torch.no_grad():
    ln.weight.copy_(torch.randn(4)); ln.bias.copy_(torch.randn(4))
layer("LayerNorm", ln, torch.randn(2, 3, 4))
ln2 = nn.LayerNorm([3, 4], eps=1e-3)
with torch.no_grad():
    ln2.weight.copy_(torch.randn(3, 4)); ln2.bias.copy_(torch.randn(3, 4))
layer("LayerNorm/2d", ln2, torch.randn(2, 3, 4))
layer("Flatten", nn.Flatten(), torch.randn(2, 3, 2, 2))
layer("ReLU", nn.ReLU(), torch.randn(3, 4))
layer("Tanh", nn.Tanh(), torch.randn(3, 4))
layer("Sigmoid", nn.Sigmoid(), torch.randn(3, 4))
layer("GELU", nn.GELU(), torch.randn(3, 4))
layer("LeakyReLU", nn.LeakyReLU(0.1), torch.randn(3, 4))
layer("Softmax", nn.Softmax(dim=1), torch.randn(3, 4))
layer("RNNCell", nn.RNNCell(3, 4), torch.randn(2, 3), torch.randn(2, 4))
layer("RNNCell/relu", nn.RNNCell(3, 4, nonlinearity="relu"), torch.randn(2, 3), torch.randn(2, 4))
layer("GRUCell", nn.GRUCell(3, 4), torch.randn(2, 3), torch.randn(2, 4))


class LSTMStep(nn.Module):
    def __init__(self):
        super().__init__()
        self.cell = nn.LSTMCell(3, 4)

    def forward(self, x, h, c):
        return self.cell(x, (h, c))


m = LSTMStep()
ts_lstm = None
layer("LSTMCell", m, torch.randn(2, 3), torch.randn(2, 4), torch.randn(2, 4))
# the state_dict names of the wrapper start with "cell."; strip them
c = cases[-1]
c["tensors"] = {k.replace("cell.", ""): v for k, v in c["tensors"].items()}

emb = nn.Embedding(5, 3)
idx = torch.tensor([[0, 4, 2], [2, 2, 1]])
out = emb.double()(idx)
up = torch.randn(out.shape)
(out * up).sum().backward()
add("Embedding", {"weight": emb.weight, "in0": idx.double(), "out0": out, "up0": up, "grad.weight": emb.weight.grad})

# ---- losses: inputs in0.., the per-element loss (reduction none), sum and mean
def loss(name, fn, *inputs, grad=(0,), **kw):
    ts = {}
    xs = []
    for i, x in enumerate(inputs):
        x = x.detach().clone()
        if i in grad:
            x.requires_grad_(True)
        xs.append(x)
        ts["in%d" % i] = x.detach().clone()
    for red in ("none", "sum", "mean"):
        out = fn(*xs, reduction=red, **kw)
        ts[red] = out
        up = torch.randn(out.shape)
        for x in xs:
            x.grad = None
        (out * up).sum().backward()
        ts["up." + red] = up
        for i in grad:
            ts["grad.%s.in%d" % (red, i)] = xs[i].grad
    add(name, ts, {k: v for k, v in kw.items() if isinstance(v, (int, float))})


loss("MSELoss", F.mse_loss, torch.randn(3, 4), torch.randn(3, 4), grad=(0, 1))
loss("L1Loss", F.l1_loss, torch.randn(3, 4), torch.randn(3, 4), grad=(0, 1))
loss("SmoothL1Loss", F.smooth_l1_loss, torch.randn(3, 4) * 2, torch.randn(3, 4), grad=(0, 1))
loss("SmoothL1Loss/beta", F.smooth_l1_loss, torch.randn(3, 4) * 2, torch.randn(3, 4), grad=(0, 1), beta=0.5)
tgt = torch.tensor([1, 0, 3, 2, 3])
lg = torch.randn(5, 4)
loss("CrossEntropyLoss", lambda a, reduction: F.cross_entropy(a, tgt, reduction=reduction), lg)
loss("CrossEntropyLoss/smooth", lambda a, reduction: F.cross_entropy(a, tgt, reduction=reduction, label_smoothing=0.2), lg)
cases[-2]["tensors"]["target"] = enc(tgt)
cases[-1]["tensors"]["target"] = enc(tgt)
loss("CrossEntropyLoss/probs", F.cross_entropy, torch.randn(3, 4), torch.softmax(torch.randn(3, 4), 1), grad=(0,))
loss("NLLLoss", lambda a, reduction: F.nll_loss(a, tgt, reduction=reduction), torch.log_softmax(torch.randn(5, 4), 1))
cases[-1]["tensors"]["target"] = enc(tgt)
loss("BCELoss", F.binary_cross_entropy, torch.rand(3, 4) * 0.9 + 0.05, torch.rand(3, 4), grad=(0, 1))
loss("BCEWithLogitsLoss", F.binary_cross_entropy_with_logits, torch.randn(3, 4) * 3, torch.rand(3, 4), grad=(0, 1))
loss("TripletMarginLoss", F.triplet_margin_loss, torch.randn(4, 3), torch.randn(4, 3), torch.randn(4, 3), grad=(0, 1, 2), margin=1.0)
loss("TripletMarginLoss/margin", F.triplet_margin_loss, torch.randn(4, 3), torch.randn(4, 3), torch.randn(4, 3), grad=(0, 1, 2), margin=2.5)
loss("CosineEmbeddingLoss", F.cosine_embedding_loss, torch.randn(5, 3), torch.randn(5, 3), torch.tensor([1., -1, 1, -1, -1]), grad=(0, 1), margin=0.2)

# ---- optimizers: two parameters, fixed gradients for each step
def optim(name, make, steps=4, **kw):
    p0 = [torch.randn(3, 2), torch.randn(4)]
    ps = [p.clone().requires_grad_(True) for p in p0]
    opt = make(ps, **kw)
    ts = {"p0.0": p0[0], "p0.1": p0[1]}
    for s in range(1, steps + 1):
        for i, p in enumerate(ps):
            g = torch.randn(p.shape)
            p.grad = g.clone()
            ts["g%d.%d" % (s, i)] = g
        opt.step()
        for i, p in enumerate(ps):
            ts["p%d.%d" % (s, i)] = p.detach().clone()
    sc = {"steps": steps}
    for k, v in kw.items():
        if k == "betas":
            sc["beta1"], sc["beta2"] = v
        else:
            sc[k] = float(v)  # booleans become 0 or 1
    add(name, ts, sc)


optim("SGD", torch.optim.SGD, lr=0.1)
optim("SGD/momentum", torch.optim.SGD, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)
optim("SGD/nesterov", torch.optim.SGD, lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1)
optim("Adam", torch.optim.Adam, lr=0.01)
optim("Adam/wd-amsgrad", torch.optim.Adam, lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, amsgrad=True)
optim("AdamW", torch.optim.AdamW, lr=0.01)
optim("AdamW/amsgrad", torch.optim.AdamW, lr=0.02, weight_decay=0.1, amsgrad=True)
optim("RMSprop", torch.optim.RMSprop, lr=0.01)
optim("RMSprop/all", torch.optim.RMSprop, lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1, momentum=0.5, centered=True)
optim("Adagrad", torch.optim.Adagrad, lr=0.1)
optim("Adagrad/all", torch.optim.Adagrad, lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.2, eps=1e-6)

# ---- schedulers: the lr after each of 12 scheduler steps
def sched(name, make, metrics=None, **kw):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.5)
    s = make(opt, **kw)
    lrs = []
    for i in range(12):
        opt.step()
        if metrics is None:
            s.step()
        else:
            s.step(metrics[i])
        lrs.append(opt.param_groups[0]["lr"])
    sc = {k: float(v) for k, v in kw.items() if isinstance(v, (int, float))}
    ts = {"lrs": torch.tensor(lrs)}
    if metrics is not None:
        ts["metrics"] = torch.tensor(metrics)
    add(name, ts, sc)


sched("StepLR", torch.optim.lr_scheduler.StepLR, step_size=3, gamma=0.5)
sched("ExponentialLR", torch.optim.lr_scheduler.ExponentialLR, gamma=0.8)
sched("CosineAnnealingLR", torch.optim.lr_scheduler.CosineAnnealingLR, T_max=5, eta_min=0.01)
plateau = [1.0, 0.9, 0.95, 0.95, 0.96, 0.97, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6]
sched("ReduceLROnPlateau", torch.optim.lr_scheduler.ReduceLROnPlateau, metrics=plateau, patience=1, factor=0.5)
sched("ReduceLROnPlateau/max-cooldown", torch.optim.lr_scheduler.ReduceLROnPlateau, metrics=[-m for m in plateau],
      mode="max", patience=1, factor=0.3, cooldown=2, min_lr=0.02)

# ---- clipping
def clip(name, fn, **kw):
    gs = [torch.randn(3, 2) * 3, torch.randn(4) * 3]
    ps = [torch.zeros(g.shape, requires_grad=True) for g in gs]
    for p, g in zip(ps, gs):
        p.grad = g.clone()
    r = fn(ps, **kw)
    ts = {"g.0": gs[0], "g.1": gs[1], "after.0": ps[0].grad, "after.1": ps[1].grad}
    if r is not None:
        ts["norm"] = r
    add(name, ts, {k: float(v) for k, v in kw.items()})


clip("ClipGradNorm", torch.nn.utils.clip_grad_norm_, max_norm=2.0)
clip("ClipGradNorm/big", torch.nn.utils.clip_grad_norm_, max_norm=100.0)
clip("ClipGradValue", torch.nn.utils.clip_grad_value_, clip_value=1.5)

# ---- class weights and PyTorch's default ignore_index (-100), appended last
# so that the random draws of the cases above do not change
tgt2 = torch.tensor([1, -100, 3, 2, 0, 3])
cw = torch.rand(4) + 0.5
lg2 = torch.randn(6, 4)
loss("CrossEntropyLoss/weight", lambda a, reduction: F.cross_entropy(a, tgt2, weight=cw, reduction=reduction), lg2)
loss("CrossEntropyLoss/weight-smooth", lambda a, reduction: F.cross_entropy(a, tgt2, weight=cw, reduction=reduction, label_smoothing=0.3), lg2)
loss("CrossEntropyLoss/ignore-smooth", lambda a, reduction: F.cross_entropy(a, tgt2, reduction=reduction, label_smoothing=0.3), lg2)
loss("NLLLoss/weight", lambda a, reduction: F.nll_loss(a, tgt2, weight=cw, reduction=reduction), torch.log_softmax(lg2, 1))
for c in cases[-4:]:
    c["tensors"]["target"] = enc(tgt2)
    c["tensors"]["weight"] = enc(cw)
loss("CrossEntropyLoss/probs-weight", lambda a, b, reduction: F.cross_entropy(a, b, weight=cw, reduction=reduction, label_smoothing=0.1),
     torch.randn(3, 4), torch.softmax(torch.randn(3, 4), 1))
cases[-1]["tensors"]["weight"] = enc(cw)

# ---- LogSoftmax layer, appended last so that the draws above do not change
layer("LogSoftmax", nn.LogSoftmax(dim=1), torch.randn(3, 4))
layer("LogSoftmax/first", nn.LogSoftmax(dim=0), torch.randn(3, 2, 2))

# ---- BCE with a rescaling weight and pos_weight
bw = torch.rand(4) + 0.5
pw = torch.rand(4) * 3 + 0.2
loss("BCELoss/weight", lambda a, b, reduction: F.binary_cross_entropy(a, b, weight=bw, reduction=reduction),
     torch.rand(3, 4) * 0.9 + 0.05, torch.rand(3, 4), grad=(0, 1))
loss("BCEWithLogitsLoss/weights", lambda a, b, reduction: F.binary_cross_entropy_with_logits(a, b, weight=bw, pos_weight=pw, reduction=reduction),
     torch.randn(3, 4) * 3, torch.rand(3, 4), grad=(0, 1))
for c in cases[-2:]:
    c["tensors"]["weight"] = enc(bw)
    c["tensors"]["pos_weight"] = enc(pw)

# ---- options whose PyTorch default is not zero, set to zero (dbr: nn.Float(0))
optim("Adam/beta1-0", torch.optim.Adam, lr=0.01, betas=(0.0, 0.9))
optim("Adam/beta2-0", torch.optim.Adam, lr=0.01, betas=(0.9, 0.0))
optim("Adam/eps-0", torch.optim.Adam, lr=0.01, eps=0.0)
optim("AdamW/wd-0", torch.optim.AdamW, lr=0.01, weight_decay=0.0)
optim("RMSprop/alpha-0", torch.optim.RMSprop, lr=0.01, alpha=0.0)
optim("RMSprop/eps-0", torch.optim.RMSprop, lr=0.01, eps=0.0)
optim("Adagrad/eps-0", torch.optim.Adagrad, lr=0.1, eps=0.0)
loss("SmoothL1Loss/beta-0", F.smooth_l1_loss, torch.randn(3, 4) * 2, torch.randn(3, 4), grad=(0, 1), beta=0.0)
# tiny improvements: better with threshold 0, not with the default 1e-4
sched("ReduceLROnPlateau/threshold-0", torch.optim.lr_scheduler.ReduceLROnPlateau,
      metrics=[1 - 1e-6 * i for i in range(12)], patience=1, factor=0.5, threshold=0.0)
# a reduction of 2e-9 is skipped under the default eps 1e-8, made with eps 0
sched("ReduceLROnPlateau/eps-0", torch.optim.lr_scheduler.ReduceLROnPlateau,
      metrics=[1.0] * 12, patience=1, factor=0.5, min_lr=0.5 - 2e-9, eps=0.0)
add("calculate_gain/leaky_relu-0", {}, {"gain": nn.init.calculate_gain("leaky_relu", 0.0),
                                        "gain_default": nn.init.calculate_gain("leaky_relu")})

# appended so that the cases above keep their random inputs: Adam's L2 decay
# without AMSGrad, which float32 parameters run through kernels.Adam32
optim("Adam/wd", torch.optim.Adam, lr=0.02, weight_decay=0.1)


# ---- Module.zero_grad in 1.13: set_to_none=False, gradients become zeros
zm = nn.Linear(3, 2)
zm(torch.randn(4, 3)).sum().backward()
zm.zero_grad()
add("Module.zero_grad", {"weight.grad": zm.weight.grad, "bias.grad": zm.bias.grad},
    {"grad_is_none": float(zm.weight.grad is None)})

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nnref.json")
with open(path, "w") as f:
    json.dump({"generator": "torch " + torch.__version__, "cases": cases}, f, separators=(",", ":"))
print("wrote %d cases to %s" % (len(cases), path))
