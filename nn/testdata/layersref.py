"""Reference values from PyTorch 1.13 for the layers of issue 14 (sequence,
attention, resampling and the convolutions beyond Conv2d), in the format of
nnref.py (see there). Run with Debian's python3 from the repository root:

    /usr/bin/python3 nn/testdata/layersref.py

It writes nn/testdata/layersref.json. New cases go at the end so that the
random inputs of the cases above do not change.
"""
import json
import os

import torch
import torch.nn as nn

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)
cases = []


def enc(t):
    t = torch.as_tensor(t).detach().to(torch.float64)
    return {"shape": list(t.shape), "data": t.reshape(-1).tolist()}


def add(name, tensors, scalars=None):
    cases.append({"name": name, "tensors": {k: enc(v) for k, v in tensors.items()},
                  "scalars": scalars or {}})


def randomize(mod):
    """Give every parameter random values (PyTorch's ones and zeros would hide mistakes)."""
    with torch.no_grad():
        for p in mod.parameters():
            p.copy_(torch.randn(p.shape) * 0.5)


def layer(name, mod, *inputs, call=None, extra=None):
    """Forward inputs through mod; store params, inputs, outputs, an upstream
    gradient per output and the gradients of sum(out*up)."""
    mod = mod.double()
    ts = dict(mod.state_dict())
    xs = [x.detach().clone().requires_grad_(x.is_floating_point()) for x in inputs]
    for i, x in enumerate(xs):
        ts["in%d" % i] = x.detach().clone()
    out = call(mod, *xs) if call else mod(*xs)
    outs = out if isinstance(out, tuple) else (out,)
    loss = 0
    for i, o in enumerate(outs):
        up = torch.randn(o.shape)
        ts["out%d" % i] = o
        ts["up%d" % i] = up
        loss = loss + (o * up).sum()
    loss.backward()
    for i, x in enumerate(xs):
        if x.grad is not None:
            ts["grad.in%d" % i] = x.grad
    for k, p in mod.named_parameters():
        ts["grad." + k] = p.grad
    ts.update(extra or {})
    add(name, ts)


# ---- convolutions, pooling, resampling, normalization
layer("Conv2d/hw", nn.Conv2d(2, 3, (2, 3), stride=(2, 1), padding=(1, 0)), torch.randn(2, 2, 5, 6))
layer("Conv1d", nn.Conv1d(4, 6, 3, stride=2, padding=1, groups=2), torch.randn(2, 4, 7))
layer("Conv1d/dilation", nn.Conv1d(2, 3, 2, dilation=2, bias=False), torch.randn(3, 2, 6))
layer("ConvTranspose2d", nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1), torch.randn(2, 2, 3, 4))
layer("ConvTranspose2d/hw", nn.ConvTranspose2d(4, 2, (2, 3), stride=(1, 2), padding=(0, 2), groups=2, dilation=2),
      torch.randn(1, 4, 3, 3))
layer("ConvTranspose2d/plain", nn.ConvTranspose2d(3, 2, 2, bias=False), torch.randn(2, 3, 2, 3))
layer("AdaptiveAvgPool2d", nn.AdaptiveAvgPool2d((3, 2)), torch.randn(2, 3, 7, 5))
layer("AdaptiveAvgPool2d/up", nn.AdaptiveAvgPool2d((4, 1)), torch.randn(1, 2, 3, 3))
gn = nn.GroupNorm(2, 6)
randomize(gn)
layer("GroupNorm", gn, torch.randn(2, 6, 3, 2))
layer("GroupNorm/3d", nn.GroupNorm(3, 3, eps=1e-3), torch.randn(4, 3, 5))
layer("Upsample/nearest", nn.Upsample(scale_factor=2), torch.randn(2, 2, 3, 4))
layer("Upsample/nearest-size", nn.Upsample(size=(5, 7)), torch.randn(1, 2, 3, 4))
layer("Upsample/bilinear", nn.Upsample(scale_factor=2, mode="bilinear"), torch.randn(2, 2, 3, 4))
layer("Upsample/bilinear-1.5", nn.Upsample(scale_factor=1.5, mode="bilinear"), torch.randn(1, 1, 4, 5))
layer("Upsample/bilinear-align", nn.Upsample(size=(5, 3), mode="bilinear", align_corners=True), torch.randn(1, 2, 3, 4))
layer("Identity", nn.Identity(), torch.randn(3, 4))
layer("Unflatten", nn.Unflatten(1, (2, 3)), torch.randn(4, 6))

# ---- recurrent networks over whole sequences: outputs out, hn (and cn)
def rnn_call(lengths=None, batch_first=False):
    def call(m, x, *states):
        st = states[0] if len(states) == 1 else (tuple(states) if states else None)
        if lengths is None:
            out, hn = m(x, st)
        else:
            T = x.shape[1] if batch_first else x.shape[0]
            p = nn.utils.rnn.pack_padded_sequence(x, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False)
            out, hn = m(p, st)
            out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=batch_first, total_length=T)
        return (out,) + (hn if isinstance(hn, tuple) else (hn,))
    return call


def seq(name, mod, *inputs, lengths=None):
    layer(name, mod, *inputs, call=rnn_call(lengths, mod.batch_first),
          extra={"lengths": torch.tensor(lengths)} if lengths else None)


seq("LSTM/2layer-bidir-batchfirst", nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True),
    torch.randn(2, 5, 3), torch.randn(4, 2, 4), torch.randn(4, 2, 4))
seq("LSTM/lengths-bidir", nn.LSTM(3, 4, bidirectional=True), torch.randn(5, 3, 3), torch.randn(2, 3, 4), torch.randn(2, 3, 4),
    lengths=[5, 2, 4])
seq("LSTM/unbatched", nn.LSTM(3, 4), torch.randn(5, 3))
seq("GRU/2layer-bidir", nn.GRU(3, 4, num_layers=2, bidirectional=True), torch.randn(4, 2, 3), torch.randn(4, 2, 4))
seq("GRU/lengths-2layer-batchfirst", nn.GRU(2, 3, num_layers=2, batch_first=True), torch.randn(2, 3, 2), torch.randn(2, 2, 3),
    lengths=[3, 1])
seq("RNN/relu-2layer", nn.RNN(3, 4, num_layers=2, nonlinearity="relu"), torch.randn(4, 2, 3), torch.randn(2, 2, 4))
seq("RNN/tanh-bidir-lengths", nn.RNN(3, 4, bidirectional=True), torch.randn(4, 3, 3), lengths=[2, 4, 3])

# ---- attention: masks are boolean (True = hidden) in PyTorch, 0/1 in dbr
def mha_call(pad=None, attn=None):
    def call(m, q, k, v):
        return m(q, k, v, key_padding_mask=pad, attn_mask=attn)
    return call


causal4 = torch.triu(torch.ones(4, 4, dtype=torch.bool), 1)
pad24 = torch.tensor([[False, False, False, False], [False, False, True, True]])
mha = nn.MultiheadAttention(6, 2)
randomize(mha)
x = torch.randn(4, 2, 6)
layer("MHA/self-causal-pad", mha, x, x.clone(), x.clone(), call=mha_call(pad24, causal4),
      extra={"pad": pad24, "attn": causal4})
mha = nn.MultiheadAttention(6, 3, batch_first=True)
randomize(mha)
hmask = torch.rand(2 * 3, 3, 5) < 0.3
hmask[:, :, 0] = False  # every query sees key 0
layer("MHA/cross-batchfirst-headmask", mha, torch.randn(2, 3, 6), torch.randn(2, 5, 6), torch.randn(2, 5, 6),
      call=mha_call(None, hmask), extra={"attn": hmask})
mha = nn.MultiheadAttention(4, 1)
randomize(mha)
layer("MHA/unbatched", mha, torch.randn(3, 4), torch.randn(5, 4), torch.randn(5, 4))


def enc_call(mask=None, pad=None):
    def call(m, x):
        return m(x, mask=mask, src_key_padding_mask=pad)
    return call


def enc_layer_call(mask=None, pad=None):
    def call(m, x):
        return m(x, src_mask=mask, src_key_padding_mask=pad)
    return call


el = nn.TransformerEncoderLayer(6, 2, dim_feedforward=8, dropout=0.0)
randomize(el)
layer("TransformerEncoderLayer/post-relu", el, torch.randn(4, 2, 6), call=enc_layer_call(causal4, pad24),
      extra={"pad": pad24, "attn": causal4})
el = nn.TransformerEncoderLayer(6, 3, dim_feedforward=5, dropout=0.0, activation="gelu", norm_first=True,
                                batch_first=True, layer_norm_eps=1e-3)
randomize(el)
layer("TransformerEncoderLayer/pre-gelu-batchfirst", el, torch.randn(2, 4, 6), call=enc_layer_call(None, pad24),
      extra={"pad": pad24})
el = nn.TransformerEncoderLayer(6, 2, dim_feedforward=8, dropout=0.0, norm_first=True)
tenc = nn.TransformerEncoder(el, 2, norm=nn.LayerNorm(6))
randomize(tenc)
layer("TransformerEncoder/2layers-norm", tenc, torch.randn(4, 2, 6), call=enc_call(causal4, None),
      extra={"attn": causal4})

# ---- schedulers: the lr after each of 12 scheduler steps from lr 0.5 (as nnref.py's)
def sched(name, make, **kw):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.5)
    s = make(opt, **kw)
    lrs = [opt.param_groups[0]["lr"]]  # after construction
    for i in range(12):
        opt.step()
        s.step()
        lrs.append(opt.param_groups[0]["lr"])
    add(name, {"lrs": torch.tensor(lrs)}, {k: float(v) for k, v in kw.items() if isinstance(v, (int, float))})


S = torch.optim.lr_scheduler
sched("MultiStepLR", lambda o: S.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.5))
sched("LinearLR", S.LinearLR, start_factor=0.25, end_factor=1.0, total_iters=4)
sched("LinearLR/decay", S.LinearLR, start_factor=1.0, end_factor=0.1, total_iters=7)
sched("LambdaLR", lambda o: S.LambdaLR(o, lambda e: 0.9 ** e if e < 6 else 0.1 * e))
sched("OneCycleLR", S.OneCycleLR, max_lr=2.0, total_steps=13, cycle_momentum=False)
sched("OneCycleLR/linear-3phase", S.OneCycleLR, max_lr=1.0, total_steps=13, pct_start=0.25, anneal_strategy="linear",
      div_factor=10.0, final_div_factor=100.0, three_phase=True, cycle_momentum=False)
sched("CosineAnnealingWarmRestarts", S.CosineAnnealingWarmRestarts, T_0=3, T_mult=2, eta_min=0.05)
sched("CosineAnnealingWarmRestarts/mult1", S.CosineAnnealingWarmRestarts, T_0=4)

# ---- parameter groups: three parameters, the last two in a second group with
# its own lr and weight decay; a StepLR halves every group's rate each 2 steps
def groups(name, make, steps=4, **group):
    p0 = [torch.randn(3, 2), torch.randn(4), torch.randn(2, 2)]
    ps = [p.clone().requires_grad_(True) for p in p0]
    opt = make([{"params": ps[:1]}, dict(params=ps[1:], **group)])
    sch = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    ts = {"p0.%d" % i: p for i, p in enumerate(p0)}
    for s in range(1, steps + 1):
        for i, p in enumerate(ps):
            g = torch.randn(p.shape)
            p.grad = g.clone()
            ts["g%d.%d" % (s, i)] = g
        opt.step()
        sch.step()
        for i, p in enumerate(ps):
            ts["p%d.%d" % (s, i)] = p.detach().clone()
    add(name, ts, {"steps": steps, "lr1": opt.param_groups[1]["lr"]})


groups("Groups/SGD", lambda g: torch.optim.SGD(g, lr=0.1, momentum=0.9, weight_decay=0.01), lr=0.3, weight_decay=0.0)
groups("Groups/Adam", lambda g: torch.optim.Adam(g, lr=0.01), lr=0.05, weight_decay=0.1)
groups("Groups/AdamW", lambda g: torch.optim.AdamW(g, lr=0.01), weight_decay=0.0)
groups("Groups/SGD-plain", lambda g: torch.optim.SGD(g, lr=0.1), weight_decay=0.5)

# ---- a float attn_mask (added to the scores; dbr: Masks.AttnBias) with a key padding mask
mha = nn.MultiheadAttention(6, 2)
randomize(mha)
fbias = torch.randn(3, 4)
fbias[0, 1] = -1e9  # hides key 1 from query 0 (JSON has no -inf)
layer("MHA/float-mask", mha, torch.randn(3, 2, 6), torch.randn(4, 2, 6), torch.randn(4, 2, 6),
      call=mha_call(torch.tensor([[False, False, False, True], [False, False, False, False]]), fbias),
      extra={"bias": fbias, "pad": torch.tensor([[0., 0, 0, 1], [0, 0, 0, 0]])})

# ---- MultiheadAttention's kdim/vdim (q/k/v_proj_weight), add_bias_kv, add_zero_attn, need_weights and
# average_attn_weights; the masks cover the given keys only (PyTorch pads them for the appended ones)
def mha_call2(pad=None, attn=None, need=True, average=True):
    def call(m, q, k, v):
        out, w = m(q, k, v, key_padding_mask=pad, attn_mask=attn, need_weights=need, average_attn_weights=average)
        return (out, w) if need else out
    return call


mha = nn.MultiheadAttention(6, 2, kdim=4, vdim=5, add_bias_kv=True, add_zero_attn=True)
randomize(mha)
pad = torch.tensor([[False, False, True, False], [False, False, False, False]])
layer("MHA/kdim-vdim-biaskv-zeroattn-causal", mha, torch.randn(3, 2, 6), torch.randn(4, 2, 4), torch.randn(4, 2, 5),
      call=mha_call2(pad, torch.triu(torch.ones(3, 4, dtype=torch.bool), 1)), extra={"pad": pad})
mha = nn.MultiheadAttention(6, 3, batch_first=True, add_bias_kv=True)
randomize(mha)
hmask = torch.rand(2 * 3, 4, 5) < 0.3
hmask[:, :, 1] = False
layer("MHA/biaskv-perhead-batchfirst-headmask", mha, torch.randn(2, 4, 6), torch.randn(2, 5, 6), torch.randn(2, 5, 6),
      call=mha_call2(pad=torch.tensor([[False] * 4 + [True], [False] * 5]), attn=hmask, average=False),
      extra={"attn": hmask, "pad": torch.tensor([[0.] * 4 + [1.], [0.] * 5])})
mha = nn.MultiheadAttention(4, 2, kdim=3, add_zero_attn=True)
randomize(mha)
layer("MHA/zeroattn-kdim-unbatched-perhead", mha, torch.randn(3, 4), torch.randn(5, 3), torch.randn(5, 4),
      call=mha_call2(average=False))
mha = nn.MultiheadAttention(6, 2, kdim=3, vdim=3)
randomize(mha)
fbias = torch.randn(2, 4)
layer("MHA/kdim-noweights-float-mask", mha, torch.randn(2, 3, 6), torch.randn(4, 3, 3), torch.randn(4, 3, 3),
      call=mha_call2(attn=fbias, need=False), extra={"bias": fbias})

# ---- OneCycleLR cycling the momentum (SGD's and RMSprop's momentum, Adam's beta1) and a max_lr per
# parameter group: three parameters (the last two in a second group when groups is set), 7 steps of
# random gradients; the parameters, every group's lr and the momentum after construction and each step
def onecycle(name, make, groups=None, steps=7, **kw):
    p0 = [torch.randn(3, 2), torch.randn(4), torch.randn(2, 2)]
    ps = [p.clone().requires_grad_(True) for p in p0]
    opt = make([{"params": ps[:1]}, dict(params=ps[1:], **groups)] if groups is not None else [{"params": ps}])
    sch = torch.optim.lr_scheduler.OneCycleLR(opt, total_steps=steps + 1, **kw)
    mom = lambda: opt.param_groups[0]["betas"][0] if "betas" in opt.defaults else opt.param_groups[0]["momentum"]
    ts = {"p0.%d" % i: p for i, p in enumerate(p0)}
    lrs, moms = [[g["lr"] for g in opt.param_groups]], [mom()]
    for s in range(1, steps + 1):
        for i, p in enumerate(ps):
            g = torch.randn(p.shape)
            p.grad = g.clone()
            ts["g%d.%d" % (s, i)] = g
        opt.step()
        sch.step()
        for i, p in enumerate(ps):
            ts["p%d.%d" % (s, i)] = p.detach().clone()
        lrs.append([g["lr"] for g in opt.param_groups])
        moms.append(mom())
    ts["lrs"], ts["moms"] = torch.tensor(lrs), torch.tensor(moms)
    add(name, ts, {"steps": steps})


onecycle("OneCycle/SGD-momentum", lambda g: torch.optim.SGD(g, lr=0.1, momentum=0.9), max_lr=0.5)
onecycle("OneCycle/SGD-plain-groups", lambda g: torch.optim.SGD(g, lr=0.1), groups={"lr": 0.3}, max_lr=[0.5, 1.5])
onecycle("OneCycle/Adam-3phase-linear", lambda g: torch.optim.Adam(g, lr=0.01), max_lr=0.05, three_phase=True,
         anneal_strategy="linear", base_momentum=0.8, max_momentum=0.9)
onecycle("OneCycle/RMSprop", lambda g: torch.optim.RMSprop(g, lr=0.01, momentum=0.5), max_lr=0.02, pct_start=0.5)
onecycle("OneCycle/AdamW-groups-nocycle", lambda g: torch.optim.AdamW(g, lr=0.01), groups={"lr": 0.02, "weight_decay": 0.0},
         max_lr=[0.01, 0.03], cycle_momentum=False)

# ---- every scheduler over two parameter groups (lr 0.5 and 0.2): each group's rate moves from its own,
# with PyTorch's per-group lists (LambdaLR's lr_lambda, OneCycleLR's max_lr, ReduceLROnPlateau's min_lr)
plateau_metrics = [1, 0.9, 0.95, 0.97, 0.96, 0.99, 0.98, 0.97, 1.0, 0.99, 0.98, 0.97]


def sched_groups(name, make, metrics=None):
    opt = torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)]},
                           {"params": [torch.zeros(2, requires_grad=True)], "lr": 0.2}], lr=0.5)
    s = make(opt)
    lrs = [[g["lr"] for g in opt.param_groups]]
    for i in range(12):
        opt.step()
        s.step(metrics[i]) if metrics else s.step()
        lrs.append([g["lr"] for g in opt.param_groups])
    add(name, {"lrs": torch.tensor(lrs)})


sched_groups("SchedGroups/StepLR", lambda o: S.StepLR(o, step_size=3, gamma=0.5))
sched_groups("SchedGroups/ExponentialLR", lambda o: S.ExponentialLR(o, gamma=0.9))
sched_groups("SchedGroups/CosineAnnealingLR", lambda o: S.CosineAnnealingLR(o, T_max=5, eta_min=0.05))
sched_groups("SchedGroups/MultiStepLR", lambda o: S.MultiStepLR(o, milestones=[2, 5], gamma=0.5))
sched_groups("SchedGroups/LinearLR", lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=4))
sched_groups("SchedGroups/LambdaLR-list", lambda o: S.LambdaLR(o, [lambda e: 0.9 ** e, lambda e: 1 / (e + 1)]))
sched_groups("SchedGroups/OneCycleLR-list", lambda o: S.OneCycleLR(o, max_lr=[1.0, 0.3], total_steps=13))
sched_groups("SchedGroups/CosineAnnealingWarmRestarts", lambda o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.05))
sched_groups("SchedGroups/ReduceLROnPlateau-list", lambda o: S.ReduceLROnPlateau(o, patience=1, factor=0.5, min_lr=[0.1, 0.05]),
             metrics=plateau_metrics)

# ---- MultiheadAttention without biases (bias=False), with kdim and add_bias_kv
mha = nn.MultiheadAttention(6, 3, bias=False, kdim=4, add_bias_kv=True, batch_first=True)
randomize(mha)
layer("MHA/nobias-kdim-biaskv", mha, torch.randn(2, 3, 6), torch.randn(2, 4, 4), torch.randn(2, 4, 6),
      call=mha_call2(torch.tensor([[False, True, False, False], [False] * 4])), extra={"pad": torch.tensor([[0., 1, 0, 0], [0] * 4])})

# ---- OneCycleLR with a momentum per parameter group (base_momentum and max_momentum lists): as onecycle,
# with the momentum of every group after construction and each step
def onecycle_groups(name, make, steps=7, **kw):
    p0 = [torch.randn(3, 2), torch.randn(4), torch.randn(2, 2)]
    ps = [p.clone().requires_grad_(True) for p in p0]
    opt = make([{"params": ps[:1]}, {"params": ps[1:], "lr": 0.3}])
    sch = torch.optim.lr_scheduler.OneCycleLR(opt, total_steps=steps + 1, **kw)
    mom = lambda g: g["betas"][0] if "betas" in opt.defaults else g["momentum"]
    ts = {"p0.%d" % i: p for i, p in enumerate(p0)}
    lrs, moms = [[g["lr"] for g in opt.param_groups]], [[mom(g) for g in opt.param_groups]]
    for s in range(1, steps + 1):
        for i, p in enumerate(ps):
            g = torch.randn(p.shape)
            p.grad = g.clone()
            ts["g%d.%d" % (s, i)] = g
        opt.step()
        sch.step()
        for i, p in enumerate(ps):
            ts["p%d.%d" % (s, i)] = p.detach().clone()
        lrs.append([g["lr"] for g in opt.param_groups])
        moms.append([mom(g) for g in opt.param_groups])
    ts["lrs"], ts["moms"] = torch.tensor(lrs), torch.tensor(moms)
    add(name, ts, {"steps": steps})


onecycle_groups("OneCycle/SGD-momentum-lists", lambda g: torch.optim.SGD(g, lr=0.1, momentum=0.9, nesterov=True),
                max_lr=[0.5, 1.0], base_momentum=[0.8, 0.7], max_momentum=[0.9, 0.95])
onecycle_groups("OneCycle/Adam-beta1-lists", lambda g: torch.optim.Adam(g, lr=0.01), max_lr=[0.05, 0.02], three_phase=True,
                base_momentum=[0.85, 0.6], max_momentum=[0.95, 0.9])
onecycle_groups("OneCycle/RMSprop-momentum-lists", lambda g: torch.optim.RMSprop(g, lr=0.01, momentum=0.3), max_lr=[0.02, 0.01],
                base_momentum=[0.5, 0.2], max_momentum=[0.6, 0.7], anneal_strategy="linear")

# ---- a float attn_mask with bias_k/bias_v and the zero key: PyTorch pads it with zeros for the appended keys
mha = nn.MultiheadAttention(6, 2, add_bias_kv=True, add_zero_attn=True)
randomize(mha)
fbias = torch.randn(3, 4)
layer("MHA/biaskv-zeroattn-float-mask", mha, torch.randn(3, 2, 6), torch.randn(4, 2, 6), torch.randn(4, 2, 6),
      call=mha_call2(attn=fbias), extra={"bias": fbias})

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layersref.json")
with open(path, "w") as f:
    json.dump({"generator": "torch " + torch.__version__, "cases": cases}, f, separators=(",", ":"))
print("wrote %d cases to %s" % (len(cases), path))
